"""Domain functions the REST door calls instead of reading models: the ?tag= and ?arn= list
filters, a PolicyId's ARN (authorized when unknown), an MFA device named by its name, a user's
access key, one audit event."""

import pytest

from iamconsole.iam import arns, audit
from iamconsole.iam import services as iam
from iamconsole.iam.errors import AccessDenied, InvalidInput, NoSuchEntity

DOC = ('{"Version": "2012-10-17", "Statement": '
       '[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}')

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged(system):
    iam.create_user(system, "t-alice", tags={"team": "blue", "env": "prod"})
    iam.create_user(system, "t-bob", tags={"team": "red"})
    iam.create_user(system, "t-carol")
    iam.create_group(system, "t-devs")


def _names(qs):
    return sorted(e.name for e in qs if e.name.startswith("t-"))


def test_filter_by_tag_key_or_key_value(tagged, system):
    users = iam.list_users(system)
    assert _names(iam.filter_by_tag(users, None)) == ["t-alice", "t-bob", "t-carol"]
    assert _names(iam.filter_by_tag(users, "team")) == ["t-alice", "t-bob"]
    assert _names(iam.filter_by_tag(users, "team=red")) == ["t-bob"]
    assert _names(iam.filter_by_tag(users, "team=")) == []


def test_groups_have_no_tags_so_a_tag_filter_matches_none(tagged, system):
    groups = iam.list_groups(system)
    assert _names(iam.filter_by_tag(groups, "")) == ["t-devs"]
    assert _names(iam.filter_by_tag(groups, "team")) == []


def test_filter_by_policy_arn(system):
    policy = iam.create_policy(system, "DoorP", DOC)
    policies = iam.list_policies(system)
    assert [p.name for p in iam.filter_by_policy_arn(policies, policy.arn)] == ["DoorP"]
    other_account = "arn:aws:iam::210987654321:policy/DoorP"
    assert not iam.filter_by_policy_arn(policies, other_account).exists()
    with pytest.raises(InvalidInput):
        iam.filter_by_policy_arn(policies, "arn:aws:iam::aws:user/x")


def test_policy_arn_by_id(system, outsider_caller):
    policy = iam.create_policy(system, "DoorQ", DOC)
    assert iam.policy_arn_by_id(policy.policy_id) == policy.arn
    unknown = "ANPAAAAAAAAAAAAAAAAAA"
    assert iam.policy_arn_by_id(unknown, or_named=True) == arns.policy(unknown)
    with pytest.raises(NoSuchEntity):
        iam.policy_arn_by_id(unknown, system, "iam:GetPolicy")
    with pytest.raises(AccessDenied):  # unknown, but authorized first: no existence oracle
        iam.policy_arn_by_id(unknown, outsider_caller, "iam:GetPolicy")


def test_mfa_serial_number_by_name_or_serial(system):
    device = iam.create_virtual_mfa_device(system, "door-phone").device
    assert iam.mfa_serial_number("DOOR-PHONE") == device.serial_number
    assert iam.mfa_serial_number(device.serial_number) == device.serial_number
    assert iam.mfa_serial_number("no-such-device") == "no-such-device"


def test_user_access_key_of_another_user_is_unknown(system):
    iam.create_user(system, "k-alice")
    iam.create_user(system, "k-bob")
    key = iam.create_access_key(system, "k-alice").access_key
    found = iam.get_user_access_key_last_used(system, "K-ALICE", key.access_key_id)
    assert found.pk == key.pk
    with pytest.raises(NoSuchEntity):
        iam.get_user_access_key_last_used(system, "k-bob", key.access_key_id)


def test_lookup_event(system, outsider_caller):
    iam.create_user(system, "e-alice")
    event = audit.lookup_events(system, action="iam:CreateUser", resource_name="e-alice").first()
    assert audit.lookup_event(system, event.pk) == event
    with pytest.raises(NoSuchEntity):
        audit.lookup_event(system, 10**9)
    with pytest.raises(AccessDenied):
        audit.lookup_event(outsider_caller, event.pk)

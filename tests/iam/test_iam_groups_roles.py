"""Groups, membership and roles: AWS rules, limits and error codes."""

import json

import pytest
from personas import ADMIN_POLICY, allow, caller_for, make_user, policy_json

from iamconsole.iam import authz, errors
from iamconsole.iam import services as iam
from iamconsole.iam.models import Group, Role

pytestmark = pytest.mark.django_db
ACCOUNT = "123456789012"
TRUST = policy_json({"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}})


def test_create_group_and_membership(system):
    group = iam.create_group(system, "devs", path="/eng/")
    assert group.arn == f"arn:aws:iam::{ACCOUNT}:group/eng/devs"
    assert group.group_id.startswith("AGPA")
    iam.create_user(system, "alice")
    iam.add_user_to_group(system, "devs", "alice")
    iam.add_user_to_group(system, "DEVS", "alice")  # again: no error, no duplicate
    _, members = iam.get_group(system, "devs")
    assert [u.name for u in members] == ["alice"]
    assert [g.name for g in iam.list_groups_for_user(system, "alice")] == ["devs"]
    iam.remove_user_from_group(system, "devs", "alice")
    with pytest.raises(errors.NoSuchEntity):
        iam.remove_user_from_group(system, "devs", "alice")


def test_group_names_unique_ignoring_case(system):
    iam.create_group(system, "Devs")
    with pytest.raises(errors.EntityAlreadyExists):
        iam.create_group(system, "devs")


def test_eleventh_group_for_a_user_is_limit_exceeded(system):
    iam.create_user(system, "alice")
    for i in range(10):
        iam.add_user_to_group(system, iam.create_group(system, f"g{i}").name, "alice")
    iam.create_group(system, "g10")
    with pytest.raises(errors.LimitExceeded):
        iam.add_user_to_group(system, "g10", "alice")


def test_delete_group_conflicts_with_members_and_policies(system):
    iam.create_group(system, "g")
    iam.create_user(system, "alice")
    iam.add_user_to_group(system, "g", "alice")
    with pytest.raises(errors.DeleteConflict, match="users"):
        iam.delete_group(system, "g")
    iam.remove_user_from_group(system, "g", "alice")
    iam.put_group_policy(system, "g", "p", ADMIN_POLICY)
    with pytest.raises(errors.DeleteConflict, match="inline"):
        iam.delete_group(system, "g")
    iam.delete_inline_policy(system, "group", "g", "p")
    iam.delete_group(system, "g")
    assert not Group.objects.exists()


def test_update_group_renames_and_detects_stale_edits(system):
    group = iam.create_group(system, "g")
    iam.update_group(system, "g", new_group_name="h", revision=group.revision)
    with pytest.raises(errors.ConcurrentModification):
        iam.update_group(system, "h", new_path="/x/", revision=group.revision)


def test_group_policies_apply_to_members(system):
    iam.create_group(system, "readers")
    iam.put_group_policy(system, "readers", "r", policy_json(allow("iam:ListRoles")))
    user = make_user("alice")
    caller = caller_for(user)
    assert not authz.is_allowed(caller, "iam:ListRoles", "*")
    iam.add_user_to_group(system, "readers", "alice")
    assert authz.is_allowed(caller_for(user), "iam:ListRoles", "*")


def test_create_role_with_trust_policy_and_defaults(system):
    role = iam.create_role(system, "deploy", TRUST, path="/ci/", description="CI deploys")
    assert role.arn == f"arn:aws:iam::{ACCOUNT}:role/ci/deploy"
    assert role.role_id.startswith("AROA") and role.max_session_duration == 3600
    assert json.loads(role.assume_role_policy_document)["Statement"][0]["Action"] \
        == "sts:AssumeRole"


@pytest.mark.parametrize("duration", [3599, 43201, "abc"])
def test_role_max_session_duration_bounds(system, duration):
    with pytest.raises(errors.ValidationError):
        iam.create_role(system, "r", TRUST, max_session_duration=duration)
    assert not Role.objects.exists()


def test_trust_policy_must_name_a_principal(system):
    no_principal = policy_json({"Effect": "Allow", "Action": "sts:AssumeRole"})
    with pytest.raises(errors.MalformedPolicyDocument):
        iam.create_role(system, "r", no_principal)


def test_identity_policy_cannot_carry_a_principal(system):
    iam.create_user(system, "alice")
    with pytest.raises(errors.MalformedPolicyDocument):
        iam.put_user_policy(system, "alice", "p", TRUST)


def test_update_role_and_trust_policy(system):
    iam.create_role(system, "r", TRUST)
    role = iam.update_role(system, "r", description="new", max_session_duration=7200)
    assert (role.description, role.max_session_duration) == ("new", 7200)
    other = policy_json({"Effect": "Allow", "Action": "sts:AssumeRole",
                         "Principal": {"Service": "ec2.amazonaws.com"}})
    assert iam.update_assume_role_policy(system, "r", other).assume_role_policy_document == other


def test_delete_role_conflicts_with_policies(system):
    iam.create_role(system, "r", TRUST)
    iam.attach_role_policy(system, "r", iam.create_policy(system, "P", ADMIN_POLICY).arn)
    with pytest.raises(errors.DeleteConflict):
        iam.delete_role(system, "r")


def test_role_tags_and_boundary(system):
    boundary = iam.create_policy(system, "B", ADMIN_POLICY)
    iam.create_role(system, "r", TRUST, tags=[{"Key": "env", "Value": "prod"}],
                    permissions_boundary=boundary.arn)
    iam.tag_role(system, "r", {"owner": "ops"})
    assert iam.list_role_tags(system, "r") == {"env": "prod", "owner": "ops"}
    iam.untag_role(system, "r", ["env"])
    assert iam.delete_role_permissions_boundary(system, "r").permissions_boundary is None
    assert iam.put_role_permissions_boundary(system, "r", boundary.arn).permissions_boundary


def test_reader_may_read_but_not_write(reader_caller, system):
    iam.create_role(system, "r", TRUST)
    assert iam.get_role(reader_caller, "r").name == "r"
    with pytest.raises(errors.AccessDenied):
        iam.delete_role(reader_caller, "r")
    assert Role.objects.filter(name="r").exists()

"""The remaining domain operations: listings, policy tags and description, MFA listing and
resync, login-profile updates, account settings."""

import pyotp
import pytest
import time_machine
from personas import ADMIN_POLICY, PASSWORD, allow, policy_json

from iamconsole.iam import errors
from iamconsole.iam import services as iam
from iamconsole.iam.models import AccountSettings, User

pytestmark = pytest.mark.django_db
T0 = 1_800_000_000


def test_list_groups_by_path_and_get_group(system):
    iam.create_group(system, "a", path="/eng/")
    iam.create_group(system, "b", path="/ops/")
    assert [g.name for g in iam.list_groups(system, path_prefix="/eng/")] == ["a"]
    group, members = iam.get_group(system, "A")
    assert group.name == "a" and list(members) == []


def test_list_roles_and_users_reject_bad_path_prefix(system):
    with pytest.raises(errors.ValidationError):
        iam.list_roles(system, path_prefix="eng")
    with pytest.raises(errors.ValidationError):
        iam.list_users(system, path_prefix="x/")


def test_policy_versions_listing_tags_and_description(system):
    policy = iam.create_policy(system, "P", ADMIN_POLICY, tags={"a": "1"})
    iam.create_policy_version(system, policy.arn, policy_json(allow("s3:*")))
    assert [v.version_id for v in iam.list_policy_versions(system, policy.arn)] == ["v2", "v1"]
    iam.tag_policy(system, policy.arn, {"b": "2"})
    iam.untag_policy(system, policy.arn, ["a"])
    assert iam.list_policy_tags(system, policy.arn) == {"b": "2"}
    updated = iam.update_policy_description(system, policy.arn, "Everything")
    assert updated.description == "Everything"
    with pytest.raises(errors.ConcurrentModification):
        iam.update_policy_description(system, policy.arn, "x", revision=1)
    with pytest.raises(errors.ValidationError):
        iam.update_policy_description(system, policy.arn, "x" * 1001)


def test_list_attached_policies_for_each_kind(system):
    policy = iam.create_policy(system, "P", ADMIN_POLICY)
    iam.create_user(system, "u")
    iam.create_group(system, "g")
    iam.attach_user_policy(system, "u", policy.arn)
    iam.attach_group_policy(system, "g", policy.arn)
    assert [p.name for p in iam.list_attached_policies(system, "user", "u")] == ["P"]
    assert [p.name for p in iam.list_attached_policies(system, "group", "g")] == ["P"]
    iam.detach_group_policy(system, "g", policy.arn)
    assert not iam.list_attached_policies(system, "group", "g").exists()


def test_update_login_profile_sets_password_and_reset_flag(system):
    iam.create_user(system, "alice")
    with pytest.raises(errors.NoSuchEntity):
        iam.update_login_profile(system, "alice", password=PASSWORD)
    iam.create_login_profile(system, "alice", PASSWORD)
    iam.update_login_profile(system, "alice", password_reset_required=True)
    assert User.objects.get(name="alice").password_reset_required
    iam.update_login_profile(system, "alice", password="Brand-New-Pass-1!")
    user = User.objects.get(name="alice")
    assert user.check_password("Brand-New-Pass-1!") and not user.password_reset_required


def test_mfa_listing_and_resync(system):
    iam.create_user(system, "alice")
    new = iam.create_virtual_mfa_device(system, "phone")
    iam.create_virtual_mfa_device(system, "spare")
    totp = pyotp.TOTP(new.base32_seed)
    serial = new.device.serial_number
    with time_machine.travel(T0, tick=False):
        iam.enable_mfa_device(system, "alice", serial, totp.at(T0 - 30), totp.at(T0))
    assert [d.name for d in iam.list_mfa_devices(system, "alice")] == ["phone"]
    assert [d.name for d in iam.list_virtual_mfa_devices(system, "Unassigned")] == ["spare"]
    assert [d.name for d in iam.list_virtual_mfa_devices(system, "Assigned")] == ["phone"]
    later = T0 + 3000
    with time_machine.travel(later, tick=False):
        with pytest.raises(errors.InvalidAuthenticationCode):
            iam.resync_mfa_device(system, "alice", serial, "000000", "111111")
        iam.resync_mfa_device(system, "alice", serial, totp.at(later - 30), totp.at(later))
    with pytest.raises(errors.ValidationError):
        iam.enable_mfa_device(system, "alice", serial, "12345", "123456")
    with pytest.raises(errors.ValidationError):
        iam.list_virtual_mfa_devices(system, "Sometimes")


def test_mfa_device_names_are_unique(system):
    iam.create_virtual_mfa_device(system, "phone")
    with pytest.raises(errors.EntityAlreadyExists):
        iam.create_virtual_mfa_device(system, "PHONE")


def test_enabled_device_cannot_be_enabled_for_another_user(system):
    iam.create_user(system, "alice")
    iam.create_user(system, "bob")
    new = iam.create_virtual_mfa_device(system, "phone")
    totp = pyotp.TOTP(new.base32_seed)
    with time_machine.travel(T0, tick=False):
        iam.enable_mfa_device(system, "alice", new.device.serial_number, totp.at(T0 - 30),
                              totp.at(T0))
    with time_machine.travel(T0 + 60, tick=False), pytest.raises(errors.EntityAlreadyExists):
        iam.enable_mfa_device(system, "bob", new.device.serial_number, totp.at(T0 + 30),
                              totp.at(T0 + 60))


def test_account_settings_require_mfa(system, reader_caller):
    iam.update_account_settings(system, require_mfa=True)
    assert AccountSettings.load().require_mfa
    with pytest.raises(errors.AccessDenied):
        iam.update_account_settings(reader_caller, require_mfa=False)
    assert AccountSettings.load().require_mfa


def test_audit_lookup_filters_exactly_or_by_substring_and_needs_cloudtrail_lookup(
        system, outsider):
    from datetime import UTC, datetime, timedelta

    from personas import caller_for

    from iamconsole.iam import audit

    with time_machine.travel(datetime.fromtimestamp(T0, tz=UTC), tick=False):
        iam.create_user(system, "audit-alice")
    with time_machine.travel(datetime.fromtimestamp(T0 + 3600, tz=UTC), tick=False):
        iam.create_group(system, "audit-team")
    created = audit.lookup_events(system, action="iam:CreateUser", resource_name="audit-alice")
    assert [e.resource_name for e in created] == ["audit-alice"]
    # Exact by default (CloudTrail's lookup attributes); substrings for the console's search.
    assert not audit.lookup_events(system, resource_name="audit-ali").exists()
    partial = audit.lookup_events(system, contains=True, resource_name="AUDIT-")
    assert [e.resource_name for e in partial] == ["audit-team", "audit-alice"]  # newest first
    # since is inclusive, until exclusive.
    start = datetime.fromtimestamp(T0, tz=UTC)
    window = audit.lookup_events(system, contains=True, resource_name="audit-",
                                 since=start, until=start + timedelta(seconds=3600))
    assert [e.resource_name for e in window] == ["audit-alice"]
    with pytest.raises(errors.AccessDenied):  # no policy allows cloudtrail:LookupEvents
        audit.lookup_events(caller_for(outsider))
    iam.put_user_policy(system, "outsider", "audit",
                        policy_json(allow("cloudtrail:LookupEvents")))
    reader = caller_for(User.objects.get(pk=outsider.pk))
    assert audit.lookup_events(reader, action="iam:CreateGroup").count() == 1
    with pytest.raises(TypeError):
        audit.lookup_events(system, colour="red")

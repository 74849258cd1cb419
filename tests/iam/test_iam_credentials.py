"""Access keys, login profiles, password policy, account alias and summary, audit immutability,
the root user and secrets encryption."""

import pyotp
import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction
from personas import PASSWORD, caller_for, make_user

from iamconsole.iam import crypto, errors
from iamconsole.iam import services as iam
from iamconsole.iam.models import AccessKey, AuditEvent, PasswordHistory, User, VirtualMFADevice

pytestmark = pytest.mark.django_db
T0 = 1_800_000_000  # a fixed instant, on a 30-second TOTP step boundary


def test_access_key_secret_is_returned_once_and_stored_encrypted(system):
    iam.create_user(system, "alice")
    new = iam.create_access_key(system, "alice")
    key = AccessKey.objects.get()
    assert key.access_key_id.startswith("AKIA") and len(key.access_key_id) == 20
    assert len(new.secret_access_key) == 40
    assert new.secret_access_key not in key.secret_encrypted
    assert crypto.decrypt(key.secret_encrypted) == new.secret_access_key
    event = AuditEvent.objects.get(action="iam:CreateAccessKey")
    assert new.secret_access_key not in str(event.new_value)


def test_third_access_key_is_limit_exceeded(system):
    iam.create_user(system, "alice")
    iam.create_access_key(system, "alice")
    iam.create_access_key(system, "alice")
    with pytest.raises(errors.LimitExceeded):
        iam.create_access_key(system, "alice")
    assert AccessKey.objects.count() == 2


def test_access_key_status_and_delete(system):
    iam.create_user(system, "alice")
    key_id = iam.create_access_key(system, "alice").access_key.access_key_id
    assert iam.update_access_key(system, key_id, "Inactive", "alice").status == "Inactive"
    with pytest.raises(errors.ValidationError):
        iam.update_access_key(system, key_id, "Paused", "alice")
    iam.delete_access_key(system, key_id, "alice")
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_access_key(system, key_id, "alice")


def test_access_key_without_user_name_is_the_callers(admin_caller, admin):
    key = iam.create_access_key(admin_caller).access_key
    assert key.user == admin
    iam.record_access_key_use(key.access_key_id, "iam", "us-east-1")
    used = iam.get_access_key_last_used(admin_caller, key.access_key_id)
    assert used.last_used_service == "iam" and used.last_used_at is not None


def test_encryption_keys_rotate(settings, system):
    iam.create_user(system, "alice")
    secret = iam.create_access_key(system, "alice").secret_access_key
    settings.IAMCONSOLE_ENCRYPTION_KEYS = ["a-new-key", settings.SECRET_KEY]
    assert crypto.decrypt(AccessKey.objects.get().secret_encrypted) == secret
    settings.IAMCONSOLE_ENCRYPTION_KEYS = ["a-new-key"]
    with pytest.raises(ValueError):
        crypto.decrypt(AccessKey.objects.get().secret_encrypted)


def test_login_profile_lifecycle_and_history(system):
    iam.create_user(system, "alice")
    with pytest.raises(errors.NoSuchEntity):
        iam.get_login_profile(system, "alice")
    iam.create_login_profile(system, "alice", PASSWORD, password_reset_required=True)
    user = iam.get_login_profile(system, "alice")
    assert user.check_password(PASSWORD) and user.password_reset_required
    assert user.password.startswith("argon2")
    assert PasswordHistory.objects.filter(user=user).count() == 1
    with pytest.raises(errors.EntityAlreadyExists):
        iam.create_login_profile(system, "alice", PASSWORD)
    iam.delete_login_profile(system, "alice")
    assert not User.objects.get(name="alice").has_usable_password()


def test_short_password_is_a_password_policy_violation(system):
    iam.create_user(system, "alice")
    with pytest.raises(errors.PasswordPolicyViolation) as exc:
        iam.create_login_profile(system, "alice", "short")
    assert "8 characters" in exc.value.message
    assert not User.objects.get(name="alice").has_usable_password()


def test_change_password_acts_on_the_caller(system):
    alice = make_user("alice")
    iam.update_account_password_policy(system, allow_users_to_change_password=True)
    iam.change_password(caller_for(alice), PASSWORD, "Another-Horse-7!")
    assert User.objects.get(name="alice").check_password("Another-Horse-7!")
    with pytest.raises(errors.InvalidInput):
        iam.change_password(caller_for(alice), "wrong", "Third-Horse-5!")


def test_change_password_needs_permission_without_account_setting(db):
    alice = make_user("alice")
    with pytest.raises(errors.AccessDenied):
        iam.change_password(caller_for(alice), PASSWORD, "Another-Horse-7!")


def test_root_cannot_use_change_password(root_user):
    with pytest.raises(errors.InvalidUserType):
        iam.change_password(caller_for(root_user), PASSWORD, "Another-Horse-7!")


def test_account_password_policy_update_is_not_partial(system):
    with pytest.raises(errors.NoSuchEntity):
        iam.get_account_password_policy(system)
    iam.update_account_password_policy(system, minimum_password_length=12, require_symbols=True,
                                       max_password_age=90)
    policy = iam.policy_dict(iam.get_account_password_policy(system))
    assert policy["MinimumPasswordLength"] == 12 and policy["ExpirePasswords"] is True
    iam.update_account_password_policy(system, require_numbers=True)
    policy = iam.policy_dict(iam.get_account_password_policy(system))
    assert policy["MinimumPasswordLength"] == 6 and policy["RequireSymbols"] is False
    assert "MaxPasswordAge" not in policy and policy["ExpirePasswords"] is False
    iam.delete_account_password_policy(system)
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_account_password_policy(system)


@pytest.mark.parametrize("field, value", [
    ("minimum_password_length", 5), ("minimum_password_length", 129),
    ("max_password_age", 0), ("max_password_age", 1096),
    ("password_reuse_prevention", 25), ("require_symbols", "yes"), ("bogus", 1),
])
def test_account_password_policy_limits(system, field, value):
    with pytest.raises((errors.ValidationError, errors.InvalidInput)):
        iam.update_account_password_policy(system, **{field: value})


def test_virtual_mfa_enable_needs_two_consecutive_codes(system):
    iam.create_user(system, "alice")
    new = iam.create_virtual_mfa_device(system, "alice-phone")
    assert new.otpauth_uri.startswith("otpauth://totp/alice-phone@")
    assert new.qr_png.startswith(b"\x89PNG\r\n\x1a\n") and "<svg" in new.qr_svg
    assert new.base32_seed not in new.device.secret_encrypted
    totp = pyotp.TOTP(new.base32_seed)
    serial = new.device.serial_number
    with time_machine.travel(T0, tick=False):
        with pytest.raises(errors.InvalidAuthenticationCode):
            iam.enable_mfa_device(system, "alice", serial, totp.at(T0), totp.at(T0 - 30))
        iam.enable_mfa_device(system, "alice", serial, totp.at(T0 - 30), totp.at(T0))
        assert VirtualMFADevice.objects.get().user.name == "alice"
        user = User.objects.get(name="alice")
        # The enrolment codes cannot be replayed at sign-in.
        assert iam.verify_mfa_code(user, totp.at(T0)) is None
    with time_machine.travel(T0 + 30, tick=False):
        assert iam.verify_mfa_code(user, totp.at(T0 + 30)) is not None
        assert iam.verify_mfa_code(user, totp.at(T0 + 30)) is None  # replay


def test_mfa_device_must_be_deactivated_before_delete(system):
    iam.create_user(system, "alice")
    new = iam.create_virtual_mfa_device(system, "d")
    totp = pyotp.TOTP(new.base32_seed)
    with time_machine.travel(T0, tick=False):
        iam.enable_mfa_device(system, "alice", new.device.serial_number, totp.at(T0 - 30),
                              totp.at(T0))
    with pytest.raises(errors.DeleteConflict):
        iam.delete_virtual_mfa_device(system, new.device.serial_number)
    iam.deactivate_mfa_device(system, "alice", new.device.serial_number)
    iam.delete_virtual_mfa_device(system, new.device.serial_number)
    assert not VirtualMFADevice.objects.exists()


def test_account_alias_and_summary(system):
    iam.create_account_alias(system, "acme-prod")
    assert iam.list_account_aliases(system) == ["acme-prod"]
    with pytest.raises(errors.ValidationError):
        iam.create_account_alias(system, "Bad_Alias")
    iam.create_user(system, "alice")
    summary = iam.get_account_summary(system)
    assert summary["Users"] == 1 and summary["AccessKeysPerUserQuota"] == 2
    iam.delete_account_alias(system, "acme-prod")
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_account_alias(system, "acme-prod")


def test_audit_events_are_immutable(system):
    iam.create_user(system, "alice")
    event = AuditEvent.objects.get()
    event.actor = "someone else"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(actor="x")
    assert AuditEvent.objects.get().actor == "[test]"


def test_createsuperuser_creates_the_root_user_allowed_everything(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", "--name", "root")
    root = User.objects.get(name="root")
    assert root.is_root and root.arn == "arn:aws:iam::123456789012:root"
    assert iam.create_user(caller_for(root), "made-by-root")


def test_only_one_root_user(root_user):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_superuser("root2", PASSWORD)

"""The root user's MFA device (AWS's serial arn:aws:iam::<account>:mfa/root-account-mfa-device)
through the console and the domain operations, sign-in with its code, and a lockout that cannot
keep an account with MFA out: a stranger's failures lock the name, but the owner's right password
and code from an address that took no part in them still sign in."""

from datetime import timedelta

import pyotp
import pytest
from accounts_helpers import (
    LOGIN_MFA,
    STEP,
    T0,
    enroll_device,
    enter_code,
    page_text,
    sign_in,
    signed_in_user_id,
    url,
)
from django.test import Client
from personas import ADMIN_POLICY, PASSWORD, caller_for, make_user

from iamconsole.iam import clock, errors, lockout
from iamconsole.iam import identifiers as ids
from iamconsole.iam import services as iam
from iamconsole.iam.models import User, VirtualMFADevice

pytestmark = pytest.mark.django_db
ROOT_SERIAL_SUFFIX = ":mfa/root-account-mfa-device"
ATTACKER = "192.0.2.66"
OWNER = "198.51.100.7"


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def root(db, frozen):
    return User.objects.create_superuser("root", PASSWORD)


def _signed_in_root(root) -> Client:
    client = Client(REMOTE_ADDR=OWNER)
    client.force_login(root)
    return client


def _enroll_root_through_the_console(root, frozen) -> pyotp.TOTP:
    client = _signed_in_root(root)
    page = page_text(client.get(url("mfa_enroll")))
    assert "root-account-mfa-device" in page
    client.post(url("mfa_enroll"), {"action": "create", "device_name": "anything"})
    device = VirtualMFADevice.objects.get()
    totp = pyotp.TOTP(_seed(device))
    now = clock.now().timestamp()
    response = client.post(url("mfa_enroll"), {"action": "enable", "code1": totp.at(now - STEP),
                                                "code2": totp.at(now)})
    assert response.status_code == 302, page_text(response)
    frozen.shift(STEP)  # the enrollment used the current code
    return totp


def _seed(device) -> str:
    from iamconsole.iam import crypto

    return crypto.decrypt(device.secret_encrypted)


def test_root_enrolls_a_virtual_device_in_the_console_with_aws_serial(root, frozen):
    _enroll_root_through_the_console(root, frozen)
    device = root.mfa_devices.get()
    assert device.serial_number == f"arn:aws:iam::{ids.account_id()}{ROOT_SERIAL_SUFFIX}"
    assert device.enabled_at is not None


def test_root_then_signs_in_with_the_mfa_challenge(client, root, frozen):
    totp = _enroll_root_through_the_console(root, frozen)
    response = sign_in(client, "root", PASSWORD)
    assert response.status_code == 302 and response["Location"] == LOGIN_MFA
    assert signed_in_user_id(client) is None
    enter_code(client, totp.now())
    assert signed_in_user_id(client) == str(root.pk)


def test_root_enrolls_through_the_domain_operations_the_query_api_uses(root, frozen):
    caller = caller_for(root)
    new = iam.create_virtual_mfa_device(caller, "root-account-mfa-device")
    totp = pyotp.TOTP(new.base32_seed)
    now = clock.now().timestamp()
    iam.enable_mfa_device(caller, "", new.device.serial_number, totp.at(now - STEP),
                          totp.at(now))
    assert list(iam.list_mfa_devices(caller)) == [new.device]
    assert new.device.serial_number.endswith(ROOT_SERIAL_SUFFIX)


def test_no_iam_user_can_take_the_root_device_name(root, frozen):
    admin = make_user("admin", policy=ADMIN_POLICY)
    with pytest.raises(errors.ValidationError, match="reserved for the root user"):
        iam.create_virtual_mfa_device(caller_for(admin), "root-account-mfa-device")
    with pytest.raises(errors.ValidationError, match="reserved for the root user"):
        iam.create_virtual_mfa_device(caller_for(admin), "Root-Account-MFA-Device", path="/x/")


def test_an_iam_admin_cannot_enable_a_device_on_the_root_user(root, frozen):
    admin = make_user("admin", policy=ADMIN_POLICY)
    new = iam.create_virtual_mfa_device(caller_for(admin), "admin-made")
    totp = pyotp.TOTP(new.base32_seed)
    now = clock.now().timestamp()
    with pytest.raises(errors.NoSuchEntity):
        iam.enable_mfa_device(caller_for(admin), "root", new.device.serial_number,
                              totp.at(now - STEP), totp.at(now))
    assert not root.mfa_devices.exists()


def test_an_abandoned_root_enrollment_is_started_afresh(root, frozen):
    client = _signed_in_root(root)
    client.post(url("mfa_enroll"), {"action": "create", "device_name": "x"})
    first = VirtualMFADevice.objects.get().pk
    other = _signed_in_root(root)  # a new session: the first one's pending device is lost
    response = other.post(url("mfa_enroll"), {"action": "create", "device_name": "x"})
    assert response.status_code == 302
    assert VirtualMFADevice.objects.get().pk != first


# --- the lockout cannot keep an account with MFA out --------------------------------------

def _lock(name: str) -> None:
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(lockout.limits().user_failures):
        sign_in(attacker, name, "Not-The-Password-1!")
    assert lockout.locked_until(lockout.PASSWORD, name, OWNER) is not None


def test_locked_root_with_mfa_signs_in_from_another_address_with_password_and_code(
        root, frozen):
    totp = _enroll_root_through_the_console(root, frozen)
    _lock("root")
    owner = Client(REMOTE_ADDR=OWNER)
    response = sign_in(owner, "root", PASSWORD)
    assert response.status_code == 302 and response["Location"] == LOGIN_MFA
    enter_code(owner, totp.now())
    assert signed_in_user_id(owner) == str(root.pk)


def test_the_lock_holds_for_the_password_alone(root, frozen):
    """Without a valid code the lock stands, and a root user without MFA stays locked out."""
    _lock("root")
    owner = Client(REMOTE_ADDR=OWNER)
    response = sign_in(owner, "root", PASSWORD)
    assert signed_in_user_id(owner) is None
    assert "Too many failed sign-in attempts" in page_text(response)


def test_the_lock_holds_for_a_wrong_code_from_the_clean_address(root, frozen):
    totp = _enroll_root_through_the_console(root, frozen)
    _lock("root")
    owner = Client(REMOTE_ADDR=OWNER)
    sign_in(owner, "root", PASSWORD)
    wrong = "000000" if totp.now() != "000000" else "111111"
    enter_code(owner, wrong)
    assert signed_in_user_id(owner) is None


def test_the_address_that_caused_the_failures_cannot_sign_in_past_the_lock(root, frozen):
    totp = _enroll_root_through_the_console(root, frozen)
    _lock("root")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    response = sign_in(attacker, "root", PASSWORD)
    assert "Too many failed sign-in attempts" in page_text(response)
    assert response.status_code == 200  # no MFA step offered
    enter_code(attacker, totp.now())
    assert signed_in_user_id(attacker) is None


def test_a_wrong_password_from_the_clean_address_ends_its_way_past_the_lock(root, frozen):
    totp = _enroll_root_through_the_console(root, frozen)
    _lock("root")
    owner = Client(REMOTE_ADDR=OWNER)
    sign_in(owner, "root", "Also-Wrong-1!")
    response = sign_in(owner, "root", PASSWORD)
    assert response.status_code == 200 and "Too many failed" in page_text(response)
    enter_code(owner, totp.now())
    assert signed_in_user_id(owner) is None


def test_an_iam_user_with_mfa_signs_in_past_the_lock_too(frozen):
    alice = make_user("alice")
    totp = enroll_device(alice)
    frozen.shift(STEP)
    _lock("alice")
    owner = Client(REMOTE_ADDR=OWNER)
    sign_in(owner, "alice", PASSWORD)
    enter_code(owner, totp.now())
    assert signed_in_user_id(owner) == str(alice.pk)


def test_repeated_locks_do_not_keep_the_owner_out(root, frozen):
    totp = _enroll_root_through_the_console(root, frozen)
    for _ in range(3):
        _lock("root")
        frozen.shift(timedelta(minutes=1))
    owner = Client(REMOTE_ADDR=OWNER)
    sign_in(owner, "root", PASSWORD)
    enter_code(owner, totp.now())
    assert signed_in_user_id(owner) == str(root.pk)

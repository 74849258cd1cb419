"""Virtual MFA through the console: enrollment with a QR code and two real consecutive codes,
required enrollment, resync, administrator deactivate/delete, and the MFA context keys a
policy sees for a console session."""

import io
import re
from datetime import timedelta

import pyotp
import pytest
import segno
from accounts_helpers import (
    STEP,
    T0,
    enroll_device,
    enter_code,
    page_text,
    sign_in,
    signed_in_user_id,
    url,
)
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from personas import PASSWORD, allow, deny, make_user, policy_json

from iamconsole.accounts.session import MFA_AT, caller_from_request, mark_mfa_authenticated
from iamconsole.iam import authz, crypto, errors
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, User, VirtualMFADevice

pytestmark = pytest.mark.django_db
SYSTEM = Caller.system("test")
ACCOUNT = "123456789012"
SELF_MFA_POLICY = policy_json(
    allow(["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ResyncMFADevice",
           "iam:ListMFADevices"],
          ["arn:aws:iam::*:mfa/${aws:username}*", "arn:aws:iam::*:user/${aws:username}"]),
)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def secret_on(page: str) -> str:
    match = re.search(r'<code id="mfa-secret"[^>]*>([A-Z2-7]+)</code>', page)
    assert match, "the Base32 secret is shown on the page"
    return match.group(1)


def start_enrollment(client, name=None) -> str:
    data = {"action": "create"}
    data["device_name"] = name or client.get(url("mfa_enroll")).context["name_form"][
        "device_name"].value()
    response = client.post(url("mfa_enroll"), data)
    assert response.status_code == 302, page_text(response)
    return page_text(client.get(url("mfa_enroll")))


def submit_codes(client, secret, end_time, **extra):
    totp = pyotp.TOTP(secret)
    return client.post(url("mfa_enroll"), {
        "action": "enable", "code1": totp.at(end_time - STEP), "code2": totp.at(end_time),
        **extra})


# --- enrollment ------------------------------------------------------------------------

def test_enrollment_shows_qr_and_secret_then_binds_the_device(client, frozen):
    user = make_user("olga", policy=SELF_MFA_POLICY)
    iam.create_account_alias(SYSTEM, "example-corp")
    sign_in(client, "olga", PASSWORD)
    page = start_enrollment(client)
    secret = secret_on(page)
    device = VirtualMFADevice.objects.get(name="olga")
    assert device.user is None
    assert secret not in device.secret_encrypted
    assert crypto.decrypt(device.secret_encrypted) == secret
    # The inline SVG is the QR code of AWS's otpauth URI with the account alias as issuer.
    uri = f"otpauth://totp/olga@example-corp?secret={secret}&issuer=example-corp"
    expected = io.BytesIO()
    segno.make(uri, error="m").save(expected, kind="svg", scale=5, border=2, xmldecl=False,
                                    svgns=True, title="Scan with your authenticator app")
    assert expected.getvalue().decode() in page

    frozen.shift(2 * STEP)
    response = submit_codes(client, secret, T0.timestamp() + 2 * STEP)
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.user_id == user.pk and device.enabled_at is not None
    assert client.session[MFA_AT]  # two codes proved the second factor for this session
    actions = set(AuditEvent.objects.filter(actor="olga").values_list("action", flat=True))
    assert {"iam:CreateVirtualMFADevice", "iam:EnableMFADevice"} <= actions
    assert "<code id=\"mfa-secret\"" not in page_text(client.get(url("mfa_enroll")))


def test_enrollment_rejects_codes_that_are_not_consecutive(client, frozen):
    make_user("pete", policy=SELF_MFA_POLICY)
    sign_in(client, "pete", PASSWORD)
    secret = secret_on(start_enrollment(client))
    totp = pyotp.TOTP(secret)
    now = T0.timestamp()
    response = client.post(url("mfa_enroll"), {
        "action": "enable", "code1": totp.at(now - 3 * STEP), "code2": totp.at(now)})
    assert "Authentication code for device is not valid." in page_text(response)
    assert VirtualMFADevice.objects.get(name="pete").user is None
    assert AuditEvent.objects.filter(action="iam:EnableMFADevice", outcome="failure").exists()
    assert secret_on(page_text(response)) == secret  # still shown until a pair verifies
    assert submit_codes(client, secret, now).status_code == 302


def test_enrollment_rejects_malformed_codes(client, frozen):
    make_user("quin", policy=SELF_MFA_POLICY)
    sign_in(client, "quin", PASSWORD)
    start_enrollment(client)
    response = client.post(url("mfa_enroll"), {"action": "enable", "code1": "12345",
                                               "code2": "abcdef"})
    assert response.context["codes_form"].errors.keys() == {"code1", "code2"}


def test_enrollment_without_permission_is_denied(client, frozen):
    make_user("rita")
    sign_in(client, "rita", PASSWORD)
    response = client.post(url("mfa_enroll"), {"action": "create", "device_name": "rita"})
    assert response.status_code == 403
    assert "iam:CreateVirtualMFADevice" in page_text(response)
    assert not VirtualMFADevice.objects.exists()


def test_device_name_taken_is_a_form_error(client, frozen):
    make_user("sam", policy=SELF_MFA_POLICY)
    iam.create_virtual_mfa_device(SYSTEM, "sam-phone")
    sign_in(client, "sam", PASSWORD)
    response = client.post(url("mfa_enroll"), {"action": "create", "device_name": "sam-phone"})
    assert "already exists" in page_text(response)
    assert client.get(url("mfa_enroll")).context["name_form"]["device_name"].value() == "sam"


def test_sign_in_after_enrollment_asks_for_a_code(client, frozen):
    make_user("tess", policy=SELF_MFA_POLICY)
    sign_in(client, "tess", PASSWORD)
    secret = secret_on(start_enrollment(client))
    submit_codes(client, secret, T0.timestamp())
    client.post(url("logout"))
    frozen.shift(STEP)
    response = sign_in(client, "tess", PASSWORD)
    assert response["Location"] == url("login-mfa")
    enter_code(client, pyotp.TOTP(secret).now())
    assert signed_in_user_id(client) is not None


# --- account requires MFA -------------------------------------------------------------------

def test_required_mfa_sends_users_without_device_to_enrollment(client, frozen):
    make_user("uma")  # no IAM permissions at all
    iam.update_account_settings(SYSTEM, require_mfa=True)
    sign_in(client, "uma", PASSWORD)
    response = client.get(url("password_policy"))
    assert response["Location"].startswith(url("mfa_enroll") + "?next=")
    api = client.get("/api/v1/users/")
    assert api.status_code == 403 and api.json()["code"] == "MFARequired"
    page = page_text(client.get(url("mfa_enroll")))
    assert "This account requires MFA" in page
    secret = secret_on(start_enrollment(client))
    assert submit_codes(client, secret, T0.timestamp()).status_code == 302
    assert client.get(url("password_policy")).status_code == 403  # through; no permission
    assert User.objects.get(name="uma").mfa_devices.count() == 1


def test_required_enrollment_does_not_let_a_user_enable_a_device_for_someone_else(frozen):
    uma = make_user("uma")
    make_user("victim")
    iam.update_account_settings(SYSTEM, require_mfa=True)
    new = iam.create_virtual_mfa_device(Caller(user=uma), "for-victim")
    totp = pyotp.TOTP(new.base32_seed)
    now = T0.timestamp()
    with pytest.raises(errors.AccessDenied):
        iam.enable_mfa_device(Caller(user=uma), "victim", new.device.serial_number,
                              totp.at(now - STEP), totp.at(now))


def test_once_enrolled_the_permission_exemption_ends(frozen):
    uma = make_user("uma")
    iam.update_account_settings(SYSTEM, require_mfa=True)
    enroll_device(uma, caller=Caller(user=uma))
    with pytest.raises(errors.AccessDenied):
        iam.create_virtual_mfa_device(Caller(user=uma), "second")


def test_required_mfa_user_with_device_goes_through_code_step(client, frozen):
    user = make_user("walt")
    totp = enroll_device(user)
    iam.update_account_settings(SYSTEM, require_mfa=True)
    frozen.shift(STEP)
    sign_in(client, "walt", PASSWORD)
    enter_code(client, totp.now())
    assert client.get(url("mfa_enroll")).status_code == 200
    assert client.get(url("password_change")).status_code == 200  # not redirected


# --- resync, deactivate, delete ---------------------------------------------------------

def test_resync_with_two_consecutive_codes(client, frozen):
    user = make_user("xena", policy=SELF_MFA_POLICY)
    totp = enroll_device(user)
    frozen.shift(STEP)
    sign_in(client, "xena", PASSWORD)
    enter_code(client, totp.now())
    frozen.shift(3 * STEP)
    now = T0.timestamp() + 4 * STEP
    bad = client.post(url("mfa_resync"), {"code1": totp.at(now), "code2": totp.at(now - STEP)})
    assert "Authentication code for device is not valid." in page_text(bad)
    response = client.post(url("mfa_resync"), {"code1": totp.at(now - STEP),
                                               "code2": totp.at(now)})
    assert response.status_code == 302
    device = user.mfa_devices.get()
    assert device.last_used_step == int(now) // STEP
    assert AuditEvent.objects.filter(action="iam:ResyncMFADevice", actor="xena").exists()


def test_resync_without_permission_is_denied(client, frozen):
    user = make_user("yuri")
    totp = enroll_device(user)
    frozen.shift(STEP)
    sign_in(client, "yuri", PASSWORD)
    enter_code(client, totp.now())
    frozen.shift(2 * STEP)
    now = T0.timestamp() + 3 * STEP
    response = client.post(url("mfa_resync"), {"code1": totp.at(now - STEP),
                                               "code2": totp.at(now)})
    assert response.status_code == 403


def test_administrator_deactivates_and_deletes_a_device(client, admin, frozen):
    user = make_user("zoe")
    enroll_device(user)
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/zoe-app"
    with pytest.raises(errors.AccessDenied):
        iam.deactivate_mfa_device(Caller(user=user), "zoe", serial)
    with pytest.raises(errors.DeleteConflict):
        iam.delete_virtual_mfa_device(Caller(user=admin), serial)
    iam.deactivate_mfa_device(Caller(user=admin), "zoe", serial)
    iam.delete_virtual_mfa_device(Caller(user=admin), serial)
    assert not VirtualMFADevice.objects.exists()
    sign_in(client, "zoe", PASSWORD)  # back to password only
    assert signed_in_user_id(client) == str(user.pk)


# --- the MFA context a policy sees ---------------------------------------------------------

MFA_ONLY_POLICY = policy_json(
    allow(["iam:GetAccountPasswordPolicy", "iam:ListUsers"]),
    deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
)


def test_policy_requiring_mfa_blocks_a_session_without_it(client, frozen):
    make_user("amy", policy=MFA_ONLY_POLICY)
    sign_in(client, "amy", PASSWORD)
    response = client.get(url("password_policy"))
    assert response.status_code == 403
    assert "explicit deny" in page_text(response)


def test_policy_requiring_mfa_allows_a_session_with_it(client, frozen):
    user = make_user("ben", policy=MFA_ONLY_POLICY)
    totp = enroll_device(user)
    frozen.shift(STEP)
    sign_in(client, "ben", PASSWORD)
    enter_code(client, totp.now())
    assert client.get(url("password_policy")).status_code == 200


def _request_for(user, mfa_at=None, secure=False):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", secure=secure)
    request.user = user
    request.session = SessionStore()
    if mfa_at is not None:
        mark_mfa_authenticated(request, mfa_at)
    return request


def test_caller_from_request_carries_session_facts(frozen):
    user = make_user("cora", password=None)
    caller = caller_from_request(_request_for(user, mfa_at=T0, secure=True))
    assert (caller.user, caller.auth_method, caller.source_ip) == (user, "console", "203.0.113.9")
    assert caller.mfa_authenticated_at == T0 and caller.secure_transport
    plain = caller_from_request(_request_for(user))
    assert plain.mfa_authenticated_at is None and not plain.secure_transport


def test_caller_from_request_refuses_anonymous_requests(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    with pytest.raises(PermissionDenied):
        caller_from_request(request)


def test_mfa_present_decides_with_bool_if_exists(frozen):
    user = make_user("dina", policy=MFA_ONLY_POLICY, password=None)
    without = caller_from_request(_request_for(user))
    with_mfa = caller_from_request(_request_for(user, mfa_at=T0))
    assert not authz.is_allowed(without, "iam:ListUsers", "*")
    assert authz.is_allowed(with_mfa, "iam:ListUsers", "*")
    with pytest.raises(errors.AccessDenied):
        iam.list_users(without)
    assert list(iam.list_users(with_mfa))


def test_mfa_age_is_measured_from_the_code(frozen):
    policy = policy_json(allow("iam:ListUsers", Condition={
        "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}))
    user = make_user("eve", policy=policy, password=None)
    request = _request_for(user, mfa_at=T0)
    frozen.shift(timedelta(minutes=59))
    assert authz.is_allowed(caller_from_request(request), "iam:ListUsers", "*")
    frozen.shift(timedelta(minutes=2))
    fresh_request = _request_for(user, mfa_at=T0)
    assert not authz.is_allowed(caller_from_request(fresh_request), "iam:ListUsers", "*")
    assert not authz.is_allowed(caller_from_request(_request_for(user)), "iam:ListUsers", "*")

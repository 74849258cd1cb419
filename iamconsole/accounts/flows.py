"""Console sign-in as flow functions: the views parse forms and call these; these check, count
failures, lock out, write the audit log and say what comes next.

Sign-in is two steps for a user with an MFA device: the password step leaves the session
*not* signed in, holding only a short-lived "pending MFA" marker; the user is signed in
(django.contrib.auth.login) only after a valid code. A session is therefore either anonymous or
fully authenticated, and no view can be reached half-way through by mistake.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password

from iamconsole.iam import audit, clock, crypto
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import NoSuchEntity
from iamconsole.iam.models import AccountSettings, User, VirtualMFADevice
from iamconsole.iam.services.mfa import otpauth_uri

from . import lockout

SIGN_IN = "signin:ConsoleLogin"
SIGN_OUT = "signin:ConsoleLogout"
LOCKOUT = "signin:Lockout"

INVALID_CREDENTIALS = "Your user name or password is incorrect."
INVALID_CODE = "The MFA code is not valid. Wait for the next code and try again."
HARD_EXPIRED = ("Your password has expired and the account password policy does not let you "
                "change it yourself. An administrator must reset it.")


def locked_message(until: float) -> str:
    minutes = max(1, math.ceil((until - clock.now().timestamp()) / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed sign-in attempts. Try again in {minutes} {unit}."


@dataclass
class Outcome:
    """What the sign-in step decided. status: signed_in | mfa_required | failed."""

    status: str
    user: User | None = None
    message: str = ""
    mfa_authenticated: bool = False


def _user_caller(user: User, address: str | None) -> Caller:
    return Caller(user=user, auth_method="console", source_ip=address)


def _unknown_caller(address: str | None) -> Caller:
    return Caller(auth_method="console", source_ip=address)


def _record(user: User | None, user_name: str, address: str | None, action: str, *,
            outcome: str, detail: str = "") -> None:
    if user is not None:
        audit.record(_user_caller(user, address), action, resource_type="user",
                     resource_name=user.name, resource_arn=user.arn, outcome=outcome,
                     detail=detail)
    else:
        audit.record(_unknown_caller(address), action, resource_type="user",
                     resource_name=user_name[:512], outcome=outcome, detail=detail)


def _known(user_name: str) -> User | None:
    """For the audit log only (never for the answer): the user the attempt named, if any."""
    return User.objects.filter(name__ci=user_name).first()


def _fail(kind: str, user: User | None, user_name: str, address: str | None,
          detail: str, message: str) -> Outcome:
    _record(user, user_name, address, SIGN_IN, outcome="failure", detail=detail)
    if lockout.register_failure(kind, user_name, address):
        _record(user, user_name, address, LOCKOUT, outcome="failure",
                detail=f"locked after repeated failed {kind} attempts")
        until = lockout.locked_until(kind, user_name, address)
        if until is not None:
            message = locked_message(until)
    return Outcome("failed", message=message)


def password_step(request, user_name: str, password: str) -> Outcome:
    """Check user name + password. Never tells whether a name exists."""
    address = request.META.get("REMOTE_ADDR") or None
    until = lockout.locked_until(lockout.PASSWORD, user_name, address)
    if until is not None:
        make_password(password)  # same work as a real check: no timing signal while locked
        _record(_known(user_name), user_name, address, SIGN_IN, outcome="failure",
                detail="locked out")
        return Outcome("failed", message=locked_message(until))
    user = authenticate(request, username=user_name, password=password)
    if user is None:
        return _fail(lockout.PASSWORD, _known(user_name), user_name, address,
                     "wrong user name or password", INVALID_CREDENTIALS)
    if hard_expired(user):
        _record(user, user_name, address, SIGN_IN, outcome="failure",
                detail="password expired (HardExpiry)")
        return Outcome("failed", message=HARD_EXPIRED)
    lockout.register_success(lockout.PASSWORD, user_name)
    if user.mfa_devices.exists():
        return Outcome("mfa_required", user=user)
    finish_sign_in(user, address, mfa=False)
    return Outcome("signed_in", user=user)


def mfa_step(request, user: User, code: str) -> Outcome:
    address = request.META.get("REMOTE_ADDR") or None
    until = lockout.locked_until(lockout.MFA, user.name, address)
    if until is not None:
        _record(user, user.name, address, SIGN_IN, outcome="failure", detail="MFA locked out")
        return Outcome("failed", message=locked_message(until))
    device = iam.verify_mfa_code(user, code)
    if device is None:
        return _fail(lockout.MFA, user, user.name, address, "MFA code rejected", INVALID_CODE)
    lockout.register_success(lockout.MFA, user.name)
    finish_sign_in(user, address, mfa=True, detail=device.serial_number)
    return Outcome("signed_in", user=user, mfa_authenticated=True)


def finish_sign_in(user: User, address: str | None, *, mfa: bool, detail: str = "") -> None:
    user.password_last_used = clock.now()
    user.save(update_fields=["password_last_used"])
    audit.record(_user_caller(user, address), SIGN_IN, resource_type="user",
                 resource_name=user.name, resource_arn=user.arn,
                 new={"MFAUsed": "Yes" if mfa else "No"}, detail=detail)


def record_failed_enrollment(caller: Caller, reason: str) -> None:
    user = caller.user
    audit.record(caller, "iam:EnableMFADevice", resource_type="user", resource_name=user.name,
                 resource_arn=user.arn, outcome="failure", detail=reason)


def record_sign_out(user: User, address: str | None) -> None:
    audit.record(_user_caller(user, address), SIGN_OUT, resource_type="user",
                 resource_name=user.name, resource_arn=user.arn)


# --- what a signed-in user must do before anything else ------------------------------------

def hard_expired(user: User) -> bool:
    policy = iam.account_password_policy()
    return bool(policy and policy.hard_expiry and not user.is_root and iam.password_expired(user))


def password_change_required(user: User) -> bool:
    """An administrator asked for a new password, or it is older than MaxPasswordAge.
    The root user is outside the IAM password policy, as in AWS."""
    if user.is_root:
        return False
    return user.password_reset_required or iam.password_expired(user)


def mfa_enrollment_required(user: User) -> bool:
    """The account requires MFA for every console user and this one has no device. The root
    user is left out: the domain's MFA operations act on IAM users only."""
    if user.is_root or user.mfa_devices.exists():
        return False
    return AccountSettings.load().require_mfa


# --- MFA enrollment for the signed-in user ----------------------------------------------

def default_device_name(user: User) -> str:
    name, n = user.name, 1
    while VirtualMFADevice.objects.filter(name__ci=name).exists():
        n += 1
        name = f"{user.name}-{n}"[:226]
    return name


def pending_enrollment(user: User, serial_number: str | None) -> iam.NewVirtualMFADevice | None:
    """The device this session created and has not enabled yet, with its seed to show again on
    the enrollment page (until a pair of codes verifies; the secret stays server-side)."""
    if not serial_number:
        return None
    try:
        device = iam.find_device(serial_number)
    except NoSuchEntity:
        return None
    if device.user_id is not None:
        return None
    seed = crypto.decrypt(device.secret_encrypted)
    return iam.NewVirtualMFADevice(device, seed, otpauth_uri(device.name, seed))


def account_requires_mfa() -> bool:
    return AccountSettings.load().require_mfa

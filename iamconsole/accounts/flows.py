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
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate

from iamconsole.iam import arns, audit, authn, clock, lockout, ratelimit, sts, tenancy
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import IAMError
from iamconsole.iam.services import sign_in_sessions
from iamconsole.iam.services.accounts import resolve_account
from iamconsole.iam.services.mfa import has_mfa_device
from iamconsole.iam.services.passwords import hard_expired, record_password_use

SIGN_IN = "signin:ConsoleLogin"
SIGN_OUT = "signin:ConsoleLogout"
LOCKOUT = "signin:Lockout"

INVALID_CREDENTIALS = "Your user name or password is incorrect."
INVALID_CODE = "The MFA code is not valid. Wait for the next code and try again."
HARD_EXPIRED = ("Your password has expired and the account password policy does not let you "
                "change it yourself. An administrator must reset it.")


def throttled_message(wait: float) -> str:
    seconds = max(1, math.ceil(wait))
    unit = "second" if seconds == 1 else "seconds"
    return (f"Too many sign-in attempts from your network address. "
            f"Try again in {seconds} {unit}.")


def sign_in_rate() -> ratelimit.Rate | None:
    """settings.SIGNIN_RATE_LIMIT: sign-in attempts per client address ("N/minute", or off)."""
    return ratelimit.parse_rate(getattr(settings, "SIGNIN_RATE_LIMIT", "10/minute"))


def throttle(address: str | None) -> float | None:
    """Count one sign-in attempt from `address`; the seconds to wait when its budget is spent.
    Checked before anything else (no password is hashed for a refused attempt), so a flood of
    guesses from one address costs a counter increment each, not an argon2 hash."""
    rate = sign_in_rate()
    if rate is None:
        return None
    return ratelimit.hit(f"signin:{address or ''}", rate)


def locked_message(until: float) -> str:
    minutes = max(1, math.ceil((until - clock.now().timestamp()) / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed sign-in attempts. Try again in {minutes} {unit}."


@dataclass
class Outcome:
    """What the sign-in step decided. status: signed_in | mfa_required | failed."""

    status: str
    user: Any = None  # the user signed in, or awaiting the MFA step
    message: str = ""
    mfa_authenticated: bool = False


def _user_caller(user, address: str | None) -> Caller:
    return Caller(user=user, auth_method="console", source_ip=address)


def _unknown_caller(address: str | None) -> Caller:
    return Caller(auth_method="console", source_ip=address)


def _record(user, user_name: str, address: str | None, action: str, *,
            outcome: str, detail: str = "") -> None:
    if user is not None:
        audit.record(_user_caller(user, address), action, resource_type="user",
                     resource_name=user.name, resource_arn=user.arn, outcome=outcome,
                     detail=detail)
    else:
        audit.record(_unknown_caller(address), action, resource_type="user",
                     resource_name=user_name[:512], outcome=outcome, detail=detail)


def _known(user_name: str):
    """For the audit log only (never for the answer): the user the attempt named, if any."""
    return authn.user_named(user_name)


def _fail(kind: str, user, user_name: str, address: str | None,
          detail: str, message: str) -> Outcome:
    _record(user, user_name, address, SIGN_IN, outcome="failure", detail=detail)
    if lockout.register_failure(kind, user_name, address):
        _record(user, user_name, address, LOCKOUT, outcome="failure",
                detail=f"locked after repeated failed {kind} attempts")
        if user is not None:  # an existing user: listed for its administrators to unlock
            sign_in_sessions.record_lock(user, kind)
        until = lockout.locked_until(kind, user_name, address)
        if until is not None:
            message = locked_message(until)
    return Outcome("failed", message=message)


def password_step(request, user_name: str, password: str, account: str = "") -> Outcome:
    """Check account + user name + password (AWS's sign-in page: account id or alias, IAM
    user name, password; a blank account is the installation's default account). An unknown
    account answers exactly as a wrong password does."""
    found = resolve_account(account)
    if found is None:
        authenticate(request, username=user_name, password=password, account=account)
        address = request.META.get("REMOTE_ADDR") or None
        return _fail(lockout.PASSWORD, None, f"{account.strip().lower()}/{user_name}", address,
                     "unknown account", INVALID_CREDENTIALS)
    with tenancy.acting_in(found.id):
        return _password_step(request, user_name, password, found.id)


_lock_subject = lockout.subject


def _password_step(request, user_name: str, password: str, account_id: str) -> Outcome:
    """Check user name + password. Never tells whether a name exists: unknown names cost the
    same hash as known ones (ModelBackend hashes the password for them too), and a lock is kept
    per name whether or not the name exists.

    A locked name or address answers without hashing, unless only the name is locked and this
    address took no part in its failures: then the right password leads to the MFA step (a
    user without a device stays locked out), see lockout.LockState.bypassable."""
    address = request.META.get("REMOTE_ADDR") or None
    subject = _lock_subject(user_name, account_id)
    lock = lockout.state(lockout.PASSWORD, subject, address)
    if lock.locked and not lock.bypassable:
        _record(_known(user_name), user_name, address, SIGN_IN, outcome="failure",
                detail="locked out")
        return Outcome("failed", message=locked_message(lock.until))
    user = authenticate(request, username=user_name, password=password, account=account_id)
    if user is None:
        outcome = _fail(lockout.PASSWORD, _known(user_name), subject, address,
                        "wrong user name or password", INVALID_CREDENTIALS)
        if lock.locked:
            outcome.message = locked_message(lock.until)
        return outcome
    if hard_expired(user):
        _record(user, user_name, address, SIGN_IN, outcome="failure",
                detail="password expired (HardExpiry)")
        return Outcome("failed", message=HARD_EXPIRED)
    has_mfa = has_mfa_device(user)
    if lock.locked:  # bypassable: only with MFA
        if not has_mfa:
            _record(user, user_name, address, SIGN_IN, outcome="failure",
                    detail="locked out (no MFA device to sign in past the lock)")
            return Outcome("failed", message=locked_message(lock.until))
        return Outcome("mfa_required", user=user)
    lockout.register_success(lockout.PASSWORD, subject)
    if has_mfa:
        return Outcome("mfa_required", user=user)
    finish_sign_in(user, address, mfa=False)
    return Outcome("signed_in", user=user)


def mfa_step(request, user, code: str) -> Outcome:
    with tenancy.acting_in(user.account_id):
        return _mfa_step(request, user, code)


def _mfa_step(request, user, code: str) -> Outcome:
    address = request.META.get("REMOTE_ADDR") or None
    subject = _lock_subject(user.name, user.account_id)
    lock = lockout.state(lockout.MFA, subject, address)
    if lock.locked and not lock.bypassable:
        _record(user, user.name, address, SIGN_IN, outcome="failure", detail="MFA locked out")
        return Outcome("failed", message=locked_message(lock.until))
    device = iam.verify_mfa_code(user, code)
    if device is None:
        outcome = _fail(lockout.MFA, user, subject, address, "MFA code rejected",
                        INVALID_CODE)
        if lock.locked:
            outcome.message = locked_message(lock.until)
        return outcome
    if not lock.locked:
        lockout.register_success(lockout.MFA, subject)
    finish_sign_in(user, address, mfa=True, detail=device.serial_number)
    return Outcome("signed_in", user=user, mfa_authenticated=True)


def finish_sign_in(user, address: str | None, *, mfa: bool, detail: str = "") -> None:
    record_password_use(user)
    audit.record(_user_caller(user, address), SIGN_IN, resource_type="user",
                 resource_name=user.name, resource_arn=user.arn,
                 new={"MFAUsed": "Yes" if mfa else "No"}, detail=detail)


def record_failed_enrollment(caller: Caller, reason: str) -> None:
    user = caller.user
    audit.record(caller, "iam:EnableMFADevice", resource_type="user", resource_name=user.name,
                 resource_arn=user.arn, outcome="failure", detail=reason)


def record_sign_out(user, address: str | None) -> None:
    audit.record(_user_caller(user, address), SIGN_OUT, resource_type="user",
                 resource_name=user.name, resource_arn=user.arn)


def record_federated_sign_out(caller: Caller) -> None:
    """A federated console session (no User) signs out: its role session, named by the token's
    subject, is the actor."""
    role = caller.role
    with tenancy.acting_in(role.account_id):
        audit.record(caller, SIGN_OUT, resource_type="role", resource_name=role.name,
                     resource_arn=role.arn)


@dataclass
class SwitchOutcome:
    access_key_id: str = ""
    arn: str = ""
    error: str = ""


SWITCH_FAILED = ("Invalid information in one or more fields. Check your information or "
                 "contact your administrator.")  # AWS's answer, whatever the reason


def switch_role(caller: Caller, account: str, role: str) -> SwitchOutcome:
    """AssumeRole for the console's "Switch role" (session name: the user's name, one hour).
    Every refusal reads the same, as on AWS: no oracle for accounts or roles."""
    found = resolve_account(account)
    if found is None:
        return SwitchOutcome(error=SWITCH_FAILED)
    path, _, name = role.strip("/").rpartition("/")
    role_arn = arns.entity("role", name, f"/{path}/" if path else "/", account=found.id)
    try:
        assumed = sts.assume_role(caller, role_arn, caller.user.name[:64].ljust(2, "_"),
                                  duration_seconds=3600)
    except IAMError:
        return SwitchOutcome(error=SWITCH_FAILED)
    return SwitchOutcome(access_key_id=assumed.credentials.access_key_id, arn=assumed.arn)

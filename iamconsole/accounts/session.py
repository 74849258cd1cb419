"""The console session as the domain layer sees it: `caller_from_request` builds the `Caller`
every console view passes to the domain operations, and the session keys the sign-in flow keeps.

The session records when the user passed MFA (an aware UTC datetime, stored as ISO 8601): that is
what authorization turns into aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from iamconsole.iam import clock
from iamconsole.iam.caller import Caller

MFA_AT = "accounts.mfa_authenticated_at"
PENDING_MFA = "accounts.pending_mfa"  # {"user_id", "user_name", "at"} between the two steps
ENROLL_SERIAL = "accounts.enroll_serial"  # the unassigned device this session is enrolling
PENDING_MFA_SECONDS = 5 * 60

_CACHED = "_iamconsole_caller"


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR: the client, resolved from X-Forwarded-For of trusted proxies only
    (iamconsole/proxies.py runs first)."""
    return request.META.get("REMOTE_ADDR") or None


def mfa_authenticated_at(request: HttpRequest) -> datetime | None:
    value = request.session.get(MFA_AT)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def mark_mfa_authenticated(request: HttpRequest, moment: datetime | None = None) -> None:
    request.session[MFA_AT] = (moment or clock.now()).isoformat()
    request.__dict__.pop(_CACHED, None)


def caller_from_request(request: HttpRequest) -> Caller:
    """The signed-in console user as a domain-layer Caller.

    Raises PermissionDenied for an anonymous request: a Caller without a user would be the
    account itself (allowed everything), so it must never be built from an anonymous session.
    The Caller is built once per request (its policy cache then serves every check)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    cached = request.__dict__.get(_CACHED)
    if cached is not None and cached.user.pk == user.pk:
        return cached
    caller = Caller(
        user=user,
        auth_method="console",
        source_ip=client_address(request),
        mfa_authenticated_at=mfa_authenticated_at(request),
        secure_transport=request.is_secure(),
    )
    request.__dict__[_CACHED] = caller
    return caller

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
from iamconsole.iam.models import TemporaryCredential

MFA_AT = "accounts.mfa_authenticated_at"
PENDING_MFA = "accounts.pending_mfa"  # {"user_id", "user_name", "at"} between the two steps
ENROLL_SERIAL = "accounts.enroll_serial"  # the unassigned device this session is enrolling
PENDING_MFA_SECONDS = 5 * 60
# The role session a signed-in user switched to (AWS console "Switch role"): its access key id.
SWITCHED_ROLE = "accounts.switched_role"
# A person signed in through an external OIDC provider (no User): {"key": the role session's
# access key id, "sub": the token's subject, "provider": the provider's ARN}.
FEDERATED = "accounts.federated"
FEDERATED_PENDING = "accounts.federated_pending"  # the code flow in progress (state, nonce...)
FEDERATED_CHOICE = "accounts.federated_choice"  # the verified ID token while choosing a role

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


def switched_role(request: HttpRequest) -> TemporaryCredential | None:
    """The role session this console session switched to, while it lasts: issued by
    AssumeRole to the signed-in user, not expired (otherwise the key is dropped)."""
    key_id = request.session.get(SWITCHED_ROLE) if hasattr(request, "session") else None
    if not key_id:
        return None
    cached = request.__dict__.get("_iamconsole_switched")
    if cached is not None and cached.access_key_id == key_id:
        return cached
    credential = (TemporaryCredential.objects.select_related("role")
                  .filter(access_key_id=key_id, role__isnull=False).first())
    user = request.user
    if getattr(user, "is_federated", False):
        return None
    if (credential is None or credential.expires_at <= clock.now()
            or credential.source_arn != user.arn):
        request.session.pop(SWITCHED_ROLE, None)
        return None
    request.__dict__["_iamconsole_switched"] = credential
    return credential


class FederatedPerson:
    """`request.user` for a federated console session: signed in, but no User. It acts only
    as its role session (`credential`); it has no password, MFA device or switch role."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_federated = True
    is_root = is_staff = is_superuser = False
    pk = id = None

    def __init__(self, credential: TemporaryCredential, subject: str, provider_arn: str):
        self.credential = credential
        self.subject = subject
        self.provider_arn = provider_arn
        self.role = credential.role
        self.account_id = credential.role.account_id

    @property
    def arn(self) -> str:
        return f"arn:aws:sts::{self.account_id}:assumed-role/{self.role.name}/" \
               f"{self.credential.session_name}"

    @property
    def name(self) -> str:
        return f"federated: {self.subject} as role/{self.role.name}"

    def __str__(self) -> str:
        return self.name


def federated_session(request: HttpRequest) -> FederatedPerson | None:
    """The federated sign-in this console session holds, while its role session lasts (an
    expired or unknown one is dropped)."""
    if not hasattr(request, "session"):
        return None
    held = request.session.get(FEDERATED)
    if not isinstance(held, dict) or not held.get("key"):
        return None
    cached = request.__dict__.get("_iamconsole_federated")
    if cached is not None and cached.credential.access_key_id == held["key"]:
        return cached
    credential = (TemporaryCredential.objects.select_related("role")
                  .filter(access_key_id=held["key"], role__isnull=False).first())
    if credential is None or credential.expires_at <= clock.now():
        request.session.pop(FEDERATED, None)
        return None
    person = FederatedPerson(credential, held.get("sub", ""), held.get("provider", ""))
    request.__dict__["_iamconsole_federated"] = person
    return person


def caller_from_request(request: HttpRequest) -> Caller:
    """The signed-in console user as a domain-layer Caller (or, after "Switch role", the role
    session it switched to).

    Raises PermissionDenied for an anonymous request: a Caller without a user would be the
    account itself (allowed everything), so it must never be built from an anonymous session.
    The Caller is built once per request (its policy cache then serves every check)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    if getattr(user, "is_federated", False):
        cached = request.__dict__.get(_CACHED)
        if cached is not None and cached.credential is user.credential:
            return cached
        caller = Caller(role=user.role, credential=user.credential, auth_method="console",
                        source_ip=client_address(request), secure_transport=request.is_secure())
        request.__dict__[_CACHED] = caller
        return caller
    switched = switched_role(request)
    cached = request.__dict__.get(_CACHED)
    if cached is not None and cached.credential is switched and (
            switched is not None or cached.user.pk == user.pk):
        return cached
    common = {"auth_method": "console", "source_ip": client_address(request),
              "secure_transport": request.is_secure()}
    if switched is not None:
        caller = Caller(role=switched.role, credential=switched,
                        mfa_authenticated_at=switched.mfa_authenticated_at, **common)
    else:
        caller = Caller(user=user, mfa_authenticated_at=mfa_authenticated_at(request), **common)
    request.__dict__[_CACHED] = caller
    return caller


def request_account(request: HttpRequest) -> str | None:
    """The account a console request acts in: the switched-to role's, else the user's."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if getattr(user, "is_federated", False):
        return user.account_id
    switched = switched_role(request)
    return switched.role.account_id if switched is not None else user.account_id

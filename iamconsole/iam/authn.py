"""Credential authentication for the programmatic front doors (REST API, AWS Query API).

`authenticate_sigv4` turns a SigV4-signed request into a `Caller`: it parses the claimed
credentials, finds the access key (long-term AKIA… key or STS ASIA… session), checks it may be
used, verifies the signature against the clock and records the key's last use.

Errors carry AWS's codes (`AuthenticationFailed.code`, `.status`) so both doors answer like AWS:
unknown, inactive or mismatched keys → InvalidClientTokenId 403, bad signature or clock skew →
SignatureDoesNotMatch 403, malformed Authorization → IncompleteSignature 400, no credentials →
MissingAuthenticationToken 403, an expired session → ExpiredToken 403.

Secrets never leave this module: not in exceptions, not in logs.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Collection, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings

from iamconsole import sigv4

from . import clock, crypto, rows, tenancy
from . import services as iam
from .caller import Caller
from .models import AccessKey, TemporaryCredential

logger = logging.getLogger(__name__)

INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"
MAX_SKEW = timedelta(minutes=15)


class AuthenticationFailed(Exception):
    """The request's credentials are missing, malformed, unknown or do not verify."""

    def __init__(self, code: str, message: str, status: int = 403) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def _invalid_token() -> AuthenticationFailed:
    return AuthenticationFailed("InvalidClientTokenId", INVALID_TOKEN, 403)


def has_sigv4_credentials(request_meta: Mapping[str, Any]) -> bool:
    """Whether the request claims SigV4 authentication at all (header or presigned query)."""
    authorization = str(request_meta.get("HTTP_AUTHORIZATION", ""))
    if authorization.startswith(sigv4.ALGORITHM):
        return True
    return "X-Amz-Credential=" in str(request_meta.get("QUERY_STRING", ""))


def _secure(request_meta: Mapping[str, Any]) -> bool:
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        header, value = proxy_header
        forwarded = str(request_meta.get(header, ""))
        if forwarded:
            return forwarded.split(",", 1)[0].strip() == value
    return request_meta.get("wsgi.url_scheme") == "https"


def _check_service(creds: sigv4.Credentials, expected: str | Collection[str] | None) -> None:
    if expected is None or isinstance(expected, str):
        return  # a single name is checked by sigv4.verify itself
    if creds.service not in expected:
        names = " or ".join(f"'{name}'" for name in expected)
        raise AuthenticationFailed(
            "SignatureDoesNotMatch", f"Credential should be scoped to correct service: {names}.",
        )


# Credentials a caller may keep for a moment (`reuse`): access key id → (expiry, the key or
# session row with its user/role, its decrypted secret, derived signing keys by scope).
_kept: dict[str, tuple[float, Any, str, dict[tuple[str, str, str], bytes]]] = {}
_kept_lock = threading.Lock()
_KEPT_MAX = 10_000
_KEPT_PURGE = 64


def forget() -> None:
    """Drop the credentials kept for `reuse` (tests; a process that must see a change now)."""
    with _kept_lock:
        _kept.clear()


def _kept_row(creds: sigv4.Credentials, reuse: float, load):
    """(row, secret, signing keys) of the credential, read with `load` unless a call with
    `reuse` read it less than `reuse` seconds ago. The checks of the row (status, token, user)
    are the caller's, on every request."""
    if reuse > 0:
        hit = _kept.get(creds.access_key_id)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1], hit[2], hit[3]
    row = load()
    if row is None:
        return None, "", {}
    secret = _secret(row.secret_encrypted, creds.access_key_id)
    derived: dict[tuple[str, str, str], bytes] = {}
    if reuse > 0:
        now = time.monotonic()
        with _kept_lock:
            if len(_kept) >= _KEPT_PURGE:  # decrypted secrets are not kept past their time
                for stale in [k for k, v in _kept.items() if v[0] <= now]:
                    del _kept[stale]
            if len(_kept) >= _KEPT_MAX:
                _kept.clear()
            _kept[creds.access_key_id] = (now + reuse, row, secret, derived)
    return row, secret, derived


def _long_term_key(creds: sigv4.Credentials, reuse: float = 0):
    if creds.security_token is not None:
        raise _invalid_token()  # a long-term key never comes with a session token
    key, secret, derived = _kept_row(creds, reuse, lambda: rows.one_with(
        AccessKey, "user", '"iam_accesskey"."access_key_id" = %s', [creds.access_key_id]))
    if key is None or key.status != AccessKey.ACTIVE or not key.user.is_active:
        raise _invalid_token()
    return key, secret, derived


def _session(creds: sigv4.Credentials, reuse: float = 0):
    cred, secret, derived = _kept_row(
        creds, reuse, lambda: TemporaryCredential.objects.select_related("user", "role").filter(
            access_key_id=creds.access_key_id).first())
    if cred is None or not creds.security_token:
        raise _invalid_token()
    presented = hashlib.sha256(creds.security_token.encode()).hexdigest()
    if not crypto.constant_time_equals(presented, cred.session_token_hash):
        raise _invalid_token()
    if cred.role_id is None and (cred.user is None or not cred.user.is_active):
        raise _invalid_token()
    return cred, secret, derived


def _secret(ciphertext: str, access_key_id: str) -> str:
    try:
        return crypto.decrypt(ciphertext)
    except ValueError:
        # Misconfigured encryption keys: say which key, never anything about the secret.
        logger.error("secret of access key %s cannot be decrypted with the configured keys",
                     access_key_id)
        raise _invalid_token() from None


def authenticate_sigv4(
    request_meta: Mapping[str, Any],
    body: bytes,
    *,
    expected_service: str | Collection[str] | None,
    auth_method: str,
    source_ip: str | None = None,
    secure_transport: bool | None = None,
    reuse: float = 0,
) -> Caller:
    """Authenticate a SigV4-signed request (WSGI environ + raw body) and return its Caller.

    `expected_service` is the service name the credential scope must carry: one name ("iam",
    "sts"), a collection of accepted names, or None for any. `reuse`: see authenticate_signed.
    Raises AuthenticationFailed.
    """
    request = sigv4.from_wsgi_environ(request_meta, body)
    caller = authenticate_signed(
        request, expected_service=expected_service, auth_method=auth_method,
        source_ip=source_ip if source_ip is not None else request_meta.get("REMOTE_ADDR"),
        secure_transport=_secure(request_meta) if secure_transport is None
        else secure_transport, reuse=reuse,
    )
    # The rest of the request acts in the caller's account (cleared by TenancyMiddleware).
    tenancy.activate(caller.account)
    return caller


def authenticate_signed(
    request: sigv4.SignedRequest,
    *,
    expected_service: str | Collection[str] | None,
    auth_method: str,
    source_ip: str | None,
    secure_transport: bool,
    reuse: float = 0,
) -> Caller:
    """The Caller of one SigV4-signed request, however it reached us: from our own WSGI
    environ, or described by a service that asks the decision API to verify its caller on its
    behalf (iam/decisions.py). Raises AuthenticationFailed; activates no account.

    `reuse` > 0 (the decision API, called for every request a service serves): the credential's
    row (key or session, with its user or role) and decrypted secret may be those this process
    read up to `reuse` seconds ago, so a deactivated or deleted key still verifies for at most
    that long; its status, user, session token, expiry and the signature are checked on every
    call. 0 (every other door): read now."""
    try:
        creds = sigv4.parse_credentials(request)
        _check_service(creds, expected_service)
        if creds.access_key_id.startswith("ASIA"):
            session, secret, derived = _session(creds, reuse)
            key = None
        else:
            session = None
            key, secret, derived = _long_term_key(creds, reuse)
        now = clock.now()
        scope = (creds.date, creds.region, creds.service)
        signing_key = derived.get(scope)
        if signing_key is None:
            signing_key = sigv4.signing_key(secret, *scope)
            if len(derived) < 16:
                derived[scope] = signing_key
        sigv4.verify(
            request, creds, secret, now=now,
            expected_service=expected_service if isinstance(expected_service, str) else None,
            max_skew=MAX_SKEW, signing_key=signing_key,
        )
    except sigv4.SigV4Error as exc:
        raise AuthenticationFailed(exc.code, exc.message, exc.status) from None
    if session is not None and session.expires_at <= now:
        raise AuthenticationFailed("ExpiredToken", EXPIRED_TOKEN, 403)
    if key is not None:
        iam.record_access_key_use(key, creds.service, creds.region)
    return Caller(
        user=key.user if key is not None else session.user,
        role=session.role if session is not None else None,
        credential=session,
        auth_method=auth_method,
        source_ip=source_ip,
        secure_transport=secure_transport,
        access_key_id=creds.access_key_id,
        region=creds.region,
        mfa_authenticated_at=session.mfa_authenticated_at if session is not None else None,
    )


# --- console sign-in (the accounts door) -----------------------------------------------------

def user_named(name: str):
    """The user (the root user too) named `name` in any case, or None: for the audit log of a
    sign-in attempt and `manage.py changepassword`, never for an answer that would tell."""
    from .models import User

    return User.objects.filter(name__ci=name).first()


def active_user(pk):
    """The active user with primary key `pk` (a session's pending MFA step), or None."""
    from .models import User

    return User.everywhere.filter(pk=pk, is_active=True).first()

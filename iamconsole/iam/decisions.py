"""The decision API: iamconsole decides for the account's own services (custom services,
iam/custom_services.py) whether a principal may do an action on a resource.

A service (itself a signed-in principal with ``iamconsole:Authorize`` on
``arn:aws:iamconsole::<account>:service/<prefix>``) sends checks, each naming the principal
either by ARN or by the end caller's SigV4-signed request (method, path, query, signed headers,
payload hash), which is verified here with the caller's secret: services never hold secrets.
Each check is decided by `authz.decide` with the principal's identity policies, boundary,
session policies and the account's SCPs, as iamconsole's own operations are. Allowed decisions
are recorded for Access Advisor, denials in the audit log.

Speed: a principal (its access key's secret, user or role, session, compiled effective
policies) and the calling service's own access key (authn.authenticate_signed's `reuse`,
api.authentication.kept_sigv4) are kept by each process for `TTL` seconds, so a
change (a detached policy, a deactivated key, a deleted user) reaches every instance within a
second, and a call for busy principals costs no query. The service's own permission is asked
once per service prefix in a call.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from iamconsole import sigv4

from . import arns, audit, authn, authz, last_accessed, sts, tenancy
from .caller import Caller
from .custom_services import service_arn
from .errors import AccessDenied, InvalidInput
from .models import User

MAX_CHECKS = 100
TTL = 1.0
_CACHE_MAX = 10_000


@dataclass
class Check:
    action: str
    resource: str
    principal_arn: str | None = None
    request: dict | None = None  # method, path, query, headers, payload_hash, source_ip
    context: dict | None = None
    explain: bool = False


_lock = threading.Lock()
_principals: dict[tuple, tuple[float, Caller]] = {}


def forget() -> None:
    with _lock:
        _principals.clear()
    authn.forget()


def _cached(key: tuple) -> Caller | None:
    hit = _principals.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    return None


def _remember(key: tuple, caller: Caller) -> None:
    with _lock:
        if len(_principals) >= _CACHE_MAX:
            _principals.clear()
        _principals[key] = (time.monotonic() + TTL, caller)


def _fresh(template: Caller, **changes: Any) -> Caller:
    """A Caller for one check sharing the template's principal and its cached policies."""
    return replace(template, **changes)


class _Failure(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _by_arn(arn: str, account: str) -> Caller:
    key = ("arn", account, arn)
    hit = _cached(key)
    if hit is not None:
        return _fresh(hit, cache=hit.cache)
    parsed = arns.parse_any(arn)
    if parsed is None or parsed.account != account:
        raise _Failure("NoSuchEntity", f"Principal {arn[:2048]} is not one of this account's.")
    if parsed.service == "iam" and parsed.type == "user":
        user = User.objects.filter(name__ci=parsed.name, is_active=True).first()
        if user is None or user.arn != arn:
            raise _Failure("NoSuchEntity", f"The user {parsed.name} cannot be found.")
        caller = Caller(user=user, auth_method="authorize")
    elif parsed.service == "iam" and parsed.type == "role":
        role = sts.find_role_by_arn(arn)
        if role is None:
            raise _Failure("NoSuchEntity", f"The role {parsed.name} cannot be found.")
        caller = Caller(role=role, auth_method="authorize")
    else:
        raise _Failure("InvalidInput", "principal_arn must be a user's or a role's ARN.")
    _remember(key, caller)
    return _fresh(caller, cache=caller.cache)


def _by_request(described: dict, service: str, account: str) -> Caller:
    headers = described.get("headers") or {}
    if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise _Failure("InvalidInput", "request.headers must map names to values.")
    payload = described.get("payload_hash")
    signed = sigv4.SignedRequest(
        method=str(described.get("method") or "GET"), path=str(described.get("path") or "/"),
        query_string=str(described.get("query") or ""),
        headers={k.lower(): v for k, v in headers.items()},
        payload_hash=str(payload) if payload else sigv4_empty_hash(),
    )
    source_ip = described.get("source_ip")
    try:
        caller = authn.authenticate_signed(
            signed, expected_service=service, auth_method="authorize",
            source_ip=str(source_ip) if source_ip else None,
            secure_transport=bool(described.get("secure_transport", False)), reuse=TTL,
        )
    except authn.AuthenticationFailed as failure:
        raise _Failure(failure.code, failure.message) from None
    if caller.account != account:
        raise _Failure("AccessDenied", "The request was signed by another account's principal.")
    # The policies of a key's principal are kept for TTL (one compiled set per principal).
    key = ("policies", caller.access_key_id)
    hit = _cached(key)
    if hit is not None and hit.user == caller.user and hit.role == caller.role:
        caller.cache = hit.cache
    else:
        _remember(key, caller)
    return caller


def sigv4_empty_hash() -> str:
    return "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def principal_info(caller: Caller) -> dict:
    tags = caller.role.tags if caller.role is not None else (
        caller.user.tags if caller.user is not None else {})
    info: dict[str, Any] = {
        "arn": caller.arn, "account": caller.account, "type": caller.principal_type,
        "user_id": caller.user_id, "tags": dict(tags), "mfa": caller.mfa_present,
    }
    cred = caller.credential
    if cred is not None:
        info["tags"] = {**info["tags"], **(cred.session_tags or {})}
        info["session"] = {"name": cred.session_name, "access_key_id": cred.access_key_id,
                           "expires_at": cred.expires_at.isoformat().replace("+00:00", "Z")}
        if caller.role is not None:
            info["role_arn"] = caller.role.arn
    return info


def _matched(decision) -> list[dict]:
    return [{"source_policy_id": m.policy_id, "source_policy_type": m.policy_type,
             "statement_index": m.statement_index, "sid": m.sid,
             "start_position": {"line": m.start_line, "column": m.start_column},
             "end_position": {"line": m.end_line, "column": m.end_column}}
            for m in decision.matched_statements]


def _reason(decision) -> str:
    if decision.decision == "explicitDeny":
        return "explicitDeny"
    if decision.allowed_by_boundary is False:
        return "boundary"
    if decision.allowed_by_session is False:
        return "session"
    org = decision.organizations_decision_detail
    if org is not None and org.allowed_by_organizations is False:
        return org.denied_by or "organizations"
    return "noAllow"


def _one(service: Caller, check: Check, granted: set[str]) -> dict:
    if not isinstance(check.action, str) or ":" not in check.action or len(check.action) > 256:
        raise InvalidInput("action must be service:Action", field="action")
    if not isinstance(check.resource, str) or not check.resource or len(check.resource) > 2048:
        raise InvalidInput("resource must be an ARN or *", field="resource")
    prefix = check.action.split(":", 1)[0].lower()
    if prefix not in granted:  # the service's own permission, decided once per call and prefix
        authz.check(service, "iamconsole:Authorize", service_arn(prefix, service.account))
        granted.add(prefix)
    account = service.account
    try:
        if check.request is not None:
            principal = _by_request(check.request, prefix, account)
        elif check.principal_arn:
            principal = _by_arn(check.principal_arn, account)
        else:
            raise _Failure("InvalidInput", "each check names a principal_arn or a request.")
    except _Failure as failure:
        return {"allowed": False, "decision": "authenticationFailed",
                "error": {"code": failure.code, "message": failure.message}}
    context = {str(k): v for k, v in (check.context or {}).items()
               if isinstance(v, str | int | float | bool | list)}
    decision = authz.decide(principal, check.action, check.resource, context)
    allowed = decision is None or decision.allowed
    out: dict[str, Any] = {"allowed": allowed,
                           "decision": "allowed" if decision is None else decision.decision,
                           "principal": principal_info(principal)}
    if allowed:
        last_accessed.record(principal, check.action)
    else:
        out["reason"] = _reason(decision)
        exc = authz.access_denied(principal, check.action, check.resource, decision)
        audit.record_denied(principal, exc)
    if check.explain and decision is not None:
        out["matched_statements"] = _matched(decision)
        out["missing_context_values"] = list(decision.missing_context_values)
    return out


def authorize(service: Caller, checks: list[Check]) -> list[dict]:
    """Decide each check for the calling service (at most MAX_CHECKS)."""
    if not checks:
        raise InvalidInput("at least one check", field="checks")
    if len(checks) > MAX_CHECKS:
        raise InvalidInput(f"at most {MAX_CHECKS} checks in one call", field="checks")
    if service.access_key_id:  # the service's own policies, kept as its principals' are
        key = ("service", service.access_key_id)
        hit = _cached(key)
        if hit is not None and hit.user == service.user and hit.role == service.role:
            service.cache = hit.cache
        else:
            _remember(key, service)
    token = tenancy.activate(service.account)
    try:
        granted: set[str] = set()
        return [_one(service, check, granted) for check in checks]
    finally:
        tenancy.reset(token)


__all__ = ["MAX_CHECKS", "AccessDenied", "Check", "authorize", "forget", "principal_info"]

"""STS: GetCallerIdentity, AssumeRole, GetSessionToken — temporary credentials.

Rules (AWS's, see the project's AWS Query API wire reference, shared/reference/aws_query_api.md,
§4 "STS"):

* AssumeRole: the role's trust policy is evaluated by the policy engine as the resource policy of
  ``sts:AssumeRole`` on the role ARN (``kind="trust"``), together with the caller's identity
  policies. The trust policy must allow the caller: naming the caller itself suffices (within
  its permissions boundary); naming only the account delegates to the identity policies, which
  must then allow it too; the identity policies alone never do. Root credentials are refused.
  DurationSeconds is 900..the role's MaxSessionDuration (one hour when chaining roles). A
  session policy and PolicyArns narrow the session's permissions (evaluated by ``authz`` from
  the stored credential). SerialNumber + TokenCode verify an MFA code of the calling user: the
  trust policy then sees ``aws:MultiFactorAuthPresent`` true and the session is MFA-authenticated.
* GetSessionToken: long-term user credentials only; 900..129600 seconds (root: at most 3600,
  longer requests are shortened as AWS does); with MFA the session carries
  ``aws:MultiFactorAuthPresent``. No IAM permission is needed (AWS: it cannot be denied).
* GetCallerIdentity: always allowed, even under an explicit deny.
* GetFederationToken: long-term user (or root) credentials only, sts:GetFederationToken on
  ``arn:aws:sts::<account>:federated-user/<Name>``; 900..129600 seconds (root: one hour). The
  federated session's permissions are the intersection of the user's policies (and boundary)
  and the session policies passed (Policy, PolicyArns): none passed, none granted. Its UserId
  is ``<account>:<Name>``; it may call GetCallerIdentity on STS and nothing on IAM.
* Credentials from GetSessionToken may call only AssumeRole and GetCallerIdentity on STS, and IAM
  only when they were obtained with MFA (:func:`check_session_token_scope`).

The secret access key is returned once and stored encrypted; the session token is returned once
and only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower

from iamconsole.policy import compile_policy

from . import arns, audit, authz, authz_messages, clock, crypto, tenancy
from . import identifiers as ids
from .caller import Caller
from .errors import AccessDenied, ValidationError, client_error
from .models import AccessKey, Role, TemporaryCredential
from .services._common import check_policy_document, non_whitespace_length, normalize_tags
from .services.lookup import get_policy_by_arn
from .services.mfa import verify_mfa_code

ASSUME_ROLE_MIN, ASSUME_ROLE_DEFAULT, CHAINED_ROLE_MAX = 900, 3600, 3600
SESSION_TOKEN_MIN, SESSION_TOKEN_DEFAULT, SESSION_TOKEN_MAX = 900, 43200, 129600
ROOT_SESSION_TOKEN_MAX = 3600
FEDERATION_TOKEN_MIN, FEDERATION_TOKEN_DEFAULT, FEDERATION_TOKEN_MAX = 900, 43200, 129600
MAX_POLICY_ARNS = 10
MAX_SESSION_TAGS = 50
PACKED_POLICY_BUDGET = 2048  # characters of session policy / ARNs / tags a session may carry
SESSION_TOKEN_BYTES = 96

_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$", re.ASCII)
_FEDERATED_NAME = re.compile(r"^[\w+=,.@-]{2,32}$", re.ASCII)
# STS actions a GetSessionToken session may call (AWS: "Permissions for GetSessionToken").
SESSION_TOKEN_STS_ACTIONS = frozenset({"AssumeRole", "GetCallerIdentity"})


PackedPolicyTooLarge = client_error("PackedPolicyTooLarge")


@dataclass
class SessionCredentials:
    """New temporary credentials; the secret and the token are only ever returned here."""

    credential: TemporaryCredential
    secret_access_key: str
    session_token: str

    @property
    def access_key_id(self) -> str:
        return self.credential.access_key_id

    @property
    def expiration(self) -> datetime:
        return self.credential.expires_at


@dataclass
class AssumedRole:
    credentials: SessionCredentials
    role: Role
    packed_policy_size: int | None

    @property
    def assumed_role_id(self) -> str:
        return f"{self.role.role_id}:{self.credentials.credential.session_name}"

    @property
    def arn(self) -> str:
        name = self.credentials.credential.session_name
        return arns.assumed_role(self.role.name, name, account=self.role.account_id)

    @property
    def source_identity(self) -> str:
        return self.credentials.credential.source_identity


@dataclass(frozen=True)
class CallerIdentity:
    user_id: str
    account: str
    arn: str


def session_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- GetCallerIdentity


def get_caller_identity(caller: Caller) -> CallerIdentity:
    """Who the credentials belong to. Needs no permission and cannot be denied."""
    return CallerIdentity(user_id=caller.user_id, account=caller.account, arn=caller.arn)


# --------------------------------------------------------------------------- GetAccessKeyInfo

_ACCESS_KEY_ID = re.compile(r"^(AKIA|ASIA)[A-Z0-9]{16}$")


def get_access_key_info(caller: Caller, access_key_id: str) -> str:
    """The account an access key id belongs to (AKIA: an IAM user's or the root user's key,
    ASIA: STS credentials), whatever its state (AWS: "does not indicate the state of the
    access key"); requires sts:GetAccessKeyInfo. AWS reads the account out of any key id;
    this installation answers the owning account of the keys it issued, active, inactive or
    expired. An id of another format, or one this installation never issued (or
    has deleted: AWS "might return an error that the key doesn't exist"), is ValidationError."""
    authz.check(caller, "sts:GetAccessKeyInfo", "*")
    if not isinstance(access_key_id, str) or not _ACCESS_KEY_ID.match(access_key_id):
        raise ValidationError(
            f"Value '{access_key_id}' at 'accessKeyId' failed to satisfy constraint: Member "
            "must be an access key id (AKIA… or ASIA… and 16 letters or digits)",
            field="access_key_id")
    if access_key_id.startswith("AKIA"):
        key = AccessKey.objects.select_related("user").filter(
            access_key_id=access_key_id).first()
        owner = key.user if key is not None else None
    else:
        credential = TemporaryCredential.objects.select_related("user", "role").filter(
            access_key_id=access_key_id).first()
        owner = (credential.role or credential.user) if credential is not None else None
    if owner is None:
        raise ValidationError(f"The access key {access_key_id} does not exist in this "
                              "installation.", field="access_key_id")
    return owner.account_id  # the key's own account, whichever account asks


# --------------------------------------------------------------------------- authorization messages


def decode_authorization_message(caller: Caller, encoded_message: str) -> str:
    """DecodeAuthorizationMessage: the JSON details of a denial iamconsole encoded
    (authz_messages), for a caller allowed sts:DecodeAuthorizationMessage (they may be
    privileged). InvalidAuthorizationMessageException for any other string."""
    authz.check(caller, "sts:DecodeAuthorizationMessage", "*")
    return authz_messages.decode(encoded_message)


# --------------------------------------------------------------------------- AssumeRole


def find_role_by_arn(role_arn: str) -> Role | None:
    parsed = arns.parse_named(role_arn, "role")
    if parsed is None:
        raise ValidationError(
            f"{role_arn} is invalid: RoleArn must be the ARN of an IAM role "
            "(arn:aws:iam::<account>:role/<path><name>).", field="role_arn",
        )
    # Another account's role is found too: whether the caller may assume it is for its trust
    # policy and (across accounts) the caller's own policies to say.
    role = Role.everywhere.select_related("permissions_boundary").filter(
        account_id=parsed.account, name__ci=parsed.name
    ).first()
    if role is None or role.arn != role_arn:
        return None
    return role


def _assume_denied(caller: Caller, role_arn: str, detail: str) -> AccessDenied:
    audit.record(caller, "sts:AssumeRole", resource_type="role", resource_arn=role_arn,
                 resource_name=role_arn.rsplit("/", 1)[-1], outcome="denied", detail=detail)
    return AccessDenied(
        f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: "
        f"{role_arn}", action="sts:AssumeRole", resource=role_arn,
    )


def _check_mfa(caller: Caller, serial_number: str | None, token_code: str | None,
               action: str) -> bool:
    """Verify SerialNumber + TokenCode for the calling user; True when MFA was given."""
    if not serial_number and not token_code:
        return False
    user = caller.user if caller.role is None else None
    device = verify_mfa_code(user, token_code or "") if user and serial_number else None
    if device is None or device.serial_number != serial_number:
        audit.record(caller, action, resource_type="mfa", resource_arn=serial_number or "",
                     outcome="denied", detail="MFA code rejected")
        raise AccessDenied("MultiFactorAuthentication failed with invalid MFA one time pass "
                           "code.", action=action, resource=serial_number or "")
    return True


def _duration(value: int | None, default: int, low: int, high: int, message: str) -> int:
    seconds = default if value is None else value
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise ValidationError("DurationSeconds must be a whole number of seconds.",
                              field="duration_seconds")
    if seconds < low:
        raise ValidationError(
            f"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to "
            f"satisfy constraint: Member must have value greater than or equal to {low}",
            field="duration_seconds",
        )
    if seconds > high:
        raise ValidationError(message, field="duration_seconds")
    return seconds


def _session_policy(policy: str | None, policy_arns: list | None,
                    tags: dict[str, str]) -> tuple[str, list[str], int | None]:
    text = check_policy_document(policy, kind="session", field="policy") if policy else ""
    arns: list[str] = []
    for item in policy_arns or []:
        arn = item.get("arn") if isinstance(item, dict) else item
        arns.append(get_policy_by_arn(arn).arn)
    if len(arns) > MAX_POLICY_ARNS:
        raise ValidationError(f"PolicyArns may contain at most {MAX_POLICY_ARNS} policies.",
                              field="policy_arns")
    if len(tags) > MAX_SESSION_TAGS:
        raise ValidationError(f"Tags may contain at most {MAX_SESSION_TAGS} session tags.",
                              field="tags")
    if not (text or arns or tags):
        return text, arns, None
    size = (non_whitespace_length(text) + sum(len(a) for a in arns)
            + sum(len(k) + len(v) for k, v in tags.items()))
    percent = math.ceil(100 * size / PACKED_POLICY_BUDGET)
    if percent > 100:
        raise PackedPolicyTooLarge(
            f"Packed policy consumes {percent}% of allotted space, please use smaller policy "
            "for session.", field="policy",
        )
    return text, arns, percent


def _issue(caller: Caller, **fields: Any) -> SessionCredentials:
    secret = ids.new_secret_access_key()
    token = secrets.token_urlsafe(SESSION_TOKEN_BYTES)
    credential = TemporaryCredential.objects.create(
        access_key_id=ids.new_access_key_id("ASIA"),
        secret_encrypted=crypto.encrypt(secret),
        session_token_hash=session_token_hash(token),
        source_arn=caller.arn,
        **fields,
    )
    return SessionCredentials(credential, secret, token)


def issue_federated_role_session(
    caller: Caller,
    role: Role,
    *,
    action: str,
    session_name: str,
    session_policy: str | None,
    session_policy_arns: list,
    packed: int | None,
    session_tags: dict,
    source_identity: str | None,
    duration_seconds: int,
    details: dict,
    now: datetime | None = None,
) -> AssumedRole:
    """A role session for a federated identity (AssumeRoleWithWebIdentity, AssumeRoleWithSAML)
    whose trust check has passed: issued, the role marked as used and the assumption audited
    with the identity's `details` (provider, subject...), in one transaction."""
    now = now or clock.now()
    with transaction.atomic():
        issued = _issue(
            caller, role=role, session_name=session_name, session_policy=session_policy,
            session_policy_arns=session_policy_arns, session_tags=session_tags,
            source_identity=source_identity, mfa_authenticated=False,
            mfa_authenticated_at=None, created_at=now,
            expires_at=now + timedelta(seconds=duration_seconds))
        Role.everywhere.filter(pk=role.pk).update(last_used_at=now)
        assumed = AssumedRole(issued, role, packed)
        audit.record(caller, action, resource_type="role", resource_name=role.name,
                     resource_arn=role.arn,
                     new={"AssumedRoleArn": assumed.arn, "AccessKeyId": issued.access_key_id,
                          "Expiration": issued.expiration.isoformat(), **details,
                          "SessionTags": session_tags, "SessionPolicy": bool(session_policy),
                          "PolicyArns": session_policy_arns})
    return assumed


def assume_role(
    caller: Caller,
    role_arn: str,
    role_session_name: str,
    *,
    duration_seconds: int | None = None,
    policy: str | None = None,
    policy_arns: list | None = None,
    tags=None,
    transitive_tag_keys: list[str] | None = None,
    external_id: str | None = None,
    serial_number: str | None = None,
    token_code: str | None = None,
    source_identity: str | None = None,
) -> AssumedRole:
    if not isinstance(role_session_name, str) or not _SESSION_NAME.match(role_session_name):
        raise ValidationError(
            f"Value '{role_session_name}' at 'roleSessionName' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: [\w+=,.@-]* and have length "
            "between 2 and 64", field="role_session_name",
        )
    if caller.is_root:
        raise AccessDenied("Roles may not be assumed by root accounts.",
                           action="sts:AssumeRole", resource=role_arn)
    role = find_role_by_arn(role_arn)
    tag_map = normalize_tags(tags)
    chained = caller.role is not None
    duration = _duration(
        duration_seconds, ASSUME_ROLE_DEFAULT, ASSUME_ROLE_MIN,
        CHAINED_ROLE_MAX if chained else (role.max_session_duration if role else 43200),
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining." if chained else
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )
    text, arns, packed = _session_policy(policy, policy_arns, tag_map)
    mfa = _check_mfa(caller, serial_number, token_code, "sts:AssumeRole")
    if role is None:
        raise _assume_denied(caller, role_arn, "no such role")
    now = clock.now()
    extra: dict[str, Any] = {
        "sts:RoleSessionName": role_session_name,
        "sts:ExternalId": external_id,
        "sts:SourceIdentity": source_identity,
    }
    if mfa:
        extra.update({"aws:MultiFactorAuthPresent": True, "aws:MultiFactorAuthAge": 0})
    if tag_map:
        extra.update({"aws:TagKeys": list(tag_map),
                      **{f"aws:RequestTag/{k}": v for k, v in tag_map.items()}})
        if transitive_tag_keys:
            extra["sts:TransitiveTagKeys"] = list(transitive_tag_keys)
    trust = compile_policy(role.assume_role_policy_document, policy_id="AssumeRolePolicy",
                           policy_type="resource", kind="trust",
                           version_id=f"trust:{role.role_id}:{role.revision}")
    actions = ["sts:AssumeRole"] + (["sts:TagSession"] if tag_map else [])
    for action in actions:
        decision = authz.decide(caller, action, role.arn, extra, resource_policy=trust)
        if decision is not None and not decision.allowed:
            raise _assume_denied(caller, role.arn, f"{action}: {decision.decision}")
        authz.record_allowed(caller, action)
    mfa_at = now if mfa else caller.mfa_authenticated_at
    with transaction.atomic():
        issued = _issue(
            caller, role=role, session_name=role_session_name, session_policy=text,
            session_policy_arns=arns, session_tags=tag_map,
            source_identity=source_identity or "", mfa_authenticated=mfa_at is not None,
            mfa_authenticated_at=mfa_at, created_at=now,
            expires_at=now + timedelta(seconds=duration),
        )
        Role.everywhere.filter(pk=role.pk).update(last_used_at=now)
        result = AssumedRole(issued, role, packed)
        # Logged in the caller's account and, across accounts, in the role's (as CloudTrail).
        for account in dict.fromkeys([ids.account_id(), role.account_id]):
            with tenancy.acting_in(account):
                audit.record(caller, "sts:AssumeRole", resource_type="role",
                             resource_name=role.name, resource_arn=role.arn,
                             new={"AssumedRoleArn": result.arn,
                                  "AccessKeyId": issued.access_key_id,
                                  "Expiration": issued.expiration.isoformat(),
                                  "SessionPolicy": bool(text), "PolicyArns": arns, "MFA": mfa})
    return result


# --------------------------------------------------------------------------- GetSessionToken


def _long_term_user(caller: Caller, operation: str):
    """The IAM user (or root user) whose long-term credentials call `operation`
    (GetSessionToken, GetFederationToken): a role or any session is refused, as AWS does."""
    action = f"sts:{operation}"
    if caller.user is None or caller.role is not None:
        raise audit.denied(caller, AccessDenied(
            f"{operation} must be called with the long-term credentials of an IAM user or the "
            "root user.", action=action, resource="*"))
    if caller.credential is not None:
        raise audit.denied(caller, AccessDenied(
            f"Cannot call {operation} with session credentials", action=action,
            resource=caller.arn))
    return caller.user


def get_session_token(
    caller: Caller,
    *,
    duration_seconds: int | None = None,
    serial_number: str | None = None,
    token_code: str | None = None,
) -> SessionCredentials:
    user = _long_term_user(caller, "GetSessionToken")
    seconds = _duration(duration_seconds, SESSION_TOKEN_DEFAULT, SESSION_TOKEN_MIN,
                        SESSION_TOKEN_MAX,
                        f"The requested DurationSeconds exceeds {SESSION_TOKEN_MAX} seconds.")
    if user.is_root:
        seconds = min(seconds, ROOT_SESSION_TOKEN_MAX)  # AWS shortens root sessions silently
    mfa = _check_mfa(caller, serial_number, token_code, "sts:GetSessionToken")
    now = clock.now()
    with transaction.atomic():
        issued = _issue(caller, user=user, mfa_authenticated=mfa,
                        mfa_authenticated_at=now if mfa else None, created_at=now,
                        expires_at=now + timedelta(seconds=seconds))
        audit.record(caller, "sts:GetSessionToken", resource_type="user",
                     resource_name=user.name, resource_arn=user.arn,
                     new={"AccessKeyId": issued.access_key_id, "MFA": mfa,
                          "Expiration": issued.expiration.isoformat()})
    return issued


# --------------------------------------------------------------------------- GetFederationToken


@dataclass
class FederatedSession:
    credentials: SessionCredentials
    federated_user_id: str
    arn: str
    packed_policy_size: int | None


def get_federation_token(
    caller: Caller,
    name: str,
    *,
    duration_seconds: int | None = None,
    policy: str | None = None,
    policy_arns: list | None = None,
    tags=None,
) -> FederatedSession:
    """A federated-user session of the calling IAM user (or root user), whose permissions are
    the intersection of the user's policies (and boundary) and the session policies passed here:
    with none passed the session may do nothing but sts:GetCallerIdentity."""
    user = _long_term_user(caller, "GetFederationToken")
    if not isinstance(name, str) or not _FEDERATED_NAME.match(name):
        raise ValidationError(
            f"Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy "
            r"regular expression pattern: [\w+=,.@-]* and have length between 2 and 32",
            field="name")
    seconds = _duration(duration_seconds, FEDERATION_TOKEN_DEFAULT, FEDERATION_TOKEN_MIN,
                        FEDERATION_TOKEN_MAX,
                        f"The requested DurationSeconds exceeds {FEDERATION_TOKEN_MAX} seconds.")
    if user.is_root:
        seconds = min(seconds, ROOT_SESSION_TOKEN_MAX)  # AWS: root sessions last one hour
    tag_map = normalize_tags(tags)
    text, policy_arn_list, packed = _session_policy(policy, policy_arns, tag_map)
    arn = arns.federated_user(name, account=caller.account)
    extra: dict[str, Any] = {}
    if tag_map:
        extra.update({"aws:TagKeys": list(tag_map),
                      **{f"aws:RequestTag/{k}": v for k, v in tag_map.items()}})
    authz.check(caller, "sts:GetFederationToken", arn, extra)
    if tag_map:
        authz.check(caller, "sts:TagSession", arn, extra)
    now = clock.now()
    with transaction.atomic():
        issued = _issue(caller, user=user, session_name=name, session_policy=text,
                        session_policy_arns=policy_arn_list, session_tags=tag_map,
                        created_at=now, expires_at=now + timedelta(seconds=seconds))
        audit.record(caller, "sts:GetFederationToken", resource_type="federated-user",
                     resource_name=name, resource_arn=arn,
                     new={"FederatedUserArn": arn, "AccessKeyId": issued.access_key_id,
                          "Expiration": issued.expiration.isoformat(),
                          "SessionPolicy": bool(text), "PolicyArns": policy_arn_list,
                          "Tags": sorted(tag_map)})
    return FederatedSession(issued, f"{caller.account}:{name}", arn, packed)


def check_session_token_scope(caller: Caller, service: str, operation: str) -> None:
    """AWS: GetSessionToken credentials may call only AssumeRole/GetCallerIdentity on STS, and
    IAM only with MFA context; GetFederationToken sessions only GetCallerIdentity on STS and
    nothing on IAM. Every door that accepts temporary credentials calls this."""
    credential = caller.credential
    if caller.is_federated:
        if service == "sts" and operation == "GetCallerIdentity":
            return
        if service in ("sts", "iam"):
            raise audit.denied(caller, AccessDenied(
                f"User: {caller.arn} is not authorized to perform: {service}:{operation}: "
                f"{service.upper()} calls with credentials from GetFederationToken are not "
                "allowed", action=f"{service}:{operation}", resource="*"))
        return
    if credential is None or credential.role_id is not None or caller.task_policy_arn:
        return  # AssumeRoot sessions are scoped by their task policy (authz) instead
    if service == "sts" and operation not in SESSION_TOKEN_STS_ACTIONS:
        raise audit.denied(caller, AccessDenied(
            f"User: {caller.arn} is not authorized to perform: sts:{operation} with session "
            "credentials obtained by GetSessionToken", action=f"sts:{operation}", resource="*",
        ))
    if service == "iam" and not credential.mfa_authenticated:
        raise audit.denied(caller, AccessDenied(
            f"User: {caller.arn} is not authorized to perform: iam:{operation}: IAM calls with "
            "credentials from GetSessionToken require MFA authentication",
            action=f"iam:{operation}", resource="*",
        ))


def find_roles_by_arns(role_arns: Iterable[str]) -> dict[str, Role]:
    """What :func:`find_role_by_arn` finds for each of `role_arns`, in one query: the roles of
    this account by ARN (an ARN that is not a role ARN, is another account's or names no role
    here is left out)."""
    wanted: dict[str, str] = {}
    for arn in role_arns:
        parsed = arns.parse_named(arn, "role")
        if parsed is not None and parsed.is_local:
            wanted[arn] = parsed.name.lower()
    if not wanted:
        return {}
    roles = Role.objects.select_related("permissions_boundary").annotate(
        lname=Lower("name")).filter(lname__in=set(wanted.values()))
    return {role.arn: role for role in roles if role.arn in wanted}

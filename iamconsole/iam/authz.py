"""Authorization: one function every front door and every domain operation goes through.

(caller, action, resource, request context) → the policy engine's decision. The caller's
effective policies (user inline + attached + groups', boundary; for assumed roles the role's
policies and the session policies) are gathered once per request and cached on the Caller.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.db.models.functions import Lower

from iamconsole.policy import CompiledPolicy, Context, Decision, Request, compile_policy, evaluate

from . import arns, audit, authz_messages, clock, guardrails, last_accessed, task_policies
from .caller import Caller
from .errors import AccessDenied
from .models import (
    Group,
    GroupInlinePolicy,
    GroupPolicyAttachment,
    ManagedPolicy,
    PolicyVersion,
    Role,
    RoleInlinePolicy,
    RolePolicyAttachment,
    User,
    UserInlinePolicy,
    UserPolicyAttachment,
)


@dataclass(frozen=True)
class PolicySource:
    """One policy that applies to a principal, named as SimulatePrincipalPolicy names it."""

    name: str  # SourcePolicyId: the policy name (inline or managed)
    policy_type: str  # user | group | role | aws-managed | user-managed
    document: str
    version_id: str | None = None
    arn: str | None = None  # managed policies
    owner: str = ""  # the user, group or role the inline policy or attachment belongs to

    def compile(self) -> CompiledPolicy:
        return compile_policy(
            self.document,
            policy_id=self.name,
            policy_type=self.policy_type,
            version_id=self.version_id or f"{self.owner}/{self.name}",
        )


def managed_source(policy: ManagedPolicy, owner: str = "") -> PolicySource:
    version = _default_version(policy)
    return PolicySource(
        name=policy.name,
        policy_type=policy.policy_type,
        document=version.document,
        version_id=f"{policy.policy_id}:{version.version_id}",
        arn=policy.arn,
        owner=owner,
    )


def _default_version(policy: ManagedPolicy):
    # Uses the prefetch when present.
    for version in policy.versions.all():
        if version.is_default:
            return version
    raise LookupError(f"policy {policy.name} has no default version")


# Every policy that applies to a principal, its boundary included, in one query: a request
# authenticates and authorizes with a handful of queries, not one per relation. Each part
# selects (part, group name, policy name, document, policy_id, path, is_aws_managed, version
# number, attachment id); parts: 0 own inline, 1 own attached, 2 group inline, 3 group attached,
# 4 boundary. Only table names from the models' metadata are formatted into the SQL (S608); every
# value is a parameter.
_INLINE = ", p.name, p.document, NULL, NULL, NULL, NULL, 0"
_MANAGED = (", mp.name, v.document, mp.policy_id, mp.path, mp.is_aws_managed, v.number, {id} "
            "FROM {from_} JOIN {policy} mp ON mp.id = {on} "
            "JOIN {version} v ON v.policy_id = mp.id AND v.is_default = %s")
_PARTS = {
    "own_inline": "SELECT 0, ''" + _INLINE + " FROM {inline} p WHERE p.{fk} = %s",  # noqa: S608
    "own_attached": "SELECT 1, ''" + _MANAGED.format(
        id="a.id", from_="{attachment} a", on="a.policy_id", policy="{policy}",
        version="{version}") + " WHERE a.{fk} = %s",
    "group_inline": "SELECT 2, g.name" + _INLINE + " FROM {members} m "  # noqa: S608
                    "JOIN {group} g ON g.id = m.group_id "
                    "JOIN {group_inline} p ON p.group_id = g.id WHERE m.user_id = %s",
    "group_attached": "SELECT 3, g.name" + _MANAGED.format(
        id="a.id", from_="{members} m JOIN {group} g ON g.id = m.group_id "
                         "JOIN {group_attachment} a ON a.group_id = g.id",
        on="a.policy_id", policy="{policy}", version="{version}") + " WHERE m.user_id = %s",
    "boundary": "SELECT 4, ''" + _MANAGED.format(
        id="0", from_="{principal} e", on="e.permissions_boundary_id", policy="{policy}",
        version="{version}") + " WHERE e.id = %s",
}


class PolicyModels(NamedTuple):
    """Where a user's, role's or group's own policies are stored (read here per request, and
    for every principal at once by the simulator's "who can")."""

    inline: type[Model]
    attachment: type[Model]
    principal: type[Model]


POLICY_MODELS = {
    "user": PolicyModels(UserInlinePolicy, UserPolicyAttachment, User),
    "role": PolicyModels(RoleInlinePolicy, RolePolicyAttachment, Role),
    "group": PolicyModels(GroupInlinePolicy, GroupPolicyAttachment, Group),
}


def _sources_query(kind: str, pk: int) -> tuple[str, list]:
    inline, attachment, principal = POLICY_MODELS[kind]
    quote = connection.ops.quote_name
    names = {
        "inline": quote(inline._meta.db_table), "attachment": quote(attachment._meta.db_table),
        "principal": quote(principal._meta.db_table), "fk": quote(f"{kind}_id"),
        "policy": quote(ManagedPolicy._meta.db_table),
        "version": quote(PolicyVersion._meta.db_table),
        "group": quote(Group._meta.db_table),
        "members": quote(Group.members.through._meta.db_table),
        "group_inline": quote(GroupInlinePolicy._meta.db_table),
        "group_attachment": quote(GroupPolicyAttachment._meta.db_table),
    }
    parts = ["own_inline", "own_attached"]
    if kind == "user":
        parts += ["group_inline", "group_attached"]
    if kind != "group":
        parts.append("boundary")
    sql = " UNION ALL ".join(_PARTS[part].format(**names) for part in parts)
    params: list = []
    for part in parts:
        params += [True, pk] if "mp.name" in _PARTS[part] else [pk]
    return sql, params


def _fetch_prepared(sql: str, params: list) -> list[tuple]:
    """Run the sources query, on PostgreSQL as a prepared statement of this connection: planning
    the five-part UNION costs ~3 ms of database CPU, more than running it (0.1 ms), and every
    authorized request runs it. Django's own cursors bind parameters on the client and are never
    prepared (Django leaves prepare_threshold unset for connection poolers); this one cursor
    binds on the server. Without a pooler in transaction mode in between, which would hand the
    statement to another session, that is safe; DATABASE_PREPARED_STATEMENTS=false turns it off.
    """
    if connection.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS:
        import psycopg

        connection.ensure_connection()
        raw = connection.connection
        if raw.prepare_threshold is None:
            raw.prepare_threshold = 0  # only server-binding cursors (this one) are prepared
        with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def principal_sources(kind: str, principal) -> tuple[list[PolicySource], PolicySource | None]:
    """(identity policies, permissions boundary) of a user, role or group: the user's own inline
    and attached policies, then each of its groups' (by group name), as AWS lists them."""
    sql, params = _sources_query(kind, principal.pk)
    rows = _fetch_prepared(sql, params)
    # Own policies first (inline by name, attached in attachment order), then each group's.
    rows.sort(key=lambda r: (r[0] == 4, r[0] in (2, 3), r[1], r[0],
                             r[2] if r[0] in (0, 2) else "", r[8]))
    identity: list[PolicySource] = []
    boundary = None
    for part, group, name, document, policy_id, path, aws_managed, number, _ in rows:
        owner = f"group/{group}" if part in (2, 3) else f"{kind}/{principal.name}"
        if part in (0, 2):
            identity.append(PolicySource(name, "group" if part == 2 else kind, document,
                                         owner=owner))
            continue
        source = PolicySource(
            name=name, policy_type="aws-managed" if aws_managed else "user-managed",
            document=document, version_id=f"{policy_id}:v{number}",
            arn=arns.policy(name, path, aws_managed=aws_managed),
            owner="boundary" if part == 4 else owner,
        )
        if part == 4:
            boundary = source
        else:
            identity.append(source)
    return identity, boundary


@dataclass
class EffectivePolicies:
    identity: list[CompiledPolicy]
    boundary: list[CompiledPolicy] | None
    session: list[CompiledPolicy] | None


def effective_policies(caller: Caller) -> EffectivePolicies:
    cached = caller.cache.get("effective_policies")
    if cached is not None:
        return cached
    if caller.role is not None:
        identity, boundary = principal_sources("role", caller.role)
    else:
        assert caller.user is not None
        identity, boundary = principal_sources("user", caller.user)
    result = EffectivePolicies(
        identity=[source.compile() for source in identity],
        boundary=[boundary.compile()] if boundary else None,
        session=_session_policies(caller),
    )
    caller.cache["effective_policies"] = result
    return result


def _session_policies(caller: Caller) -> list[CompiledPolicy] | None:
    cred = caller.credential
    # A root-task policy (AssumeRoot) is not a session policy: `decide` adds it as the root
    # user's identity policy.
    wanted = [arn for arn in (cred.session_policy_arns if cred is not None else ())
              if not task_policies.is_task_policy(arn)]
    if cred is None or (not cred.session_policy and not wanted):
        # AWS: a federated-user session given no session policy has no permissions at all.
        return [] if caller.is_federated else None
    policies = []
    if cred.session_policy:
        policies.append(
            compile_policy(cred.session_policy, policy_id="SessionPolicy",
                           policy_type="none", kind="session",
                           version_id=f"session:{cred.access_key_id}")
        )
    arns = set(wanted)
    names = {arn.rsplit("/", 1)[-1].lower() for arn in arns}
    candidates = ManagedPolicy.objects.annotate(lname=Lower("name")).filter(lname__in=names)
    for policy in candidates.prefetch_related("versions"):
        if policy.arn in arns:
            policies.append(managed_source(policy, owner="session").compile())
    return policies


def request_context(caller: Caller, extra: dict[str, Any] | None = None) -> Context:
    """The global condition keys AWS sets for a request by this caller, plus `extra`
    (service-specific keys such as iam:PermissionsBoundary)."""
    now = clock.now()
    values: dict[str, Any] = {
        "aws:CurrentTime": now,
        "aws:EpochTime": int(now.timestamp()),
        "aws:PrincipalAccount": caller.account,
        "aws:PrincipalArn": _principal_arn(caller),
        "aws:PrincipalType": caller.principal_type,
        "aws:userid": caller.user_id,
        "aws:SecureTransport": caller.secure_transport,
        "aws:MultiFactorAuthPresent": caller.mfa_present,
        "aws:ViaAWSService": False,
    }
    if caller.source_ip:
        values["aws:SourceIp"] = caller.source_ip
    if caller.credential is not None:  # temporary credentials only (AWS: absent otherwise)
        values["aws:TokenIssueTime"] = token_issue_time(caller.credential.created_at)
    if caller.mfa_authenticated_at is not None:
        values["aws:MultiFactorAuthAge"] = max(
            0, int((now - caller.mfa_authenticated_at).total_seconds())
        )
    if caller.is_federated:  # AWS: no aws:username; the session tags are its principal tags
        tags = dict(caller.credential.session_tags or {})
    elif caller.role is None and caller.user is not None and not caller.user.is_root:
        values["aws:username"] = caller.user.name
        tags = caller.user.tags
    elif caller.role is not None:
        tags = {**caller.role.tags, **(caller.credential.session_tags if caller.credential else {})}
        if caller.credential is not None and caller.credential.source_identity:
            values["aws:SourceIdentity"] = caller.credential.source_identity
    else:
        tags = {}
    for key, value in tags.items():
        values[f"aws:PrincipalTag/{key}"] = value
    if extra:
        values.update({k: v for k, v in extra.items() if v is not None})
    return Context(values)


def token_issue_time(moment: datetime) -> str:
    """aws:TokenIssueTime, to the microsecond: a session issued a moment after a revocation
    (AWSRevokeOlderSessions names milliseconds) must not look issued in the same second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _principal_arn(caller: Caller) -> str:
    """aws:PrincipalArn: for a role session it is the role's ARN, not the session's."""
    if caller.role is not None:
        return caller.role.arn
    return caller.arn


@functools.cache
def _root_identity() -> list[CompiledPolicy]:
    """A root user may do everything its account may: only SCPs and RCPs limit it."""
    return [compile_policy(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*",'
        '"Resource":"*"}]}', policy_id="root", policy_type="none", version_id="root")]


def decide(
    caller: Caller,
    action: str,
    resource: str,
    extra: dict[str, Any] | None = None,
    resource_policy: CompiledPolicy | None = None,
) -> Decision | None:
    """The engine's decision, or None for the system and for a root user nothing limits
    (allowed everything; a root session of AssumeRoot is limited by its task policy). In a
    member account of an organization its SCPs limit every
    principal (the root user too, service-linked roles not), and the RCPs of the resource
    owner's account limit what anyone may do to that account's resources."""
    if caller.is_system:
        return None
    mine = guardrails.for_request(caller, caller.account)
    owner = arns.owner_account(resource) or caller.account
    theirs = mine if owner == caller.account else guardrails.for_request(caller, owner)
    scp_levels = mine.scp_levels
    if caller.role is not None and caller.role.aws_service_name:
        scp_levels = None  # AWS: SCPs do not affect service-linked roles
    rcp_levels = theirs.rcp_levels
    # A root user's temporary credentials may be limited: an AssumeRoot session by its task
    # policy, any root session by the session policies it carries.
    task = caller.task_policy_arn if caller.is_root else None
    root_session = _session_policies(caller) if caller.is_root else None
    if (caller.is_root and task is None and root_session is None and scp_levels is None
            and rcp_levels is None):
        return None
    if caller.is_root:
        identity, boundary, session = _root_identity(), None, root_session
        if task is not None:  # Deny-only (AWS's documents): the root user minus its denials
            identity = [*identity, task_policies.compiled(task)]
    else:
        policies = effective_policies(caller)
        identity, boundary, session = policies.identity, policies.boundary, policies.session
    org_keys = {**mine.principal_context, **theirs.resource_context}
    if org_keys:
        extra = {**org_keys, **(extra or {})}
    request = Request(
        action=action,
        resource=resource,
        context=request_context(caller, extra),
        principal_arn=caller.arn,
        principal_account=caller.account,
    )
    return evaluate(
        request,
        identity,
        boundary_policies=boundary,
        session_policies=session,
        resource_policy=resource_policy,
        scp_levels=scp_levels,
        rcp_levels=rcp_levels,
    )


def record_allowed(caller: Caller, action: str) -> None:
    """An allowed decision that a caller acts on without `check` (a trust policy evaluated by
    AssumeRole, the console's choice among candidate contexts): Access Advisor records it as
    `check` does. `is_allowed` alone records nothing: the console asks it to draw buttons."""
    last_accessed.record(caller, action)


def is_allowed(caller: Caller, action: str, resource: str, extra: dict | None = None) -> bool:
    decision = decide(caller, action, resource, extra)
    return decision is None or decision.allowed


def check(caller: Caller, action: str, resource: str, extra: dict | None = None) -> None:
    """Raise AccessDenied (with AWS's message) unless the caller may do `action` on `resource`.
    The one place every door's denied call passes: it is recorded in the audit log here."""
    decision = decide(caller, action, resource, extra)
    if decision is None:
        return
    if decision.allowed:
        last_accessed.record(caller, action)
        return
    exc = access_denied(caller, action, resource, decision)
    exc.encoded_message = authz_messages.encode(caller, action, resource, decision,
                                                request_context(caller, extra))
    audit.record_denied(caller, exc)
    raise exc


def access_denied(caller: Caller, action: str, resource: str, decision: Decision) -> AccessDenied:
    org = decision.organizations_decision_detail
    denied_by = {"scp": "service control policy", "rcp": "resource control policy"}.get(
        org.denied_by if org is not None else None)
    if denied_by is not None and org.explicit_deny:
        reason = f"with an explicit deny in a {denied_by}"
    elif denied_by is not None:
        reason = f"because no {denied_by} allows the {action} action"
    elif decision.decision == "explicitDeny":
        reason = "with an explicit deny in an identity-based policy"
    elif decision.allowed_by_boundary is False:
        reason = f"because no permissions boundary allows the {action} action"
    elif decision.allowed_by_session is False:
        reason = f"because no session policy allows the {action} action"
    else:
        reason = f"because no identity-based policy allows the {action} action"
    return AccessDenied(
        f"User: {caller.arn} is not authorized to perform: {action} on resource: {resource} "
        f"{reason}",
        action=action,
        resource=resource,
    )

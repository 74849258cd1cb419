"""Authorization: one function every front door and every domain operation goes through.

(caller, action, resource, request context) → the policy engine's decision. The caller's
effective policies (user inline + attached + groups', boundary; for assumed roles the role's
policies and the session policies) are gathered once per request and cached on the Caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from iamconsole.policy import CompiledPolicy, Context, Decision, Request, compile_policy, evaluate

from . import clock
from . import identifiers as ids
from .caller import Caller
from .errors import AccessDenied
from .models import Group, ManagedPolicy, Role, User


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
    # Uses the prefetch when present (see _MANAGED_PREFETCH).
    for version in policy.versions.all():
        if version.is_default:
            return version
    raise LookupError(f"policy {policy.name} has no default version")


def _managed_sources(attachments: Iterable, owner: str) -> list[PolicySource]:
    return [managed_source(att.policy, owner) for att in attachments]


_MANAGED_PREFETCH = "policy_attachments__policy__versions"


def user_policy_sources(user: User) -> list[PolicySource]:
    """The identity policies of a user: its inline and attached policies, then its groups'."""
    user = (
        User.objects.prefetch_related(
            "inline_policies",
            _MANAGED_PREFETCH,
            "iam_groups__inline_policies",
            "iam_groups__" + _MANAGED_PREFETCH,
        ).get(pk=user.pk)
    )
    owner = f"user/{user.name}"
    sources = [
        PolicySource(p.name, "user", p.document, owner=owner) for p in user.inline_policies.all()
    ]
    sources += _managed_sources(user.policy_attachments.all(), owner)
    for group in user.iam_groups.all():
        sources += group_policy_sources(group, prefetched=True)
    return sources


def group_policy_sources(group: Group, *, prefetched: bool = False) -> list[PolicySource]:
    if not prefetched:
        group = Group.objects.prefetch_related("inline_policies", _MANAGED_PREFETCH).get(
            pk=group.pk
        )
    owner = f"group/{group.name}"
    sources = [
        PolicySource(p.name, "group", p.document, owner=owner) for p in group.inline_policies.all()
    ]
    return sources + _managed_sources(group.policy_attachments.all(), owner)


def role_policy_sources(role: Role) -> list[PolicySource]:
    role = Role.objects.prefetch_related("inline_policies", _MANAGED_PREFETCH).get(pk=role.pk)
    owner = f"role/{role.name}"
    sources = [
        PolicySource(p.name, "role", p.document, owner=owner) for p in role.inline_policies.all()
    ]
    return sources + _managed_sources(role.policy_attachments.all(), owner)


def boundary_source(policy: ManagedPolicy | None) -> PolicySource | None:
    if policy is None:
        return None
    policy = ManagedPolicy.objects.prefetch_related("versions").get(pk=policy.pk)
    return managed_source(policy, owner="boundary")


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
        role = caller.role
        identity = [s.compile() for s in role_policy_sources(role)]
        boundary = boundary_source(role.permissions_boundary)
        session = _session_policies(caller)
    else:
        user = caller.user
        assert user is not None
        identity = [s.compile() for s in user_policy_sources(user)]
        boundary = boundary_source(user.permissions_boundary)
        session = _session_policies(caller)
    result = EffectivePolicies(
        identity=identity,
        boundary=[boundary.compile()] if boundary else None,
        session=session,
    )
    caller.cache["effective_policies"] = result
    return result


def _session_policies(caller: Caller) -> list[CompiledPolicy] | None:
    cred = caller.credential
    if cred is None or (not cred.session_policy and not cred.session_policy_arns):
        return None
    policies = []
    if cred.session_policy:
        policies.append(
            compile_policy(cred.session_policy, policy_id="SessionPolicy",
                           policy_type="none", kind="session",
                           version_id=f"session:{cred.access_key_id}")
        )
    arns = list(cred.session_policy_arns)
    for policy in ManagedPolicy.objects.prefetch_related("versions"):
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
        "aws:PrincipalAccount": ids.account_id(),
        "aws:PrincipalArn": _principal_arn(caller),
        "aws:PrincipalType": caller.principal_type,
        "aws:userid": caller.user_id,
        "aws:SecureTransport": caller.secure_transport,
        "aws:MultiFactorAuthPresent": caller.mfa_present,
        "aws:ViaAWSService": False,
    }
    if caller.source_ip:
        values["aws:SourceIp"] = caller.source_ip
    if caller.mfa_authenticated_at is not None:
        values["aws:MultiFactorAuthAge"] = max(
            0, int((now - caller.mfa_authenticated_at).total_seconds())
        )
    if caller.role is None and caller.user is not None and not caller.user.is_root:
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


def _principal_arn(caller: Caller) -> str:
    """aws:PrincipalArn: for a role session it is the role's ARN, not the session's."""
    if caller.role is not None:
        return caller.role.arn
    return caller.arn


def decide(
    caller: Caller,
    action: str,
    resource: str,
    extra: dict[str, Any] | None = None,
    resource_policy: CompiledPolicy | None = None,
) -> Decision | None:
    """The engine's decision, or None for the root user / system (allowed everything)."""
    if caller.is_root:
        return None
    policies = effective_policies(caller)
    request = Request(
        action=action,
        resource=resource,
        context=request_context(caller, extra),
        principal_arn=caller.arn,
        principal_account=ids.account_id(),
    )
    return evaluate(
        request,
        policies.identity,
        boundary_policies=policies.boundary,
        session_policies=policies.session,
        resource_policy=resource_policy,
    )


def is_allowed(caller: Caller, action: str, resource: str, extra: dict | None = None) -> bool:
    decision = decide(caller, action, resource, extra)
    return decision is None or decision.allowed


def check(caller: Caller, action: str, resource: str, extra: dict | None = None) -> None:
    """Raise AccessDenied (with AWS's message) unless the caller may do `action` on `resource`."""
    decision = decide(caller, action, resource, extra)
    if decision is None or decision.allowed:
        return
    raise access_denied(caller, action, resource, decision)


def access_denied(caller: Caller, action: str, resource: str, decision: Decision) -> AccessDenied:
    if decision.decision == "explicitDeny":
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

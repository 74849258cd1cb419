"""Running a simulation: each action × resource through the engine, with the trust policy of a
role for assuming it, the cross-account details, and the operations SimulatePrincipalPolicy,
SimulateCustomPolicy and GetContextKeysFor…Policy."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Unpack

from iamconsole.policy import (
    CompiledPolicy,
    Context,
    Decision,
    MatchedStatement,
    Request,
    catalog,
    evaluate,
    referenced_context_keys,
)

from .. import authz, guardrails
from .. import identifiers as ids
from ..caller import Caller
from ..errors import InvalidInput, MalformedPolicyDocument, ValidationError
from ..models import Role
from ..sts import find_role_by_arn, find_roles_by_arns
from .compiled import Compiled, compile_meta
from .inputs import (
    Checked,
    SimulationOptions,
    boundary_inputs,
    check_request,
    compile_resource_policy,
    policy_inputs,
)
from .principals import PrincipalPolicies, caller_identity, identity_context, resolve_principal
from .results import (
    ALLOWED,
    BOUNDARY_KEY,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    EvaluationResult,
    ResourceSpecificResult,
    SimulatedStatement,
    SimulationPolicy,
)

TRUST_KEY = "AssumeRolePolicy"  # SourcePolicyId of a role's trust policy in results
# Actions decided by the target role's trust policy, which must allow the caller.
TRUST_ACTIONS = frozenset(a.lower() for a in catalog.TRUST_ACTIONS)
# Actions AWS allows whatever the policies say.
ALWAYS_ALLOWED = frozenset({"sts:getcalleridentity"})

@dataclass
class Setup:
    identity: list[Compiled]
    boundary: list[Compiled] | None
    resource_policy: Compiled | None
    context: Context
    principal_arn: str | None
    principal_account: str
    resource_owner: str | None
    trust: dict[str, Compiled | None] = field(default_factory=dict)
    trust_roles: dict[str, Role] | None = None  # the target roles, read together (run_all)
    # Organizations: the SCPs of the principal's account, and the RCPs of a resource owner's
    # account (SimulatePrincipalPolicy only: AWS's OrganizationsDecisionDetail).
    scp_levels: list | None = None
    rcp_levels_of: Callable[[str], list | None] | None = None

    def resource_policy_for(self, action: str, resource: str) -> Compiled | None:
        """The resource-based policy that governs `action` on `resource`: for assuming a role
        (``sts:AssumeRole*``, ``sts:TagSession``…) on a role ARN it is that role's trust
        policy, which must allow the caller (the given ResourcePolicy, read as a trust
        policy, or else the stored trust policy of the role); otherwise the given one."""
        given = self.resource_policy
        if action.lower() not in TRUST_ACTIONS or ":role/" not in resource:
            # A trust policy given as ResourcePolicy governs only the assuming of roles.
            return None if given is not None and given.policy.kind == "trust" else given
        if resource not in self.trust:
            self.trust[resource] = trust_policy(given, resource, self.trust_roles)
            self._meta_cache = None  # the statements' policies now include this one
        return self.trust[resource] or given

    def statement(self, m: MatchedStatement) -> SimulatedStatement:
        meta = self._meta().get((m.policy_id, m.version_id))
        return SimulatedStatement(
            source_policy_id=m.policy_id,
            source_policy_type=m.policy_type,
            start_position=(m.start_line, m.start_column),
            end_position=(m.end_line, m.end_column),
            sid=m.sid,
            statement_index=m.statement_index,
            version_id=meta.version_id if meta else None,
            policy_arn=meta.arn if meta else None,
            policy_id=meta.policy_id if meta else None,
            owner=meta.owner if meta else "",
            policy_text=meta.document if meta else "",
        )

    def _meta(self) -> dict[tuple[str, str | None], SimulationPolicy]:
        cached = getattr(self, "_meta_cache", None)
        if cached is None:
            every = [*self.identity, *(self.boundary or ()),
                     *([self.resource_policy] if self.resource_policy else []),
                     *(c for c in self.trust.values() if c is not None)]
            cached = {(c.policy.policy_id, c.policy.version_id): c.meta for c in every}
            self._meta_cache = cached
        return cached


def run_all(setup: Setup, actions: list[str], resources: list[str],
            handling: str | None) -> list[EvaluationResult]:
    identity = [c.policy for c in setup.identity]
    boundary = None if setup.boundary is None else [c.policy for c in setup.boundary]
    targets = resources or ["*"]
    if setup.resource_policy is None and any(a.lower() in TRUST_ACTIONS for a in actions):
        # The stored trust policies of every target role in one query, not one per role.
        setup.trust_roles = find_roles_by_arns(r for r in targets if ":role/" in r)
    results: list[EvaluationResult] = []
    for action in actions:
        per_resource = []
        for resource in targets:
            governing = setup.resource_policy_for(action, resource)
            per_resource.append(_one(setup, identity, boundary,
                                     governing.policy if governing else None, action, resource,
                                     with_specific=bool(resources)))
        if handling and resources:
            results.append(_combine(action, per_resource))
        else:
            results.extend(per_resource)
    return results


def _one(setup: Setup, identity: list[CompiledPolicy], boundary: list[CompiledPolicy] | None,
         resource_policy: CompiledPolicy | None, action: str, resource: str, *,
         with_specific: bool) -> EvaluationResult:
    request = Request(action=action, resource=resource, context=setup.context,
                      principal_arn=setup.principal_arn,
                      principal_account=setup.principal_account)
    if action.lower() in ALWAYS_ALLOWED:
        # AWS: sts:GetCallerIdentity needs no permission and cannot be denied.
        decision = Decision(ALLOWED)
    else:
        rcp_levels = None
        if setup.rcp_levels_of is not None:
            rcp_levels = setup.rcp_levels_of(
                account_in_arn(resource) or setup.resource_owner or setup.principal_account)
        decision = evaluate(request, identity, boundary_policies=boundary,
                            resource_policy=resource_policy, scp_levels=setup.scp_levels,
                            rcp_levels=rcp_levels)
    verdict = decision.decision
    details = None if resource == "*" else {}
    resource_account = account_in_arn(resource) or setup.resource_owner
    cross = resource != "*" and resource_account is not None \
        and resource_account != setup.principal_account
    if cross:
        # The identity side alone, as if the resource were the caller's own (the engine denies
        # another account's resource without its resource policy).
        identity_only = evaluate(Request(action=action, resource=resource,
                                         context=setup.context),
                                 identity, boundary_policies=boundary, collect_missing=False)
        details = {"IAM Policy": identity_only.decision}
        if boundary is not None:
            details["Permissions Boundary Policy"] = (
                ALLOWED if identity_only.allowed_by_boundary else IMPLICIT_DENY)
        if resource_policy is not None:
            granted = any(m.policy_type == "resource" for m in decision.matched_statements)
            details["Resource Policy"] = (
                EXPLICIT_DENY if verdict == EXPLICIT_DENY and any(
                    m.policy_type == "resource" for m in decision.matched_statements)
                else ALLOWED if granted else IMPLICIT_DENY)
            # An ARN that names no account (S3): the engine cannot see that ResourceOwner
            # makes this cross-account, where both sides must allow.
            if account_in_arn(resource) is None and verdict == ALLOWED \
                    and not (identity_only.allowed and granted):
                verdict = IMPLICIT_DENY
        elif verdict == ALLOWED and action.lower() not in ALWAYS_ALLOWED:
            # Another account's resource with no resource policy: that account never allowed
            # it (an ARN without an account, e.g. S3, owned elsewhere per ResourceOwner).
            verdict = IMPLICIT_DENY
    # SCP and RCP statements are not AWS SourcePolicyTypes: OrganizationsDecisionDetail
    # tells their part (and the simulator page which of the two denied).
    statements = [] if verdict == IMPLICIT_DENY else \
        [setup.statement(m) for m in decision.matched_statements
         if m.policy_type not in ("scp", "rcp")]
    org = decision.organizations_decision_detail
    result = EvaluationResult(
        eval_action_name=action,
        eval_resource_name=resource,
        eval_decision=verdict,
        matched_statements=statements,
        missing_context_values=list(decision.missing_context_values),
        eval_decision_details=details,
        permissions_boundary_decision_detail=_boundary_detail(decision),
        organizations_decision_detail=None if org is None else org.allowed_by_organizations,
        organizations_denied_by=None if org is None else org.denied_by,
    )
    if with_specific:
        result.resource_specific_results = [ResourceSpecificResult(
            eval_resource_name=resource,
            eval_resource_decision=verdict,
            matched_statements=list(statements),
            missing_context_values=list(decision.missing_context_values),
            eval_decision_details=None if details is None else dict(details),
            permissions_boundary_decision_detail=result.permissions_boundary_decision_detail,
        )]
    return result


def trust_policy(given: Compiled | None, role_arn: str,
                 roles: dict[str, Role] | None = None) -> Compiled | None:
    """The trust policy that decides assuming `role_arn`: the simulation's ResourcePolicy
    read as a trust policy when one was given, else the stored one of that role (if it
    exists here; looked up in `roles` when they were read beforehand)."""
    if given is not None and given.policy.kind == "trust":
        return given
    if given is not None:
        meta = SimulationPolicy(key=given.meta.key, name=given.meta.name,
                                policy_type="resource", document=given.meta.document,
                                kind="trust", owner=given.meta.owner)
        try:
            return compile_meta(meta, field_name="resource_policy", kind="trust")
        except MalformedPolicyDocument:
            return None  # not a valid trust policy: evaluated as the resource policy given
    try:
        role = roles.get(role_arn) if roles is not None else find_role_by_arn(role_arn)
    except ValidationError:  # not a role ARN after all (e.g. a wildcard)
        return None
    if role is None:
        return None
    meta = SimulationPolicy(key=TRUST_KEY, name=TRUST_KEY, policy_type="resource",
                            document=role.assume_role_policy_document, kind="trust",
                            owner=f"role/{role.name}")
    try:
        return compile_meta(meta, field_name="resource_arns", kind="trust")
    except MalformedPolicyDocument:
        return None


def _boundary_detail(decision: Decision) -> bool | None:
    if decision.allowed_by_boundary is None:
        return None
    return bool(decision.allowed_by_boundary)


def account_in_arn(resource: str) -> str | None:
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[4]:
        return parts[4]
    return None


def _combine(action: str, parts: list[EvaluationResult]) -> EvaluationResult:
    order = {EXPLICIT_DENY: 0, IMPLICIT_DENY: 1, ALLOWED: 2}
    verdict = min((p.eval_decision for p in parts), key=order.__getitem__)
    statements: dict[SimulatedStatement, None] = {}
    missing: dict[str, None] = {}
    for p in parts:
        if p.eval_decision == verdict:
            statements.update(dict.fromkeys(p.matched_statements))
        missing.update(dict.fromkeys(p.missing_context_values))
    boundary = [p.permissions_boundary_decision_detail for p in parts
                if p.permissions_boundary_decision_detail is not None]
    return EvaluationResult(
        eval_action_name=action,
        eval_resource_name="*",
        eval_decision=verdict,
        matched_statements=list(statements),
        missing_context_values=list(missing),
        eval_decision_details={} if any(p.eval_decision_details is not None for p in parts)
        else None,
        permissions_boundary_decision_detail=all(boundary) if boundary else None,
        resource_specific_results=[r for p in parts for r in p.resource_specific_results],
    )


def simulate_principal_policy(
    caller: Caller,
    policy_source_arn: str | PrincipalPolicies,
    action_names: Sequence[str],
    *,
    policy_input_list: Sequence[str] | None = None,
    policy_exclusion_list: Iterable[str] | None = None,
    **options: Unpack[SimulationOptions],
) -> list[EvaluationResult]:
    """SimulatePrincipalPolicy: the policies of a user (its own, its groups', its boundary), a
    group or a role, plus `policy_input_list`, against every action × resource.

    `policy_exclusion_list` leaves policies out, each named by its SimulationPolicy key (see
    :func:`principal_policies`), its name, or its ARN; BOUNDARY_KEY leaves out the boundary.
    `permissions_boundary_policy_input_list` replaces the principal's own boundary (as AWS).
    `policy_source_arn` may be the principal gathered earlier in the request
    (:func:`gather_principal`), whose policies are then not read again."""
    principal = resolve_principal(caller, "iam:SimulatePrincipalPolicy", policy_source_arn)
    checked = check_request(action_names, options)

    excluded = {str(x) for x in (policy_exclusion_list or ()) if x}
    identity_meta, boundary_meta = principal.identity, principal.boundary
    identity = [compile_meta(m, field_name="policy_source_arn", kind="identity")
                for m in identity_meta
                if not excluded.intersection({m.key, m.name, m.arn or m.key})]
    identity += policy_inputs(policy_input_list)
    boundary_given = boundary_inputs(options.get("permissions_boundary_policy_input_list"))
    if boundary_given:
        boundary: list[Compiled] | None = boundary_given
    elif boundary_meta is not None and BOUNDARY_KEY not in excluded:
        boundary = [compile_meta(boundary_meta, field_name="policy_source_arn",
                                 kind="boundary")]
    else:
        boundary = None
    rp = compile_resource_policy(options.get("resource_policy"))

    principal_arn, values = caller_identity(options.get("caller_arn"))
    if principal_arn is None and principal.kind != "group":
        principal_arn = principal.entity.arn
        values = identity_context(principal.entity, principal.kind)
    if rp is not None and principal_arn is None:
        raise InvalidInput("CallerArn is required with a ResourcePolicy when the policy source "
                           "is a group.", field="caller_arn")
    return _simulate(checked, identity, boundary, rp, principal_arn, values,
                     organizations=True)


def simulate_custom_policy(
    caller: Caller,
    policy_input_list: Sequence[str],
    action_names: Sequence[str],
    **options: Unpack[SimulationOptions],
) -> list[EvaluationResult]:
    """SimulateCustomPolicy: pasted identity policies (and optionally a boundary and a
    resource policy) against every action × resource."""
    authz.check(caller, "iam:SimulateCustomPolicy", "*")
    if not policy_input_list:
        raise InvalidInput("PolicyInputList must contain at least one policy.",
                           field="policy_input_list")
    checked = check_request(action_names, options)
    identity = policy_inputs(policy_input_list)
    boundary = boundary_inputs(options.get("permissions_boundary_policy_input_list")) or None
    rp = compile_resource_policy(options.get("resource_policy"))
    principal_arn, values = caller_identity(options.get("caller_arn"))
    if rp is not None and principal_arn is None:
        raise InvalidInput("CallerArn is required when you include a ResourcePolicy.",
                           field="caller_arn")
    return _simulate(checked, identity, boundary, rp, principal_arn, values)


def _simulate(checked: Checked, identity: list[Compiled], boundary: list[Compiled] | None,
              rp: Compiled | None, principal_arn: str | None,
              identity_keys: dict[str, Any], *,
              organizations: bool = False) -> list[EvaluationResult]:
    """Both simulations, once their policies and principal are known: the principal's
    identity keys under the ContextEntries given, every action × resource. With
    `organizations` (SimulatePrincipalPolicy), the SCPs of the principal's account and the
    RCPs of each resource's account take part, with their organization condition keys."""
    account = _account_of(principal_arn)
    scp_levels, rcp_levels_of = None, None
    if organizations:
        mine = guardrails.of_account(account)
        scp_levels = mine.scp_levels
        identity_keys = {**mine.principal_context, **identity_keys}

        seen = {account: mine}

        def rcp_levels_of(owner: str) -> list | None:  # each account read once
            if owner not in seen:
                seen[owner] = guardrails.of_account(owner)
            return seen[owner].rcp_levels
    setup = Setup(identity, boundary, rp, Context(identity_keys).merged(checked.context),
                  principal_arn, account, checked.resource_owner,
                  scp_levels=scp_levels, rcp_levels_of=rcp_levels_of)
    return run_all(setup, checked.actions, checked.resources, checked.handling)


def _account_of(arn: str | None) -> str:
    if arn:
        account = account_in_arn(arn)
        if account:
            return account
    return ids.account_id()


# Context keys -------------------------------------------------------------------------------

def get_context_keys_for_principal_policy(
    caller: Caller, policy_source_arn: str | PrincipalPolicies,
    policy_input_list: Sequence[str] | None = None,
) -> list[str]:
    """GetContextKeysForPrincipalPolicy: every condition key (and policy-variable key) the
    principal's identity policies and `policy_input_list` reference (`policy_source_arn` may
    be the principal gathered earlier in the request)."""
    principal = resolve_principal(caller, "iam:GetContextKeysForPrincipalPolicy",
                                  policy_source_arn)
    policies = [compile_meta(m, field_name="policy_source_arn", kind="identity").policy
                for m in principal.identity]
    policies += [c.policy for c in policy_inputs(policy_input_list)]
    return referenced_context_keys(policies)


def get_context_keys_for_custom_policy(caller: Caller,
                                       policy_input_list: Sequence[str]) -> list[str]:
    """GetContextKeysForCustomPolicy."""
    authz.check(caller, "iam:GetContextKeysForCustomPolicy", "*")
    if not policy_input_list:
        raise InvalidInput("PolicyInputList must contain at least one policy.",
                           field="policy_input_list")
    return referenced_context_keys([c.policy for c in policy_inputs(policy_input_list)])



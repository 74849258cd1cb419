"""Request evaluation (AWS policy evaluation logic: identity, boundary, session, resource-based
and trust policies, and the AWS Organizations guardrails, SCPs and RCPs)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalog import RCP_SERVICES
from .compiler import (
    MATCH_DIRECT,
    MATCH_NONE,
    MATCH_ROLE,
    CompiledPolicy,
    CompiledStatement,
    _arn_account,
)
from .context import Context
from .patterns import resolve_exact

__all__ = [
    "ALLOWED",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "Decision",
    "MatchedStatement",
    "OrganizationsDecisionDetail",
    "Request",
    "condition_values",
    "evaluate",
    "referenced_context_keys",
]

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"


@dataclass(slots=True)
class Request:
    """One authorization question: may ``principal_arn`` perform ``action`` on ``resource``?"""

    action: str
    resource: str
    context: Context = field(default_factory=Context)
    principal_arn: str | None = None
    principal_account: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.context, Context):
            self.context = Context(self.context) if isinstance(self.context, Mapping) \
                else Context()


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    """A statement that decided the outcome, located in its policy text (1-based)."""

    policy_id: str
    policy_type: str
    version_id: str | None
    statement_index: int
    sid: str | None
    start_line: int
    start_column: int
    end_line: int
    end_column: int

    @classmethod
    def of(cls, st: CompiledStatement) -> MatchedStatement:
        m = st._matched
        if m is None:
            p = st.policy
            m = st._matched = cls(p.policy_id, p.policy_type, p.version_id, st.index, st.sid,
                                  st.start_line, st.start_column, st.end_line, st.end_column)
        return m  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class OrganizationsDecisionDetail:
    """AWS's OrganizationsDecisionDetail (``AllowedByOrganizations``), with the reason.

    ``allowed_by_organizations``: the SCPs and RCPs that applied let the request through
    (no explicit Deny, an Allow at every level). ``allowed_by_scp`` / ``allowed_by_rcp``: the
    same for each policy type, None when it was not evaluated (no levels given, or an RCP for
    a service RCPs do not cover). ``denied_by`` ("rcp" or "scp", RCPs first as in AWS's
    flowchart) names the policy type that stopped the request and ``denied_level`` the index
    in ``rcp_levels`` / ``scp_levels`` of the level that did: the level of the first denying
    statement (``explicit_deny``; the statements are in the Decision's matched_statements),
    or the first level where no policy allows the request.
    """

    allowed_by_organizations: bool | None
    allowed_by_scp: bool | None = None
    allowed_by_rcp: bool | None = None
    denied_by: str | None = None
    denied_level: int | None = None
    explicit_deny: bool = False


@dataclass(slots=True)
class Decision:
    """The outcome of :func:`evaluate`, shaped like a SimulatePrincipalPolicy result."""

    decision: str
    matched_statements: list[MatchedStatement] = field(default_factory=list)
    missing_context_values: list[str] = field(default_factory=list)
    allowed_by_boundary: bool | None = None
    allowed_by_session: bool | None = None
    # None unless scp_levels or rcp_levels were given (like AWS, which leaves it out)
    organizations_decision_detail: OrganizationsDecisionDetail | None = None

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    @property
    def allowed_by_organizations(self) -> bool | None:
        detail = self.organizations_decision_detail
        return None if detail is None else detail.allowed_by_organizations

    def __bool__(self) -> bool:
        return self.decision == ALLOWED


class _Scan:
    """Results of scanning one group of policies."""

    __slots__ = ("allows", "denies", "levels")

    def __init__(self) -> None:
        self.allows: list[CompiledStatement] = []
        self.denies: list[CompiledStatement] = []
        self.levels: list[int] = []  # principal level per allow (resource policy only)


def _scan(policies: Sequence[CompiledPolicy], action: str, resource: str, ctx: Context,
          missing: dict[str, str] | None, principal: str | None, account: str | None,
          with_principal: bool) -> _Scan:
    out = _Scan()
    data = ctx._data
    for pol in policies:
        hits = pol._action_cache.get(action)
        if hits is None:
            hits = pol.statements_for_action(action)
        for st in hits:
            if missing is not None and st.resource_var_keys:
                for kl, k in st.resource_var_keys:
                    if kl not in data:
                        missing.setdefault(kl, k)
            if st._resources.match(resource, ctx) == st.not_resource:
                continue
            if not st.is_deny and _unresolved(st, data):
                # AWS: a variable that cannot be resolved can make the whole statement invalid.
                # An Allow must never apply because of one (a negated operator or NotResource
                # comparing against "no value" would otherwise match); a Deny still applies.
                if missing is not None:
                    _note_missing(st, data, missing)
                continue
            level = MATCH_DIRECT
            if with_principal:
                level = st.principal_level(principal, account)
                if level == MATCH_NONE:
                    continue
            if st.clauses:
                if missing is not None:
                    _note_missing(st, data, missing)
                ok = True
                for c in st.clauses:
                    if not c.evaluate(ctx):
                        ok = False
                        break
                if not ok:
                    continue
            if st.is_deny:
                out.denies.append(st)
            else:
                out.allows.append(st)
                out.levels.append(level)
    return out


def _note_missing(st: CompiledStatement, data: Mapping[str, Any],
                  missing: dict[str, str]) -> None:
    """Record the condition keys and policy variables of `st` that the context lacks."""
    for keys in (st.condition_keys, st.condition_var_keys):
        for kl, k in keys:
            if kl not in data:
                missing.setdefault(kl, k)


def _unresolved(st: CompiledStatement, data: Mapping[str, Any]) -> bool:
    """Whether the statement uses a policy variable (without a default) that the request
    context cannot resolve: absent, or multivalued (a variable takes one value)."""
    for keys in (st.resource_var_keys, st.condition_var_keys):
        for kl, _ in keys:
            cv = data.get(kl)
            if cv is None or len(cv.values) != 1:
                return True
    return False


class _Levels:
    """Results of scanning one chain of SCPs or RCPs (root, OUs, account)."""

    __slots__ = ("denies", "deny_level", "gap")

    def __init__(self) -> None:
        self.denies: list[CompiledStatement] = []
        self.deny_level: int | None = None  # level of the first denying statement
        self.gap: int | None = None  # first level where nothing allows the request

    @property
    def allowed(self) -> bool:
        return not self.denies and self.gap is None


def _scan_levels(levels: Sequence[Sequence[CompiledPolicy]] | Iterable[Iterable[CompiledPolicy]],
                 action: str, resource: str, ctx: Context, missing: dict[str, str] | None,
                 principal: str | None, account: str | None, with_principal: bool) -> _Levels:
    """`_scan` over each level, inlined (this runs for every governed request): the same
    statement tests, but only whether a level allows at all is kept."""
    out = _Levels()
    data = ctx._data
    for i, level in enumerate(levels):
        allowed = False
        for pol in level if isinstance(level, (list, tuple)) else _as_seq(level):
            hits = pol._action_cache.get(action)
            if hits is None:
                hits = pol.statements_for_action(action)
            for st in hits:
                if missing is not None and st.resource_var_keys:
                    for kl, k in st.resource_var_keys:
                        if kl not in data:
                            missing.setdefault(kl, k)
                if st._resources.match(resource, ctx) == st.not_resource:
                    continue
                is_deny = st.is_deny
                if not is_deny and (st.resource_var_keys or st.condition_var_keys) \
                        and _unresolved(st, data):
                    if missing is not None:
                        _note_missing(st, data, missing)
                    continue
                if with_principal and st.principal_level(principal, account) == MATCH_NONE:
                    continue
                if st.clauses:
                    if missing is not None:
                        _note_missing(st, data, missing)
                    if not is_deny and allowed:
                        continue  # the level already allows: only its denies still matter
                    ok = True
                    for c in st.clauses:
                        if not c.evaluate(ctx):
                            ok = False
                            break
                    if not ok:
                        continue
                if is_deny:
                    out.denies.append(st)
                    if out.deny_level is None:
                        out.deny_level = i
                else:
                    allowed = True
        if not allowed and out.gap is None:
            out.gap = i
    return out


def _org_detail(scp: _Levels | None, rcp: _Levels | None) -> OrganizationsDecisionDetail:
    allowed_by_scp = None if scp is None else scp.allowed
    allowed_by_rcp = None if rcp is None else rcp.allowed
    denied_by = None
    level = None
    explicit = False
    # AWS's flowchart: explicit denies of every type first, then RCPs, then SCPs.
    for name, scan in (("rcp", rcp), ("scp", scp)):
        if scan is not None and scan.denies:
            denied_by, level, explicit = name, scan.deny_level, True
            break
    else:
        for name, scan in (("rcp", rcp), ("scp", scp)):
            if scan is not None and scan.gap is not None:
                denied_by, level = name, scan.gap
                break
    return OrganizationsDecisionDetail(denied_by is None, allowed_by_scp, allowed_by_rcp,
                                       denied_by, level, explicit)


def _as_seq(policies: Iterable[CompiledPolicy] | CompiledPolicy | None) -> Sequence[CompiledPolicy]:
    if policies is None:
        return ()
    if isinstance(policies, CompiledPolicy):
        return (policies,)
    if isinstance(policies, (list, tuple)):
        return policies
    return tuple(policies)


def evaluate(request: Request, identity_policies: Iterable[CompiledPolicy], *,
             boundary_policies: Iterable[CompiledPolicy] | None = None,
             session_policies: Iterable[CompiledPolicy] | None = None,
             resource_policy: CompiledPolicy | None = None,
             collect_missing: bool = True,
             scp_levels: Sequence[Sequence[CompiledPolicy]] | None = None,
             rcp_levels: Sequence[Sequence[CompiledPolicy]] | None = None) -> Decision:
    """Decide ``request`` the way AWS does for a principal's policies.

    AWS Organizations guardrails (both default to None: not evaluated at all):

    ``scp_levels``: the service control policies of the *principal's* account, one sequence
    per level of its path in the organization: the root, each OU down, the account itself.
    ``rcp_levels``: the resource control policies of the *resource owner's* account, the
    same way. Neither grants anything; each only limits. For each: a Deny statement that
    matches the request is an explicit deny; otherwise every level must have at least one
    policy with an Allow statement matching the request (Organizations attaches
    FullAWSAccess / RCPFullAWSAccess at each level for that; see ``policy.organizations``),
    or the request is an implicit deny that no identity or resource-based policy can
    override, within the account or across accounts. An RCP statement's Principal is "*"
    and it restricts principals with conditions (aws:PrincipalOrgID, aws:PrincipalAccount,
    aws:PrincipalArn...: the caller puts those keys in the request context). RCPs apply only
    to the services in ``catalog.RCP_SERVICES``: for other actions ``rcp_levels`` is ignored.

    The caller decides when a chain applies, and passes None when it does not: SCPs do not
    apply to the organization's management account, to service-linked roles, nor to a
    principal outside the organization (or with no organization); RCPs do not apply to the
    resources of the management account or of an account outside any organization, nor to
    requests by service-linked roles. ``Decision.organizations_decision_detail`` (None when
    both are None) tells whether they allowed the request and, if not, which type and level
    stopped it; SCP/RCP statements appear in ``matched_statements`` (policy_type "scp" /
    "rcp", as compiled) only when they deny explicitly (AWS leaves SCP statements out of
    SimulatePrincipalPolicy's MatchedStatements: a door should filter them).

    The order is AWS's flowchart:

    1. An explicit Deny in any applicable policy (identity, boundary, session, a resource
       policy statement naming the principal, an SCP or an RCP) wins: ``explicitDeny``.
    1b. Otherwise, if the RCPs, then the SCPs, do not allow the request at every level:
       ``implicitDeny``.
    2. Otherwise the request is allowed if the identity policies allow it and (when given)
       the permissions boundary and the session policies allow it too, or if the resource
       policy allows it for the principal: naming the user / role-session ARN (or "*")
       suffices on its own within one account; naming the role ARN of an assumed-role
       session is still limited by the boundary and session policies; naming only the
       account requires the identity side to allow as well. Across accounts both sides
       must allow, and a resource owned by another (12-digit) account with no resource
       policy is denied.
    2b. A role trust policy (``kind="trust"``) is required: the caller may assume the role
       only if the trust policy allows it. Naming the caller itself suffices (within the
       caller's permissions boundary), naming the role of an assumed-role session is limited
       by boundary and session policies, naming the account (root / account id) needs the
       identity side to allow ``sts:AssumeRole`` too. The identity policies alone never do.
    3. Otherwise ``implicitDeny``.

    An Allow statement that uses a policy variable the request cannot resolve (no value, no
    default) does not apply; a Deny statement still does.
    """
    action = request.action.lower()
    resource = request.resource
    ctx = request.context
    principal = request.principal_arn
    account = request.principal_account or _arn_account(principal)
    missing: dict[str, str] | None = {} if collect_missing else None

    ident = _scan(_as_seq(identity_policies), action, resource, ctx, missing, None, None, False)
    bound = None if boundary_policies is None else _scan(
        _as_seq(boundary_policies), action, resource, ctx, missing, None, None, False)
    sess = None if session_policies is None else _scan(
        _as_seq(session_policies), action, resource, ctx, missing, None, None, False)
    res = None if resource_policy is None else _scan(
        _as_seq(resource_policy), action, resource, ctx, missing, principal, account, True)
    org = None
    scp: _Levels | None = None
    rcp: _Levels | None = None
    if scp_levels is not None or rcp_levels is not None:
        rcp = None if rcp_levels is None or action.split(":", 1)[0] not in RCP_SERVICES \
            else _scan_levels(rcp_levels, action, resource, ctx, missing, principal, account, True)
        scp = None if scp_levels is None else _scan_levels(
            scp_levels, action, resource, ctx, missing, None, None, False)
        org = _org_detail(scp, rcp)

    missing_list = sorted(missing.values(), key=str.lower) if missing else []
    allowed_by_boundary = None if bound is None else (bool(bound.allows) and not bound.denies)
    allowed_by_session = None if sess is None else (bool(sess.allows) and not sess.denies)

    denies = [*ident.denies, *(bound.denies if bound else ()), *(sess.denies if sess else ()),
              *(res.denies if res else ())]
    if rcp is not None:
        denies.extend(rcp.denies)
    if scp is not None:
        denies.extend(scp.denies)
    if denies:
        return Decision(EXPLICIT_DENY, [MatchedStatement.of(st) for st in denies], missing_list,
                        allowed_by_boundary, allowed_by_session, org)
    if org is not None and not org.allowed_by_organizations:
        # RCPs, then SCPs: a level without an Allow is final; no other policy can grant.
        return Decision(IMPLICIT_DENY, [], missing_list, allowed_by_boundary, allowed_by_session,
                        org)

    boundary_ok = bound is None or bool(bound.allows)
    session_ok = sess is None or bool(sess.allows)
    identity_ok = bool(ident.allows) and boundary_ok and session_ok
    # A role's trust policy is a resource-based policy that must itself allow the caller:
    # the identity policies alone never let anyone assume a role (AWS: "role trust policies
    # and KMS key policies are exceptions ... they must explicitly allow access").
    trust = resource_policy is not None and resource_policy.kind == "trust"
    resource_account = _arn_account(resource)
    cross = (account is not None and resource_account is not None and account != resource_account
             and resource_account.isdigit())

    granted: list[CompiledStatement] = []
    if identity_ok:
        granted.extend(ident.allows)
        if bound is not None:
            granted.extend(bound.allows)
        if sess is not None:
            granted.extend(sess.allows)
    resource_grants: list[CompiledStatement] = []
    if res is not None:
        for st, level in zip(res.allows, res.levels, strict=True):
            if cross:
                ok = identity_ok  # cross-account: both sides must allow
            elif level == MATCH_DIRECT:
                # Names the user / session itself: sufficient on its own. A trust policy is
                # still limited by the caller's permissions boundary (AWS: "if a permissions
                # boundary is set for the user, then it must allow the sts:AssumeRole action").
                ok = boundary_ok if trust else True
            elif level == MATCH_ROLE:
                ok = boundary_ok and session_ok  # role ARN: boundary/session still limit
            else:  # MATCH_ACCOUNT: the account delegates to its identity policies
                ok = identity_ok
            if ok:
                resource_grants.append(st)
    granted.extend(resource_grants)
    # The resource policy is required for a trust policy (it must grant, as computed above) and
    # for a resource owned by another account (with no resource policy at all: denied).
    allowed = bool(resource_grants) if trust or cross else identity_ok or bool(resource_grants)
    if allowed:
        return Decision(ALLOWED, [MatchedStatement.of(st) for st in granted], missing_list,
                        allowed_by_boundary, allowed_by_session, org)
    return Decision(IMPLICIT_DENY, [], missing_list, allowed_by_boundary, allowed_by_session,
                    org)


def referenced_context_keys(policies: Iterable[CompiledPolicy]) -> list[str]:
    """Every condition key and policy-variable key the policies use (case-insensitive dedupe,
    sorted), like GetContextKeysForPrincipalPolicy."""
    seen: dict[str, str] = {}
    for pol in _as_seq(policies):
        for st in pol.statements:
            for c in st.clauses:
                seen.setdefault(c.key_lower, c.key)
                for t in c._templates:
                    for p in t:
                        key = getattr(p, "key", None)
                        if isinstance(key, str):
                            seen.setdefault(key.lower(), key)
            for kl, k in st.resource_var_keys:
                seen.setdefault(kl, k)
            for t in st._resources.dynamic:
                for p in t[0]:
                    key = getattr(p, "key", None)
                    if isinstance(key, str):
                        seen.setdefault(key.lower(), key)
    return sorted(seen.values(), key=lambda k: (k.lower(), k))



def condition_values(policies: Iterable[CompiledPolicy] | CompiledPolicy | None, action: str,
                     key: str, context: Context | None = None) -> list[str]:
    """The values that statements covering ``action`` compare condition key ``key`` with, in
    policy order without duplicates; policy variables are resolved from ``context`` (a value
    whose variable has no value is left out). A pattern (StringLike, ArnLike) is returned as
    written: it matches itself. Used to find which values of a key could be allowed, e.g. the
    permissions boundaries a delegated administrator may create users with."""
    action_lower = action.lower()
    key_lower = key.lower()
    seen: dict[str, None] = {}
    for pol in _as_seq(policies):
        for st in pol.statements_for_action(action_lower):
            for c in st.clauses:
                if c.key_lower != key_lower:
                    continue
                for t in c._templates:
                    value = resolve_exact(t, context)
                    if value is not None:
                        seen.setdefault(value, None)
    return list(seen)

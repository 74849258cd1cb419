"""The policy simulator: SimulatePrincipalPolicy, SimulateCustomPolicy, GetContextKeysFor…Policy,
and the reverse "who can" query. The one place simulation logic lives: the console's simulator
page, the REST API and the Query API all call these functions.

Choices, where AWS leaves room or where we differ (each one deliberate):

* Action names are exact names (AWS: "This operation does not support using wildcards (*) in an
  action name"). A name with ``*`` or ``?`` or one not in the service catalog raises
  ``InvalidInput`` (field ``action_names``). Front doors that accept patterns (the console page)
  expand them first with :func:`expand_action_patterns`.
* Results come one per action × resource, in the order given (classic AWS shape):
  ``EvalResourceName`` is the resource ARN (``*`` when no ResourceArns), and when ResourceArns
  are given each result also carries one ``ResourceSpecificResults`` entry for that resource.
  With a ``ResourceHandlingOption`` (the EC2 scenarios) all resources of an action are judged
  together: one result per action, ``EvalResourceName`` ``*``, the most restrictive decision, and
  one ``ResourceSpecificResults`` entry per resource.
* Matched statements: ``SourcePolicyId`` is the policy name for a principal's own policies
  (SourcePolicyType user | group | role | user-managed | aws-managed), ``PolicyInputList.N`` and
  ``PermissionsBoundaryPolicyInputList.N`` for pasted policies (type ``none``), ``ResourcePolicy``
  for the resource policy (type ``resource``). The same managed policy reached twice (attached to
  the user and to one of its groups) is evaluated once.
* Request context: like AWS's simulator we fill the simulated principal's identity keys —
  ``aws:username`` (users), ``aws:userid``, ``aws:PrincipalArn``, ``aws:PrincipalType``,
  ``aws:PrincipalAccount``, ``aws:PrincipalTag/*`` — from the CallerArn, or else from the
  PolicySourceArn when it is a user or role (a group is not a principal, so nothing). Request
  facts (aws:CurrentTime, aws:SourceIp, aws:SecureTransport, …) are never invented: a policy that
  needs them reports them in MissingContextValues unless ContextEntries supply them. Given
  ContextEntries always win over the filled values.
* ``EvalDecisionDetails`` follows AWS: absent for same-account simulations on ``*``, ``{}`` for
  same-account simulations of a resource ARN, and for cross-account ones (the resource ARN's
  account, or ResourceOwner, differs from the principal's) the decision of each policy type:
  ``{"IAM Policy": …, "Resource Policy": …}`` (plus ``"Permissions Boundary Policy"``).
* ``who_can`` is authorized by ``iam:SimulatePrincipalPolicy`` on ``*``: it discloses what every
  user and role may do, i.e. it is SimulatePrincipalPolicy on every principal at once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from iamconsole.policy import (
    CompiledPolicy,
    Context,
    Decision,
    MatchedStatement,
    PolicyError,
    Request,
    catalog,
    compile_policy,
    evaluate,
    referenced_context_keys,
)

from . import authz
from . import identifiers as ids
from .caller import Caller
from .errors import InvalidInput, MalformedPolicyDocument, NoSuchEntity, ValidationError
from .models import (
    Group,
    GroupInlinePolicy,
    GroupPolicyAttachment,
    PolicyVersion,
    Role,
    RoleInlinePolicy,
    RolePolicyAttachment,
    User,
    UserInlinePolicy,
    UserPolicyAttachment,
)
from .sts import find_role_by_arn

__all__ = [
    "RESOURCE_HANDLING_OPTIONS",
    "EvaluationResult",
    "ResourceSpecificResult",
    "SimulatedStatement",
    "SimulationPolicy",
    "WhoCanRow",
    "expand_action_patterns",
    "get_context_keys_for_custom_policy",
    "get_context_keys_for_principal_policy",
    "principal_policies",
    "simulate_custom_policy",
    "simulate_principal_policy",
    "who_can",
]

ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY = "allowed", "explicitDeny", "implicitDeny"
RESOURCE_HANDLING_OPTIONS = (
    "EC2-VPC-InstanceStore",
    "EC2-VPC-InstanceStore-Subnet",
    "EC2-VPC-EBS",
    "EC2-VPC-EBS-Subnet",
)
BOUNDARY_KEY = "permissions-boundary"
TRUST_KEY = "AssumeRolePolicy"  # SourcePolicyId of a role's trust policy in results
# Actions decided by the target role's trust policy, which must allow the caller.
TRUST_ACTIONS = frozenset(a.lower() for a in catalog.TRUST_ACTIONS)
# Actions AWS allows whatever the policies say.
ALWAYS_ALLOWED = frozenset({"sts:getcalleridentity"})
MAX_ACTIONS = 1000
MAX_RESOURCES = 1000

_ARN = re.compile(r"^arn:[a-z0-9-]+:[a-z0-9-]*:[a-z0-9-]*:[^:]*:.+$", re.DOTALL)
_PRINCIPAL_ARN = re.compile(
    r"^arn:aws:iam::(?P<account>\d{12}):(?P<kind>user|group|role)(?P<path>/(?:.*/)?)(?P<name>[^/]+)$"
)
_ACTION = re.compile(r"^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$")


# Result types -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SimulatedStatement:
    """One statement that decided a result: AWS's ``Statement`` plus what a page needs to link
    to and highlight it."""

    source_policy_id: str
    source_policy_type: str
    start_position: tuple[int, int]  # (line, column), 1-based
    end_position: tuple[int, int]
    sid: str | None = None
    statement_index: int = 0
    version_id: str | None = None  # "v3" for managed policies, None otherwise
    policy_arn: str | None = None  # managed policies
    policy_id: str | None = None  # ANPA… of managed policies
    owner: str = ""  # "user/alice", "group/devs", "role/app" for a principal's policies
    policy_text: str = field(default="", repr=False, compare=False)

    def as_aws_dict(self) -> dict[str, Any]:
        return {
            "SourcePolicyId": self.source_policy_id,
            "SourcePolicyType": self.source_policy_type,
            "StartPosition": {"Line": self.start_position[0], "Column": self.start_position[1]},
            "EndPosition": {"Line": self.end_position[0], "Column": self.end_position[1]},
        }

    def as_dict(self) -> dict[str, Any]:
        """The AWS shape plus our extras (Sid, statement index, version, policy ARN)."""
        return {
            **self.as_aws_dict(),
            "Sid": self.sid,
            "StatementIndex": self.statement_index,
            "VersionId": self.version_id,
            "PolicyArn": self.policy_arn,
            "Owner": self.owner,
        }

    @property
    def lines(self) -> list[tuple[int, str, bool]]:
        """(line number, text, inside the statement) for every line of the policy."""
        start, end = self.start_position[0], self.end_position[0]
        return [(n, text, start <= n <= end)
                for n, text in enumerate(self.policy_text.splitlines(), start=1)]

    @property
    def statement_lines(self) -> list[tuple[int, str]]:
        start, end = self.start_position[0], self.end_position[0]
        return [(n, text) for n, text, inside in self.lines if start <= n <= end and inside]


@dataclass
class ResourceSpecificResult:
    eval_resource_name: str
    eval_resource_decision: str
    matched_statements: list[SimulatedStatement] = field(default_factory=list)
    missing_context_values: list[str] = field(default_factory=list)
    eval_decision_details: dict[str, str] | None = None
    permissions_boundary_decision_detail: bool | None = None

    def as_aws_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "EvalResourceName": self.eval_resource_name,
            "EvalResourceDecision": self.eval_resource_decision,
            "MatchedStatements": [s.as_aws_dict() for s in self.matched_statements],
            "MissingContextValues": list(self.missing_context_values),
        }
        if self.eval_decision_details is not None:
            out["EvalDecisionDetails"] = dict(self.eval_decision_details)
        if self.permissions_boundary_decision_detail is not None:
            out["PermissionsBoundaryDecisionDetail"] = {
                "AllowedByPermissionsBoundary": self.permissions_boundary_decision_detail}
        return out


@dataclass
class EvaluationResult:
    """One simulated (action, resource) request, field for field AWS's ``EvaluationResult``."""

    eval_action_name: str
    eval_resource_name: str
    eval_decision: str
    matched_statements: list[SimulatedStatement] = field(default_factory=list)
    missing_context_values: list[str] = field(default_factory=list)
    eval_decision_details: dict[str, str] | None = None
    permissions_boundary_decision_detail: bool | None = None  # AllowedByPermissionsBoundary
    resource_specific_results: list[ResourceSpecificResult] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.eval_decision == ALLOWED

    def as_aws_dict(self) -> dict[str, Any]:
        """Exactly the wire shape of AWS's EvaluationResult (for the Query API and boto3)."""
        out: dict[str, Any] = {
            "EvalActionName": self.eval_action_name,
            "EvalResourceName": self.eval_resource_name,
            "EvalDecision": self.eval_decision,
            "MatchedStatements": [s.as_aws_dict() for s in self.matched_statements],
            "MissingContextValues": list(self.missing_context_values),
        }
        if self.eval_decision_details is not None:
            out["EvalDecisionDetails"] = dict(self.eval_decision_details)
        if self.permissions_boundary_decision_detail is not None:
            out["PermissionsBoundaryDecisionDetail"] = {
                "AllowedByPermissionsBoundary": self.permissions_boundary_decision_detail}
        if self.resource_specific_results:
            out["ResourceSpecificResults"] = [
                r.as_aws_dict() for r in self.resource_specific_results]
        return out

    def as_dict(self) -> dict[str, Any]:
        """The AWS shape with our statement extras (for the console's JSON export)."""
        out = self.as_aws_dict()
        out["MatchedStatements"] = [s.as_dict() for s in self.matched_statements]
        return out


@dataclass(frozen=True)
class SimulationPolicy:
    """A policy of a principal as the simulator lists it (the page's checkboxes)."""

    key: str  # stable identifier for the exclusion list: ARN, "group/devs/Name", BOUNDARY_KEY
    name: str  # SourcePolicyId
    policy_type: str  # SourcePolicyType
    document: str
    kind: str = "identity"  # identity | boundary
    arn: str | None = None
    policy_id: str | None = None
    version_id: str | None = None  # "v3"
    owner: str = ""

    @property
    def label(self) -> str:
        where = f" (via {self.owner})" if self.owner and not self.owner.startswith("user/") \
            and self.kind == "identity" else ""
        version = f" {self.version_id}" if self.version_id else ""
        return f"{self.name}{version} — {self.policy_type}{where}"


@dataclass
class WhoCanRow:
    principal_type: str  # "user" | "role"
    name: str
    arn: str
    matched_statements: list[SimulatedStatement] = field(default_factory=list)
    missing_context_values: list[str] = field(default_factory=list)


# Compiling ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Compiled:
    policy: CompiledPolicy
    meta: SimulationPolicy


# Our own cache of compiled policies, keyed by content: the engine's LRU (2,048 entries) is too
# small for "who can" over thousands of policies, and compiling dominates that query.
_COMPILED: dict[tuple[str, str, str | None, str, bytes], CompiledPolicy] = {}
_COMPILED_MAX = 50_000


def _compile(text: str, *, policy_id: str, policy_type: str, kind: str,
             version_key: str | None) -> CompiledPolicy:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    key = (policy_id, policy_type, version_key, kind, digest)
    hit = _COMPILED.get(key)
    if hit is not None:
        return hit
    compiled = compile_policy(text, policy_id=policy_id, policy_type=policy_type, kind=kind,
                              version_id=version_key)
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
    _COMPILED[key] = compiled
    return compiled


def _version_key(meta: SimulationPolicy) -> str:
    """What makes a compiled policy unique (it comes back in the engine's MatchedStatement)."""
    if meta.policy_id:
        key = f"{meta.policy_id}:{meta.version_id}"  # as authz compiles it: shares its cache
        return f"boundary:{key}" if meta.kind == "boundary" else key
    return f"{meta.kind}:{meta.owner}/{meta.name}"


def _compile_meta(meta: SimulationPolicy, *, field_name: str, kind: str) -> _Compiled:
    try:
        policy = _compile(meta.document, policy_id=meta.name, policy_type=meta.policy_type,
                          kind=kind, version_key=_version_key(meta))
    except PolicyError as exc:
        errors = [f for f in exc.findings if f.severity == "error"] or exc.findings
        first = errors[0] if errors else None
        where = f" (line {first.line}, column {first.column})" \
            if first is not None and getattr(first, "line", None) else ""
        message = first.message if first is not None else "The policy is not valid."
        raise MalformedPolicyDocument(f"{meta.name}: {message}{where}", field=field_name,
                                      findings=list(exc.findings)) from None
    return _Compiled(policy, meta)


def _input_policies(texts: Sequence[str] | None, *, prefix: str, field_name: str,
                    kind: str) -> list[_Compiled]:
    if texts is None:
        return []
    if isinstance(texts, str) or not isinstance(texts, (list, tuple)):
        raise InvalidInput(f"{prefix} must be a list of policy documents.", field=field_name)
    out = []
    for n, text in enumerate(texts, start=1):
        if not isinstance(text, str) or not text.strip():
            raise MalformedPolicyDocument(f"{prefix}.{n} is empty.", field=field_name)
        meta = SimulationPolicy(key=f"{prefix}.{n}", name=f"{prefix}.{n}", policy_type="none",
                                document=text, kind=kind if kind == "boundary" else "identity",
                                owner="input")
        out.append(_compile_meta(meta, field_name=field_name, kind=kind))
    return out


def _source_meta(source: authz.PolicySource, kind: str = "identity") -> SimulationPolicy:
    policy_id = version = None
    if source.version_id and ":" in source.version_id and source.arn:
        policy_id, version = source.version_id.split(":", 1)
    if kind == "boundary":
        key = BOUNDARY_KEY
    elif source.arn:
        key = source.arn
    else:
        key = f"{source.owner}/{source.name}"
    return SimulationPolicy(key=key, name=source.name, policy_type=source.policy_type,
                            document=source.document, kind=kind, arn=source.arn,
                            policy_id=policy_id, version_id=version, owner=source.owner)


# Principals ---------------------------------------------------------------------------------

@dataclass
class _Principal:
    kind: str  # user | group | role
    entity: Any


def _parse_principal_arn(arn: Any, field_name: str) -> re.Match[str]:
    match = _PRINCIPAL_ARN.match(arn) if isinstance(arn, str) else None
    if match is None:
        raise InvalidInput(
            f"Invalid ARN {arn!r}: expected the ARN of an IAM user, group or role "
            f"(arn:aws:iam::{ids.account_id()}:user/NAME).", field=field_name)
    return match


def _find_principal(arn: str, field_name: str = "policy_source_arn") -> _Principal:
    match = _parse_principal_arn(arn, field_name)
    kind, name, path = match["kind"], match["name"], match["path"]
    model = {"user": User, "group": Group, "role": Role}[kind]
    qs = model.objects.filter(name__ci=name, path=path)
    if kind == "user":
        qs = qs.filter(is_root=False)
    if kind != "group":
        qs = qs.select_related("permissions_boundary")
    entity = qs.first() if match["account"] == ids.account_id() else None
    if entity is None:
        raise NoSuchEntity(f"The {kind} with ARN {arn} cannot be found.", field=field_name)
    return _Principal(kind, entity)


def _principal_sources(principal: _Principal) -> tuple[list[SimulationPolicy],
                                                       SimulationPolicy | None]:
    sources, boundary_source = authz.principal_sources(principal.kind, principal.entity)
    identity: list[SimulationPolicy] = []
    seen: set[str] = set()
    for source in sources:
        meta = _source_meta(source)
        if meta.key in seen:  # the same managed policy via the user and one of its groups
            continue
        seen.add(meta.key)
        identity.append(meta)
    boundary = _source_meta(boundary_source, kind="boundary") if boundary_source else None
    return identity, boundary


def _authorized_principal(caller: Caller, action: str, policy_source_arn: str) -> _Principal:
    """Authorize on the ARN as given, before looking it up (no probing for names)."""
    _parse_principal_arn(policy_source_arn, "policy_source_arn")
    authz.check(caller, action, policy_source_arn)
    return _find_principal(policy_source_arn)


def principal_policies(caller: Caller, policy_source_arn: str) -> list[SimulationPolicy]:
    """The policies SimulatePrincipalPolicy would use for a user, group or role (identity
    policies, then the permissions boundary), for the simulator page's checkboxes."""
    principal = _authorized_principal(caller, "iam:SimulatePrincipalPolicy", policy_source_arn)
    identity, boundary = _principal_sources(principal)
    return identity + ([boundary] if boundary else [])


def _identity_context(entity: Any, kind: str) -> dict[str, Any]:
    """The global keys AWS fills for a request by this user or role."""
    values: dict[str, Any] = {"aws:PrincipalAccount": ids.account_id(),
                              "aws:PrincipalArn": entity.arn}
    if kind == "user":
        values.update({"aws:username": entity.name, "aws:userid": entity.user_id,
                       "aws:PrincipalType": "User"})
    elif kind == "role":
        values.update({"aws:userid": entity.role_id, "aws:PrincipalType": "AssumedRole"})
    for key, value in (entity.tags or {}).items():
        values[f"aws:PrincipalTag/{key}"] = value
    return values


# Inputs -------------------------------------------------------------------------------------

def _check_actions(action_names: Any) -> list[str]:
    if isinstance(action_names, str) or not isinstance(action_names, (list, tuple)) \
            or not action_names:
        raise InvalidInput("ActionNames must list at least one action.", field="action_names")
    if len(action_names) > MAX_ACTIONS:
        raise InvalidInput(f"At most {MAX_ACTIONS} actions can be simulated at once.",
                           field="action_names")
    out = []
    for name in action_names:
        if not isinstance(name, str) or not _ACTION.match(name):
            raise InvalidInput(f"Invalid action name {name!r}: expected service:Action, "
                               "for example s3:GetObject.", field="action_names")
        if "*" in name or "?" in name:
            raise InvalidInput(f"Invalid action name {name}: this operation does not support "
                               "wildcards (*) in an action name.", field="action_names")
        if not catalog.known_action(name):
            raise InvalidInput(f"Unknown action {name}: it is not in the service "
                               "authorization reference.", field="action_names")
        out.append(name)
    return out


def _check_resources(resource_arns: Any) -> list[str]:
    if resource_arns is None or (isinstance(resource_arns, (list, tuple)) and not resource_arns):
        return []
    if isinstance(resource_arns, str) or not isinstance(resource_arns, (list, tuple)):
        raise InvalidInput("ResourceArns must be a list of ARNs.", field="resource_arns")
    if len(resource_arns) > MAX_RESOURCES:
        raise InvalidInput(f"At most {MAX_RESOURCES} resources can be simulated at once.",
                           field="resource_arns")
    for arn in resource_arns:
        if arn != "*" and (not isinstance(arn, str) or len(arn) > 2048 or not _ARN.match(arn)):
            raise InvalidInput(
                f"Invalid ARN {arn!r}: expected arn:partition:service:region:account:resource "
                "or *.", field="resource_arns")
    return list(resource_arns)


def _check_context(context_entries: Any) -> Context:
    if not context_entries:
        return Context()
    try:
        return Context.from_entries(context_entries)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(str(exc), field="context_entries") from None


def _check_account(value: Any, field_name: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and len(value) == 12 and value.isdigit():
        return value
    if isinstance(value, str) and _ARN.match(value):
        account = value.split(":")[4]
        if len(account) == 12 and account.isdigit():
            return account
    raise InvalidInput(f"Invalid {field_name} {value!r}: expected a 12-digit account ID.",
                       field=field_name)


def expand_action_patterns(patterns: Iterable[str]) -> list[str]:
    """For front doors that accept ``s3:Get*``: each pattern becomes the catalog's actions it
    matches (in order, without duplicates); an exact name is kept as typed. A pattern that
    matches nothing raises InvalidInput (field ``action_names``)."""
    out: dict[str, None] = {}
    for pattern in patterns:
        pattern = pattern.strip()
        if not pattern:
            continue
        if "*" in pattern or "?" in pattern:
            matched = catalog.expand_actions(pattern)
            if not matched:
                raise InvalidInput(f"The action pattern {pattern} matches no known action.",
                                   field="action_names")
            out.update(dict.fromkeys(matched))
        else:
            out[pattern] = None
    return list(out)


# Simulation ---------------------------------------------------------------------------------

@dataclass
class _Setup:
    identity: list[_Compiled]
    boundary: list[_Compiled] | None
    resource_policy: _Compiled | None
    context: Context
    principal_arn: str | None
    principal_account: str
    resource_owner: str | None
    trust: dict[str, _Compiled | None] = field(default_factory=dict)

    def resource_policy_for(self, action: str, resource: str) -> _Compiled | None:
        """The resource-based policy that governs `action` on `resource`: for assuming a role
        (``sts:AssumeRole*``, ``sts:TagSession``…) on a role ARN it is that role's trust
        policy, which must allow the caller (the given ResourcePolicy, read as a trust
        policy, or else the stored trust policy of the role); otherwise the given one."""
        given = self.resource_policy
        if action.lower() not in TRUST_ACTIONS or ":role/" not in resource:
            # A trust policy given as ResourcePolicy governs only the assuming of roles.
            return None if given is not None and given.policy.kind == "trust" else given
        if resource not in self.trust:
            self.trust[resource] = _trust_policy(given, resource)
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


def _run(setup: _Setup, actions: list[str], resources: list[str],
         handling: str | None) -> list[EvaluationResult]:
    identity = [c.policy for c in setup.identity]
    boundary = None if setup.boundary is None else [c.policy for c in setup.boundary]
    targets = resources or ["*"]
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


def _one(setup: _Setup, identity: list[CompiledPolicy], boundary: list[CompiledPolicy] | None,
         resource_policy: CompiledPolicy | None, action: str, resource: str, *,
         with_specific: bool) -> EvaluationResult:
    request = Request(action=action, resource=resource, context=setup.context,
                      principal_arn=setup.principal_arn,
                      principal_account=setup.principal_account)
    if action.lower() in ALWAYS_ALLOWED:
        # AWS: sts:GetCallerIdentity needs no permission and cannot be denied.
        decision = Decision(ALLOWED)
    else:
        decision = evaluate(request, identity, boundary_policies=boundary,
                            resource_policy=resource_policy)
    verdict = decision.decision
    details = None if resource == "*" else {}
    resource_account = _resource_account(resource) or setup.resource_owner
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
            if _resource_account(resource) is None and verdict == ALLOWED \
                    and not (identity_only.allowed and granted):
                verdict = IMPLICIT_DENY
        elif verdict == ALLOWED and action.lower() not in ALWAYS_ALLOWED:
            # Another account's resource with no resource policy: that account never allowed
            # it (an ARN without an account, e.g. S3, owned elsewhere per ResourceOwner).
            verdict = IMPLICIT_DENY
    statements = [] if verdict == IMPLICIT_DENY else \
        [setup.statement(m) for m in decision.matched_statements]
    result = EvaluationResult(
        eval_action_name=action,
        eval_resource_name=resource,
        eval_decision=verdict,
        matched_statements=statements,
        missing_context_values=list(decision.missing_context_values),
        eval_decision_details=details,
        permissions_boundary_decision_detail=_boundary_detail(decision),
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


def _trust_policy(given: _Compiled | None, role_arn: str) -> _Compiled | None:
    """The trust policy that decides assuming `role_arn`: the simulation's ResourcePolicy
    read as a trust policy when one was given, else the stored one of that role (if it
    exists here)."""
    if given is not None and given.policy.kind == "trust":
        return given
    if given is not None:
        meta = SimulationPolicy(key=given.meta.key, name=given.meta.name,
                                policy_type="resource", document=given.meta.document,
                                kind="trust", owner=given.meta.owner)
        try:
            return _compile_meta(meta, field_name="resource_policy", kind="trust")
        except MalformedPolicyDocument:
            return None  # not a valid trust policy: evaluated as the resource policy given
    try:
        role = find_role_by_arn(role_arn)
    except ValidationError:  # not a role ARN after all (e.g. a wildcard)
        return None
    if role is None:
        return None
    meta = SimulationPolicy(key=TRUST_KEY, name=TRUST_KEY, policy_type="resource",
                            document=role.assume_role_policy_document, kind="trust",
                            owner=f"role/{role.name}")
    try:
        return _compile_meta(meta, field_name="resource_arns", kind="trust")
    except MalformedPolicyDocument:
        return None


def _boundary_detail(decision: Decision) -> bool | None:
    if decision.allowed_by_boundary is None:
        return None
    return bool(decision.allowed_by_boundary)


def _resource_account(resource: str) -> str | None:
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


def _resource_policy(text: Any) -> _Compiled | None:
    if text in (None, ""):
        return None
    if not isinstance(text, str):
        raise MalformedPolicyDocument("ResourcePolicy must be a policy document.",
                                      field="resource_policy")
    meta = SimulationPolicy(key="ResourcePolicy", name="ResourcePolicy", policy_type="resource",
                            document=text, kind="resource", owner="input")
    try:
        return _compile_meta(meta, field_name="resource_policy", kind="resource")
    except MalformedPolicyDocument:
        try:  # a role trust policy (no Resource element) is a resource policy too
            meta = SimulationPolicy(key="ResourcePolicy", name="ResourcePolicy",
                                    policy_type="resource", document=text, kind="trust",
                                    owner="input")
            return _compile_meta(meta, field_name="resource_policy", kind="trust")
        except MalformedPolicyDocument:
            pass
        raise


def _caller_identity(caller_arn: Any) -> tuple[str | None, dict[str, Any]]:
    """The principal ARN and identity keys for a CallerArn (a user, group or role ARN; the
    keys are filled when the entity exists here)."""
    if caller_arn in (None, ""):
        return None, {}
    match = _parse_principal_arn(caller_arn, "caller_arn")
    if match["account"] != ids.account_id():
        return caller_arn, {"aws:PrincipalArn": caller_arn,
                            "aws:PrincipalAccount": match["account"]}
    try:
        principal = _find_principal(caller_arn, "caller_arn")
    except NoSuchEntity:
        return caller_arn, {"aws:PrincipalArn": caller_arn,
                            "aws:PrincipalAccount": ids.account_id()}
    if principal.kind == "group":
        return caller_arn, {"aws:PrincipalAccount": ids.account_id()}
    return principal.entity.arn, _identity_context(principal.entity, principal.kind)


def _check_handling(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if value not in RESOURCE_HANDLING_OPTIONS:
        raise InvalidInput(f"Invalid ResourceHandlingOption {value!r}: expected one of "
                           f"{', '.join(RESOURCE_HANDLING_OPTIONS)}.",
                           field="resource_handling_option")
    return value


def simulate_principal_policy(
    caller: Caller,
    policy_source_arn: str,
    action_names: Sequence[str],
    *,
    resource_arns: Sequence[str] | None = None,
    policy_input_list: Sequence[str] | None = None,
    permissions_boundary_policy_input_list: Sequence[str] | None = None,
    policy_exclusion_list: Iterable[str] | None = None,
    resource_policy: str | None = None,
    resource_owner: str | None = None,
    caller_arn: str | None = None,
    context_entries: Sequence[dict] | None = None,
    resource_handling_option: str | None = None,
) -> list[EvaluationResult]:
    """SimulatePrincipalPolicy: the policies of a user (its own, its groups', its boundary), a
    group or a role, plus `policy_input_list`, against every action × resource.

    `policy_exclusion_list` leaves policies out, each named by its SimulationPolicy key (see
    :func:`principal_policies`), its name, or its ARN; BOUNDARY_KEY leaves out the boundary.
    `permissions_boundary_policy_input_list` replaces the principal's own boundary (as AWS)."""
    principal = _authorized_principal(caller, "iam:SimulatePrincipalPolicy", policy_source_arn)
    actions = _check_actions(action_names)
    resources = _check_resources(resource_arns)
    handling = _check_handling(resource_handling_option)
    given = _check_context(context_entries)
    owner = _check_account(resource_owner, "resource_owner")

    excluded = {str(x) for x in (policy_exclusion_list or ()) if x}
    identity_meta, boundary_meta = _principal_sources(principal)
    identity = [_compile_meta(m, field_name="policy_source_arn", kind="identity")
                for m in identity_meta
                if not excluded.intersection({m.key, m.name, m.arn or m.key})]
    identity += _input_policies(policy_input_list, prefix="PolicyInputList",
                                field_name="policy_input_list", kind="identity")
    boundary_inputs = _input_policies(
        permissions_boundary_policy_input_list, prefix="PermissionsBoundaryPolicyInputList",
        field_name="permissions_boundary_policy_input_list", kind="boundary")
    if boundary_inputs:
        boundary: list[_Compiled] | None = boundary_inputs
    elif boundary_meta is not None and BOUNDARY_KEY not in excluded:
        boundary = [_compile_meta(boundary_meta, field_name="policy_source_arn",
                                  kind="boundary")]
    else:
        boundary = None
    rp = _resource_policy(resource_policy)

    principal_arn, values = _caller_identity(caller_arn)
    if principal_arn is None and principal.kind != "group":
        principal_arn = principal.entity.arn
        values = _identity_context(principal.entity, principal.kind)
    if rp is not None and principal_arn is None:
        raise InvalidInput("CallerArn is required with a ResourcePolicy when the policy source "
                           "is a group.", field="caller_arn")
    setup = _Setup(identity, boundary, rp, Context(values).merged(given), principal_arn,
                   _account_of(principal_arn), owner)
    return _run(setup, actions, resources, handling)


def simulate_custom_policy(
    caller: Caller,
    policy_input_list: Sequence[str],
    action_names: Sequence[str],
    *,
    resource_arns: Sequence[str] | None = None,
    permissions_boundary_policy_input_list: Sequence[str] | None = None,
    resource_policy: str | None = None,
    resource_owner: str | None = None,
    caller_arn: str | None = None,
    context_entries: Sequence[dict] | None = None,
    resource_handling_option: str | None = None,
) -> list[EvaluationResult]:
    """SimulateCustomPolicy: pasted identity policies (and optionally a boundary and a
    resource policy) against every action × resource."""
    authz.check(caller, "iam:SimulateCustomPolicy", "*")
    if not policy_input_list:
        raise InvalidInput("PolicyInputList must contain at least one policy.",
                           field="policy_input_list")
    actions = _check_actions(action_names)
    resources = _check_resources(resource_arns)
    handling = _check_handling(resource_handling_option)
    given = _check_context(context_entries)
    owner = _check_account(resource_owner, "resource_owner")
    identity = _input_policies(policy_input_list, prefix="PolicyInputList",
                               field_name="policy_input_list", kind="identity")
    boundary = _input_policies(
        permissions_boundary_policy_input_list, prefix="PermissionsBoundaryPolicyInputList",
        field_name="permissions_boundary_policy_input_list", kind="boundary") or None
    rp = _resource_policy(resource_policy)
    principal_arn, values = _caller_identity(caller_arn)
    if rp is not None and principal_arn is None:
        raise InvalidInput("CallerArn is required when you include a ResourcePolicy.",
                           field="caller_arn")
    setup = _Setup(identity, boundary, rp, Context(values).merged(given), principal_arn,
                   _account_of(principal_arn), owner)
    return _run(setup, actions, resources, handling)


def _account_of(arn: str | None) -> str:
    if arn:
        account = _resource_account(arn)
        if account:
            return account
    return ids.account_id()


# Context keys -------------------------------------------------------------------------------

def get_context_keys_for_principal_policy(
    caller: Caller, policy_source_arn: str, policy_input_list: Sequence[str] | None = None
) -> list[str]:
    """GetContextKeysForPrincipalPolicy: every condition key (and policy-variable key) the
    principal's identity policies and `policy_input_list` reference."""
    principal = _authorized_principal(caller, "iam:GetContextKeysForPrincipalPolicy",
                                      policy_source_arn)
    identity_meta, _ = _principal_sources(principal)
    policies = [_compile_meta(m, field_name="policy_source_arn", kind="identity").policy
                for m in identity_meta]
    policies += [c.policy for c in _input_policies(
        policy_input_list, prefix="PolicyInputList", field_name="policy_input_list",
        kind="identity")]
    return referenced_context_keys(policies)


def get_context_keys_for_custom_policy(caller: Caller,
                                       policy_input_list: Sequence[str]) -> list[str]:
    """GetContextKeysForCustomPolicy."""
    authz.check(caller, "iam:GetContextKeysForCustomPolicy", "*")
    if not policy_input_list:
        raise InvalidInput("PolicyInputList must contain at least one policy.",
                           field="policy_input_list")
    return referenced_context_keys([c.policy for c in _input_policies(
        policy_input_list, prefix="PolicyInputList", field_name="policy_input_list",
        kind="identity")])


# Who can ------------------------------------------------------------------------------------

class _ActionFilter:
    """A cheap, conservative test of whether a policy document can possibly have a statement
    for the action: parsing JSON is ~30x cheaper than compiling, and most of thousands of
    policies are about other things. Anything unusual answers True (compile and let the engine
    decide), so the filter can only skip work, never change a decision."""

    def __init__(self, action: str) -> None:
        self.action = action.lower()
        self._memo: dict[str, bool] = {}

    def may_apply(self, text: str) -> bool:
        hit = self._memo.get(text)
        if hit is None:
            hit = self._memo[text] = self._may_apply(text)
        return hit

    def _may_apply(self, text: str) -> bool:
        try:
            doc = json.loads(text)
        except ValueError:
            return True
        statements = doc.get("Statement") if isinstance(doc, dict) else None
        if isinstance(statements, dict):
            statements = [statements]
        if not isinstance(statements, list):
            return True
        for st in statements:
            if not isinstance(st, dict) or "NotAction" in st:
                return True
            actions = st.get("Action")
            if isinstance(actions, str):
                actions = [actions]
            if not isinstance(actions, list):
                return True
            for pattern in actions:
                if not isinstance(pattern, str) or _glob_match(pattern.lower(), self.action):
                    return True
        return False


def _glob_match(pattern: str, value: str) -> bool:
    if "*" not in pattern and "?" not in pattern:
        return pattern == value
    return _glob_rx(pattern).fullmatch(value) is not None


@lru_cache(maxsize=4096)
def _glob_rx(pattern: str) -> re.Pattern[str]:
    rx = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(rx, re.DOTALL)


@dataclass
class _Catalogue:
    """Every user's and role's policies, loaded in a constant number of queries."""

    managed: dict[int, SimulationPolicy]
    user_inline: dict[int, list[SimulationPolicy]]
    group_inline: dict[int, list[SimulationPolicy]]
    role_inline: dict[int, list[SimulationPolicy]]
    user_attached: dict[int, list[int]]
    group_attached: dict[int, list[int]]
    role_attached: dict[int, list[int]]
    memberships: dict[int, list[int]]


def _load_catalogue() -> tuple[_Catalogue, list[User], list[Role]]:
    users = list(User.objects.filter(is_root=False).only(
        "id", "name", "path", "user_id", "tags", "is_root", "permissions_boundary_id")
        .order_by("name"))
    roles = list(Role.objects.only(
        "id", "name", "path", "role_id", "tags", "permissions_boundary_id").order_by("name"))
    groups = dict(Group.objects.values_list("id", "name"))
    managed: dict[int, SimulationPolicy] = {}
    rows = PolicyVersion.objects.filter(is_default=True).values_list(
        "policy_id", "number", "document", "policy__name", "policy__path",
        "policy__is_aws_managed", "policy__policy_id")
    for pk, number, document, name, path, aws, policy_id in rows:
        arn = ids.arn(f"policy{path}{name}", account="aws" if aws else None)  # ManagedPolicy.arn
        managed[pk] = SimulationPolicy(key=arn, name=name,
                                       policy_type="aws-managed" if aws else "user-managed",
                                       document=document, arn=arn, policy_id=policy_id,
                                       version_id=f"v{number}")

    def inline(model: Any, fk: str, kind: str, names: dict[int, str]) -> dict[int, list]:
        out: dict[int, list[SimulationPolicy]] = {}
        for owner_id, name, document in model.objects.values_list(fk, "name", "document"):
            owner = f"{kind}/{names.get(owner_id, owner_id)}"
            out.setdefault(owner_id, []).append(SimulationPolicy(
                key=f"{owner}/{name}", name=name, policy_type=kind, document=document,
                owner=owner))
        return out

    def attached(model: Any, fk: str) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for owner_id, policy_id in model.objects.values_list(fk, "policy_id"):
            out.setdefault(owner_id, []).append(policy_id)
        return out

    memberships: dict[int, list[int]] = {}
    for user_id, group_id in Group.members.through.objects.values_list("user_id", "group_id"):
        memberships.setdefault(user_id, []).append(group_id)
    catalogue = _Catalogue(
        managed=managed,
        user_inline=inline(UserInlinePolicy, "user_id", "user", {u.pk: u.name for u in users}),
        group_inline=inline(GroupInlinePolicy, "group_id", "group", groups),
        role_inline=inline(RoleInlinePolicy, "role_id", "role", {r.pk: r.name for r in roles}),
        user_attached=attached(UserPolicyAttachment, "user_id"),
        group_attached=attached(GroupPolicyAttachment, "group_id"),
        role_attached=attached(RolePolicyAttachment, "role_id"),
        memberships=memberships,
    )
    return catalogue, users, roles


def who_can(caller: Caller, action: str, resource: str,
            context_entries: Sequence[dict] | None = None) -> list[WhoCanRow]:
    """Every user and role allowed to perform `action` on `resource` (with the context given
    plus each principal's own identity keys), and the statements that allow it. Users first,
    then roles, each by name. Authorized by iam:SimulatePrincipalPolicy on "*"."""
    authz.check(caller, "iam:SimulatePrincipalPolicy", "*")
    action = _check_actions([action])[0]
    if not isinstance(resource, str) or not resource.strip():
        raise InvalidInput("A resource ARN (or *) is required.", field="resource_arns")
    resource = _check_resources([resource.strip()])[0]
    given = _check_context(context_entries)
    catalogue, users, roles = _load_catalogue()
    relevant = _ActionFilter(action)
    account = ids.account_id()
    compiled: dict[str, _Compiled] = {}
    # Assuming a role is decided by its trust policy, which must allow the principal (a
    # principal it names directly needs no identity policy).
    trust = _trust_policy(None, resource) if action.lower() in TRUST_ACTIONS else None

    def policies_for(metas: Iterable[SimulationPolicy], kind: str) -> list[_Compiled]:
        out = []
        for meta in metas:
            if not relevant.may_apply(meta.document):
                continue
            key = f"{kind}|{meta.key}"
            hit = compiled.get(key)
            if hit is None:
                try:
                    hit = compiled[key] = _compile_meta(meta, field_name="", kind=kind)
                except MalformedPolicyDocument:
                    continue  # a stored policy the engine rejects grants nothing
            out.append(hit)
        return out

    def evaluate_principal(kind: str, entity: Any,
                           metas: list[SimulationPolicy]) -> WhoCanRow | None:
        if action.lower() in ALWAYS_ALLOWED:
            return WhoCanRow(kind, entity.name, entity.arn, [])
        unique = {m.key: m for m in reversed(metas)}  # the first of each, in order
        identity = policies_for(reversed(unique.values()), "identity")
        if not identity and trust is None:
            return None
        boundary = None
        if entity.permissions_boundary_id:
            meta = catalogue.managed.get(entity.permissions_boundary_id)
            if meta is None:
                return None
            meta = SimulationPolicy(key=BOUNDARY_KEY, name=meta.name,
                                    policy_type=meta.policy_type, document=meta.document,
                                    kind="boundary", arn=meta.arn, policy_id=meta.policy_id,
                                    version_id=meta.version_id, owner="boundary")
            if not relevant.may_apply(meta.document):
                return None  # the boundary allows nothing for this action
            boundary = policies_for([meta], "boundary")
            if not boundary:
                return None
        context = Context(_identity_context(entity, kind)).merged(given)
        setup = _Setup(identity, boundary, trust, context, entity.arn, account, None)
        decision = evaluate(
            Request(action=action, resource=resource, context=context,
                    principal_arn=entity.arn, principal_account=account),
            [c.policy for c in identity],
            boundary_policies=None if boundary is None else [c.policy for c in boundary],
            resource_policy=None if trust is None else trust.policy,
            collect_missing=False,
        )
        if not decision.allowed:
            return None
        return WhoCanRow(kind, entity.name, entity.arn,
                         [setup.statement(m) for m in decision.matched_statements])

    rows: list[WhoCanRow] = []
    for user in users:
        metas = list(catalogue.user_inline.get(user.pk, []))
        metas += [catalogue.managed[p] for p in catalogue.user_attached.get(user.pk, [])
                  if p in catalogue.managed]
        for group_id in catalogue.memberships.get(user.pk, []):
            metas += catalogue.group_inline.get(group_id, [])
            metas += [catalogue.managed[p] for p in catalogue.group_attached.get(group_id, [])
                      if p in catalogue.managed]
        row = evaluate_principal("user", user, metas)
        if row is not None:
            rows.append(row)
    for role in roles:
        metas = list(catalogue.role_inline.get(role.pk, []))
        metas += [catalogue.managed[p] for p in catalogue.role_attached.get(role.pk, [])
                  if p in catalogue.managed]
        row = evaluate_principal("role", role, metas)
        if row is not None:
            rows.append(row)
    return rows

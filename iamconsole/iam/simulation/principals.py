"""The simulated principal: finding a user, group or role by its ARN (authorized on the ARN as
given), gathering its policies once, and the identity keys AWS fills for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import arns, authz, kinds
from .. import identifiers as ids
from ..caller import Caller
from ..errors import InvalidInput, NoSuchEntity
from .compiled import source_meta
from .results import SimulationPolicy

PRINCIPAL_TYPES = ("user", "group", "role")


@dataclass
class Principal:
    kind: str  # user | group | role
    entity: Any


@dataclass(frozen=True)
class PrincipalPolicies:
    """A user, group or role and its policies, gathered once per request: a page that lists
    them, runs a simulation and offers their context keys passes this one object along
    instead of an ARN, so the policies are read from the database once."""

    arn: str  # the PolicySourceArn as given: what every operation authorizes on
    kind: str  # user | group | role
    entity: Any
    identity: list[SimulationPolicy]  # without duplicates, in AWS's order
    boundary: SimulationPolicy | None

    @property
    def policies(self) -> list[SimulationPolicy]:
        """Identity policies, then the permissions boundary (the simulator's checkboxes)."""
        return self.identity + ([self.boundary] if self.boundary else [])


def parse_principal_arn(arn: Any, field_name: str) -> arns.Arn:
    """A user, group or role ARN of any account (InvalidInput otherwise)."""
    parsed = arns.parse_any(arn) if isinstance(arn, str) else None
    if parsed is not None and parsed.type in PRINCIPAL_TYPES:
        parsed = arns.parse_named(arn, parsed.type)
    if parsed is None or parsed.type not in PRINCIPAL_TYPES:
        raise InvalidInput(
            f"Invalid ARN {arn!r}: expected the ARN of an IAM user, group or role "
            f"({kinds.USER.arn('NAME')}).", field=field_name)
    return parsed


def find_principal(arn: str, field_name: str = "policy_source_arn") -> Principal:
    parsed = parse_principal_arn(arn, field_name)
    kind, name, path = parsed.type, parsed.name, parsed.path
    model = authz.POLICY_MODELS[kind].principal
    qs = model.objects.filter(name__ci=name, path=path)
    if kind == "user":
        qs = qs.filter(is_root=False)
    if kind != "group":
        qs = qs.select_related("permissions_boundary")
    entity = qs.first() if parsed.is_local else None
    if entity is None:
        raise NoSuchEntity(f"The {kind} with ARN {arn} cannot be found.", field=field_name)
    return Principal(kind, entity)


def sources_of(principal: Principal) -> tuple[list[SimulationPolicy], SimulationPolicy | None]:
    sources, boundary_source = authz.principal_sources(principal.kind, principal.entity)
    identity: list[SimulationPolicy] = []
    seen: set[str] = set()
    for source in sources:
        meta = source_meta(source)
        if meta.key in seen:  # the same managed policy via the user and one of its groups
            continue
        seen.add(meta.key)
        identity.append(meta)
    boundary = source_meta(boundary_source, kind="boundary") if boundary_source else None
    return identity, boundary


def authorized_principal(caller: Caller, action: str, policy_source_arn: str) -> Principal:
    """Authorize on the ARN as given, before looking it up (no probing for names)."""
    parse_principal_arn(policy_source_arn, "policy_source_arn")
    authz.check(caller, action, policy_source_arn)
    return find_principal(policy_source_arn)


def gather_principal(caller: Caller, policy_source_arn: str,
                     action: str = "iam:SimulatePrincipalPolicy") -> PrincipalPolicies:
    """The user, group or role named by `policy_source_arn` and its policies, read once
    (authorized by `action` on the ARN as given)."""
    principal = authorized_principal(caller, action, policy_source_arn)
    identity, boundary = sources_of(principal)
    return PrincipalPolicies(policy_source_arn, principal.kind, principal.entity, identity,
                             boundary)


def resolve_principal(caller: Caller, action: str,
                      source: str | PrincipalPolicies) -> PrincipalPolicies:
    """An operation's principal: gathered now from an ARN, or the one gathered earlier in this
    request (authorized again for this operation's action, reading nothing)."""
    if not isinstance(source, PrincipalPolicies):
        return gather_principal(caller, source, action)
    authz.check(caller, action, source.arn)
    return source


def principal_policies(caller: Caller, policy_source_arn: str) -> list[SimulationPolicy]:
    """The policies SimulatePrincipalPolicy would use for a user, group or role (identity
    policies, then the permissions boundary), for the simulator page's checkboxes."""
    return gather_principal(caller, policy_source_arn).policies


def identity_context(entity: Any, kind: str) -> dict[str, Any]:
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


def caller_identity(caller_arn: Any) -> tuple[str | None, dict[str, Any]]:
    """The principal ARN and identity keys for a CallerArn (a user, group or role ARN; the
    keys are filled when the entity exists here)."""
    if caller_arn in (None, ""):
        return None, {}
    parsed = parse_principal_arn(caller_arn, "caller_arn")
    if not parsed.is_local:
        return caller_arn, {"aws:PrincipalArn": caller_arn,
                            "aws:PrincipalAccount": parsed.account}
    try:
        principal = find_principal(caller_arn, "caller_arn")
    except NoSuchEntity:
        return caller_arn, {"aws:PrincipalArn": caller_arn,
                            "aws:PrincipalAccount": ids.account_id()}
    if principal.kind == "group":
        return caller_arn, {"aws:PrincipalAccount": ids.account_id()}
    return principal.entity.arn, identity_context(principal.entity, principal.kind)



"""Reading and validating what a simulation is asked: action names and patterns, resource
ARNs, context entries, accounts, the resource-handling option and the pasted policies."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from iamconsole.policy import Context, catalog

from ..errors import InvalidInput, MalformedPolicyDocument
from .compiled import Compiled, compile_meta
from .results import SimulationPolicy

RESOURCE_HANDLING_OPTIONS = (
    "EC2-VPC-InstanceStore",
    "EC2-VPC-InstanceStore-Subnet",
    "EC2-VPC-EBS",
    "EC2-VPC-EBS-Subnet",
)
MAX_ACTIONS = 1000
MAX_RESOURCES = 1000

ARN = re.compile(r"^arn:[a-z0-9-]+:[a-z0-9-]*:[a-z0-9-]*:[^:]*:.+$", re.DOTALL)
_ACTION = re.compile(r"^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$")


def input_policies(texts: Sequence[str] | None, *, prefix: str, field_name: str,
                   kind: str) -> list[Compiled]:
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
        out.append(compile_meta(meta, field_name=field_name, kind=kind))
    return out


def check_actions(action_names: Any) -> list[str]:
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


def check_resources(resource_arns: Any) -> list[str]:
    if resource_arns is None or (isinstance(resource_arns, (list, tuple)) and not resource_arns):
        return []
    if isinstance(resource_arns, str) or not isinstance(resource_arns, (list, tuple)):
        raise InvalidInput("ResourceArns must be a list of ARNs.", field="resource_arns")
    if len(resource_arns) > MAX_RESOURCES:
        raise InvalidInput(f"At most {MAX_RESOURCES} resources can be simulated at once.",
                           field="resource_arns")
    for arn in resource_arns:
        if arn != "*" and (not isinstance(arn, str) or len(arn) > 2048 or not ARN.match(arn)):
            raise InvalidInput(
                f"Invalid ARN {arn!r}: expected arn:partition:service:region:account:resource "
                "or *.", field="resource_arns")
    return list(resource_arns)


def check_context(context_entries: Any) -> Context:
    if not context_entries:
        return Context()
    try:
        return Context.from_entries(context_entries)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(str(exc), field="context_entries") from None


def check_account(value: Any, field_name: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and len(value) == 12 and value.isdigit():
        return value
    if isinstance(value, str) and ARN.match(value):
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


def compile_resource_policy(text: Any) -> Compiled | None:
    if text in (None, ""):
        return None
    if not isinstance(text, str):
        raise MalformedPolicyDocument("ResourcePolicy must be a policy document.",
                                      field="resource_policy")
    meta = SimulationPolicy(key="ResourcePolicy", name="ResourcePolicy", policy_type="resource",
                            document=text, kind="resource", owner="input")
    try:
        return compile_meta(meta, field_name="resource_policy", kind="resource")
    except MalformedPolicyDocument:
        try:  # a role trust policy (no Resource element) is a resource policy too
            meta = SimulationPolicy(key="ResourcePolicy", name="ResourcePolicy",
                                    policy_type="resource", document=text, kind="trust",
                                    owner="input")
            return compile_meta(meta, field_name="resource_policy", kind="trust")
        except MalformedPolicyDocument:
            pass
        raise


def check_handling(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if value not in RESOURCE_HANDLING_OPTIONS:
        raise InvalidInput(f"Invalid ResourceHandlingOption {value!r}: expected one of "
                           f"{', '.join(RESOURCE_HANDLING_OPTIONS)}.",
                           field="resource_handling_option")
    return value




@dataclass(frozen=True)
class Checked:
    """The parameters both simulations take, validated."""

    actions: list[str]
    resources: list[str]
    handling: str | None
    context: Context  # the ContextEntries given
    resource_owner: str | None


class SimulationOptions(TypedDict, total=False):
    """The keyword parameters both simulations take: AWS's request parameters in snake_case
    (each may be None: not given)."""

    resource_arns: Sequence[str] | None
    permissions_boundary_policy_input_list: Sequence[str] | None  # replaces the principal's
    resource_policy: str | None
    resource_owner: str | None  # an account ID (or an ARN naming it)
    caller_arn: str | None
    context_entries: Sequence[dict] | None
    resource_handling_option: str | None  # one of RESOURCE_HANDLING_OPTIONS


def check_request(action_names: Any, options: SimulationOptions) -> Checked:
    """ActionNames, then ResourceArns, ResourceHandlingOption, ContextEntries and
    ResourceOwner of `options`, checked in this order (the first bad one is reported)."""
    unknown = sorted(set(options) - set(SimulationOptions.__annotations__))
    if unknown:
        raise TypeError(f"unexpected keyword argument {unknown[0]!r}")
    return Checked(check_actions(action_names), check_resources(options.get("resource_arns")),
                   check_handling(options.get("resource_handling_option")),
                   check_context(options.get("context_entries")),
                   check_account(options.get("resource_owner"), "resource_owner"))


def policy_inputs(texts: Sequence[str] | None) -> list[Compiled]:
    """PolicyInputList: pasted identity policies."""
    return input_policies(texts, prefix="PolicyInputList", field_name="policy_input_list",
                          kind="identity")


def boundary_inputs(texts: Sequence[str] | None) -> list[Compiled]:
    """PermissionsBoundaryPolicyInputList: a pasted boundary (it replaces the principal's)."""
    return input_policies(texts, prefix="PermissionsBoundaryPolicyInputList",
                          field_name="permissions_boundary_policy_input_list", kind="boundary")

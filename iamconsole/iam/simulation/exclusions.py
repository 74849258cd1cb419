"""SimulatePrincipalPolicy's PolicyExclusionList: which of a principal's policies the AWS
`PolicyIdentifier` structures name, as the simulator's policy keys
(`principals.principal_policies`).

A PolicyIdentifier names a policy by the fields it gives, all of which must match: PolicyType,
PolicyArn (shell wildcards) and InlinePolicyIdentifier (PolicyName, AttachmentType and an
AttachmentName with shell wildcards).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any

from .principals import PrincipalPolicies
from .results import SimulationPolicy

_INLINE_TYPES = ("user", "group", "role")


def excludes(identifier: Mapping[str, Any], policy: SimulationPolicy) -> bool:
    """Whether one PolicyIdentifier (all its given fields) names the principal's policy."""
    kind = identifier.get("PolicyType")
    if kind == "permission-boundary":
        if policy.kind != "boundary":
            return False
    elif kind == "inline":
        if policy.kind != "identity" or policy.policy_type not in _INLINE_TYPES:
            return False
    elif kind is not None and (policy.kind != "identity" or policy.policy_type != kind):
        return False
    arn = identifier.get("PolicyArn")
    if arn is not None and not (policy.arn and fnmatchcase(policy.arn, arn)):
        return False
    inline = identifier.get("InlinePolicyIdentifier")
    if inline is not None:
        owner_kind, _, owner_name = policy.owner.partition("/")
        return (policy.policy_type in _INLINE_TYPES and policy.name == inline["PolicyName"]
                and owner_kind == inline["AttachmentType"]
                and fnmatchcase(owner_name, inline["AttachmentName"]))
    return True


def exclusion_keys(principal: PrincipalPolicies,
                   identifiers: Iterable[Mapping[str, Any]] | None) -> list[str]:
    """The keys of the gathered principal's policies that any of `identifiers` names (none:
    [])."""
    identifiers = list(identifiers or ())
    if not identifiers:
        return []
    return [policy.key for policy in principal.policies
            if any(excludes(identifier, policy) for identifier in identifiers)]

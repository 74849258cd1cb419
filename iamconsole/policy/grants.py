"""Which services and actions of the service catalog a set of policies allows (Access Advisor
lists every service a principal's policies grant, used or not, and the policies granting one).

An action counts as granted when an Allow statement covers it (Action or NotAction), whatever
its Resource and Condition: AWS's report answers "which services could this entity reach".
"""

from __future__ import annotations

from collections.abc import Iterable

from . import catalog
from .compiler import CompiledPolicy, CompiledStatement

__all__ = ["granted_actions", "granted_services", "grants_service"]


def _allows(policies: Iterable[CompiledPolicy]) -> list[CompiledStatement]:
    return [st for policy in policies for st in policy.statements if not st.is_deny]


def _statement_services(st: CompiledStatement) -> list[str]:
    return sorted(st.services) if st.services is not None else catalog.services()


def _covers_service(st: CompiledStatement, service: str) -> bool:
    if st.services is not None and service not in st.services:
        return False
    return any(st.action_matches(action.lower()) for action in catalog.actions_for_service(service))


def granted_services(policies: Iterable[CompiledPolicy]) -> set[str]:
    """Service prefixes (lower case) with at least one action an Allow statement covers."""
    found: set[str] = set()
    for st in _allows(policies):
        for service in _statement_services(st):
            if service not in found and _covers_service(st, service):
                found.add(service)
    return found


def grants_service(policy: CompiledPolicy, service: str) -> bool:
    return any(_covers_service(st, service.lower()) for st in _allows([policy]))


def granted_actions(policies: Iterable[CompiledPolicy], service: str) -> list[str]:
    """The action names (without prefix, canonical case) of `service` the policies allow."""
    statements = [st for st in _allows(policies)
                  if st.services is None or service.lower() in st.services]
    names = []
    for action in catalog.actions_for_service(service):
        lower = action.lower()
        if any(st.action_matches(lower) for st in statements):
            names.append(action.split(":", 1)[1])
    return names

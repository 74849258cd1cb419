"""Organizations guardrails for authorization: the SCP chain of the principal's account, the
RCP chain of the resource owner's account and the organization's condition keys, compiled
once per (account, organization revision) and read once per request.

AWS: SCPs limit every principal of a member account (its root user too, not service-linked
roles); RCPs limit what any principal may do to the resources of a member account; neither
ever limits the management account, and neither grants anything.

The organization itself is another app's (`iamconsole.orgs`, which stands on this one): it
registers itself as the `Source` of the chains when Django starts (`register`), so the domain
layer never imports it. Without a source nothing is limited.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from iamconsole.policy import CompiledPolicy
from iamconsole.policy.organizations import compile_rcp, compile_scp

from .caller import Caller

Levels = list[list[CompiledPolicy]]


@dataclass(frozen=True)
class AccountGuardrails:
    scp_levels: Levels | None = None
    rcp_levels: Levels | None = None
    principal_context: dict[str, Any] = field(default_factory=dict)
    resource_context: dict[str, Any] = field(default_factory=dict)


class Source(Protocol):
    """What the organization app answers about an account (iamconsole.orgs.guardrails)."""

    def revision(self, account_id: str) -> int | None: ...
    def guardrails(self, account_id: str) -> tuple[list | None, list | None]: ...
    def org_context(self, account_id: str) -> dict[str, Any]: ...
    def resource_org_context(self, account_id: str) -> dict[str, Any]: ...


_source: Source | None = None


def register(source: Source) -> None:
    global _source
    _source = source


NONE = AccountGuardrails()
_cache: dict[tuple[str, int], AccountGuardrails] = {}
_lock = threading.Lock()
_MAX = 1024


def _compile(levels, compile_one) -> Levels | None:
    if levels is None:
        return None
    return [[compile_one(text, policy_id=policy_id, version_id=f"{policy_id}:{revision}")
             for policy_id, revision, text in level] for level in levels]


def of_account(account_id: str) -> AccountGuardrails:
    """The guardrails of `account_id` (NONE outside any organization)."""
    orgs = _source
    if orgs is None:
        return NONE
    revision = orgs.revision(account_id)
    if revision is None:
        return NONE
    key = (account_id, revision)
    hit = _cache.get(key)
    if hit is not None:
        return hit
    scps, rcps = orgs.guardrails(account_id)
    result = AccountGuardrails(_compile(scps, compile_scp), _compile(rcps, compile_rcp),
                               orgs.org_context(account_id),
                               orgs.resource_org_context(account_id))
    with _lock:
        if len(_cache) >= _MAX:
            _cache.clear()
        _cache[key] = result
    return result


def for_request(caller: Caller, account_id: str) -> AccountGuardrails:
    """`of_account`, read once per request (cached on the caller)."""
    cached: dict[str, AccountGuardrails] = caller.cache.setdefault("guardrails", {})
    found = cached.get(account_id)
    if found is None:
        found = cached[account_id] = of_account(account_id)
    return found

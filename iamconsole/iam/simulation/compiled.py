"""Compiling the simulation's policies, with a cache keyed by content, and naming the errors of a
policy that does not compile."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from iamconsole.policy import CompiledPolicy, PolicyError, compile_policy

from .. import authz
from ..errors import MalformedPolicyDocument
from .results import BOUNDARY_KEY, SimulationPolicy


@dataclass(frozen=True)
class Compiled:
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


def compile_meta(meta: SimulationPolicy, *, field_name: str, kind: str) -> Compiled:
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
    return Compiled(policy, meta)


def source_meta(source: authz.PolicySource, kind: str = "identity") -> SimulationPolicy:
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


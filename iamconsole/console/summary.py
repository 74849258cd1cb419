"""The policy editor's visual summary: what a policy allows or denies, grouped by service
("Allows 12 actions in s3 on 2 resources"), counted with the engine's action catalog."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from iamconsole.policy import PolicyError, catalog, compile_policy


@dataclass
class ServiceLine:
    effect: str  # Allow | Deny
    service: str  # "s3", or "*" for every service
    actions: set[str] = field(default_factory=set)
    resources: set[str] = field(default_factory=set)
    all_actions: bool = False  # "*" or "s3:*"
    except_actions: bool = False  # NotAction
    except_resources: bool = False  # NotResource
    conditional: bool = False
    lines: set[int] = field(default_factory=set)

    @property
    def verb(self) -> str:
        return "Allows" if self.effect == "Allow" else "Denies"

    @property
    def action_phrase(self) -> str:
        where = "all services" if self.service == "*" else self.service
        if self.except_actions:
            return f"all actions except {len(self.actions)} in {where}"
        if self.all_actions:
            count = "" if self.service == "*" else f" ({len(self.actions)})"
            return f"all actions{count} in {where}"
        noun = "action" if len(self.actions) == 1 else "actions"
        return f"{len(self.actions)} {noun} in {where}"

    @property
    def resource_phrase(self) -> str:
        if "*" in self.resources and not self.except_resources:
            return "on all resources"
        noun = "resource" if len(self.resources) == 1 else "resources"
        prefix = "on all resources except " if self.except_resources else "on "
        return f"{prefix}{len(self.resources)} {noun}"

    @property
    def sentence(self) -> str:
        tail = " when its conditions match" if self.conditional else ""
        return f"{self.verb} {self.action_phrase} {self.resource_phrase}{tail}"

    @property
    def sample_actions(self) -> list[str]:
        return sorted(self.actions)[:12]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def summarize(document: str, kind: str = "identity") -> list[ServiceLine] | None:
    """One line per (effect, service); None when the document does not compile."""
    try:
        compiled = compile_policy(document, policy_id="summary", policy_type="none", kind=kind)
        statements = json.loads(document).get("Statement", [])
    except (PolicyError, ValueError, AttributeError):
        return None
    if isinstance(statements, dict):
        statements = [statements]
    lines: dict[tuple[str, str], ServiceLine] = {}
    for stmt, compiled_stmt in zip(statements, compiled.statements, strict=False):
        not_action = "NotAction" in stmt
        patterns = _strings(stmt.get("NotAction" if not_action else "Action"))
        not_resource = "NotResource" in stmt
        resources = _strings(stmt.get("NotResource" if not_resource else "Resource")) or ["*"]
        by_service: dict[str, tuple[set[str], bool]] = {}
        for pattern in patterns:
            service, _, action = pattern.partition(":")
            service = service.lower() if action else "*"
            if pattern == "*" or "*" in service or "?" in service:
                service = "*"
            names, everything = by_service.get(service, (set(), False))
            if "*" not in pattern and "?" not in pattern:
                names.add(pattern.lower())
            else:
                names.update(catalog.expand_actions(pattern) if service != "*" else ())
                everything = everything or action == "*" or pattern == "*"
            by_service[service] = (names, everything)
        for service, (names, everything) in by_service.items():
            line = lines.setdefault((compiled_stmt.effect, service),
                                    ServiceLine(compiled_stmt.effect, service))
            line.actions |= names
            line.all_actions = line.all_actions or everything
            line.except_actions = line.except_actions or not_action
            line.except_resources = line.except_resources or not_resource
            line.resources.update(resources)
            line.conditional = line.conditional or bool(stmt.get("Condition"))
            line.lines.add(compiled_stmt.start_line)
    return sorted(lines.values(), key=lambda x: (x.effect != "Deny", x.service))

"""Reading the simulator's query string: the whole simulation lives in the URL (GET), so a
simulation can be shared, bookmarked and reloaded. Parsing only: every rule is in
`iamconsole.iam.simulation`, whose InvalidInput errors come back here as field errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.http import QueryDict

from iamconsole.policy import CONTEXT_KEY_TYPES

_SPLIT = re.compile(r"[\n,]+")

# The domain's error fields → the form's inputs.
FIELD_FOR = {
    "policy_source_arn": "principal",
    "action_names": "actions",
    "resource_arns": "resources",
    "context_entries": "context",
    "policy_input_list": "policy_input",
    "permissions_boundary_policy_input_list": "boundary",
    "resource_policy": "resource_policy",
    "caller_arn": "caller_arn",
    "resource_owner": "resource_owner",
}
CONTEXT_ROWS_MIN = 3


def split_values(text: str) -> list[str]:
    return [v.strip() for v in _SPLIT.split(text or "") if v.strip()]


def split_lines(text: str) -> list[str]:
    return [v.strip() for v in (text or "").splitlines() if v.strip()]


@dataclass
class ContextRow:
    key: str = ""
    type: str = "string"
    values: str = ""

    def entry(self) -> dict[str, Any]:
        return {"ContextKeyName": self.key, "ContextKeyType": self.type,
                "ContextKeyValues": split_values(self.values)}


@dataclass
class QueryForm:
    """What both pages' forms share: the context rows, whether to run, the errors."""

    context_rows: list[ContextRow] = field(default_factory=list)
    run: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)
    rows_shown: ClassVar[int] = 1  # at least this many context rows shown, blanks included

    @classmethod
    def _read(cls, query: QueryDict, **fields: Any) -> Any:
        """The form of `fields` plus the shared ones read from the query string (ctx_key,
        ctx_type, ctx_values rows, keyless rows dropped; run=1)."""
        rows = [ContextRow(k.strip(), t or "string", v)
                for k, t, v in zip(query.getlist("ctx_key"), query.getlist("ctx_type"),
                                   query.getlist("ctx_values"), strict=False)]
        return cls(**fields, context_rows=[r for r in rows if r.key], run=query.get("run") == "1")

    @property
    def context_entries(self) -> list[dict[str, Any]]:
        return [row.entry() for row in self.context_rows]

    @property
    def display_rows(self) -> list[ContextRow]:
        rows = list(self.context_rows)
        return rows + [ContextRow() for _ in range(max(1, self.rows_shown - len(rows)))]

    @property
    def context_types(self) -> tuple[str, ...]:
        return CONTEXT_KEY_TYPES


@dataclass
class SimulationForm(QueryForm):
    """The simulator's inputs as typed (for re-display) and as the domain wants them."""

    rows_shown: ClassVar[int] = CONTEXT_ROWS_MIN

    principal: str = ""
    listed: bool = False  # the principal's policies were shown as checkboxes
    included: list[str] = field(default_factory=list)
    policy_inputs: list[str] = field(default_factory=list)
    boundary: str = ""
    resource_policy: str = ""
    caller_arn: str = ""
    resource_owner: str = ""
    actions: str = ""
    resources: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> SimulationForm:
        return cls._read(
            query,
            principal=query.get("principal", "").strip(),
            listed=query.get("listed") == "1",
            included=query.getlist("policy"),
            policy_inputs=[p for p in query.getlist("policy_input") if p.strip()],
            boundary=query.get("boundary", ""),
            resource_policy=query.get("resource_policy", ""),
            caller_arn=query.get("caller_arn", "").strip(),
            resource_owner=query.get("resource_owner", "").strip(),
            actions=query.get("actions", ""),
            resources=query.get("resources", ""),
        )

    # What the domain takes --------------------------------------------------------------
    @property
    def action_patterns(self) -> list[str]:
        return split_values(self.actions)

    @property
    def resource_arns(self) -> list[str]:
        return split_lines(self.resources)

    @property
    def boundary_inputs(self) -> list[str] | None:
        return [self.boundary] if self.boundary.strip() else None

    # Display ------------------------------------------------------------------------------
    @property
    def display_policy_inputs(self) -> list[str]:
        return [*self.policy_inputs, ""]

    def add_error(self, field_name: str | None, message: str) -> None:
        name = FIELD_FOR.get(field_name or "", field_name or "general")
        if name not in FIELD_FOR.values():
            name = "general"
        self.errors.setdefault(name, []).append(message)

    def require(self) -> None:
        """The inputs a run cannot do without (before calling the domain)."""
        if not self.action_patterns:
            self.add_error("actions", "Enter at least one action, for example s3:GetObject.")
        if not self.principal and not self.policy_inputs:
            self.add_error("principal", "Choose a user, group or role, or paste a policy below.")


@dataclass
class WhoCanForm(QueryForm):
    rows_shown: ClassVar[int] = 2

    action: str = ""
    resource: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> WhoCanForm:
        return cls._read(query, action=query.get("action", "").strip(),
                         resource=query.get("resource", "").strip() or "")

    def add_error(self, field_name: str | None, message: str) -> None:
        name = {"action_names": "action", "resource_arns": "resource",
                "context_entries": "context"}.get(field_name or "", "general")
        self.errors.setdefault(name, []).append(message)

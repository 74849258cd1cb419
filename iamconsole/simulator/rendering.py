"""HTML for matched statements, rendered once per distinct statement: a simulation of 100
actions × 10 resources names the same few statements hundreds of times, and a template include
per table cell would dominate the page's server time."""

from __future__ import annotations

from urllib.parse import quote

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from iamconsole.iam.simulation import SimulatedStatement


def policy_href(statement: SimulatedStatement) -> str:
    """Where a matched statement's policy is shown: the console's policy page for a managed
    policy (/policies/<aws|local>/<name>/, which shows the default version the simulation
    used), the owner's page for an inline policy."""
    if statement.policy_arn:
        scope = "aws" if statement.policy_arn.split(":")[4] == "aws" else "local"
        name = statement.policy_arn.rsplit("/", 1)[-1]
        return reverse("console:policy_detail", args=[scope, name])
    if statement.owner.count("/") == 1:
        kind, name = statement.owner.split("/")
        if kind in PRINCIPAL_KINDS:
            return f"{principal_href(kind, name)}#inline-{quote(statement.source_policy_id)}"
    return ""


PRINCIPAL_KINDS = ("user", "group", "role")


def principal_href(kind: str, name: str) -> str:
    """The console's page of a user, group or role."""
    return reverse(f"console:{kind}_detail", args=[name])


def statement_label(s: SimulatedStatement) -> str:
    version = f" {s.version_id}" if s.version_id else ""
    sid = f" Sid {s.sid}" if s.sid else f" statement {s.statement_index + 1}"
    return (f"{s.source_policy_id}{version} ({s.source_policy_type}){sid} "
            f"lines {s.start_position[0]}-{s.end_position[0]}")


class StatementRenderer:
    """Renders each distinct statement once per request."""

    def __init__(self) -> None:
        self._done: dict[SimulatedStatement, SafeString] = {}

    def __call__(self, statements: list[SimulatedStatement]) -> SafeString:
        if not statements:
            return mark_safe('<span class="help">none</span>')
        return mark_safe("".join(self.one(s) for s in statements))

    def one(self, s: SimulatedStatement) -> SafeString:
        hit = self._done.get(s)
        if hit is None:
            hit = self._done[s] = _render(s)
        return hit


def _render(s: SimulatedStatement) -> SafeString:
    href = policy_href(s)
    name = format_html('<a href="{}">{}</a>', href, s.source_policy_id) if href \
        else escape(s.source_policy_id)
    version = f" {s.version_id}" if s.version_id else ""
    where = format_html("Sid <code>{}</code>", s.sid) if s.sid \
        else f"statement {s.statement_index + 1}"
    lines = "".join(format_html('<span data-line="{}" class="hl">{}</span>', n, text)
                    for n, text in s.statement_lines)
    code = format_html('<pre class="policy">{}</pre>', mark_safe(lines)) if lines else ""
    return format_html(
        '<details class="statement"><summary>{}{} <span class="help">· {} · {} · lines '
        "{}–{}</span></summary>{}</details>",
        name, version, s.source_policy_type, where, s.start_position[0], s.end_position[0],
        code)

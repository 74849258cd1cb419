"""Unified diffs of pretty-printed JSON (policy documents, audit event values) for the console's
coloured diff view (templates/console/_diff.html)."""

from __future__ import annotations

import difflib
import json


def _pretty(value) -> list[str]:
    """A value as indented JSON lines (a policy document stored as text is parsed first)."""
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value.splitlines()
    if isinstance(value, dict):  # documents nested as text in the event's value, parsed too
        value = {key: _parsed(item) for key, item in value.items()}
    return json.dumps(value, indent=2).splitlines()


def _parsed(value):
    if isinstance(value, str) and value.lstrip().startswith(("{", "[")):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def diff_lines(old, new) -> list[tuple[str, str]]:
    """The unified diff of two values' pretty-printed JSON, as (kind, line) pairs: kind is
    "add", "del", "hunk" or "same" (the template colours them)."""
    lines = []
    for line in difflib.unified_diff(_pretty(old), _pretty(new), "old", "new", n=3,
                                     lineterm=""):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        lines.append((kind, line))
    return lines


def pretty_text(value) -> str:
    """A value as the diff shows it: indented JSON, documents nested as text parsed too."""
    return "\n".join(_pretty(value))

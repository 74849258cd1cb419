"""Wildcard patterns and policy variables.

A *template* is a tuple of parts: ``str`` (literal text, where ``*``/``?`` are wildcards in
matching contexts), :class:`Var` (``${key}`` / ``${key, 'default'}``) or :class:`Esc`
(``${*}``, ``${?}``, ``${$}`` - always a literal character, never a wildcard).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import Context

__all__ = [
    "VAR_RE",
    "Esc",
    "Template",
    "Var",
    "arn_glob_source",
    "compile_rx",
    "glob_source",
    "parse_template",
    "resolve_exact",
    "resolve_regex_source",
    "template_has_vars",
    "template_var_keys",
]

VAR_RE = re.compile(r"\$\{([^{}]*)\}")
_VAR_BODY = re.compile(r"\s*([^\s,'{}][^,'{}]*?)\s*(?:,\s*'([^']*)'\s*)?")


@dataclass(frozen=True)
class Var:
    key: str  # as written
    lower: str
    default: str | None


@dataclass(frozen=True)
class Esc:
    char: str


Part = str | Var | Esc
Template = tuple[Part, ...]


def parse_template(text: str) -> tuple[Template, list[str]]:
    """Split ``text`` into parts; also return messages for malformed ``${...}`` uses."""
    parts: list[Part] = []
    problems: list[str] = []
    pos = 0
    for m in VAR_RE.finditer(text):
        if m.start() > pos:
            parts.append(text[pos:m.start()])
        body = m.group(1)
        if body in ("*", "?", "$"):
            parts.append(Esc(body))
        else:
            vm = _VAR_BODY.fullmatch(body)
            if not vm:
                problems.append(f"'{m.group(0)}' is not a valid policy variable.")
                parts.append(m.group(0))
            else:
                key = vm.group(1)
                parts.append(Var(key, key.lower(), vm.group(2)))
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    return tuple(parts), problems


def template_has_vars(t: Template) -> bool:
    """True if resolving ``t`` needs the request context."""
    return any(isinstance(p, Var) for p in t)


def template_var_keys(t: Template) -> list[str]:
    return [p.key for p in t if isinstance(p, Var)]


def _var_value(ctx: Context, v: Var) -> str | None:
    cv = ctx._data.get(v.lower)
    if cv is None or len(cv.values) != 1:
        return v.default
    return cv.values[0]


def resolve_exact(t: Template, ctx: Context | None) -> str | None:
    """The literal string, or None if a variable has no value and no default."""
    out: list[str] = []
    for p in t:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, Esc):
            out.append(p.char)
        else:
            val = _var_value(ctx, p) if ctx is not None else None
            if val is None:
                return None
            out.append(val)
    return "".join(out)


def glob_source(text: str) -> str:
    """Regex source for a glob where ``*`` matches anything and ``?`` one character."""
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


def arn_glob_source(text: str, colons_before: int = 0) -> tuple[str, int]:
    """Regex source for an ARN glob: wildcards stay inside the first five colon-separated
    segments; in the sixth (resource) segment they match anything. Returns the source and
    the number of colons seen so far."""
    out: list[str] = []
    colons = colons_before
    for c in text:
        if c == ":":
            colons += 1
            out.append(":")
        elif c == "*":
            out.append(".*" if colons >= 5 else "[^:]*")
        elif c == "?":
            out.append("." if colons >= 5 else "[^:]")
        else:
            out.append(re.escape(c))
    return "".join(out), colons


def resolve_regex_source(t: Template, ctx: Context | None, arn: bool) -> str | None:
    """Regex source for a template after substituting variables (their values literal)."""
    out: list[str] = []
    colons = 0
    for p in t:
        if isinstance(p, str):
            if arn:
                src, colons = arn_glob_source(p, colons)
            else:
                src = glob_source(p)
            out.append(src)
        else:
            val = p.char if isinstance(p, Esc) else (
                _var_value(ctx, p) if ctx is not None else None)
            if val is None:
                return None
            colons += val.count(":")
            out.append(re.escape(val))
    return "".join(out)


@lru_cache(maxsize=4096)
def compile_rx(source: str, ignore_case: bool = False) -> re.Pattern[str]:
    return re.compile(source, re.DOTALL | (re.IGNORECASE if ignore_case else 0))

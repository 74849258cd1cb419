"""Condition operators: parsing of operator names and values, and evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .patterns import (
    Template,
    arn_glob_source,
    compile_rx,
    glob_source,
    resolve_exact,
    resolve_regex_source,
    template_has_vars,
    template_var_keys,
)
from .values import is_base64, parse_bool, parse_date, parse_ip_network, parse_number

if TYPE_CHECKING:
    from .context import Context, ContextValue

__all__ = [
    "FAMILY_TYPES",
    "OPERATORS",
    "Clause",
    "OperatorSpec",
    "check_value",
    "compile_clause",
    "parse_operator",
]


@dataclass(frozen=True)
class OperatorSpec:
    name: str  # the full operator as written, e.g. "ForAnyValue:StringLikeIfExists"
    base: str  # e.g. "StringLike"
    family: str  # string/numeric/date/bool/binary/ip/arn/null
    kind: str  # eq, ieq, like, lt, le, gt, ge, in, arn
    negated: bool
    if_exists: bool
    set_op: str | None  # None, "ForAllValues", "ForAnyValue"


# base operator -> (family, kind, negated)
OPERATORS: dict[str, tuple[str, str, bool]] = {
    "StringEquals": ("string", "eq", False),
    "StringNotEquals": ("string", "eq", True),
    "StringEqualsIgnoreCase": ("string", "ieq", False),
    "StringNotEqualsIgnoreCase": ("string", "ieq", True),
    "StringLike": ("string", "like", False),
    "StringNotLike": ("string", "like", True),
    "NumericEquals": ("numeric", "eq", False),
    "NumericNotEquals": ("numeric", "eq", True),
    "NumericLessThan": ("numeric", "lt", False),
    "NumericLessThanEquals": ("numeric", "le", False),
    "NumericGreaterThan": ("numeric", "gt", False),
    "NumericGreaterThanEquals": ("numeric", "ge", False),
    "DateEquals": ("date", "eq", False),
    "DateNotEquals": ("date", "eq", True),
    "DateLessThan": ("date", "lt", False),
    "DateLessThanEquals": ("date", "le", False),
    "DateGreaterThan": ("date", "gt", False),
    "DateGreaterThanEquals": ("date", "ge", False),
    "Bool": ("bool", "eq", False),
    "BinaryEquals": ("binary", "eq", False),
    "IpAddress": ("ip", "in", False),
    "NotIpAddress": ("ip", "in", True),
    "ArnEquals": ("arn", "arn", False),
    "ArnLike": ("arn", "arn", False),
    "ArnNotEquals": ("arn", "arn", True),
    "ArnNotLike": ("arn", "arn", True),
    "Null": ("null", "null", False),
}
_BY_LOWER = {k.lower(): k for k in OPERATORS}

# Catalog key types each operator family fits (for KeyTypeMismatch warnings).
FAMILY_TYPES: dict[str, frozenset[str]] = {
    "string": frozenset({"String", "ARN"}),
    "numeric": frozenset({"Numeric"}),
    "date": frozenset({"Date"}),
    "bool": frozenset({"Bool"}),
    "binary": frozenset({"Binary"}),
    "ip": frozenset({"IPAddress"}),
    "arn": frozenset({"ARN", "String"}),
}


def parse_operator(name: str) -> OperatorSpec | str:
    """An :class:`OperatorSpec`, or an error message."""
    rest = name
    set_op: str | None = None
    if ":" in rest:
        qual, _, rest = rest.partition(":")
        if qual not in ("ForAllValues", "ForAnyValue"):
            return (f"'{qual}' is not a condition set operator; use ForAllValues or "
                    f"ForAnyValue.")
        set_op = qual
    if_exists = False
    base = rest
    if rest.endswith("IfExists") and rest != "IfExists":
        base = rest[: -len("IfExists")]
        if_exists = True
    if base not in OPERATORS:
        hint = _BY_LOWER.get(base.lower())
        if hint:
            return f"Condition operator '{base}' must be spelled '{hint}' (case-sensitive)."
        return f"'{name}' is not a known condition operator."
    family, kind, negated = OPERATORS[base]
    if family == "null" and (if_exists or set_op):
        return "The Null condition operator cannot be combined with IfExists or a set operator."
    return OperatorSpec(name, base, family, kind, negated, if_exists, set_op)


def check_value(family: str, value: Any) -> str | None:
    """Error message if a literal condition value does not fit the operator family."""
    if family in ("string", "arn"):
        if isinstance(value, (str, int, float)):
            return None
        return "must be a string."
    if family == "numeric":
        return None if parse_number(value) is not None else "is not a number."
    if family == "date":
        if isinstance(value, bool) or parse_date(value) is None:
            return "is not a date (use ISO 8601, e.g. 2024-01-31T12:00:00Z, or epoch seconds)."
        return None
    if family in ("bool", "null"):
        return None if parse_bool(value) is not None else "must be true or false."
    if family == "binary":
        return None if is_base64(value) else "is not base64-encoded binary data."
    if family == "ip":
        return None if parse_ip_network(value) is not None else "is not an IP address or CIDR."
    return None


def _as_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Clause:
    """One (operator, key, values) test of a Condition block."""

    __slots__ = (
        "_dynamic",
        "_static",
        "_templates",
        "key",
        "key_lower",
        "raw_values",
        "spec",
        "test_one",
        "var_keys",
    )

    def __init__(self, spec: OperatorSpec, key: str, raw_values: list[Any],
                 templates: list[Template]) -> None:
        self.spec = spec
        self.key = key
        self.key_lower = key.lower()
        self.raw_values = raw_values
        self._templates = templates
        self._dynamic = any(template_has_vars(t) for t in templates)
        self.var_keys: list[str] = [k for t in templates for k in template_var_keys(t)]
        self._static: tuple[Any, ...] = () if self._dynamic else self._prepare(None)
        self.test_one = _TESTERS[(spec.family, spec.kind)]

    def _prepare(self, ctx: Context | None) -> tuple[Any, ...]:
        fam, kind = self.spec.family, self.spec.kind
        out: list[Any] = []
        for t in self._templates:
            if fam == "string" and kind == "like":
                src = resolve_regex_source(t, ctx, arn=False)
                if src is not None:
                    out.append(compile_rx(src))
                continue
            if fam == "arn":
                src = resolve_regex_source(t, ctx, arn=True)
                if src is not None:
                    out.append(compile_rx(src))
                continue
            s = resolve_exact(t, ctx)
            if s is None:
                continue
            pv: Any
            if fam == "string":
                pv = s.lower() if kind == "ieq" else s
            elif fam == "numeric":
                pv = parse_number(s)
            elif fam == "date":
                pv = parse_date(s)
            elif fam in ("bool", "null"):
                b = parse_bool(s)
                pv = None if b is None else b
            elif fam == "ip":
                pv = parse_ip_network(s)
            else:
                pv = s
            if pv is not None:
                out.append(pv)
        return tuple(out)

    def evaluate(self, ctx: Context) -> bool:
        spec = self.spec
        cv = ctx._data.get(self.key_lower)
        present = cv is not None and len(cv.values) > 0
        pvals = self._prepare(ctx) if self._dynamic else self._static
        if spec.family == "null":
            return any((not present) is v for v in pvals)
        test = self.test_one
        if spec.set_op is None:
            if not present:
                return spec.if_exists or spec.negated
            assert cv is not None
            pos = False
            for i in range(len(cv.values)):
                if test(cv, i, pvals):
                    pos = True
                    break
            return not pos if spec.negated else pos
        if spec.set_op == "ForAllValues":
            if not present:
                return True
            assert cv is not None
            neg = spec.negated
            for i in range(len(cv.values)):  # noqa: SIM110 - hot path, avoids a generator
                if test(cv, i, pvals) == neg:
                    return False
            return True
        # ForAnyValue
        if not present:
            return spec.if_exists
        assert cv is not None
        neg = spec.negated
        for i in range(len(cv.values)):  # noqa: SIM110 - hot path
            if test(cv, i, pvals) != neg:
                return True
        return False


def compile_clause(spec: OperatorSpec, key: str, raw_values: list[Any],
                   templates: list[Template]) -> Clause:
    return Clause(spec, key, raw_values, templates)


# Per-value testers: (context value, index, prepared policy values) -> any match -----------

def _t_str_eq(cv: ContextValue, i: int, pv: tuple[Any, ...]) -> bool:
    return cv.values[i] in pv


def _t_str_ieq(cv: ContextValue, i: int, pv: tuple[Any, ...]) -> bool:
    return cv.lowers[i] in pv


def _t_like(cv: ContextValue, i: int, pv: tuple[Any, ...]) -> bool:
    v = cv.values[i]
    for rx in pv:  # noqa: SIM110 - hot path
        if rx.fullmatch(v):
            return True
    return False


def _num(getter: str, op: str) -> Any:
    def test(cv: ContextValue, i: int, pv: tuple[Any, ...]) -> bool:
        x = getattr(cv, getter)[i]
        if x is None:
            return False
        for p in pv:
            if (op == "eq" and x == p) or (op == "lt" and x < p) or (op == "le" and x <= p) \
                    or (op == "gt" and x > p) or (op == "ge" and x >= p):
                return True
        return False
    return test


def _t_bool(cv: ContextValue, i: int, pv: tuple[Any, ...]) -> bool:
    b = parse_bool(cv.values[i])
    return b is not None and b in pv


def _t_binary(cv: ContextValue, i: int, pv: tuple[Any, ...]) -> bool:
    return cv.values[i] in pv


def _t_ip(cv: ContextValue, i: int, pv: tuple[Any, ...]) -> bool:
    ip = cv.ips[i]
    if ip is None:
        return False
    for net in pv:  # noqa: SIM110 - hot path
        if ip.version == net.version and ip in net:
            return True
    return False


def _t_null(cv: ContextValue, i: int, pv: tuple[Any, ...]) -> bool:  # pragma: no cover
    return False


_TESTERS: dict[tuple[str, str], Any] = {
    ("string", "eq"): _t_str_eq,
    ("string", "ieq"): _t_str_ieq,
    ("string", "like"): _t_like,
    ("arn", "arn"): _t_like,
    ("bool", "eq"): _t_bool,
    ("binary", "eq"): _t_binary,
    ("ip", "in"): _t_ip,
    ("null", "null"): _t_null,
}
for _k in ("eq", "lt", "le", "gt", "ge"):
    _TESTERS[("numeric", _k)] = _num("numbers", _k)
    _TESTERS[("date", _k)] = _num("dates", _k)

# re-exported for callers that build their own matchers
__all__ += ["arn_glob_source", "glob_source"]

"""The request context: case-insensitive condition keys with typed values."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .values import (
    IPAddr,
    is_base64,
    parse_bool,
    parse_date,
    parse_ip_address,
    parse_number,
    to_context_string,
)

__all__ = ["CONTEXT_KEY_TYPES", "Context", "ContextValue"]

CONTEXT_KEY_TYPES = (
    "string", "stringList", "numeric", "numericList", "boolean", "booleanList",
    "ip", "ipList", "binary", "binaryList", "date", "dateList",
)


class ContextValue:
    """The values of one context key: string forms plus lazily parsed typed forms."""

    __slots__ = ("_date", "_ip", "_lower", "_num", "multi", "name", "type", "values")

    def __init__(self, name: str, type_: str, values: tuple[str, ...], multi: bool) -> None:
        self.name = name
        self.type = type_
        self.values = values
        self.multi = multi
        self._num: tuple[float | None, ...] | None = None
        self._date: tuple[float | None, ...] | None = None
        self._ip: tuple[IPAddr | None, ...] | None = None
        self._lower: tuple[str, ...] | None = None

    # Each typed form is parsed on first use, then kept (`_parse`); the hot path is one test.
    @property
    def lowers(self) -> tuple[str, ...]:
        return self._lower if self._lower is not None else self._parse("_lower", str.lower)

    @property
    def numbers(self) -> tuple[float | None, ...]:
        return self._num if self._num is not None else self._parse("_num", parse_number)

    @property
    def dates(self) -> tuple[float | None, ...]:
        return self._date if self._date is not None else self._parse("_date", parse_date)

    @property
    def ips(self) -> tuple[IPAddr | None, ...]:
        return self._ip if self._ip is not None else self._parse("_ip", parse_ip_address)

    def _parse(self, slot: str, parse: Callable[[str], Any]) -> tuple:
        parsed = tuple(parse(v) for v in self.values)
        setattr(self, slot, parsed)
        return parsed

    def __repr__(self) -> str:
        vals = list(self.values) if self.multi else (self.values[0] if self.values else None)
        return f"{self.name}={vals!r}"


class Context(Mapping[str, Any]):
    """A case-insensitive mapping of condition key -> value(s).

    ``Context({"aws:username": "alice", "aws:TagKeys": ["a", "b"]})``: values may be str,
    bool, int, float, datetime, ipaddress objects or bytes; a list/tuple/set makes the key
    multivalued. Looking a key up returns the single value (string form) or a list.
    """

    __slots__ = ("_data",)

    def __init__(self, mapping: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        data: dict[str, ContextValue] = {}
        items: list[tuple[str, Any]] = list((mapping or {}).items()) + list(kwargs.items())
        for key, value in items:
            if not isinstance(key, str) or not key:
                raise ValueError(f"Context key {key!r} must be a non-empty string.")
            data[key.lower()] = _infer(key, value)
        self._data = data

    @classmethod
    def _from_data(cls, data: dict[str, ContextValue]) -> Context:
        obj = cls.__new__(cls)
        obj._data = data
        return obj

    @classmethod
    def from_entries(cls, entries: Iterable[Mapping[str, Any]]) -> Context:
        """Build from SimulatePrincipalPolicy ``ContextEntries``; ValueError on bad input."""
        data: dict[str, ContextValue] = {}
        for n, entry in enumerate(entries or []):
            if not isinstance(entry, Mapping):
                raise ValueError(f"Context entry {n + 1} must be an object.")
            name = entry.get("ContextKeyName")
            if not isinstance(name, str) or not name:
                raise ValueError(f"Context entry {n + 1} needs a ContextKeyName.")
            typ = entry.get("ContextKeyType", "string")
            if typ not in CONTEXT_KEY_TYPES:
                raise ValueError(
                    f"Context key {name!r} has an unknown ContextKeyType {typ!r}; expected one "
                    f"of {', '.join(CONTEXT_KEY_TYPES)}."
                )
            raw = entry.get("ContextKeyValues", [])
            if isinstance(raw, str):
                raw = [raw]
            if not isinstance(raw, (list, tuple)):
                raise ValueError(f"ContextKeyValues of {name!r} must be a list of strings.")
            multi = typ.endswith("List")
            base = typ[:-4] if multi else typ
            if not multi and len(raw) > 1:
                raise ValueError(
                    f"Context key {name!r} is of single-valued type {typ!r} but has "
                    f"{len(raw)} values; use {typ}List."
                )
            values = tuple(_check_value(name, base, v) for v in raw)
            data[name.lower()] = ContextValue(name, base, values, multi)
        return cls._from_data(data)

    # Mapping protocol -------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        cv = self._data[key.lower()]
        return list(cv.values) if cv.multi else (cv.values[0] if cv.values else None)

    def __iter__(self) -> Iterator[str]:
        return (cv.name for cv in self._data.values())

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._data

    def __repr__(self) -> str:
        return f"Context({list(self._data.values())!r})"

    # Helpers ------------------------------------------------------------------------
    def entry(self, key: str) -> ContextValue | None:
        return self._data.get(key.lower())

    def merged(self, other: Context | Mapping[str, Any]) -> Context:
        """A copy with ``other``'s keys taking precedence."""
        data = dict(self._data)
        if isinstance(other, Context):
            data.update(other._data)
        else:
            for key, value in other.items():
                data[key.lower()] = _infer(key, value)
        return Context._from_data(data)


def _infer(key: str, value: Any) -> ContextValue:
    if isinstance(value, ContextValue):
        return ContextValue(key, value.type, value.values, value.multi)
    if isinstance(value, (list, tuple, set, frozenset)):
        seq = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        strs: list[str] = []
        typ = "string"
        for i, v in enumerate(seq):
            s, t = _one(key, v)
            strs.append(s)
            typ = t if i == 0 else (typ if typ == t else "string")
        return ContextValue(key, typ, tuple(strs), True)
    s, t = _one(key, value)
    return ContextValue(key, t, (s,), False)


def _one(key: str, value: Any) -> tuple[str, str]:
    try:
        return to_context_string(value)
    except TypeError as exc:
        raise ValueError(f"Context key {key!r}: {exc}") from None


def _check_value(name: str, base: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"Values of context key {name!r} must be strings, got {value!r}.")
    ok = True
    if base == "numeric":
        ok = parse_number(value) is not None
    elif base == "boolean":
        ok = parse_bool(value) is not None
    elif base == "date":
        ok = parse_date(value) is not None
    elif base == "ip":
        ok = parse_ip_address(value) is not None
    elif base == "binary":
        ok = is_base64(value)
    if not ok:
        raise ValueError(f"Value {value!r} of context key {name!r} is not a valid {base}.")
    if base == "boolean":
        return "true" if parse_bool(value) else "false"
    return value

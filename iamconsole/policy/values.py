"""Parsing of typed values (numbers, dates, IPs, booleans, base64) shared by the validator,
the condition operators and :class:`Context`."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from datetime import UTC, date, datetime
from typing import Any

__all__ = [
    "format_date",
    "is_base64",
    "parse_bool",
    "parse_date",
    "parse_ip_address",
    "parse_ip_network",
    "parse_number",
    "to_context_string",
]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddr = ipaddress.IPv4Address | ipaddress.IPv6Address

_NUM = re.compile(r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*")
_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?"
)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?(Z)?")


def parse_number(value: Any) -> float | None:
    """A numeric condition value, or None if it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, str) and _NUM.fullmatch(value):
        try:
            f = float(value)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def parse_date(value: Any) -> float | None:
    """A date condition value (ISO 8601 or epoch seconds) as epoch seconds, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=UTC)
        return dt.timestamp()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(float(value)) else None
    if not isinstance(value, str):
        return None
    s = value.strip()
    if re.fullmatch(r"-?\d+(?:\.\d+)?", s):
        # epoch seconds; a bare 8-digit string could also be a compact date (YYYYMMDD)
        if len(s) == 8 and not s.startswith("-"):
            compact = _from_compact(s)
            if compact is not None:
                return compact
        try:
            return float(s)
        except ValueError:
            return None
    m = _DATE.fullmatch(s)
    if m:
        y, mo, d, hh, mm, ss, frac, tz = m.groups()
        try:
            dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0),
                          tzinfo=UTC)
        except ValueError:
            return None
        ts = dt.timestamp()
        if frac:
            ts += float("0." + frac)
        if tz and tz != "Z":
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            ts -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
        return ts
    return _from_compact(s)


def _from_compact(s: str) -> float | None:
    m = _DATE_COMPACT.fullmatch(s)
    if not m:
        return None
    y, mo, d, hh, mm, ss, _ = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0),
                      tzinfo=UTC)
    except ValueError:
        return None
    return dt.timestamp()


def parse_bool(value: Any) -> bool | None:
    """``true``/``false`` (any case, or a JSON boolean), else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        v = value.strip().lower()
        if v == "true":
            return True
        if v == "false":
            return False
    return None


def parse_ip_network(value: Any) -> IPNetwork | None:
    """An IPv4/IPv6 address or CIDR as a network (host bits tolerated), else None."""
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def parse_ip_address(value: Any) -> IPAddr | None:
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return value
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def is_base64(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def format_date(dt: datetime) -> str:
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_context_string(value: Any) -> tuple[str, str]:
    """(string form, inferred type) of a Python context value."""
    if isinstance(value, bool):
        return ("true" if value else "false"), "boolean"
    if isinstance(value, int):
        return str(value), "numeric"
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)), "numeric"
    if isinstance(value, datetime):
        return format_date(value), "date"
    if isinstance(value, date):
        return value.isoformat(), "date"
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return str(value), "ip"
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return str(value), "ip"
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii"), "binary"
    if isinstance(value, str):
        return value, "string"
    raise TypeError(f"Unsupported context value type {type(value).__name__}.")

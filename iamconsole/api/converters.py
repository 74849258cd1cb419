"""URL converters: a path segment that cannot be an IAM identifier never reaches a view (it
falls through to the JSON 404), so no control character or junk reaches the database."""

from __future__ import annotations


class _Converter:
    regex = ""

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class NameConverter(_Converter):
    """User, group, role and policy names: AWS's [\\w+=,.@-]+."""

    regex = r"[\w+=,.@-]{1,128}"


class IdConverter(_Converter):
    """PolicyId (ANPA…) and AccessKeyId (AKIA…)."""

    regex = r"[A-Z0-9]{16,32}"


class VersionConverter(_Converter):
    regex = r"v[0-9]{1,9}"


class ArnConverter(_Converter):
    """A policy ARN or MFA serial number (may contain slashes), or a PolicyId."""

    regex = r"[!-~]{1,2048}"


class EventIdConverter(_Converter):
    """An audit event id (bounded, so it always fits the database's integer)."""

    regex = r"[0-9]{1,18}"

    def to_python(self, value: str) -> int:  # type: ignore[override]
        return int(value)

    def to_url(self, value) -> str:
        return str(value)

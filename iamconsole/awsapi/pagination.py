"""IAM's Marker / MaxItems / IsTruncated pagination over a list or a QuerySet.

The Marker is opaque to clients (base64 of the next offset) and changes on every page, which
botocore's paginators require. A QuerySet is sliced, so only one page (+1 row) is read.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any

from .protocol import QueryError

DEFAULT_MAX_ITEMS = 100
_PREFIX = "iamconsole:"


def encode_marker(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode("ascii")


def decode_marker(marker: str | None) -> int:
    if not marker:
        return 0
    try:
        text = base64.urlsafe_b64decode(marker.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    number = text.removeprefix(_PREFIX)
    if not text.startswith(_PREFIX) or not number.isdigit():
        raise QueryError("ValidationError", f"Invalid Marker: {marker}", 400)
    return int(number)


def page(params: dict[str, Any], items: Sequence[Any]) -> tuple[list[Any], dict[str, Any]]:
    """The page of ``items`` the request asks for, and its {IsTruncated, Marker} members."""
    offset = decode_marker(params.get("Marker"))
    limit = params.get("MaxItems") or DEFAULT_MAX_ITEMS
    window = list(items[offset:offset + limit + 1])
    truncated = len(window) > limit
    meta: dict[str, Any] = {"IsTruncated": truncated}
    if truncated:
        meta["Marker"] = encode_marker(offset + limit)
    return window[:limit], meta


def paginate(
    params: dict[str, Any], items: Sequence[Any], key: str, shape: Callable[[Any], Any]
) -> dict[str, Any]:
    """A list result: {key: [shape(item)...], IsTruncated, Marker?}."""
    rows, meta = page(params, items)
    return {key: [shape(item) for item in rows], **meta}

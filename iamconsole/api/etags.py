"""ETag / If-Match optimistic concurrency for policy documents and entities.

Entities with a `revision` (users, groups, roles, managed policies) use it: ETag `"r<revision>"`,
and `If-Match` is handed to the domain operation as `revision=`, which refuses a stale write in
the same transaction. Inline policies have no revision: their ETag is a hash of the document.
A failed precondition answers 412 PreconditionFailed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from iamconsole.iam.errors import ConcurrentModification

from .errors import PreconditionFailed


def revision_etag(obj) -> str:
    return f'"r{obj.revision}"'


def document_etag(document: str) -> str:
    return '"d' + hashlib.sha256(document.encode()).hexdigest()[:32] + '"'


def if_match(request) -> list[str] | None:
    """The If-Match entity tags, or None when absent or "*" (any current version)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def if_match_revision(request) -> int | None:
    """The revision named by If-Match (None when absent); 412 when it names no revision."""
    tags = if_match(request)
    if tags is None:
        return None
    for tag in tags:
        value = tag.strip('"')
        if value.startswith("r") and value[1:].isascii() and value[1:].isdigit() and \
                len(value) < 12:
            return int(value[1:])
    raise PreconditionFailed("If-Match does not name a version of this resource; "
                             "GET it again and use its ETag.")


def check_document_etag(request, current_document: str | None) -> None:
    """For resources versioned by content: the current document must match If-Match."""
    header = request.headers.get("If-Match")
    if header is None:
        return
    if current_document is None:
        raise PreconditionFailed("The resource does not exist, so If-Match cannot match.")
    tags = if_match(request)
    if tags is not None and document_etag(current_document) not in tags:
        raise PreconditionFailed("The document was changed since you read it (ETag mismatch). "
                                 "GET it again and reapply your change.")


@contextmanager
def precondition() -> Iterator[None]:
    """A stale revision passed from If-Match is a failed precondition (412), not a 409."""
    try:
        yield
    except ConcurrentModification as exc:
        raise PreconditionFailed(exc.message) from None

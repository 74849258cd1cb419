"""The `AWS` principals a resource-based or trust policy names, and rewriting them in place.

AWS binds a user or role named in a Principal element to the entity's unique id (AIDA… for
users, AROA… for roles) when the policy is saved. The domain layer does the binding with these
helpers: it reads the `AWS` values (`aws_principals`) and replaces some of them
(`replace_aws_principals`) without touching the rest of the document, which AWS keeps verbatim.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from ._json import JNode, JsonError, parse

__all__ = ["UNIQUE_ID_RE", "aws_principals", "is_unique_id", "replace_aws_principals"]

# The unique id of a user (AIDA…) or a role (AROA…): what a policy shows for a principal that
# was deleted. 21 characters in AWS; the id alphabet is upper-case letters and digits.
UNIQUE_ID_RE = re.compile(r"A(?:IDA|ROA)[A-Z0-9]{12,124}")


def is_unique_id(value: str) -> bool:
    return UNIQUE_ID_RE.fullmatch(value) is not None


def _aws_nodes(root: JNode) -> Iterator[JNode]:
    """The string nodes of every Principal.AWS / NotPrincipal.AWS value, in document order."""
    if root.kind != "object":
        return
    statements = root.get("Statement")
    if statements is None:
        return
    for statement in statements.items if statements.kind == "array" else [statements]:
        if statement.kind != "object":
            continue
        for element in ("Principal", "NotPrincipal"):
            principal = statement.get(element)
            if principal is None or principal.kind != "object":
                continue
            for key, _, child in principal.items:
                if key != "AWS":
                    continue
                for node in child.items if child.kind == "array" else [child]:
                    if node.kind == "string":
                        yield node


def aws_principals(text: str) -> list[str]:
    """The `AWS` principal values of a policy document (none if it is not valid JSON)."""
    try:
        root = parse(text)
    except JsonError:
        return []
    return [node.value for node in _aws_nodes(root)]


def replace_aws_principals(text: str, replace: Callable[[str], str | None]) -> str:
    """The document with each `AWS` principal value `v` for which `replace(v)` answers a string
    replaced by that string; everything else (layout, order, other elements) is kept as is."""
    try:
        root = parse(text)
    except JsonError:
        return text
    out: list[str] = []
    last = 0
    for node in _aws_nodes(root):
        new = replace(node.value)
        if new is None or new == node.value:
            continue
        out.append(text[last:node.start])
        out.append(json.dumps(new))
        last = node.end
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)

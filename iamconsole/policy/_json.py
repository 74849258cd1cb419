"""A small JSON parser that keeps the position of every value.

The standard library parser loses positions, which we need for findings and for
``MatchedStatement`` ranges. Documents are small (a few KiB), and compiled results are
cached, so a straightforward recursive-descent parser is fast enough.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from json.decoder import scanstring
from typing import Any

__all__ = ["JNode", "JsonError", "LineIndex", "parse"]

MAX_DEPTH = 64

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


class JsonError(Exception):
    """A JSON syntax error at ``offset``."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass
class JNode:
    """One JSON value: ``kind`` is object/array/string/number/bool/null."""

    kind: str
    value: Any
    start: int
    end: int
    # object: list of (key, key_offset, node); array: list of nodes
    items: list[Any] = field(default_factory=list)

    def get(self, key: str) -> JNode | None:
        for k, _, node in self.items:
            if k == key:
                return node
        return None

    def to_py(self) -> Any:
        if self.kind == "object":
            return {k: n.to_py() for k, _, n in self.items}
        if self.kind == "array":
            return [n.to_py() for n in self.items]
        return self.value


class LineIndex:
    """Maps string offsets to 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._starts, offset) - 1
        return i + 1, offset - self._starts[i] + 1


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)

    def ws(self, i: int) -> int:
        m = _WS.match(self.text, i)
        return m.end() if m else i

    def value(self, i: int, depth: int) -> tuple[JNode, int]:
        if depth > MAX_DEPTH:
            raise JsonError("The document is nested too deeply.", i)
        text = self.text
        if i >= self.n:
            raise JsonError("Unexpected end of the document: a value was expected.", i)
        c = text[i]
        if c == "{":
            return self.obj(i, depth)
        if c == "[":
            return self.arr(i, depth)
        if c == '"':
            s, end = self.string(i)
            return JNode("string", s, i, end), end
        if text.startswith("true", i):
            return JNode("bool", True, i, i + 4), i + 4
        if text.startswith("false", i):
            return JNode("bool", False, i, i + 5), i + 5
        if text.startswith("null", i):
            return JNode("null", None, i, i + 4), i + 4
        m = _NUMBER.match(text, i)
        if m and m.end() > i:
            raw = m.group()
            num: Any = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
            return JNode("number", num, i, m.end()), m.end()
        raise JsonError(f"Unexpected character {c!r}: a JSON value was expected.", i)

    def string(self, i: int) -> tuple[str, int]:
        try:
            s, end = scanstring(self.text, i + 1, True)
        except ValueError as exc:
            pos = getattr(exc, "pos", i)
            msg = getattr(exc, "msg", "Invalid string")
            raise JsonError(f"{msg}.", pos if isinstance(pos, int) else i) from None
        return s, end

    def obj(self, i: int, depth: int) -> tuple[JNode, int]:
        node = JNode("object", None, i, i)

        def member(i: int) -> int:
            if i >= self.n or self.text[i] != '"':
                raise JsonError("A property name in double quotes was expected.", i)
            key_off = i
            key, i = self.string(i)
            i = self.ws(i)
            if i >= self.n or self.text[i] != ":":
                raise JsonError("A ':' was expected after the property name.", i)
            child, i = self.value(self.ws(i + 1), depth + 1)
            node.items.append((key, key_off, child))
            return i

        return self.members(i, node, "}", member)

    def arr(self, i: int, depth: int) -> tuple[JNode, int]:
        node = JNode("array", None, i, i)

        def member(i: int) -> int:
            child, i = self.value(i, depth + 1)
            node.items.append(child)
            return i

        return self.members(i, node, "]", member)

    def members(self, i: int, node: JNode, close: str,
                member: Callable[[int], int]) -> tuple[JNode, int]:
        """The members of the object or array opening at `i`, up to `close`: `member(i)` reads
        one (appending it to `node`) and returns where it ends; members are comma-separated."""
        i = self.ws(i + 1)
        if i < self.n and self.text[i] == close:
            node.end = i + 1
            return node, i + 1
        while True:
            i = self.ws(member(i))
            if i < self.n and self.text[i] == ",":
                i = self.ws(i + 1)
                continue
            if i < self.n and self.text[i] == close:
                node.end = i + 1
                return node, i + 1
            raise JsonError(f"A ',' or '{close}' was expected.", i)


def parse(text: str) -> JNode:
    """Parse ``text``; raise :class:`JsonError` with an offset on bad syntax."""
    p = _Parser(text)
    i = p.ws(0)
    if i >= p.n:
        raise JsonError("The document is empty.", i)
    node, i = p.value(i, 0)
    i = p.ws(i)
    if i != p.n:
        raise JsonError("Unexpected data after the end of the JSON document.", i)
    return node

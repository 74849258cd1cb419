"""Validation findings and the compile error."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Finding", "PolicyError"]


@dataclass(frozen=True)
class Finding:
    """One problem found in a policy document.

    ``severity`` is "error" (AWS would reject the document with MalformedPolicyDocument) or
    "warning" (valid, but probably not what the author meant). ``line``/``column`` are
    1-based and point at the element the finding concerns.
    """

    severity: str
    code: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        pos = f" (line {self.line}, column {self.column})" if self.line is not None else ""
        return f"{where}{self.message}{pos}"


class PolicyError(Exception):
    """Raised by ``compile_policy`` for a document with errors; ``findings`` lists them."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = list(findings)
        first = self.findings[0] if self.findings else None
        super().__init__(str(first) if first else "The policy document is not valid.")

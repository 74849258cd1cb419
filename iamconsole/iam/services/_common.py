"""Input rules shared by the domain operations (names, paths, tags, policy documents)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any, TypeVar

from django.db import IntegrityError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from iamconsole.policy import validate_policy

from .. import audit
from .. import identifiers as ids
from ..errors import (
    ConcurrentModification,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    MalformedPolicyDocument,
    ValidationError,
)

# AWS quotas ("IAM and AWS STS quotas"), default values.
MAX_MANAGED_POLICIES_PER_IDENTITY = 10
MAX_GROUPS_PER_USER = 10
MAX_POLICY_VERSIONS = 5
MAX_ACCESS_KEYS = 2
MAX_SSH_PUBLIC_KEYS = 5
MAX_SIGNING_CERTIFICATES = 2
MAX_SERVICE_SPECIFIC_CREDENTIALS = 2  # per user and service
MAX_TAGS = 50
MANAGED_POLICY_MAX_CHARS = 6144
INLINE_MAX_CHARS = {"user": 2048, "group": 5120, "role": 10240}
TRUST_POLICY_MAX_CHARS = 2048
_WHITESPACE = re.compile(r"\s+")
_TAG_PATTERN = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)

F = TypeVar("F", bound=Callable[..., Any])


def operation(func: F) -> F:
    """A domain operation: one transaction; a unique-constraint race becomes EntityAlreadyExists;
    a denied call rolls it back but stays in the audit log (audit.atomic)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            with audit.atomic():
                return func(*args, **kwargs)
        except IntegrityError as exc:
            raise EntityAlreadyExists(f"The entity already exists ({exc.__class__.__name__}).") \
                from exc

    return wrapper  # type: ignore[return-value]


def validate_name(value: Any, kind: str, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{field} must not be empty.", field=field)
    limit = ids.NAME_MAX[kind]
    if len(value) > limit:
        raise ValidationError(
            f"Value '{value}' at '{field}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {limit}",
            field=field,
        )
    if not ids.NAME_PATTERN.match(value):
        raise ValidationError(
            f"Value '{value}' at '{field}' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: [\w+=,.@-]+",
            field=field,
        )
    return value


def validate_path(value: Any, field: str = "path") -> str:
    if value in (None, ""):
        return "/"
    if not isinstance(value, str) or len(value) > 512 or not ids.PATH_PATTERN.match(value):
        raise ValidationError(
            f"The specified value for {field} is invalid. It must begin and end with / and "
            "contain only alphanumeric characters and/or / characters.",
            field=field,
        )
    if "//" in value:
        raise ValidationError(f"The specified value for {field} must not contain //.", field=field)
    return value


def validate_path_prefix(value: Any) -> str:
    if value in (None, ""):
        return "/"
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 512:
        raise ValidationError("PathPrefix must begin with /.", field="path_prefix")
    return value


def related_count(model, fk: str, **filters) -> Coalesce:
    """How many `model` rows (with `filters`) point at each row through foreign key `fk`, as a
    correlated subquery: computed for the rows a query returns, not grouped over the whole
    table."""
    rows = (model.objects.filter(**{fk: OuterRef("pk")}, **filters).order_by().values(fk)
            .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def under_path(prefix: str) -> Q:
    """The filter for PathPrefix: none for "/" (every path begins with it), so listing the
    whole account needs no LIKE over every row."""
    return Q() if prefix == "/" else Q(path__startswith=prefix)


def normalize_tags(tags: Iterable[Mapping[str, str]] | Mapping[str, str] | None) -> dict[str, str]:
    """Tags as [{"Key", "Value"}] (AWS) or {key: value}; keys are unique ignoring case."""
    if tags is None:
        return {}
    items = list(tags.items()) if isinstance(tags, Mapping) else [
        (t.get("Key"), t.get("Value", "")) for t in tags
    ]
    result: dict[str, str] = {}
    seen: set[str] = set()
    for key, value in items:
        validate_tag(key, value)
        if key.lower() in seen:
            raise InvalidInput(f"Duplicate tag keys found: {key}. Tag keys are case insensitive.",
                               field="tags")
        seen.add(key.lower())
        result[key] = value
    return result


def validate_tag(key: Any, value: Any) -> None:
    if not isinstance(key, str) or not 1 <= len(key) <= 128 or not _TAG_PATTERN.match(key):
        raise ValidationError(
            f"Value '{key}' at 'tags.key' failed to satisfy constraint: Member must have length "
            r"between 1 and 128 and match [\p{L}\p{Z}\p{N}_.:/=+\-@]+",
            field="tags",
        )
    if key.lower().startswith("aws:"):
        raise InvalidInput("Tag keys starting with 'aws:' are reserved for AWS use.", field="tags")
    if not isinstance(value, str) or len(value) > 256 or not _TAG_PATTERN.match(value):
        raise ValidationError(
            f"Value '{value}' at 'tags.value' failed to satisfy constraint: Member must have "
            r"length less than or equal to 256 and match [\p{L}\p{Z}\p{N}_.:/=+\-@]*",
            field="tags",
        )


def merge_tags(current: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """TagUser semantics: a key that exists (ignoring case) gets the new value."""
    merged = {k: v for k, v in current.items() if k.lower() not in {n.lower() for n in new}}
    merged.update(new)
    if len(merged) > MAX_TAGS:
        raise LimitExceeded(f"Cannot exceed quota for TagsPerResource: {MAX_TAGS}.", field="tags")
    return merged


def tag_context(tags: dict[str, str]) -> dict:
    """The request-tag condition keys (aws:TagKeys, aws:RequestTag/k) for a tagging request."""
    extra: dict = {"aws:TagKeys": list(tags)}
    extra.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
    return extra


def remove_tags(current: dict[str, str], keys: Iterable[str]) -> dict[str, str]:
    lowered = {k.lower() for k in keys}
    return {k: v for k, v in current.items() if k.lower() not in lowered}


def non_whitespace_length(text: str) -> int:
    return len(_WHITESPACE.sub("", text))


def check_policy_document(
    document: Any, *, kind: str = "identity", max_chars: int | None = None,
    field: str = "policy_document",
) -> str:
    """AWS keeps the document verbatim; it must be JSON, within size and grammatically valid."""
    if isinstance(document, dict):
        document = json.dumps(document, indent=2)
    if not isinstance(document, str) or not document.strip():
        raise MalformedPolicyDocument("The policy document must be a non-empty JSON string.",
                                      field=field)
    if max_chars is not None and non_whitespace_length(document) > max_chars:
        raise LimitExceeded(
            f"Cannot exceed quota for PolicySize: {max_chars}.", field=field
        )
    findings = validate_policy(document, kind)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        first = errors[0]
        where = f" ({first.path})" if first.path else ""
        raise MalformedPolicyDocument(f"{first.message}{where}", field=field, findings=errors)
    return document


def check_status(status: Any, field: str = "status") -> str:
    """A credential's new status: AWS's statusType, of which a caller may set Active/Inactive."""
    if status not in ("Active", "Inactive"):
        raise ValidationError(f"Value '{status}' at '{field}' failed to satisfy constraint: "
                              "Member must satisfy enum value set: [Active, Inactive]",
                              field=field)
    return status


def check_description(value: str | None) -> str:
    value = value or ""
    if len(value) > 1000:
        raise ValidationError("Description must be at most 1000 characters.", field="description")
    return value


def check_revision(obj: Any, expected: int | None) -> None:
    """Stale-edit detection: `expected` is the revision the caller read (None skips the check)."""
    if expected is not None and int(expected) != obj.revision:
        raise ConcurrentModification(
            f"{obj} was changed by someone else since you loaded it "
            f"(revision {obj.revision}, you edited {expected}). Reload and apply your change "
            "again.",
            field="revision",
        )


def bump(obj: Any, *fields: str) -> None:
    obj.revision += 1
    obj.save(update_fields=[*fields, "revision"])

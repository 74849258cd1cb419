"""The audit log: every change and every security event, with actor, method and values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from . import authz
from .caller import Caller
from .models import AuditEvent

# Reading the event history is CloudTrail's action in AWS.
LOOKUP_ACTION = "cloudtrail:LookupEvents"
TEXT_FILTERS = ("action", "actor", "resource_type", "resource_name", "outcome")


def record(
    caller: Caller,
    action: str,
    *,
    resource_type: str = "",
    resource_name: str = "",
    resource_arn: str = "",
    old: Any = None,
    new: Any = None,
    outcome: str = "success",
    detail: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=caller.display_name,
        actor_arn=caller.arn if not caller.is_system else "",
        auth_method=caller.auth_method,
        source_ip=caller.source_ip,
        request_id=caller.request_id,
        action=action,
        resource_type=resource_type,
        resource_name=resource_name,
        resource_arn=resource_arn,
        old_value=old,
        new_value=new,
        outcome=outcome,
        detail=detail,
    )


def lookup_events(
    caller: Caller,
    *,
    contains: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    **filters: str | None,
) -> QuerySet[AuditEvent]:
    """The audit log, newest first, for a caller allowed cloudtrail:LookupEvents. Text filters
    (action, actor, resource_type, resource_name, outcome) match exactly, as CloudTrail's lookup
    attributes do, or as case-insensitive substrings with `contains` (the console's search);
    resource_type and outcome always match exactly. `since` is inclusive, `until` exclusive."""
    authz.check(caller, LOOKUP_ACTION, "*")
    unknown = set(filters) - set(TEXT_FILTERS)
    if unknown:
        raise TypeError(f"unknown audit filters: {sorted(unknown)}")
    events = AuditEvent.objects.all()
    for name, value in filters.items():
        if value:
            substring = contains and name not in ("resource_type", "outcome")
            events = events.filter(**{f"{name}__icontains" if substring else name: value})
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    return events.order_by("-created_at", "-id")

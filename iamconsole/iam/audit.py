"""The audit log: every change and every security event, with actor, method and values, and
every denied call (CloudTrail records those too, with errorCode AccessDenied).

A denied call rolls its operation's transaction back, which would take the record of the denial
with it: `atomic()` (the domain operations' transaction) keeps the denials recorded inside it
aside and writes them once it has ended, committed or rolled back. Outside it they are written at
once. Either way a denial costs one INSERT and no query more.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import QuerySet

from . import arns, authz
from .caller import Caller
from .errors import AccessDenied, NoSuchEntity
from .models import AuditEvent

logger = logging.getLogger(__name__)

# Reading the event history is CloudTrail's action in AWS.
LOOKUP_ACTION = "cloudtrail:LookupEvents"
TEXT_FILTERS = ("action", "actor", "resource_type", "resource_name", "outcome", "error_code")
EXACT_FILTERS = ("resource_type", "outcome", "error_code")
SUCCESS, FAILURE, DENIED = "success", "failure", "denied"

# The denied-call events of the outermost `atomic()` block running in this context, or None.
_pending: ContextVar[list[dict] | None] = ContextVar("audit_pending_denials", default=None)
_LIMITS = {"actor": 256, "actor_arn": 2048, "request_id": 64, "action": 128,
           "resource_type": 32, "resource_name": 512, "resource_arn": 2048}


def record(
    caller: Caller,
    action: str,
    *,
    resource_type: str = "",
    resource_name: str = "",
    resource_arn: str = "",
    old: Any = None,
    new: Any = None,
    outcome: str = SUCCESS,
    detail: str = "",
    error_code: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(**_fields(
        caller, action, resource_type=resource_type, resource_name=resource_name,
        resource_arn=resource_arn, old=old, new=new, outcome=outcome, detail=detail,
        error_code=error_code or ("AccessDenied" if outcome == DENIED else ""),
    ))


def record_many(caller: Caller, action: str, changes: list[dict[str, Any]]) -> None:
    """`record` for each of many changes of one action (a bulk action's items): one INSERT.
    Each change gives resource_type, resource_name, resource_arn and old and/or new."""
    if not changes:
        return
    AuditEvent.objects.bulk_create([AuditEvent(**_fields(
        caller, action, resource_type=change["resource_type"],
        resource_name=change["resource_name"], resource_arn=change["resource_arn"],
        old=change.get("old"), new=change.get("new"), outcome=SUCCESS, detail="",
        error_code="")) for change in changes])


def _fields(caller: Caller, action: str, *, resource_type: str, resource_name: str,
            resource_arn: str, old: Any, new: Any, outcome: str, detail: str,
            error_code: str) -> dict[str, Any]:
    return {
        "actor": caller.display_name,
        "actor_arn": caller.arn if not caller.is_system else "",
        "auth_method": caller.auth_method,
        "source_ip": caller.source_ip,
        "request_id": caller.request_id,
        "action": action,
        "resource_type": resource_type,
        "resource_name": resource_name,
        "resource_arn": resource_arn,
        "old_value": old,
        "new_value": new,
        "outcome": outcome,
        "error_code": error_code,
        "detail": detail,
    }


def _clean(value: str, limit: int | None = None) -> str:
    """A denied call's resource comes from the request: no NUL (PostgreSQL text refuses it),
    within the column's length."""
    value = value.replace("\x00", "\ufffd")
    return value[:limit] if limit else value


def record_denied(caller: Caller, exc: AccessDenied) -> None:
    """Record a call the policies refused, as CloudTrail does: actor, action, resource, source
    IP, request id, errorCode AccessDenied and the message with its reason. Inside `atomic()`
    the event is written when the block ends (the denial rolls the block back), else now."""
    parsed = arns.parse_any(exc.resource)
    resource_type = resource_name = ""
    if parsed is not None and parsed.service in ("iam", "sts", "organizations"):
        resource_type, resource_name = parsed.type, parsed.name
    fields = _fields(caller, exc.action or "", resource_type=resource_type,
                     resource_name=resource_name, resource_arn=exc.resource or "", old=None,
                     new=None, outcome=DENIED, detail=exc.message, error_code=exc.code)
    fields = {name: _clean(value, _LIMITS.get(name)) if isinstance(value, str) else value
              for name, value in fields.items()}
    pending = _pending.get()
    if pending is not None:
        pending.append(fields)
    else:
        _write([fields])


def denied(caller: Caller, exc: AccessDenied) -> AccessDenied:
    """`raise audit.denied(caller, AccessDenied(...))`: an AccessDenied that does not come from
    authz.check (STS's own refusals), recorded the same way."""
    record_denied(caller, exc)
    return exc


def _write(events: list[dict]) -> None:
    try:
        AuditEvent.objects.bulk_create([AuditEvent(**fields) for fields in events])
    except DatabaseError:  # the database failed the call already: do not mask its error
        logger.exception("could not record %d denied call(s) in the audit log", len(events))


@contextmanager
def atomic() -> Iterator[None]:
    """transaction.atomic() for a domain operation (or a door's block around several): denied
    calls recorded inside it are written after it ends, so its rollback does not erase them.
    Nested blocks leave the writing to the outermost."""
    if _pending.get() is not None:
        with transaction.atomic():
            yield
        return
    token = _pending.set([])
    try:
        with transaction.atomic():
            yield
    finally:
        events = _pending.get() or []
        _pending.reset(token)
        if events:
            _write(events)


def lookup_events(
    caller: Caller,
    *,
    contains: bool = False,
    failed: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    **filters: str | None,
) -> QuerySet[AuditEvent]:
    """The audit log, newest first, for a caller allowed cloudtrail:LookupEvents. Text filters
    (action, actor, resource_type, resource_name, outcome, error_code) match exactly, as
    CloudTrail's lookup attributes do, or as case-insensitive substrings with `contains` (the
    console's search); resource_type, outcome and error_code always match exactly. `failed`
    keeps the calls that did not succeed (denied, failed sign-ins). `since` is inclusive,
    `until` exclusive."""
    authz.check(caller, LOOKUP_ACTION, "*")
    unknown = set(filters) - set(TEXT_FILTERS)
    if unknown:
        raise TypeError(f"unknown audit filters: {sorted(unknown)}")
    events = AuditEvent.objects.all()
    for name, value in filters.items():
        if value:
            substring = contains and name not in EXACT_FILTERS
            events = events.filter(**{f"{name}__icontains" if substring else name: value})
    if failed:
        events = events.exclude(outcome=SUCCESS)
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    return events.order_by("-created_at", "-id")


def no_events() -> QuerySet[AuditEvent]:
    """An empty lookup (the console's search form with invalid filters)."""
    return AuditEvent.objects.none()


def find_event(caller: Caller, event_id: int) -> AuditEvent | None:
    """One event of the audit log (cloudtrail:LookupEvents), or None when there is none with
    this id."""
    return lookup_events(caller).filter(pk=event_id).first()


def lookup_event(caller: Caller, event_id: int) -> AuditEvent:
    """find_event, with NoSuchEntity when there is none with this id (the REST door)."""
    event = find_event(caller, event_id)
    if event is None:
        raise NoSuchEntity(f"Audit event {event_id} does not exist.")
    return event


_USER_TYPES = {"user": "IAMUser", "assumed-role": "AssumedRole", "root": "Root"}


def cloudtrail_record(event: AuditEvent) -> dict[str, Any]:
    """One event as a CloudTrail record (the shape of LookupEvents' CloudTrailEvent): the
    console's JSON and CSV exports. The request's parameters are the event's resource and its
    new value; a call that did not succeed carries errorCode and errorMessage."""
    parsed = arns.parse_any(event.actor_arn) if event.actor_arn else None
    identity: dict[str, Any] = {
        "type": _USER_TYPES.get(parsed.type, "IAMUser") if parsed is not None else "AWSService",
        "arn": event.actor_arn,
        "accountId": event.account_id,
        "userName": event.actor,
    }
    parameters: dict[str, Any] = {}
    if event.resource_type:
        parameters["resourceType"] = event.resource_type
    if event.resource_name:
        parameters["resourceName"] = event.resource_name
    if event.resource_arn:
        parameters["resourceArn"] = event.resource_arn
    if event.new_value is not None:
        parameters["newValue"] = event.new_value
    record_: dict[str, Any] = {
        "eventVersion": "1.08",
        "eventTime": event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": f"{event.action.partition(':')[0] or 'iam'}.amazonaws.com",
        "eventName": event.action.partition(":")[2] or event.action,
        "awsRegion": "us-east-1",
        "userIdentity": identity,
        "sourceIPAddress": event.source_ip or "",
        "userAgent": f"iamconsole/{event.auth_method}" if event.auth_method else "",
        "requestParameters": parameters or None,
        "requestID": event.request_id,
        "eventID": str(event.pk),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "recipientAccountId": event.account_id,
    }
    if event.outcome != SUCCESS:
        record_["errorCode"] = event.error_code or ("AccessDenied" if event.outcome == DENIED
                                                    else "Failure")
        record_["errorMessage"] = event.detail
    return record_


def entity_events(caller: Caller, resource_type: str, name: str) -> QuerySet[AuditEvent]:
    """The events about one entity (its Activity tab), newest first."""
    return lookup_events(caller, resource_type=resource_type, resource_name=name)

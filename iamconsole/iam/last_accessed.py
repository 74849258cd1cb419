"""Access Advisor's bookkeeping: when each user or role was last authenticated for a service
(and, for IAM and STS, for each action), from every door.

`authz` calls `record` for every allowed decision of a real principal (a role session counts for
its role; the root user and the system are not tracked). Recording must not slow requests down:

- within a request (`LastAccessedMiddleware`) the accesses are collected and written once when
  the response is ready, outside the view's transaction;
- each process remembers what it wrote in the last minute and writes nothing for it again, and
  a write is one conditional UPDATE (plus an INSERT … ON CONFLICT DO NOTHING the first time),
  which changes a row only when it is older than a minute or the region differs: several
  workers and instances update a row at most about once a minute (AWS itself reports accesses
  with a delay of up to four hours).

Outside a request (management commands, tests) an access is written at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q

from . import clock
from .caller import Caller

logger = logging.getLogger(__name__)

GRANULARITY = timedelta(minutes=1)
# Services whose actions are tracked one by one (AWS: IAM, EC2, S3, Lambda…; here: ours).
TRACKED_SERVICES = frozenset({"iam", "sts"})
_WRITTEN_MAX = 50_000


@dataclass(frozen=True)
class Access:
    account_id: str
    principal_type: str  # user | role
    principal_id: str
    entity_path: str
    service: str
    action: str  # "" for the service row
    region: str
    at: datetime

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.principal_id, self.service, self.action, self.region)


_pending: ContextVar[dict | None] = ContextVar("iam_last_accessed", default=None)
# What this process wrote last (key → time), so a busy principal costs no query per request.
_written: dict[tuple[str, str, str, str], datetime] = {}


def enabled() -> bool:
    return getattr(settings, "IAM_LAST_ACCESSED", True)


def accesses(caller: Caller, action: str) -> list[Access]:
    """The rows an allowed `action` by `caller` touches (none for the root user and system)."""
    if caller.role is not None:
        principal_type, entity = "role", caller.role
        principal_id = entity.role_id
    elif caller.user is not None and not caller.user.is_root:
        principal_type, entity = "user", caller.user
        principal_id = entity.user_id
    else:
        return []
    service, _, name = action.partition(":")
    service = service.lower()
    if not service or not name:
        return []
    now = clock.now()
    names = [""] + ([name] if service in TRACKED_SERVICES else [])
    return [Access(entity.account_id, principal_type, principal_id, entity.path, service, n,
                   caller.region, now) for n in names]


def record(caller: Caller, action: str) -> None:
    """An allowed `action` by `caller`: remembered for this request, or written at once."""
    if not enabled():
        return
    fresh = [a for a in accesses(caller, action) if not _recently_written(a)]
    if not fresh:
        return
    batch = _pending.get()
    if batch is None:
        write(fresh)
        return
    for access in fresh:
        batch[access.key] = access


def _recently_written(access: Access) -> bool:
    last = _written.get(access.key)
    return last is not None and access.at - GRANULARITY < last <= access.at


def write(items: Iterable[Access]) -> None:
    """One conditional UPDATE per (principal, service, region) group; an INSERT (ignoring a row
    another request inserted meanwhile) only when some row did not exist or was left alone."""
    from .models import ServiceLastAccessed

    groups: dict[tuple[str, str, str], list[Access]] = {}
    for access in items:
        groups.setdefault((access.principal_id, access.service, access.region), []).append(access)
    for (principal_id, service, region), group in groups.items():
        now = group[0].at
        stale_before = now - GRANULARITY
        updated = ServiceLastAccessed.everywhere.filter(
            principal_id=principal_id, service=service, action__in=[a.action for a in group],
        ).filter(
            Q(last_authenticated__lt=stale_before) | Q(last_authenticated__gt=now)
            | ~Q(region=region)
        ).update(last_authenticated=now, region=region, entity_path=group[0].entity_path)
        if updated < len(group):
            ServiceLastAccessed.everywhere.bulk_create(
                [ServiceLastAccessed(
                    account_id=a.account_id, principal_type=a.principal_type,
                    principal_id=a.principal_id, entity_path=a.entity_path, service=a.service,
                    action=a.action, last_authenticated=a.at, region=a.region)
                 for a in group],
                ignore_conflicts=True,
            )
        if len(_written) >= _WRITTEN_MAX:
            _written.clear()
        for access in group:
            _written[access.key] = access.at


def flush(batch: dict) -> None:
    if not batch:
        return
    try:
        write(batch.values())
    except DatabaseError:  # bookkeeping never fails a request that was answered
        logger.exception("last accessed information could not be written")


def forget() -> None:
    """Forget what this process wrote (tests that move the clock back)."""
    _written.clear()


class LastAccessedMiddleware:
    """Collects the accesses of one request and writes them once its response is ready."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        batch: dict = {}
        token = _pending.set(batch)
        try:
            return self.get_response(request)
        finally:
            _pending.reset(token)
            flush(batch)

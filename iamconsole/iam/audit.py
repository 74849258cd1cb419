"""The audit log: every change and every security event, with actor, method and values."""

from __future__ import annotations

from typing import Any

from .caller import Caller
from .models import AuditEvent


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

"""Custom services: an account's own services (an internal API, a storage gateway, a job
runner) governed by iamconsole's policies in the IAM policy language.

An administrator registers a service prefix (``billing``) with its actions (and access levels),
resource types (ARN patterns) and condition keys. The policy catalog (iamconsole/policy/catalog)
then knows them for the current account, as it knows AWS's services: the validator, the
editor's autocomplete, the simulator and "who can" see ``billing:GetInvoice``. The decision API
(iam/decisions.py) authorizes requests to them.

The catalog reads the registered services through a provider installed at start-up (apps.py),
cached per account for a second: a change shows in every instance within a second.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from iamconsole.policy import catalog

from . import audit, authz, tenancy
from .caller import Caller
from .errors import EntityAlreadyExists, InvalidInput, NoSuchEntity
from .models import CustomService

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
KEY_TYPES = ("String", "Numeric", "Bool", "Date", "ARN", "IPAddress", "ArrayOfString",
             "ArrayOfARN", "ArrayOfNumeric", "ArrayOfBool")
RESERVED = frozenset({"iam", "sts", "iamconsole", "aws", "organizations"})
_PREFIX = re.compile(r"[a-z][a-z0-9-]{1,63}")
_ACTION = re.compile(r"[A-Za-z][A-Za-z0-9]{0,127}")
_TYPE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,63}")
_KEY = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9/_.-]{1,120}")
MAX_ACTIONS = 500
TTL = 1.0  # seconds a process trusts its copy of an account's services

# iamconsole's own actions, in the catalog so that policies granting them validate.
OWN_ACTIONS = ("PutCustomService", "GetCustomService", "ListCustomServices",
               "DeleteCustomService", "Authorize")
catalog.register_actions("iamconsole", OWN_ACTIONS)


def service_arn(prefix: str, account: str | None = None) -> str:
    return f"arn:aws:iamconsole::{account or tenancy.current()}:service/{prefix}"


# --- input --------------------------------------------------------------------------------

def _bad(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, field=field)


def _clean_actions(prefix: str, actions: Any, type_names: set[str], keys: set[str]) -> list:
    if not isinstance(actions, list) or not actions:
        raise _bad("actions must be a non-empty list", "actions")
    if len(actions) > MAX_ACTIONS:
        raise _bad(f"at most {MAX_ACTIONS} actions", "actions")
    out, seen = [], set()
    for item in actions:
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            raise _bad("each action is a name or an object with a name", "actions")
        name = item.get("name")
        if not isinstance(name, str) or not _ACTION.fullmatch(name):
            raise _bad(f"invalid action name: {str(name)[:64]!r}", "actions")
        if name.lower() in seen:
            raise _bad(f"duplicate action: {name}", "actions")
        seen.add(name.lower())
        level = item.get("access_level", "Read")
        if level not in ACCESS_LEVELS:
            raise _bad(f"access_level must be one of {', '.join(ACCESS_LEVELS)}", "actions")
        rtypes = item.get("resource_types", [])
        akeys = item.get("condition_keys", [])
        if not isinstance(rtypes, list) or any(t not in type_names for t in rtypes):
            raise _bad(f"{name}: resource_types must name declared resource types", "actions")
        if not isinstance(akeys, list) or any(
                not isinstance(k, str) or (k.lower() not in keys and not k.startswith("aws:"))
                for k in akeys):
            raise _bad(f"{name}: condition_keys must name declared condition keys", "actions")
        out.append({"name": name, "access_level": level, "resource_types": rtypes,
                    "condition_keys": akeys})
    return out


def _clean_types(prefix: str, types: Any) -> list:
    if not isinstance(types, list):
        raise _bad("resource_types must be a list", "resource_types")
    out = []
    for item in types:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) \
                or not _TYPE_NAME.fullmatch(item["name"]):
            raise _bad("each resource type has a name", "resource_types")
        arn = item.get("arn")
        if not isinstance(arn, str) or not arn.startswith("arn:") or len(arn) > 2048 \
                or len(arn.split(":", 5)) < 6:
            raise _bad(f"{item['name']}: arn must be an ARN pattern "
                       f"(arn:aws:{prefix}::${{Account}}:...)", "resource_types")
        out.append({"name": item["name"], "arn": arn})
    return out


def _clean_keys(prefix: str, keys: Any) -> list:
    if not isinstance(keys, list):
        raise _bad("condition_keys must be a list", "condition_keys")
    out = []
    for item in keys:
        if isinstance(item, str):
            item = {"name": item}
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not _KEY.fullmatch(name) \
                or name.split(":", 1)[0].lower() != prefix:
            raise _bad(f"condition keys are named {prefix}:Key", "condition_keys")
        typ = item.get("type", "String")
        if typ not in KEY_TYPES:
            raise _bad(f"type must be one of {', '.join(KEY_TYPES)}", "condition_keys")
        out.append({"name": name, "type": typ})
    return out


def _check_prefix(prefix: Any) -> str:
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise _bad("prefix: 2-64 lower-case letters, digits and hyphens", "prefix")
    if prefix in RESERVED:
        raise _bad(f"prefix {prefix} is reserved", "prefix")
    return prefix


# --- operations ----------------------------------------------------------------------------

def put_custom_service(caller: Caller, prefix: str, *, actions: Any, resource_types: Any = (),
                       condition_keys: Any = (), name: str = "",
                       create_only: bool = False) -> CustomService:
    """Register (or replace) the custom service `prefix` in the caller's account."""
    prefix = _check_prefix(prefix)
    authz.check(caller, "iamconsole:PutCustomService", service_arn(prefix))
    types = _clean_types(prefix, list(resource_types or []))
    keys = _clean_keys(prefix, list(condition_keys or []))
    cleaned = _clean_actions(prefix, actions, {t["name"] for t in types},
                             {k["name"].lower() for k in keys})
    if not isinstance(name, str) or len(name) > 256:
        raise _bad("name: at most 256 characters", "name")
    with transaction.atomic():
        service = CustomService.objects.select_for_update().filter(prefix=prefix).first()
        old = None
        if service is not None:
            if create_only:
                raise EntityAlreadyExists(f"Custom service {prefix} already exists.")
            old = describe(service)
        else:
            service = CustomService(prefix=prefix)
        service.name, service.actions = name, cleaned
        service.resource_types, service.condition_keys = types, keys
        service.updated_at = timezone.now()
        service.save()
        audit.record(caller, "PutCustomService", resource_type="custom-service",
                     resource_name=prefix, resource_arn=service_arn(prefix), old=old,
                     new=describe(service))
    forget(service.account_id)
    return service


def get_custom_service(caller: Caller, prefix: str) -> CustomService:
    authz.check(caller, "iamconsole:GetCustomService", service_arn(str(prefix)[:64]))
    service = CustomService.objects.filter(prefix=prefix).first()
    if service is None:
        raise NoSuchEntity(f"The custom service {str(prefix)[:64]} cannot be found.")
    return service


def list_custom_services(caller: Caller) -> list[CustomService]:
    authz.check(caller, "iamconsole:ListCustomServices", service_arn("*"))
    return list(CustomService.objects.all())


def delete_custom_service(caller: Caller, prefix: str) -> None:
    authz.check(caller, "iamconsole:DeleteCustomService", service_arn(str(prefix)[:64]))
    with transaction.atomic():
        service = CustomService.objects.filter(prefix=prefix).first()
        if service is None:
            raise NoSuchEntity(f"The custom service {str(prefix)[:64]} cannot be found.")
        old = describe(service)
        service.delete()
        audit.record(caller, "DeleteCustomService", resource_type="custom-service",
                     resource_name=prefix, resource_arn=service_arn(prefix), old=old)
    forget(tenancy.current())


def describe(service: CustomService) -> dict:
    return {"prefix": service.prefix, "name": service.name, "actions": service.actions,
            "resource_types": service.resource_types, "condition_keys": service.condition_keys,
            "arn": service_arn(service.prefix, service.account_id)}


# --- the catalog's view ----------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, tuple[float, dict[str, dict]]] = {}


def forget(account: str | None = None) -> None:
    with _lock:
        if account is None:
            _cache.clear()
        else:
            _cache.pop(account, None)


def overlay() -> dict[str, dict]:
    """The current account's custom services as the catalog wants them (cached for TTL)."""
    account = tenancy.current()
    now = time.monotonic()
    hit = _cache.get(account)
    if hit is not None and hit[0] > now:
        return hit[1]
    try:
        rows = list(CustomService.everywhere.filter(account_id=account).values_list(
            "prefix", "name", "actions", "condition_keys"))
    except Exception:  # no database (pure-engine use, before migrate): no custom services
        return {}
    data = {prefix: {"name": name,
                     "actions": {a["name"].lower(): a["name"] for a in actions},
                     "condition_keys": {k["name"].lower(): k["type"] for k in keys}}
            for prefix, name, actions, keys in rows}
    with _lock:
        _cache[account] = (now + TTL, data)
    return data


def install() -> None:
    catalog.set_overlay(overlay)

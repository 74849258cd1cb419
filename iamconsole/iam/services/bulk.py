"""Bulk actions over many users (the console's Users list checkboxes).

Each item is the ordinary domain operation (services.groups / users / permissions /
access_keys), so each is its own transaction, its permission is checked by the engine for that
item's resource, and its change (or denial) is audited exactly as a single call would be. One
item failing (AccessDenied, DeleteConflict, NoSuchEntity, a quota) does not undo the others: the
result lists every item with its outcome. The selection is loaded in one query; access keys for
"deactivate" in one more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..caller import Caller
from ..errors import IAMError, ValidationError
from ..models import AccessKey, User
from . import access_keys, groups, permissions, users

MAX_ITEMS = 1000
USER_ACTIONS = ("delete", "add_to_group", "attach_policy", "detach_policy",
                "deactivate_access_keys")


@dataclass(frozen=True)
class ItemResult:
    name: str
    ok: bool
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class BulkResult:
    action: str
    items: list[ItemResult]

    @property
    def succeeded(self) -> list[ItemResult]:
        return [item for item in self.items if item.ok]

    @property
    def failed(self) -> list[ItemResult]:
        return [item for item in self.items if not item.ok]


def _run(name: str, operation: Callable[[], object]) -> ItemResult:
    try:
        operation()
    except IAMError as exc:
        return ItemResult(name, False, exc.code, exc.message)
    return ItemResult(name, True)


def bulk_user_action(caller: Caller, action: str, user_names: list[str], *,
                     group_name: str = "", policy_arn: str = "") -> BulkResult:
    """Run `action` on each named user (in name order, duplicates once). Unknown names are
    reported as NoSuchEntity items."""
    if action not in USER_ACTIONS:
        raise ValidationError(f"Unknown bulk action {action!r}.", field="action")
    names = sorted(set(user_names))
    if not names:
        raise ValidationError("Select at least one user.", field="users")
    if len(names) > MAX_ITEMS:
        raise ValidationError(f"Select at most {MAX_ITEMS} users.", field="users")
    if action == "add_to_group" and not group_name:
        raise ValidationError("Choose a group.", field="group")
    if action in ("attach_policy", "detach_policy") and not policy_arn:
        raise ValidationError("Choose a policy.", field="policy_arn")
    existing = set(User.objects.filter(name__in=names, is_root=False)
                   .values_list("name", flat=True))
    keys: dict[str, list[str]] = {}
    if action == "deactivate_access_keys":
        for user_name, key_id in (AccessKey.objects.filter(user__name__in=existing,
                                                           status=AccessKey.ACTIVE)
                                  .order_by("created_at").values_list("user__name",
                                                                      "access_key_id")):
            keys.setdefault(user_name, []).append(key_id)
    items = []
    for name in names:
        if name not in existing:
            items.append(ItemResult(name, False, "NoSuchEntity",
                                    f"The user with name {name} cannot be found."))
            continue
        if action == "delete":
            items.append(_run(name, lambda n=name: users.delete_user(caller, n)))
        elif action == "add_to_group":
            items.append(_run(name, lambda n=name: groups.add_user_to_group(
                caller, group_name, n)))
        elif action == "attach_policy":
            items.append(_run(name, lambda n=name: permissions.attach_policy(
                caller, "user", n, policy_arn)))
        elif action == "detach_policy":
            items.append(_run(name, lambda n=name: permissions.detach_policy(
                caller, "user", n, policy_arn)))
        else:
            def deactivate(n=name):
                for key_id in keys.get(n, []):
                    access_keys.update_access_key(caller, key_id, AccessKey.INACTIVE, n)
            items.append(_run(name, deactivate))
    return BulkResult(action, items)

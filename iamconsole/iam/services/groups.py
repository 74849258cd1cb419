"""Groups and membership: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser."""

from __future__ import annotations

from django.db.models import QuerySet

from .. import audit, authz, kinds
from ..caller import Caller
from ..errors import LimitExceeded, NoSuchEntity, ValidationError
from ..models import Group, User
from . import _entity
from ._common import (
    MAX_GROUPS_PER_USER,
    operation,
    validate_name,
    validate_path,
)
from .users import find_user

group_arn = kinds.GROUP.arn


def group_summary(group: Group) -> dict:
    return {**_entity.summary(kinds.GROUP, group), "CreateDate": group.created_at.isoformat()}


def find_group(name: str, caller: Caller | None = None, action: str | None = None) -> Group:
    """The group `name` (any case); with `caller` and `action` a missing group is authorized
    first (lookup.authorize_missing): no existence oracle."""
    return _entity.find(kinds.GROUP, Group.objects.all(), name, caller, action)


@operation
def create_group(caller: Caller, group_name: str, *, path: str | None = "/") -> Group:
    validate_name(group_name, "group", "group_name")
    path = validate_path(path)
    _entity.authorize_create(caller, kinds.GROUP, group_arn(group_name, path), {})
    _entity.check_name_free(kinds.GROUP, group_name)
    group = Group.objects.create(name=group_name, path=path)
    audit.record(caller, "iam:CreateGroup", resource_type="group", resource_name=group.name,
                 resource_arn=group.arn, new=group_summary(group))
    return group


def get_group(caller: Caller, group_name: str) -> tuple[Group, QuerySet[User]]:
    """GetGroup: the group and its users."""
    group = find_group(group_name, caller, "iam:GetGroup")
    authz.check(caller, "iam:GetGroup", group.arn)
    return group, group.members.order_by("name")


def list_groups(caller: Caller, *, path_prefix: str | None = "/") -> QuerySet[Group]:
    return _entity.listing(caller, kinds.GROUP, path_prefix).order_by("name")


def list_groups_for_user(caller: Caller, user_name: str) -> QuerySet[Group]:
    user = find_user(user_name, caller, "iam:ListGroupsForUser")
    authz.check(caller, "iam:ListGroupsForUser", user.arn)
    return user.iam_groups.order_by("name")


@operation
def update_group(
    caller: Caller,
    group_name: str,
    *,
    new_group_name: str | None = None,
    new_path: str | None = None,
    revision: int | None = None,
) -> Group:
    group = _entity.edited(kinds.GROUP, group_name, caller, "iam:UpdateGroup", revision)
    return _entity.rename(caller, group, kinds.GROUP, new_group_name, new_path, group_summary)


@operation
def delete_group(caller: Caller, group_name: str) -> None:
    group = find_group(group_name, caller, "iam:DeleteGroup")
    authz.check(caller, "iam:DeleteGroup", group.arn)
    _entity.check_deletable(kinds.GROUP, group)
    old = group_summary(group)
    group.delete()
    audit.record(caller, "iam:DeleteGroup", resource_type="group", resource_name=old["GroupName"],
                 resource_arn=old["Arn"], old=old)


@operation
def add_user_to_group(caller: Caller, group_name: str, user_name: str) -> None:
    group = find_group(group_name, caller, "iam:AddUserToGroup")
    authz.check(caller, "iam:AddUserToGroup", group.arn)
    # The user's row lock serializes its membership changes: the membership read below is
    # the committed one, so of parallel additions one adds (and is audited), the others see it.
    user = find_user(user_name, for_update=True)
    if group.members.filter(pk=user.pk).exists():
        return  # AWS: adding an existing member succeeds and changes nothing
    if user.iam_groups.count() >= MAX_GROUPS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for GroupsPerUser: {MAX_GROUPS_PER_USER}.")
    group.members.add(user)
    audit.record(caller, "iam:AddUserToGroup", resource_type="group", resource_name=group.name,
                 resource_arn=group.arn, new={"UserName": user.name})


@operation
def add_users_to_group(caller: Caller, group_name: str, user_names: list[str]) -> list[str]:
    """AddUserToGroup for each of `user_names`, in one change: all are added or, if one is
    refused, none; each is authorized and audited as itself. The names added, once each."""
    names = list(dict.fromkeys(name for name in user_names if name))
    if not names:
        raise ValidationError("Choose at least one user.", field="user_name")
    for user_name in names:
        add_user_to_group(caller, group_name, user_name)
    return names


@operation
def remove_user_from_group(caller: Caller, group_name: str, user_name: str) -> None:
    group = find_group(group_name, caller, "iam:RemoveUserFromGroup")
    authz.check(caller, "iam:RemoveUserFromGroup", group.arn)
    user = find_user(user_name, for_update=True)  # as in add_user_to_group: one removes
    if not group.members.filter(pk=user.pk).exists():
        raise NoSuchEntity(f"The user {user.name} is not a member of the group {group.name}.")
    group.members.remove(user)
    audit.record(caller, "iam:RemoveUserFromGroup", resource_type="group",
                 resource_name=group.name, resource_arn=group.arn, old={"UserName": user.name})

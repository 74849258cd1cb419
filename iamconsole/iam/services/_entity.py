"""Operations that work the same on several kinds of entity: tags and permissions boundaries.

`kind` is the AWS noun in the action name: "User", "Role", "Policy".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import audit, authz
from ..caller import Caller
from ..errors import EntityAlreadyExists, InvalidInput, NoSuchEntity
from ._common import (
    bump,
    merge_tags,
    normalize_tags,
    remove_tags,
    tag_context,
    validate_name,
    validate_path,
)
from .lookup import referenced_policy


def rename(
    caller: Caller, entity: Any, kind: str, new_name: str | None, new_path: str | None,
    summary: Callable[[Any], dict],
) -> Any:
    """UpdateUser / UpdateGroup: a new name and/or path, authorized on the old and the new ARN."""
    noun = kind.lower()
    field = f"new_{noun}_name"
    name = validate_name(new_name, noun, field) if new_name else entity.name
    path = validate_path(new_path, "new_path") if new_path else entity.path
    action = f"iam:Update{kind}"
    authz.check(caller, action, entity.arn)
    old = summary(entity)
    taken = type(entity).objects.filter(name__ci=name).exclude(pk=entity.pk).exists()
    entity.name, entity.path = name, path
    authz.check(caller, action, entity.arn)
    if taken:
        raise EntityAlreadyExists(f"{kind} with name {name} already exists.", field=field)
    bump(entity, "name", "path")
    audit.record(caller, action, resource_type=noun, resource_name=entity.name,
                 resource_arn=entity.arn, old=old, new=summary(entity))
    return entity


def tag(caller: Caller, entity: Any, kind: str, tags) -> Any:
    new = normalize_tags(tags)
    if not new:
        raise InvalidInput("At least one tag is required.", field="tags")
    action = f"iam:Tag{kind}"
    authz.check(caller, action, entity.arn, tag_context(new))
    old = dict(entity.tags)
    entity.tags = merge_tags(entity.tags, new)
    bump(entity, "tags")
    audit.record(caller, action, resource_type=kind.lower(), resource_name=entity.name,
                 resource_arn=entity.arn, old=old, new=dict(entity.tags))
    return entity


def untag(caller: Caller, entity: Any, kind: str, tag_keys: list[str]) -> Any:
    action = f"iam:Untag{kind}"
    authz.check(caller, action, entity.arn, {"aws:TagKeys": list(tag_keys)})
    old = dict(entity.tags)
    entity.tags = remove_tags(entity.tags, tag_keys)
    bump(entity, "tags")
    audit.record(caller, action, resource_type=kind.lower(), resource_name=entity.name,
                 resource_arn=entity.arn, old=old, new=dict(entity.tags))
    return entity


def list_tags(caller: Caller, entity: Any, kind: str) -> dict[str, str]:
    authz.check(caller, f"iam:List{kind}Tags", entity.arn)
    return dict(entity.tags)


def put_boundary(caller: Caller, entity: Any, kind: str, policy_arn: str) -> Any:
    action = f"iam:Put{kind}PermissionsBoundary"
    boundary = referenced_policy(caller, action, entity.arn, "iam:PermissionsBoundary",
                                 policy_arn)
    authz.check(caller, action, entity.arn, {"iam:PermissionsBoundary": boundary.arn})
    old = entity.permissions_boundary.arn if entity.permissions_boundary_id else None
    entity.permissions_boundary = boundary
    bump(entity, "permissions_boundary")
    audit.record(caller, action, resource_type=kind.lower(), resource_name=entity.name,
                 resource_arn=entity.arn, old={"PermissionsBoundary": old},
                 new={"PermissionsBoundary": boundary.arn})
    return entity


def delete_boundary(caller: Caller, entity: Any, kind: str) -> Any:
    old = entity.permissions_boundary
    action = f"iam:Delete{kind}PermissionsBoundary"
    authz.check(caller, action, entity.arn, {"iam:PermissionsBoundary": old.arn} if old else None)
    if old is None:
        raise NoSuchEntity(f"The {kind.lower()} {entity.name} has no permissions boundary.")
    entity.permissions_boundary = None
    bump(entity, "permissions_boundary")
    audit.record(caller, action, resource_type=kind.lower(), resource_name=entity.name,
                 resource_arn=entity.arn, old={"PermissionsBoundary": old.arn},
                 new={"PermissionsBoundary": None})
    return entity

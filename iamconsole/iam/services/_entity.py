"""Operations that work the same on several kinds of entity, driven by the kind registry
(`iam.kinds`): finding one by name, its audit summary, renaming, what blocks its deletion, tags
and permissions boundaries. `tag_operations` and `boundary_operations` make a kind's AWS-named
operations (`tag_user`, `list_role_tags`, `put_user_permissions_boundary`...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from .. import audit, authz
from ..caller import Caller
from ..errors import DeleteConflict, EntityAlreadyExists, InvalidInput, NoSuchEntity
from ..kinds import Kind
from ._common import (
    bump,
    check_revision,
    merge_tags,
    normalize_tags,
    operation,
    remove_tags,
    tag_context,
    under_path,
    validate_name,
    validate_path,
    validate_path_prefix,
)
from .lookup import authorize_missing, referenced_policy

# find(name, caller, action): the entity, or NoSuchEntity once the missing one is authorized.
Finder = Callable[[str, Caller, str], Any]


def missing(kind: Kind, name: str, caller: Caller | None, action: str | None) -> NoSuchEntity:
    """The NoSuchEntity for a name that finds nothing, after authorizing the caller on the
    name's ARN (lookup.authorize_missing: no existence oracle)."""
    authorize_missing(caller, action, kind.arn(name))
    return NoSuchEntity(f"The {kind.key} with name {name} cannot be found.")


def find(kind: Kind, queryset: QuerySet, name: str, caller: Caller | None,
         action: str | None) -> Any:
    """The entity of `queryset` named `name` (any case), else `missing`."""
    try:
        return queryset.get(name__ci=name)
    except ObjectDoesNotExist:
        raise missing(kind, name, caller, action) from None


def summary(kind: Kind, entity: Any) -> dict:
    """The fields each kind's audit summary begins with: {noun}Name, Path, {noun}Id, Arn."""
    return {kind.name_parameter: entity.name, "Path": entity.path,
            f"{kind.noun}Id": getattr(entity, kind.id_field), "Arn": entity.arn}


def listing(caller: Caller, kind: Kind, path_prefix: str | None, **filters: Any) -> QuerySet:
    """List{noun}s: the kind's entities under `path_prefix` (and `filters`), authorized on the
    ARN pattern of the prefix (`user/eng/*`; a prefix not ending in / on `user/*`)."""
    prefix = validate_path_prefix(path_prefix)
    authz.check(caller, kind.action("List{noun}s"),
                kind.arn("*", prefix if prefix.endswith("/") else "/"))
    return kind.model.objects.filter(under_path(prefix), **filters)


def boundary_arn(entity: Any) -> str | None:
    return entity.permissions_boundary.arn if entity.permissions_boundary_id else None


def authorize_create(caller: Caller, kind: Kind, arn: str, tags: dict[str, str],
                     permissions_boundary: str | None = None) -> Any:
    """Create{noun}, and Tag{noun} when the request carries tags, authorized on `arn` with the
    request's tag keys and, for a kind with a boundary, iam:PermissionsBoundary. Returns the
    boundary policy named (None without one; a missing one is told only after authorizing the
    request with the ARN asked for)."""
    action = kind.action("Create{noun}")
    boundary = referenced_policy(caller, action, arn, "iam:PermissionsBoundary",
                                 permissions_boundary) if permissions_boundary else None
    context = {"iam:PermissionsBoundary": boundary.arn if boundary else None} \
        if kind.has_boundary else {}
    context.update(tag_context(tags) if tags else {})
    authz.check(caller, action, arn, context or None)
    if tags:
        authz.check(caller, kind.action("Tag{noun}"), arn, context)
    return boundary


def check_name_free(kind: Kind, name: str) -> None:
    """EntityAlreadyExists when an entity of `kind` has `name` (ignoring case)."""
    if kind.model.objects.filter(name__ci=name).exists():
        raise EntityAlreadyExists(f"{kind.noun} with name {name} already exists.",
                                  field=f"{kind.key}_name")


def edited(kind: Kind, name: str, caller: Caller, action: str, revision: int | None) -> Any:
    """The entity an update changes: found (a missing one authorized for `action` first) and
    unchanged since the caller read `revision` (ConcurrentModification otherwise)."""
    entity = kind.find(name, caller, action)
    check_revision(entity, revision)
    return entity


def check_deletable(kind: Kind, entity: Any) -> None:
    """AWS's DeleteConflict while anything of `kind.delete_blockers` is left."""
    blockers = kind.deletion_blockers(entity)
    if blockers:
        raise DeleteConflict(f"Cannot delete entity, must remove {', '.join(blockers)} first.")


def rename(
    caller: Caller, entity: Any, kind: Kind, new_name: str | None, new_path: str | None,
    summary: Callable[[Any], dict],
) -> Any:
    """UpdateUser / UpdateGroup: a new name and/or path, authorized on the old and the new ARN."""
    field = f"new_{kind.key}_name"
    name = validate_name(new_name, kind.key, field) if new_name else entity.name
    path = validate_path(new_path, "new_path") if new_path else entity.path
    action = kind.action("Update{noun}")
    authz.check(caller, action, entity.arn)
    old = summary(entity)
    taken = type(entity).objects.filter(name__ci=name).exclude(pk=entity.pk).exists()
    entity.name, entity.path = name, path
    authz.check(caller, action, entity.arn)
    if taken:
        raise EntityAlreadyExists(f"{kind.noun} with name {name} already exists.", field=field)
    bump(entity, "name", "path")
    audit.record(caller, action, resource_type=kind.key, resource_name=entity.name,
                 resource_arn=entity.arn, old=old, new=summary(entity))
    return entity


def _set_tags(caller: Caller, entity: Any, kind: Kind, action: str, tags: dict) -> Any:
    old = dict(entity.tags)
    entity.tags = tags
    if hasattr(entity, "revision"):
        bump(entity, "tags")
    else:  # an MFA device: no stale-edit revision
        entity.save(update_fields=["tags"])
    audit.record(caller, action, resource_type=kind.key, resource_name=entity.name,
                 resource_arn=entity.arn, old=old, new=dict(entity.tags))
    return entity


def tag(caller: Caller, entity: Any, kind: Kind, tags) -> Any:
    new = normalize_tags(tags)
    if not new:
        raise InvalidInput("At least one tag is required.", field="tags")
    action = kind.action("Tag{noun}")
    authz.check(caller, action, entity.arn, tag_context(new))
    return _set_tags(caller, entity, kind, action, merge_tags(entity.tags, new))


def untag(caller: Caller, entity: Any, kind: Kind, tag_keys: list[str]) -> Any:
    action = kind.action("Untag{noun}")
    authz.check(caller, action, entity.arn, {"aws:TagKeys": list(tag_keys)})
    return _set_tags(caller, entity, kind, action, remove_tags(entity.tags, tag_keys))


def list_tags(caller: Caller, entity: Any, kind: Kind) -> dict[str, str]:
    authz.check(caller, kind.action("List{noun}Tags"), entity.arn)
    return dict(entity.tags)


def put_boundary(caller: Caller, entity: Any, kind: Kind, policy_arn: str,
                 check: Callable[[Any], None] | None = None) -> Any:
    action = kind.action("Put{noun}PermissionsBoundary")
    boundary = referenced_policy(caller, action, entity.arn, "iam:PermissionsBoundary",
                                 policy_arn)
    authz.check(caller, action, entity.arn, {"iam:PermissionsBoundary": boundary.arn})
    if check is not None:
        check(entity)
    old = boundary_arn(entity)
    entity.permissions_boundary = boundary
    bump(entity, "permissions_boundary")
    audit.record(caller, action, resource_type=kind.key, resource_name=entity.name,
                 resource_arn=entity.arn, old={"PermissionsBoundary": old},
                 new={"PermissionsBoundary": boundary.arn})
    return entity


def delete_boundary(caller: Caller, entity: Any, kind: Kind,
                    check: Callable[[Any], None] | None = None) -> Any:
    old = entity.permissions_boundary
    action = kind.action("Delete{noun}PermissionsBoundary")
    authz.check(caller, action, entity.arn, {"iam:PermissionsBoundary": old.arn} if old else None)
    if check is not None:
        check(entity)
    if old is None:
        raise NoSuchEntity(f"The {kind.key} {entity.name} has no permissions boundary.")
    entity.permissions_boundary = None
    bump(entity, "permissions_boundary")
    audit.record(caller, action, resource_type=kind.key, resource_name=entity.name,
                 resource_arn=entity.arn, old={"PermissionsBoundary": old.arn},
                 new={"PermissionsBoundary": None})
    return entity


def _named(kind: Kind, template: str, func: Callable, doc: str) -> Callable:
    func.__name__ = func.__qualname__ = kind.op_name(template)
    func.__doc__ = doc.format(action=kind.action(template), kind=kind.key)
    return func


def tag_operations(kind: Kind, find: Finder, check: Callable[[Any], None] | None = None
                   ) -> tuple[Callable, Callable, Callable]:
    """`kind`'s Tag{noun}, Untag{noun} and List{noun}Tags: (caller, name, tags | tag_keys),
    (caller, name); `find` reads the name (a policy's: its ARN), `check` may refuse the entity
    (an AWS managed policy) before tags change."""

    def entity(caller: Caller, name: str, template: str) -> Any:
        found = find(name, caller, kind.action(template))
        if check is not None and template != "List{noun}Tags":
            check(found)
        return found

    def tag_op(caller: Caller, name: str, tags) -> Any:
        return tag(caller, entity(caller, name, "Tag{noun}"), kind, tags)

    def untag_op(caller: Caller, name: str, tag_keys: list[str]) -> Any:
        return untag(caller, entity(caller, name, "Untag{noun}"), kind, tag_keys)

    def list_op(caller: Caller, name: str) -> dict[str, str]:
        return list_tags(caller, entity(caller, name, "List{noun}Tags"), kind)

    return (operation(_named(kind, "Tag{noun}", tag_op, "{action}: add or replace tags.")),
            operation(_named(kind, "Untag{noun}", untag_op, "{action}: remove tag keys.")),
            _named(kind, "List{noun}Tags", list_op, "{action}: the {kind}'s tags."))


def boundary_operations(kind: Kind, find: Finder, check: Callable[[Any], None] | None = None
                        ) -> tuple[Callable, Callable]:
    """`kind`'s Put{noun}PermissionsBoundary (caller, name, policy_arn) and
    Delete{noun}PermissionsBoundary (caller, name); `check` may refuse the entity (a
    service-linked role) once the request is authorized."""

    def put_op(caller: Caller, name: str, policy_arn: str) -> Any:
        found = find(name, caller, kind.action("Put{noun}PermissionsBoundary"))
        return put_boundary(caller, found, kind, policy_arn, check)

    def delete_op(caller: Caller, name: str) -> Any:
        found = find(name, caller, kind.action("Delete{noun}PermissionsBoundary"))
        return delete_boundary(caller, found, kind, check)

    return (operation(_named(kind, "Put{noun}PermissionsBoundary", put_op,
                             "{action}: set the {kind}'s permissions boundary.")),
            operation(_named(kind, "Delete{noun}PermissionsBoundary", delete_op,
                             "{action}: remove the {kind}'s permissions boundary.")))

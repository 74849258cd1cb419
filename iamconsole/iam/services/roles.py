"""Roles: CreateRole, GetRole, ListRoles, UpdateRole, UpdateAssumeRolePolicy, DeleteRole, tags,
permissions boundary."""

from __future__ import annotations

from django.db.models import QuerySet

from .. import audit, authz, kinds
from ..caller import Caller
from ..errors import InvalidInput, UnmodifiableEntity, ValidationError
from ..models import Role
from . import _entity
from ._common import (
    TRUST_POLICY_MAX_CHARS,
    bump,
    check_description,
    check_policy_document,
    normalize_tags,
    operation,
    validate_name,
    validate_path,
)
from .principals import bind_principals, unbind_deleted_principal

MIN_SESSION_DURATION, MAX_SESSION_DURATION = 3600, 43200
SERVICE_ROLE_PATH = "/aws-service-role/"  # service-linked roles only (CreateServiceLinkedRole)


role_arn = kinds.ROLE.arn


def role_summary(role: Role) -> dict:
    return {
        **_entity.summary(kinds.ROLE, role), "CreateDate": role.created_at.isoformat(),
        "Description": role.description, "MaxSessionDuration": role.max_session_duration,
        "AssumeRolePolicyDocument": role.assume_role_policy_document,
        "PermissionsBoundary": _entity.boundary_arn(role), "Tags": dict(role.tags),
    }


def find_role(name: str, caller: Caller | None = None, action: str | None = None) -> Role:
    """The role `name` (any case); with `caller` and `action` a missing role is authorized
    first (lookup.authorize_missing): no existence oracle."""
    return _entity.find(kinds.ROLE, Role.objects.select_related("permissions_boundary"), name,
                        caller, action)


def check_modifiable(role: Role) -> None:
    """A service-linked role belongs to its service: AWS's UnmodifiableEntity for any change but
    its description (and its deletion through DeleteServiceLinkedRole)."""
    if role.is_service_linked:
        raise UnmodifiableEntity(f"Cannot perform the operation on the protected role "
                                 f"'{role.name}' - this role is only modifiable by AWS")


def _check_duration(value) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise ValidationError("MaxSessionDuration must be a number of seconds.",
                              field="max_session_duration") from None
    if not MIN_SESSION_DURATION <= seconds <= MAX_SESSION_DURATION:
        raise ValidationError(
            f"The requested MaxSessionDuration {seconds} is invalid: it must be between "
            f"{MIN_SESSION_DURATION} and {MAX_SESSION_DURATION} seconds.",
            field="max_session_duration",
        )
    return seconds



@operation
def create_role(
    caller: Caller,
    role_name: str,
    assume_role_policy_document,
    *,
    path: str | None = "/",
    description: str | None = "",
    max_session_duration: int | None = None,
    permissions_boundary: str | None = None,
    tags=None,
) -> Role:
    validate_name(role_name, "role", "role_name")
    path = validate_path(path)
    if path.startswith(SERVICE_ROLE_PATH):
        raise InvalidInput(f"Path prefix '{SERVICE_ROLE_PATH}' can only be used for AWS Service "
                           "linked Roles", field="path")
    document = check_policy_document(
        assume_role_policy_document, kind="trust", max_chars=TRUST_POLICY_MAX_CHARS,
        field="assume_role_policy_document",
    )
    duration = _check_duration(max_session_duration or MIN_SESSION_DURATION)
    tag_map = normalize_tags(tags)
    arn = role_arn(role_name, path)
    boundary = _entity.authorize_create(caller, kinds.ROLE, arn, tag_map, permissions_boundary)
    # After authorization: which users and roles exist is not for every caller to learn.
    document = bind_principals(document, field="assume_role_policy_document")
    _entity.check_name_free(kinds.ROLE, role_name)
    role = Role.objects.create(
        name=role_name, path=path, assume_role_policy_document=document,
        description=check_description(description), max_session_duration=duration,
        permissions_boundary=boundary, tags=tag_map,
    )
    audit.record(caller, "iam:CreateRole", resource_type="role", resource_name=role.name,
                 resource_arn=role.arn, new=role_summary(role))
    return role


def get_role(caller: Caller, role_name: str) -> Role:
    role = find_role(role_name, caller, "iam:GetRole")
    authz.check(caller, "iam:GetRole", role.arn)
    return role


def list_roles(caller: Caller, *, path_prefix: str | None = "/") -> QuerySet[Role]:
    return (_entity.listing(caller, kinds.ROLE, path_prefix)
            .select_related("permissions_boundary").order_by("name"))


@operation
def update_role(
    caller: Caller,
    role_name: str,
    *,
    description: str | None = None,
    max_session_duration: int | None = None,
    revision: int | None = None,
) -> Role:
    role = _entity.edited(kinds.ROLE, role_name, caller, "iam:UpdateRole", revision)
    authz.check(caller, "iam:UpdateRole", role.arn)
    if max_session_duration is not None:
        check_modifiable(role)  # a service-linked role's description may change, nothing else
    old = role_summary(role)
    if description is not None:
        role.description = check_description(description)
    if max_session_duration is not None:
        role.max_session_duration = _check_duration(max_session_duration)
    bump(role, "description", "max_session_duration")
    audit.record(caller, "iam:UpdateRole", resource_type="role", resource_name=role.name,
                 resource_arn=role.arn, old=old, new=role_summary(role))
    return role


@operation
def update_assume_role_policy(
    caller: Caller, role_name: str, policy_document, *, revision: int | None = None
) -> Role:
    role = _entity.edited(kinds.ROLE, role_name, caller, "iam:UpdateAssumeRolePolicy", revision)
    document = check_policy_document(policy_document, kind="trust",
                                     max_chars=TRUST_POLICY_MAX_CHARS)
    authz.check(caller, "iam:UpdateAssumeRolePolicy", role.arn)
    check_modifiable(role)
    document = bind_principals(document)
    old = role.assume_role_policy_document
    role.assume_role_policy_document = document
    bump(role, "assume_role_policy_document")
    audit.record(caller, "iam:UpdateAssumeRolePolicy", resource_type="role",
                 resource_name=role.name, resource_arn=role.arn,
                 old={"AssumeRolePolicyDocument": old},
                 new={"AssumeRolePolicyDocument": document})
    return role


@operation
def delete_role(caller: Caller, role_name: str) -> None:
    role = find_role(role_name, caller, "iam:DeleteRole")
    authz.check(caller, "iam:DeleteRole", role.arn)
    check_modifiable(role)
    _entity.check_deletable(kinds.ROLE, role)
    old = role_summary(role)
    unbind_deleted_principal(caller, role)
    role.delete()
    audit.record(caller, "iam:DeleteRole", resource_type="role", resource_name=old["RoleName"],
                 resource_arn=old["Arn"], old=old)


tag_role, untag_role, list_role_tags = _entity.tag_operations(kinds.ROLE, find_role)
put_role_permissions_boundary, delete_role_permissions_boundary = \
    _entity.boundary_operations(kinds.ROLE, find_role, check_modifiable)

"""Users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, tags, permissions boundary."""

from __future__ import annotations

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, OuterRef, Q, QuerySet

from .. import audit, authz, kinds, rows
from ..caller import Caller
from ..errors import (
    ValidationError,
)
from ..models import User, VirtualMFADevice
from . import _entity
from ._common import (
    normalize_tags,
    operation,
    validate_name,
    validate_path,
)
from .principals import rebind_renamed_principal, unbind_deleted_principal

user_arn = kinds.USER.arn


def user_summary(user: User) -> dict:
    return {**_entity.summary(kinds.USER, user), "CreateDate": user.created_at.isoformat(),
            "PermissionsBoundary": _entity.boundary_arn(user), "Tags": dict(user.tags)}


def find_user(name: str, caller: Caller | None = None, action: str | None = None, *,
              for_update: bool = False) -> User:
    """The IAM user `name` (any case). With `caller` and `action` a missing user is authorized
    first (lookup.authorize_missing): no existence oracle. `for_update` locks the row."""
    # The name's case-insensitive unique index answers LOWER(name) = LOWER(%s).
    where = 'LOWER("name") = LOWER(%s) AND NOT "is_root"'
    if for_update:
        user = User.objects.select_for_update().filter(name__ci=name, is_root=False).first()
    else:
        user = rows.one(User, where, [name])
    if user is None:
        raise _entity.missing(kinds.USER, name, caller, action)
    return user


@operation
def create_user(
    caller: Caller,
    user_name: str,
    *,
    path: str | None = "/",
    permissions_boundary: str | None = None,
    tags=None,
) -> User:
    validate_name(user_name, "user", "user_name")
    path = validate_path(path)
    tag_map = normalize_tags(tags)
    boundary = _entity.authorize_create(caller, kinds.USER, user_arn(user_name, path), tag_map,
                                        permissions_boundary)
    _entity.check_name_free(kinds.USER, user_name)
    user = User(name=user_name, path=path, permissions_boundary=boundary, tags=tag_map)
    user.set_unusable_password()
    user.save()
    audit.record(caller, "iam:CreateUser", resource_type="user", resource_name=user.name,
                 resource_arn=user.arn, new=user_summary(user))
    return user


def get_user(caller: Caller, user_name: str | None = None) -> User:
    """GetUser; without a name, the calling user, root included (as AWS does: target_user)."""
    user = target_user(caller, user_name, "iam:GetUser", allow_root=True)
    authz.check(caller, "iam:GetUser", user.arn)
    return user


def with_console_password() -> Q:
    """Users who can sign in to the console with a password (a login profile)."""
    return ~Q(password__startswith=UNUSABLE_PASSWORD_PREFIX) & ~Q(password="")


def console_users_without_mfa(qs: QuerySet[User]) -> QuerySet[User]:
    """Of `qs`, the users with a console password and no MFA device (one query: a correlated
    EXISTS per row, whatever the number of rows)."""
    return qs.filter(with_console_password()).exclude(
        Exists(VirtualMFADevice.objects.filter(user=OuterRef("pk"))))


def list_users(caller: Caller, *, path_prefix: str | None = "/",
               console_without_mfa: bool = False) -> QuerySet[User]:
    """ListUsers; `console_without_mfa`: only the console users without an MFA device (the
    console's "Users without MFA", the credential report's finding)."""
    qs = (_entity.listing(caller, kinds.USER, path_prefix, is_root=False)
          .select_related("permissions_boundary").order_by("name"))
    return console_users_without_mfa(qs) if console_without_mfa else qs


@operation
def update_user(
    caller: Caller,
    user_name: str,
    *,
    new_user_name: str | None = None,
    new_path: str | None = None,
    revision: int | None = None,
) -> User:
    user = _entity.edited(kinds.USER, user_name, caller, "iam:UpdateUser", revision)
    old_name, old_path = user.name, user.path
    user = _entity.rename(caller, user, kinds.USER, new_user_name, new_path, user_summary)
    rebind_renamed_principal(caller, user, old_name, old_path)
    return user


@operation
def delete_user(caller: Caller, user_name: str) -> None:
    # Locked: of parallel deletions one deletes, the others then find no user (NoSuchEntity).
    user = find_user(user_name, caller, "iam:DeleteUser", for_update=True)
    authz.check(caller, "iam:DeleteUser", user.arn)
    _entity.check_deletable(kinds.USER, user)
    old = user_summary(user)
    unbind_deleted_principal(caller, user)
    user.sts_credentials.all().delete()
    user.password_history.all().delete()
    user.delete()
    audit.record(caller, "iam:DeleteUser", resource_type="user", resource_name=old["UserName"],
                 resource_arn=old["Arn"], old=old)


tag_user, untag_user, list_user_tags = _entity.tag_operations(kinds.USER, find_user)
put_user_permissions_boundary, delete_user_permissions_boundary = \
    _entity.boundary_operations(kinds.USER, find_user)


def target_user(caller: Caller, user_name: str | None, action: str | None = None, *,
                allow_root: bool = False, **find) -> User:
    """The user an operation with an optional UserName is about. AWS: an omitted UserName
    means the calling IAM user, with long-term user credentials only (a role session has no
    user: ValidationError). `allow_root`: the account's root user may mean itself (GetUser).
    A named user that does not exist is authorized for `action` first (no existence oracle)."""
    if user_name:
        return find_user(user_name, caller, action, **find)
    user = caller.user
    # An AssumeRoot session is the root user acting on its own credentials (AWS: "the
    # password for the specified IAM user or root user").
    allow_root = allow_root or caller.task_policy_arn is not None
    if user is None or caller.role is not None or (user.is_root and not allow_root):
        raise ValidationError("Must specify userName when calling with non-User credentials",
                              field="user_name")
    return user

"""Access keys: CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys,
GetAccessKeyLastUsed. The secret is returned once, at creation, and stored encrypted.

Without a UserName the four key operations act on the caller's own keys, the root user's
included: AWS "works for access keys under the Amazon Web Services account. Consequently, you
can use this operation to manage Amazon Web Services account root user credentials" (the
console warns while the root user has an active key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet

from .. import audit, authz, clock, crypto
from .. import identifiers as ids
from ..caller import Caller
from ..errors import LimitExceeded, NoSuchEntity, ValidationError
from ..models import AccessKey, User
from ._common import MAX_ACCESS_KEYS, operation
from .users import target_user


@dataclass
class NewAccessKey:
    access_key: AccessKey
    secret_access_key: str  # shown once, never stored in clear


@operation
def create_access_key(caller: Caller, user_name: str | None = None) -> NewAccessKey:
    user = target_user(caller, user_name, "iam:CreateAccessKey", allow_root=True)
    authz.check(caller, "iam:CreateAccessKey", user.arn)
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialize the quota check
    if user.access_keys.count() >= MAX_ACCESS_KEYS:
        raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS}")
    secret = ids.new_secret_access_key()
    key = AccessKey.objects.create(
        access_key_id=ids.new_access_key_id("AKIA"), user=user,
        secret_encrypted=crypto.encrypt(secret), created_at=clock.now(),
    )
    audit.record(caller, "iam:CreateAccessKey", resource_type="user", resource_name=user.name,
                 resource_arn=user.arn, new={"AccessKeyId": key.access_key_id,
                                             "Status": key.status})
    return NewAccessKey(key, secret)


def _find_key(user: User, access_key_id: str, *, for_update: bool = False) -> AccessKey:
    keys = user.access_keys.filter(access_key_id=access_key_id)
    key = (keys.select_for_update() if for_update else keys).first()
    if key is None:
        raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
    return key


@operation
def update_access_key(
    caller: Caller, access_key_id: str, status: str, user_name: str | None = None
) -> AccessKey:
    if status not in (AccessKey.ACTIVE, AccessKey.INACTIVE):
        raise ValidationError(f"Value '{status}' at 'status' failed to satisfy constraint: Member "
                              "must satisfy enum value set: [Active, Inactive]", field="status")
    user = target_user(caller, user_name, "iam:UpdateAccessKey", allow_root=True)
    authz.check(caller, "iam:UpdateAccessKey", user.arn)
    key = _find_key(user, access_key_id)
    old = key.status
    key.status = status
    key.save(update_fields=["status"])
    audit.record(caller, "iam:UpdateAccessKey", resource_type="user", resource_name=user.name,
                 resource_arn=user.arn, old={"AccessKeyId": key.access_key_id, "Status": old},
                 new={"AccessKeyId": key.access_key_id, "Status": status})
    return key


@operation
def delete_access_key(caller: Caller, access_key_id: str, user_name: str | None = None) -> None:
    user = target_user(caller, user_name, "iam:DeleteAccessKey", allow_root=True)
    authz.check(caller, "iam:DeleteAccessKey", user.arn)
    # Locked: of parallel deletions one deletes, the others then find no key (NoSuchEntity).
    key = _find_key(user, access_key_id, for_update=True)
    key.delete()
    audit.record(caller, "iam:DeleteAccessKey", resource_type="user", resource_name=user.name,
                 resource_arn=user.arn, old={"AccessKeyId": access_key_id})


def list_access_keys(caller: Caller, user_name: str | None = None) -> QuerySet[AccessKey]:
    user = target_user(caller, user_name, "iam:ListAccessKeys", allow_root=True)
    authz.check(caller, "iam:ListAccessKeys", user.arn)
    return user.access_keys.order_by("created_at")


def get_access_key_last_used(caller: Caller, access_key_id: str) -> AccessKey:
    key = AccessKey.objects.select_related("user").filter(
        access_key_id=access_key_id, user__account_id=ids.account_id()).first()
    if key is None:
        raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
    authz.check(caller, "iam:GetAccessKeyLastUsed", key.user.arn)
    return key


LAST_USED_GRANULARITY = timedelta(minutes=1)


def record_access_key_use(key: AccessKey | str, service: str, region: str) -> None:
    """Last-used bookkeeping after a successful authentication, at most once a minute per key
    while service and region stay the same (AWS itself reports last use with a delay of up to
    hours): one conditional atomic UPDATE, safe under concurrent requests on several instances,
    and none at all when the key row just loaded shows a recent identical use."""
    now = clock.now()
    stale_before = now - LAST_USED_GRANULARITY
    if isinstance(key, AccessKey):
        if (key.last_used_at is not None and stale_before < key.last_used_at <= now
                and key.last_used_service == service and key.last_used_region == region):
            return
        access_key_id = key.access_key_id
    else:
        access_key_id = key
    AccessKey.objects.filter(access_key_id=access_key_id).filter(
        Q(last_used_at=None) | Q(last_used_at__lt=stale_before) | Q(last_used_at__gt=now)
        | ~Q(last_used_service=service) | ~Q(last_used_region=region)
    ).update(last_used_at=now, last_used_service=service, last_used_region=region)
    if isinstance(key, AccessKey):  # the row is now this recent (a row kept for reuse, authn)
        key.last_used_at, key.last_used_service, key.last_used_region = now, service, region


def get_user_access_key_last_used(caller: Caller, user_name: str,
                                  access_key_id: str) -> AccessKey:
    """GetAccessKeyLastUsed of a key named under its user (`/users/<name>/access-keys/<id>/`):
    a key that exists but belongs to another user is answered as an unknown key."""
    key = get_access_key_last_used(caller, access_key_id)
    if key.user.name.lower() != user_name.lower():
        raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
    return key

"""Instance profiles: CreateInstanceProfile, GetInstanceProfile, ListInstanceProfiles,
DeleteInstanceProfile, AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile,
ListInstanceProfilesForRole and the instance profile's tags.

An instance profile holds at most one role (AWS's quota InstanceSessionsPerInstanceProfile);
a role in an instance profile cannot be deleted, nor a profile that still holds a role.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from .. import audit, authz, kinds
from ..caller import Caller
from ..errors import LimitExceeded, NoSuchEntity
from ..models import InstanceProfile, Role
from . import _entity
from ._common import bump, normalize_tags, operation, validate_name, validate_path
from .lookup import authorize_missing
from .roles import check_modifiable, find_role

KIND = kinds.INSTANCE_PROFILE
MAX_ROLES_PER_INSTANCE_PROFILE = 1


def instance_profile_summary(profile: InstanceProfile) -> dict:
    return {**_entity.summary(KIND, profile), "CreateDate": profile.created_at.isoformat(),
            "Roles": [role.name for role in profile.roles.all()], "Tags": dict(profile.tags)}


def find_instance_profile(name: str, caller: Caller | None = None,
                          action: str | None = None) -> InstanceProfile:
    """The instance profile `name` (any case); with `caller` and `action` a missing one is
    authorized first (lookup.authorize_missing): no existence oracle."""
    try:
        return InstanceProfile.objects.prefetch_related("roles").get(name__ci=name)
    except ObjectDoesNotExist:
        authorize_missing(caller, action, KIND.arn(name))
        raise NoSuchEntity(f"Instance Profile {name} cannot be found.") from None


@operation
def create_instance_profile(caller: Caller, instance_profile_name: str, *,
                            path: str | None = "/", tags=None) -> InstanceProfile:
    validate_name(instance_profile_name, KIND.key, "instance_profile_name")
    path = validate_path(path)
    tag_map = normalize_tags(tags)
    _entity.authorize_create(caller, KIND, KIND.arn(instance_profile_name, path), tag_map)
    _entity.check_name_free(KIND, instance_profile_name)
    profile = InstanceProfile.objects.create(name=instance_profile_name, path=path, tags=tag_map)
    audit.record(caller, "iam:CreateInstanceProfile", resource_type=KIND.key,
                 resource_name=profile.name, resource_arn=profile.arn,
                 new=instance_profile_summary(profile))
    return profile


def get_instance_profile(caller: Caller, instance_profile_name: str) -> InstanceProfile:
    profile = find_instance_profile(instance_profile_name, caller, "iam:GetInstanceProfile")
    authz.check(caller, "iam:GetInstanceProfile", profile.arn)
    return profile


def list_instance_profiles(caller: Caller, *, path_prefix: str | None = "/"
                           ) -> QuerySet[InstanceProfile]:
    return _entity.listing(caller, KIND, path_prefix).prefetch_related("roles").order_by("name")


def list_instance_profiles_for_role(caller: Caller, role_name: str) -> QuerySet[InstanceProfile]:
    role = find_role(role_name, caller, "iam:ListInstanceProfilesForRole")
    authz.check(caller, "iam:ListInstanceProfilesForRole", role.arn)
    return role.instance_profiles.prefetch_related("roles").order_by("name")


@operation
def delete_instance_profile(caller: Caller, instance_profile_name: str) -> None:
    profile = find_instance_profile(instance_profile_name, caller, "iam:DeleteInstanceProfile")
    authz.check(caller, "iam:DeleteInstanceProfile", profile.arn)
    _entity.check_deletable(KIND, profile)
    old = instance_profile_summary(profile)
    profile.delete()
    audit.record(caller, "iam:DeleteInstanceProfile", resource_type=KIND.key,
                 resource_name=old["InstanceProfileName"], resource_arn=old["Arn"], old=old)


def _membership(caller: Caller, action: str, instance_profile_name: str,
                role_name: str) -> tuple[InstanceProfile, Role]:
    """The profile (locked) and the role of Add/RemoveRoleToInstanceProfile, authorized on the
    profile; a missing role is told only after that."""
    profile = find_instance_profile(instance_profile_name, caller, action)
    authz.check(caller, action, profile.arn)
    role = find_role(role_name)  # NoSuchEntity once the request is authorized
    InstanceProfile.objects.select_for_update().filter(pk=profile.pk).first()
    return profile, role


@operation
def add_role_to_instance_profile(caller: Caller, instance_profile_name: str,
                                 role_name: str) -> InstanceProfile:
    """AddRoleToInstanceProfile: the caller must also be allowed iam:PassRole on the role."""
    action = "iam:AddRoleToInstanceProfile"
    profile, role = _membership(caller, action, instance_profile_name, role_name)
    authz.check(caller, "iam:PassRole", role.arn)
    check_modifiable(role)
    if profile.roles.count() >= MAX_ROLES_PER_INSTANCE_PROFILE:
        raise LimitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: "
                            f"{MAX_ROLES_PER_INSTANCE_PROFILE}")
    profile.roles.add(role)
    bump(profile)
    audit.record(caller, action, resource_type=KIND.key, resource_name=profile.name,
                 resource_arn=profile.arn, new={"RoleName": role.name, "RoleArn": role.arn})
    return profile


@operation
def remove_role_from_instance_profile(caller: Caller, instance_profile_name: str,
                                      role_name: str) -> InstanceProfile:
    action = "iam:RemoveRoleFromInstanceProfile"
    profile, role = _membership(caller, action, instance_profile_name, role_name)
    if not profile.roles.filter(pk=role.pk).exists():
        raise NoSuchEntity(f"The role with name {role.name} cannot be found in instance "
                           f"profile {profile.name}.")
    profile.roles.remove(role)
    bump(profile)
    audit.record(caller, action, resource_type=KIND.key, resource_name=profile.name,
                 resource_arn=profile.arn, old={"RoleName": role.name, "RoleArn": role.arn})
    return profile


tag_instance_profile, untag_instance_profile, list_instance_profile_tags = \
    _entity.tag_operations(KIND, find_instance_profile)

"""Model objects → the dicts botocore's IAM/STS output shapes describe (keys as boto3 returns
them). Shared by every action handler so each shape is written once; `protocol.serialize_result`
turns them into XML (and refuses unknown keys, so a typo here fails loudly in the tests).

Optional members are None when absent: the serializer leaves them out, as AWS does.
"""

from __future__ import annotations

from typing import Any

from iamconsole.iam import services as iam
from iamconsole.iam.models import (
    AccessKey,
    AccountPasswordPolicy,
    Group,
    ManagedPolicy,
    PolicyVersion,
    Role,
    User,
    VirtualMFADevice,
)
from iamconsole.iam.sts import SessionCredentials


def tags(entity: Any) -> list[dict[str, str]] | None:
    return entity.tag_list or None


def tag_list(mapping: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in mapping.items()]


def boundary(entity: User | Role) -> dict[str, str] | None:
    if entity.permissions_boundary_id is None:
        return None
    return {"PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": entity.permissions_boundary.arn}


def user_shape(user: User, *, full: bool = True) -> dict[str, Any]:
    """AWS's User. ListUsers / GetGroup leave out PermissionsBoundary and Tags (full=False)."""
    return {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.user_id,
        "Arn": user.arn,
        "CreateDate": user.created_at,
        "PasswordLastUsed": user.password_last_used,
        "PermissionsBoundary": boundary(user) if full else None,
        "Tags": tags(user) if full else None,
    }


def group_shape(group: Group) -> dict[str, Any]:
    return {"Path": group.path, "GroupName": group.name, "GroupId": group.group_id,
            "Arn": group.arn, "CreateDate": group.created_at}


def role_last_used(role: Role) -> dict[str, Any]:
    return {"LastUsedDate": role.last_used_at, "Region": role.last_used_region or None}


def role_shape(role: Role, *, full: bool = True) -> dict[str, Any]:
    """AWS's Role. ListRoles leaves out PermissionsBoundary, Tags and RoleLastUsed."""
    return {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.role_id,
        "Arn": role.arn,
        "CreateDate": role.created_at,
        "AssumeRolePolicyDocument": role.assume_role_policy_document,
        "Description": role.description or None,
        "MaxSessionDuration": role.max_session_duration,
        "PermissionsBoundary": boundary(role) if full else None,
        "Tags": tags(role) if full else None,
        "RoleLastUsed": role_last_used(role) if full else None,
    }


def _default_version_id(policy: ManagedPolicy) -> str:
    for version in policy.versions.all():  # uses a prefetch when there is one
        if version.is_default:
            return version.version_id
    return iam.default_version(policy).version_id


def policy_shape(policy: ManagedPolicy, *, with_tags: bool = True) -> dict[str, Any]:
    return {
        "PolicyName": policy.name,
        "PolicyId": policy.policy_id,
        "Arn": policy.arn,
        "Path": policy.path,
        "DefaultVersionId": _default_version_id(policy),
        "AttachmentCount": iam.attachment_count(policy),
        "PermissionsBoundaryUsageCount": iam.boundary_usage_count(policy),
        "IsAttachable": True,
        "Description": policy.description or None,
        "CreateDate": policy.created_at,
        "UpdateDate": policy.updated_at,
        "Tags": tags(policy) if with_tags else None,
    }


def version_shape(version: PolicyVersion, *, document: bool = True) -> dict[str, Any]:
    return {
        "Document": version.document if document else None,
        "VersionId": version.version_id,
        "IsDefaultVersion": version.is_default,
        "CreateDate": version.created_at,
    }


def attached_shape(policy: ManagedPolicy) -> dict[str, str]:
    return {"PolicyName": policy.name, "PolicyArn": policy.arn}


def access_key_shape(key: AccessKey, user_name: str) -> dict[str, Any]:
    return {"UserName": user_name, "AccessKeyId": key.access_key_id, "Status": key.status,
            "CreateDate": key.created_at}


def login_profile_shape(user: User) -> dict[str, Any]:
    return {
        "UserName": user.name,
        "CreateDate": user.login_profile_created_at or user.password_changed_at
        or user.created_at,
        "PasswordResetRequired": user.password_reset_required,
    }


def password_policy_shape(policy: AccountPasswordPolicy) -> dict[str, Any]:
    return iam.policy_dict(policy)


def mfa_device_shape(device: VirtualMFADevice) -> dict[str, Any]:
    return {"UserName": device.user.name, "SerialNumber": device.serial_number,
            "EnableDate": device.enabled_at}


def virtual_mfa_shape(
    device: VirtualMFADevice, *, seed: str | None = None, qr_png: bytes | None = None
) -> dict[str, Any]:
    return {
        "SerialNumber": device.serial_number,
        "Base32StringSeed": seed.encode("ascii") if seed else None,
        "QRCodePNG": qr_png,
        "User": user_shape(device.user, full=False) if device.user_id else None,
        "EnableDate": device.enabled_at,
        "Tags": tags(device),
    }


def inline_document_shape(kind: str, owner: str, inline: Any) -> dict[str, str]:
    """Get{User,Group,Role}Policy: {UserName|GroupName|RoleName, PolicyName, PolicyDocument}."""
    return {f"{kind.capitalize()}Name": owner, "PolicyName": inline.name,
            "PolicyDocument": inline.document}


# GetAccountAuthorizationDetails ----------------------------------------------------------------


def _inline_details(entity: Any) -> list[dict[str, str]]:
    return [{"PolicyName": p.name, "PolicyDocument": p.document}
            for p in entity.inline_policies.all()]


def _attached_details(entity: Any) -> list[dict[str, str]]:
    return [attached_shape(a.policy) for a in entity.policy_attachments.all()]


def user_detail_shape(user: User) -> dict[str, Any]:
    return {
        "Path": user.path, "UserName": user.name, "UserId": user.user_id, "Arn": user.arn,
        "CreateDate": user.created_at,
        "UserPolicyList": _inline_details(user),
        "GroupList": [g.name for g in user.iam_groups.all()],
        "AttachedManagedPolicies": _attached_details(user),
        "PermissionsBoundary": boundary(user),
        "Tags": tags(user),
    }


def group_detail_shape(group: Group) -> dict[str, Any]:
    return {
        **group_shape(group),
        "GroupPolicyList": _inline_details(group),
        "AttachedManagedPolicies": _attached_details(group),
    }


def role_detail_shape(role: Role) -> dict[str, Any]:
    return {
        "Path": role.path, "RoleName": role.name, "RoleId": role.role_id, "Arn": role.arn,
        "CreateDate": role.created_at,
        "AssumeRolePolicyDocument": role.assume_role_policy_document,
        "InstanceProfileList": [],
        "RolePolicyList": _inline_details(role),
        "AttachedManagedPolicies": _attached_details(role),
        "PermissionsBoundary": boundary(role),
        "Tags": tags(role),
        "RoleLastUsed": role_last_used(role),
    }


def policy_detail_shape(policy: ManagedPolicy) -> dict[str, Any]:
    shape = policy_shape(policy, with_tags=False)
    del shape["Tags"]
    shape["PolicyVersionList"] = [version_shape(v) for v in
                                  sorted(policy.versions.all(), key=lambda v: -v.number)]
    return shape


# STS ----------------------------------------------------------------------------------------------


def credentials_shape(issued: SessionCredentials) -> dict[str, Any]:
    return {
        "AccessKeyId": issued.access_key_id,
        "SecretAccessKey": issued.secret_access_key,
        "SessionToken": issued.session_token,
        "Expiration": issued.expiration,
    }

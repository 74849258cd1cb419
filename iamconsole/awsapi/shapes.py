"""The domain's entities → the dicts botocore's IAM/STS output shapes describe (keys as boto3
returns them). Shared by every action handler so each shape is written once;
`protocol.serialize_result` turns them into XML (and refuses unknown keys, so a typo here fails
loudly in the tests).

Optional members are None when absent: the serializer leaves them out, as AWS does.
"""

from __future__ import annotations

from typing import Any

from iamconsole.iam import kinds
from iamconsole.iam import services as iam
from iamconsole.iam.kinds import Kind
from iamconsole.iam.sts import SessionCredentials

# The domain's entities (users, roles, policies, access keys...) are read by attribute only:
# no door imports iam.models.
Entity = Any


def tags(entity: Entity) -> list[dict[str, str]] | None:
    return entity.tag_list or None


def tag_list(mapping: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in mapping.items()]


def boundary(entity: Entity) -> dict[str, str] | None:
    if entity.permissions_boundary_id is None:
        return None
    return {"PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": entity.permissions_boundary.arn}


def entity_shape(kind: Kind, entity: Entity, *, full: bool = True) -> dict[str, Any]:
    """The members AWS's User, Group and Role (and their *Detail) share: Path, {noun}Name,
    {noun}Id, Arn, CreateDate, and with `full` the PermissionsBoundary and Tags of a kind that
    has them (lists leave them out: full=False)."""
    shape = {
        "Path": entity.path,
        f"{kind.noun}Name": entity.name,
        f"{kind.noun}Id": getattr(entity, kind.id_field),
        "Arn": entity.arn,
        "CreateDate": entity.created_at,
    }
    if kind.has_boundary:
        shape["PermissionsBoundary"] = boundary(entity) if full else None
    if kind.has_tags:
        shape["Tags"] = tags(entity) if full else None
    return shape


def user_shape(user: Entity, *, full: bool = True) -> dict[str, Any]:
    """AWS's User. ListUsers / GetGroup leave out PermissionsBoundary and Tags (full=False)."""
    return {**entity_shape(kinds.USER, user, full=full),
            "PasswordLastUsed": user.password_last_used}


def group_shape(group: Entity, *, full: bool = True) -> dict[str, Any]:
    return entity_shape(kinds.GROUP, group, full=full)


def role_last_used(role: Entity) -> dict[str, Any]:
    return {"LastUsedDate": role.last_used_at, "Region": role.last_used_region or None}


def role_shape(role: Entity, *, full: bool = True) -> dict[str, Any]:
    """AWS's Role. ListRoles leaves out PermissionsBoundary, Tags and RoleLastUsed."""
    return {
        **entity_shape(kinds.ROLE, role, full=full),
        "AssumeRolePolicyDocument": role.assume_role_policy_document,
        "Description": role.description or None,
        "MaxSessionDuration": role.max_session_duration,
        "RoleLastUsed": role_last_used(role) if full else None,
    }


def instance_profile_shape(profile: Entity, *, full: bool = True) -> dict[str, Any]:
    """AWS's InstanceProfile with its Roles (each an AWS Role as ListRoles gives it); lists
    leave out its Tags (full=False)."""
    return {**entity_shape(kinds.INSTANCE_PROFILE, profile, full=full),
            "Roles": [role_shape(role, full=False) for role in profile.roles.all()]}


def saml_provider_entry(provider: Entity) -> dict[str, Any]:
    """AWS's SAMLProviderListEntry (what ListSAMLProviders gives)."""
    return {"Arn": provider.arn, "ValidUntil": provider.valid_until,
            "CreateDate": provider.created_at}


def saml_provider_shape(provider: Entity) -> dict[str, Any]:
    """GetSAMLProviderResponse: the metadata document, dates, tags and the private keys' ids
    (never the keys)."""
    return {"SAMLProviderUUID": provider.saml_provider_uuid,
            "SAMLMetadataDocument": provider.metadata_document,
            "CreateDate": provider.created_at, "ValidUntil": provider.valid_until,
            "Tags": tags(provider),
            "AssertionEncryptionMode": provider.assertion_encryption_mode or None,
            "PrivateKeyList": iam.saml_private_key_list(provider)}


def server_certificate_metadata(certificate: Entity) -> dict[str, Any]:
    """AWS's ServerCertificateMetadata (what ListServerCertificates gives)."""
    return {
        "Path": certificate.path,
        "ServerCertificateName": certificate.name,
        "ServerCertificateId": certificate.server_certificate_id,
        "Arn": certificate.arn,
        "UploadDate": certificate.created_at,
        "Expiration": certificate.expiration,
    }


def open_id_connect_provider_shape(provider: Entity) -> dict[str, Any]:
    """AWS's GetOpenIDConnectProviderResponse."""
    return {"Url": provider.name, "ClientIDList": list(provider.client_ids),
            "ThumbprintList": list(provider.thumbprints), "CreateDate": provider.created_at,
            "Tags": tags(provider)}


def server_certificate_shape(certificate: Entity) -> dict[str, Any]:
    """AWS's ServerCertificate: the metadata, the PEM body and chain, the tags; never the
    private key."""
    return {
        "ServerCertificateMetadata": server_certificate_metadata(certificate),
        "CertificateBody": certificate.certificate_body,
        "CertificateChain": certificate.certificate_chain or None,
        "Tags": tags(certificate),
    }


_IDENTITY_SHAPES = {"user": user_shape, "group": group_shape, "role": role_shape}


def identity_shape(kind: Kind, entity: Entity, *, full: bool = True) -> dict[str, Any]:
    """AWS's User, Group or Role of an entity of `kind`."""
    return _IDENTITY_SHAPES[kind.key](entity, full=full)


def policy_entity_shape(kind: Kind, entity: Entity) -> dict[str, str]:
    """ListEntitiesForPolicy's PolicyUser / PolicyGroup / PolicyRole."""
    return {f"{kind.noun}Name": entity.name, f"{kind.noun}Id": getattr(entity, kind.id_field)}


def _default_version_id(policy: Entity) -> str:
    for version in policy.versions.all():  # uses a prefetch when there is one
        if version.is_default:
            return version.version_id
    return iam.default_version(policy).version_id


def policy_shape(policy: Entity, *, with_tags: bool = True,
                 with_description: bool = True) -> dict[str, Any]:
    """AWS's Policy. Its Description is answered by GetPolicy only (the model: "not included
    in the response to the ListPolicies operation"; CreatePolicy leaves it out too), and an
    empty Tags is left out."""
    return {
        "PolicyName": policy.name,
        "PolicyId": policy.policy_id,
        "Arn": policy.arn,
        "Path": policy.path,
        "DefaultVersionId": _default_version_id(policy),
        "AttachmentCount": iam.attachment_count(policy),
        "PermissionsBoundaryUsageCount": iam.boundary_usage_count(policy),
        "IsAttachable": True,
        "Description": (policy.description or None) if with_description else None,
        "CreateDate": policy.created_at,
        "UpdateDate": policy.updated_at,
        "Tags": tags(policy) if with_tags else None,
    }


def version_shape(version: Entity, *, document: bool = True) -> dict[str, Any]:
    return {
        "Document": version.document if document else None,
        "VersionId": version.version_id,
        "IsDefaultVersion": version.is_default,
        "CreateDate": version.created_at,
    }


def attached_shape(policy: Entity) -> dict[str, str]:
    return {"PolicyName": policy.name, "PolicyArn": policy.arn}


def access_key_shape(key: Entity, user_name: str) -> dict[str, Any]:
    return {"UserName": user_name, "AccessKeyId": key.access_key_id, "Status": key.status,
            "CreateDate": key.created_at}


def ssh_public_key_shape(key: Entity, body: str | None = None) -> dict[str, Any]:
    """SSHPublicKey (with `body`: Upload/Get) or SSHPublicKeyMetadata (List)."""
    shape = {"UserName": key.user.name, "SSHPublicKeyId": key.ssh_public_key_id,
             "Status": key.status, "UploadDate": key.uploaded_at}
    if body is not None:
        shape.update(Fingerprint=key.fingerprint, SSHPublicKeyBody=body)
    return shape


def signing_certificate_shape(certificate: Entity) -> dict[str, Any]:
    return {"UserName": certificate.user.name, "CertificateId": certificate.certificate_id,
            "CertificateBody": certificate.body, "Status": certificate.status,
            "UploadDate": certificate.uploaded_at}


def service_credential_shape(credential: Entity, secret: str | None = None) -> dict[str, Any]:
    """ServiceSpecificCredentialMetadata (List), or with the `secret` just created or reset
    ServiceSpecificCredential: user name + password for CodeCommit and Keyspaces, alias +
    secret for API keys."""
    shape = {
        "UserName": credential.user.name,
        "Status": iam.credential_status(credential),
        "ServiceUserName": credential.service_user_name or None,
        "ServiceCredentialAlias": credential.alias or None,
        "CreateDate": credential.created_at,
        "ExpirationDate": credential.expires_at,
        "ServiceSpecificCredentialId": credential.credential_id,
        "ServiceName": credential.service_name,
    }
    if secret is not None:
        password_service = credential.service_name in iam.PASSWORD_SERVICES
        shape["ServicePassword" if password_service else "ServiceCredentialSecret"] = secret
    return shape


def login_profile_shape(user: Entity) -> dict[str, Any]:
    return {
        "UserName": user.name,
        "CreateDate": user.login_profile_created_at or user.password_changed_at
        or user.created_at,
        "PasswordResetRequired": user.password_reset_required,
    }


def password_policy_shape(policy: Entity) -> dict[str, Any]:
    return iam.policy_dict(policy)


def mfa_device_shape(device: Entity) -> dict[str, Any]:
    return {"UserName": device.user.name, "SerialNumber": device.serial_number,
            "EnableDate": device.enabled_at}


def virtual_mfa_shape(
    device: Entity, *, seed: str | None = None, qr_png: bytes | None = None
) -> dict[str, Any]:
    return {
        "SerialNumber": device.serial_number,
        "Base32StringSeed": seed.encode("ascii") if seed else None,
        "QRCodePNG": qr_png,
        "User": user_shape(device.user, full=False) if device.user_id else None,
        "EnableDate": device.enabled_at,
        "Tags": tags(device),
    }


def inline_document_shape(kind: Kind, inline: Entity) -> dict[str, str]:
    """Get{User,Group,Role}Policy: {UserName|GroupName|RoleName, PolicyName, PolicyDocument},
    the owner's name as stored."""
    return {kind.name_parameter: getattr(inline, kind.owner_field).name,
            "PolicyName": inline.name, "PolicyDocument": inline.document}


# GetAccountAuthorizationDetails ----------------------------------------------------------------


def _detail_shape(kind: Kind, entity: Entity) -> dict[str, Any]:
    """The members of UserDetail / GroupDetail / RoleDetail that follow from the kind: the
    common ones, {noun}PolicyList (inline) and AttachedManagedPolicies."""
    return {
        **entity_shape(kind, entity),
        f"{kind.noun}PolicyList": [{"PolicyName": p.name, "PolicyDocument": p.document}
                                   for p in entity.inline_policies.all()],
        "AttachedManagedPolicies": [attached_shape(a.policy)
                                    for a in entity.policy_attachments.all()],
    }


def user_detail_shape(user: Entity) -> dict[str, Any]:
    return {**_detail_shape(kinds.USER, user),
            "GroupList": [g.name for g in user.iam_groups.all()]}


def group_detail_shape(group: Entity) -> dict[str, Any]:
    return _detail_shape(kinds.GROUP, group)


def role_detail_shape(role: Entity) -> dict[str, Any]:
    return {
        **_detail_shape(kinds.ROLE, role),
        "AssumeRolePolicyDocument": role.assume_role_policy_document,
        "InstanceProfileList": [instance_profile_shape(profile)
                                for profile in role.instance_profiles.all()],
        "RoleLastUsed": role_last_used(role),
    }


def policy_detail_shape(policy: Entity) -> dict[str, Any]:
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

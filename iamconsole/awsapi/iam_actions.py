"""IAM Query API actions: {OperationName: handler(caller, params) -> result dict | None}.

Each handler calls ONE domain operation (`iamconsole.iam.services`, `.simulation`, `.reports`)
and shapes its result with `shapes`; params are exactly what the boto3 caller passed (parsed and
validated against botocore's model by `protocol.parse_request`). Operations of the model that
are not in ACTIONS answer InvalidAction (see views).

The operations every kind has in the same form (`Tag{noun}`, `Delete{noun}`, `Attach{noun}Policy`,
...) are registered once per kind of the registry (`iam.kinds`) by `per_kind`; only what really
differs per kind (CreateUser vs CreateRole, GetGroup with its members...) is written out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

from iamconsole.iam import kinds, reports, simulation
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import InvalidInput
from iamconsole.iam.kinds import Kind

from . import shapes
from .pagination import page, paginate

Handler = Callable[[Caller, dict[str, Any]], dict[str, Any] | None]
ACTIONS: dict[str, Handler] = {}


def action(*names: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for name in names:
            ACTIONS[name] = func
        return func

    return register


def per_kind(template: str, feature: str | None = None, *,
             of: Iterable[Kind] | None = None) -> Callable:
    """Registers `func(kind, caller, params)` as AWS's operation `template` of each kind: those
    of `of`, else the kinds (with `feature`: "tags", "boundary") whose domain has the operation
    (Kind.has_op). per_kind("Tag{noun}", "tags") -> TagUser, TagRole, TagPolicy."""
    if of is None:
        of = [kind for kind in (kinds.with_(feature) if feature else kinds.KINDS.values())
              if kind.has_op(template)]
    chosen = list(of)

    def register(func: Callable[..., dict[str, Any] | None]) -> Callable:
        for kind in chosen:
            ACTIONS[template.format(noun=kind.noun)] = functools.partial(func, kind)
        return func

    return register


def _named(kind: Kind, p: dict[str, Any]) -> str:
    """The request's reference to the entity: its name (UserName...) or its ARN (PolicyArn)."""
    return p[kind.ref_parameter]


def _tags_result(params: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    return paginate(params, shapes.tag_list(mapping), "Tags", lambda t: t)


# Every kind: deletion, tags, permissions boundary ----------------------------------------------


@per_kind("Delete{noun}")
def delete_entity(kind, caller, p):
    kind.op("Delete{noun}")(caller, _named(kind, p))


@per_kind("Tag{noun}", "tags")
def tag_entity(kind, caller, p):
    kind.op("Tag{noun}")(caller, _named(kind, p), p["Tags"])


@per_kind("Untag{noun}", "tags")
def untag_entity(kind, caller, p):
    kind.op("Untag{noun}")(caller, _named(kind, p), p["TagKeys"])


@per_kind("List{noun}Tags", "tags")
def list_entity_tags(kind, caller, p):
    return _tags_result(p, kind.op("List{noun}Tags")(caller, _named(kind, p)))


@per_kind("Put{noun}PermissionsBoundary", "boundary")
def put_permissions_boundary(kind, caller, p):
    kind.op("Put{noun}PermissionsBoundary")(caller, _named(kind, p), p["PermissionsBoundary"])


@per_kind("Delete{noun}PermissionsBoundary", "boundary")
def delete_permissions_boundary(kind, caller, p):
    kind.op("Delete{noun}PermissionsBoundary")(caller, _named(kind, p))


# Operations that pass their parameters to one domain operation and answer nothing -----------


def _passing(domain_operation: Callable[..., Any], *params: str) -> Handler:
    """A handler calling `domain_operation(caller, *params)`, None for an omitted optional
    parameter (parse_request has refused a request without a required one)."""

    def handler(caller, p):
        domain_operation(caller, *(p.get(name) for name in params))

    return handler


ACTIONS.update({
    "AddUserToGroup": _passing(iam.add_user_to_group, "GroupName", "UserName"),
    "RemoveUserFromGroup": _passing(iam.remove_user_from_group, "GroupName", "UserName"),
    "UpdateAssumeRolePolicy": _passing(iam.update_assume_role_policy, "RoleName",
                                       "PolicyDocument"),
    "DeletePolicyVersion": _passing(iam.delete_policy_version, "PolicyArn", "VersionId"),
    "SetDefaultPolicyVersion": _passing(iam.set_default_policy_version, "PolicyArn",
                                        "VersionId"),
    "UpdateAccessKey": _passing(iam.update_access_key, "AccessKeyId", "Status", "UserName"),
    "DeleteAccessKey": _passing(iam.delete_access_key, "AccessKeyId", "UserName"),
    "UpdateSSHPublicKey": _passing(iam.update_ssh_public_key, "UserName", "SSHPublicKeyId",
                                   "Status"),
    "DeleteSSHPublicKey": _passing(iam.delete_ssh_public_key, "UserName", "SSHPublicKeyId"),
    "UpdateSigningCertificate": _passing(iam.update_signing_certificate, "UserName",
                                         "CertificateId", "Status"),
    "DeleteSigningCertificate": _passing(iam.delete_signing_certificate, "UserName",
                                         "CertificateId"),
    "UpdateServiceSpecificCredential": _passing(iam.update_service_specific_credential,
                                                "UserName", "ServiceSpecificCredentialId",
                                                "Status"),
    "DeleteServiceSpecificCredential": _passing(iam.delete_service_specific_credential,
                                                "UserName", "ServiceSpecificCredentialId"),
    "DeleteLoginProfile": _passing(iam.delete_login_profile, "UserName"),
    "ChangePassword": _passing(iam.change_password, "OldPassword", "NewPassword"),
    "EnableMFADevice": _passing(iam.enable_mfa_device, "UserName", "SerialNumber",
                                "AuthenticationCode1", "AuthenticationCode2"),
    "ResyncMFADevice": _passing(iam.resync_mfa_device, "UserName", "SerialNumber",
                                "AuthenticationCode1", "AuthenticationCode2"),
    "DeactivateMFADevice": _passing(iam.deactivate_mfa_device, "UserName", "SerialNumber"),
    "DeleteVirtualMFADevice": _passing(iam.delete_virtual_mfa_device, "SerialNumber"),
    "CreateAccountAlias": _passing(iam.create_account_alias, "AccountAlias"),
    "DeleteAccountAlias": _passing(iam.delete_account_alias, "AccountAlias"),
    "DeleteAccountPasswordPolicy": _passing(iam.delete_account_password_policy),
    "AddRoleToInstanceProfile": _passing(iam.add_role_to_instance_profile,
                                         "InstanceProfileName", "RoleName"),
    "RemoveRoleFromInstanceProfile": _passing(iam.remove_role_from_instance_profile,
                                              "InstanceProfileName", "RoleName"),
    "SetSecurityTokenServicePreferences": _passing(iam.set_security_token_service_preferences,
                                                   "GlobalEndpointTokenVersion"),
    "PutAccountProperties": _passing(iam.put_account_properties, "Properties"),
})


# Users, groups and roles: listing, renaming ---------------------------------------------------


@per_kind("List{noun}s", of=kinds.IDENTITIES.values())
def list_identities(kind, caller, p):
    """ListUsers, ListGroups, ListRoles: the list shapes leave out boundary, tags, last use."""
    entities = kind.op("List{noun}s")(caller, path_prefix=p.get("PathPrefix"))
    return paginate(p, entities, f"{kind.noun}s",
                    lambda entity: shapes.identity_shape(kind, entity, full=False))


@per_kind("Update{noun}", of=(kinds.USER, kinds.GROUP))
def rename_identity(kind, caller, p):
    """UpdateUser, UpdateGroup: a new name and path (UpdateRole changes other things)."""
    kind.op("Update{noun}")(caller, _named(kind, p), new_path=p.get("NewPath"),
                            **{f"new_{kind.key}_name": p.get(f"New{kind.noun}Name")})


# Users -------------------------------------------------------------------------------------------


@action("CreateUser")
def create_user(caller, p):
    user = iam.create_user(caller, p["UserName"], path=p.get("Path"),
                           permissions_boundary=p.get("PermissionsBoundary"), tags=p.get("Tags"))
    return {"User": shapes.user_shape(user)}


@action("GetUser")
def get_user(caller, p):
    return {"User": shapes.user_shape(iam.get_user(caller, p.get("UserName")))}


# Groups ------------------------------------------------------------------------------------------


@action("CreateGroup")
def create_group(caller, p):
    return {"Group": shapes.group_shape(iam.create_group(caller, p["GroupName"],
                                                         path=p.get("Path")))}


@action("GetGroup")
def get_group(caller, p):
    group, members = iam.get_group(caller, p["GroupName"])
    return {"Group": shapes.group_shape(group),
            **paginate(p, members, "Users", lambda u: shapes.user_shape(u, full=False))}


@action("ListGroupsForUser")
def list_groups_for_user(caller, p):
    groups = iam.list_groups_for_user(caller, p["UserName"])
    return paginate(p, groups, "Groups", shapes.group_shape)


# Roles -------------------------------------------------------------------------------------------


@action("CreateRole")
def create_role(caller, p):
    role = iam.create_role(
        caller, p["RoleName"], p["AssumeRolePolicyDocument"], path=p.get("Path"),
        description=p.get("Description"), max_session_duration=p.get("MaxSessionDuration"),
        permissions_boundary=p.get("PermissionsBoundary"), tags=p.get("Tags"),
    )
    return {"Role": shapes.role_shape(role)}


@action("GetRole")
def get_role(caller, p):
    return {"Role": shapes.role_shape(iam.get_role(caller, p["RoleName"]))}


@action("UpdateRole")
def update_role(caller, p):
    iam.update_role(caller, p["RoleName"], description=p.get("Description"),
                    max_session_duration=p.get("MaxSessionDuration"))


@action("UpdateRoleDescription")
def update_role_description(caller, p):
    role = iam.update_role(caller, p["RoleName"], description=p["Description"])
    return {"Role": shapes.role_shape(role)}


@action("CreateServiceLinkedRole")
def create_service_linked_role(caller, p):
    role = iam.create_service_linked_role(caller, p["AWSServiceName"],
                                          description=p.get("Description"),
                                          custom_suffix=p.get("CustomSuffix"))
    return {"Role": shapes.role_shape(role)}


@action("DeleteServiceLinkedRole")
def delete_service_linked_role(caller, p):
    return {"DeletionTaskId": iam.delete_service_linked_role(caller, p["RoleName"])}


@action("GetServiceLinkedRoleDeletionStatus")
def get_service_linked_role_deletion_status(caller, p):
    task = iam.get_service_linked_role_deletion_status(caller, p["DeletionTaskId"])
    reason = {"Reason": task.reason} if task.reason else None
    return {"Status": task.status, "Reason": reason}


# Instance profiles (Delete, Tag, Untag and ListInstanceProfileTags: per_kind above) ----------


@action("CreateInstanceProfile")
def create_instance_profile(caller, p):
    profile = iam.create_instance_profile(caller, p["InstanceProfileName"], path=p.get("Path"),
                                          tags=p.get("Tags"))
    return {"InstanceProfile": shapes.instance_profile_shape(profile)}


@action("GetInstanceProfile")
def get_instance_profile(caller, p):
    profile = iam.get_instance_profile(caller, p["InstanceProfileName"])
    return {"InstanceProfile": shapes.instance_profile_shape(profile)}


@action("ListInstanceProfiles")
def list_instance_profiles(caller, p):
    profiles = iam.list_instance_profiles(caller, path_prefix=p.get("PathPrefix"))
    return paginate(p, profiles, "InstanceProfiles",
                    lambda profile: shapes.instance_profile_shape(profile, full=False))


@action("ListInstanceProfilesForRole")
def list_instance_profiles_for_role(caller, p):
    profiles = iam.list_instance_profiles_for_role(caller, p["RoleName"])
    return paginate(p, profiles, "InstanceProfiles",
                    lambda profile: shapes.instance_profile_shape(profile, full=False))


# Server certificates (Delete, Tag, Untag and ListServerCertificateTags: per_kind above; the
# private key is never answered) ------------------------------------------------------------


@action("UploadServerCertificate")
def upload_server_certificate(caller, p):
    certificate = iam.upload_server_certificate(
        caller, p["ServerCertificateName"], p["CertificateBody"], p["PrivateKey"],
        certificate_chain=p.get("CertificateChain"), path=p.get("Path"), tags=p.get("Tags"))
    return {"ServerCertificateMetadata": shapes.server_certificate_metadata(certificate),
            "Tags": shapes.tags(certificate)}


@action("GetServerCertificate")
def get_server_certificate(caller, p):
    certificate = iam.get_server_certificate(caller, p["ServerCertificateName"])
    return {"ServerCertificate": shapes.server_certificate_shape(certificate)}


@action("ListServerCertificates")
def list_server_certificates(caller, p):
    certificates = iam.list_server_certificates(caller, path_prefix=p.get("PathPrefix"))
    return paginate(p, certificates, "ServerCertificateMetadataList",
                    shapes.server_certificate_metadata)


@action("UpdateServerCertificate")
def update_server_certificate(caller, p):
    iam.update_server_certificate(caller, p["ServerCertificateName"],
                                  new_server_certificate_name=p.get("NewServerCertificateName"),
                                  new_path=p.get("NewPath"))


# OIDC providers (Delete, Tag, Untag and ListOpenIDConnectProviderTags: per_kind above) -----


@action("CreateOpenIDConnectProvider")
def create_open_id_connect_provider(caller, p):
    provider = iam.create_open_id_connect_provider(
        caller, p["Url"], client_id_list=p.get("ClientIDList"),
        thumbprint_list=p.get("ThumbprintList"), tags=p.get("Tags"))
    return {"OpenIDConnectProviderArn": provider.arn, "Tags": shapes.tags(provider)}


@action("GetOpenIDConnectProvider")
def get_open_id_connect_provider(caller, p):
    provider = iam.get_open_id_connect_provider(caller, p["OpenIDConnectProviderArn"])
    return shapes.open_id_connect_provider_shape(provider)


@action("ListOpenIDConnectProviders")
def list_open_id_connect_providers(caller, p):
    providers = iam.list_open_id_connect_providers(caller)
    return {"OpenIDConnectProviderList": [{"Arn": provider.arn} for provider in providers]}


@action("UpdateOpenIDConnectProviderThumbprint")
def update_open_id_connect_provider_thumbprint(caller, p):
    iam.update_open_id_connect_provider_thumbprint(caller, p["OpenIDConnectProviderArn"],
                                                   p["ThumbprintList"])


@action("AddClientIDToOpenIDConnectProvider")
def add_client_id_to_open_id_connect_provider(caller, p):
    iam.add_client_id_to_open_id_connect_provider(caller, p["OpenIDConnectProviderArn"],
                                                  p["ClientID"])


@action("RemoveClientIDFromOpenIDConnectProvider")
def remove_client_id_from_open_id_connect_provider(caller, p):
    iam.remove_client_id_from_open_id_connect_provider(caller, p["OpenIDConnectProviderArn"],
                                                       p["ClientID"])


# SAML providers (Delete, Tag, Untag and ListSAMLProviderTags: per_kind above; private keys
# are never answered, only their ids) -------------------------------------------------------


@action("CreateSAMLProvider")
def create_saml_provider(caller, p):
    provider = iam.create_saml_provider(
        caller, p["Name"], p["SAMLMetadataDocument"], tags=p.get("Tags"),
        assertion_encryption_mode=p.get("AssertionEncryptionMode"),
        add_private_key=p.get("AddPrivateKey"))
    return {"SAMLProviderArn": provider.arn, "Tags": shapes.tags(provider)}


@action("GetSAMLProvider")
def get_saml_provider(caller, p):
    return shapes.saml_provider_shape(iam.get_saml_provider(caller, p["SAMLProviderArn"]))


@action("ListSAMLProviders")
def list_saml_providers(caller, p):
    return {"SAMLProviderList": [shapes.saml_provider_entry(provider)
                                 for provider in iam.list_saml_providers(caller)]}


@action("UpdateSAMLProvider")
def update_saml_provider(caller, p):
    provider = iam.update_saml_provider(
        caller, p["SAMLProviderArn"], saml_metadata_document=p.get("SAMLMetadataDocument"),
        assertion_encryption_mode=p.get("AssertionEncryptionMode"),
        add_private_key=p.get("AddPrivateKey"), remove_private_key=p.get("RemovePrivateKey"))
    return {"SAMLProviderArn": provider.arn}


# Managed policies and versions --------------------------------------------------------------------


@action("CreatePolicy")
def create_policy(caller, p):
    policy = iam.create_policy(caller, p["PolicyName"], p["PolicyDocument"], path=p.get("Path"),
                               description=p.get("Description"), tags=p.get("Tags"))
    return {"Policy": shapes.policy_shape(policy, with_description=False)}


@action("GetPolicy")
def get_policy(caller, p):
    return {"Policy": shapes.policy_shape(iam.get_policy(caller, p["PolicyArn"]))}


@action("ListPolicies")
def list_policies(caller, p):
    policies = iam.list_policies(
        caller, scope=p.get("Scope", "All"), only_attached=p.get("OnlyAttached", False),
        path_prefix=p.get("PathPrefix"), policy_usage_filter=p.get("PolicyUsageFilter"),
        with_versions=True,
    )
    return paginate(p, policies, "Policies",
                    lambda pol: shapes.policy_shape(pol, with_tags=False,
                                                    with_description=False))


@action("CreatePolicyVersion")
def create_policy_version(caller, p):
    version = iam.create_policy_version(caller, p["PolicyArn"], p["PolicyDocument"],
                                        set_as_default=p.get("SetAsDefault", False))
    return {"PolicyVersion": shapes.version_shape(version, document=False)}


@action("GetPolicyVersion")
def get_policy_version(caller, p):
    version = iam.get_policy_version(caller, p["PolicyArn"], p["VersionId"])
    return {"PolicyVersion": shapes.version_shape(version)}


@action("ListPolicyVersions")
def list_policy_versions(caller, p):
    versions = iam.list_policy_versions(caller, p["PolicyArn"])
    return paginate(p, versions, "Versions", lambda v: shapes.version_shape(v, document=False))


@action("ListEntitiesForPolicy")
def list_entities_for_policy(caller, p):
    entities = iam.list_entities_for_policy(caller, p["PolicyArn"],
                                            entity_filter=p.get("EntityFilter"),
                                            path_prefix=p.get("PathPrefix"))
    identities = kinds.IDENTITIES.values()
    rows = [(kind, e) for kind in identities for e in getattr(entities, kind.plural)]
    selected, meta = page(p, rows)
    return {
        **{f"Policy{kind.label_plural}": [shapes.policy_entity_shape(kind, e)
                                          for of, e in selected if of is kind]
           for kind in identities},
        **meta,
    }


# Attached and inline policies of users, groups and roles (one handler per verb, three kinds) ------


@per_kind("Attach{noun}Policy", of=kinds.IDENTITIES.values())
def attach_policy(kind, caller, p):
    iam.attach_policy(caller, kind.key, _named(kind, p), p["PolicyArn"])


@per_kind("Detach{noun}Policy", of=kinds.IDENTITIES.values())
def detach_policy(kind, caller, p):
    iam.detach_policy(caller, kind.key, _named(kind, p), p["PolicyArn"])


@per_kind("ListAttached{noun}Policies", of=kinds.IDENTITIES.values())
def list_attached_policies(kind, caller, p):
    policies = iam.list_attached_policies(caller, kind.key, _named(kind, p),
                                          path_prefix=p.get("PathPrefix"))
    return paginate(p, policies, "AttachedPolicies", shapes.attached_shape)


@per_kind("Put{noun}Policy", of=kinds.IDENTITIES.values())
def put_inline_policy(kind, caller, p):
    iam.put_inline_policy(caller, kind.key, _named(kind, p), p["PolicyName"],
                          p["PolicyDocument"])


@per_kind("Get{noun}Policy", of=kinds.IDENTITIES.values())
def get_inline_policy(kind, caller, p):
    inline = iam.get_inline_policy(caller, kind.key, _named(kind, p), p["PolicyName"])
    return shapes.inline_document_shape(kind, inline)


@per_kind("Delete{noun}Policy", of=kinds.IDENTITIES.values())
def delete_inline_policy(kind, caller, p):
    iam.delete_inline_policy(caller, kind.key, _named(kind, p), p["PolicyName"])


@per_kind("List{noun}Policies", of=kinds.IDENTITIES.values())
def list_inline_policies(kind, caller, p):
    policies = iam.list_inline_policies(caller, kind.key, _named(kind, p))
    return paginate(p, policies, "PolicyNames", lambda inline: inline.name)


# Access keys -------------------------------------------------------------------------------------


@action("CreateAccessKey")
def create_access_key(caller, p):
    new = iam.create_access_key(caller, p.get("UserName"))
    key = new.access_key
    return {"AccessKey": {**shapes.access_key_shape(key, key.user.name),
                          "SecretAccessKey": new.secret_access_key}}


@action("ListAccessKeys")
def list_access_keys(caller, p):
    keys = iam.list_access_keys(caller, p.get("UserName"))
    return paginate(p, keys, "AccessKeyMetadata",
                    lambda k: shapes.access_key_shape(k, k.user.name))


@action("GetAccessKeyLastUsed")
def get_access_key_last_used(caller, p):
    key = iam.get_access_key_last_used(caller, p["AccessKeyId"])
    return {"UserName": key.user.name, "AccessKeyLastUsed": {
        "LastUsedDate": key.last_used_at,
        "ServiceName": key.last_used_service or "N/A",
        "Region": key.last_used_region or "N/A",
    }}


# SSH public keys, signing certificates, service-specific credentials --------------------------


@action("UploadSSHPublicKey")
def upload_ssh_public_key(caller, p):
    key = iam.upload_ssh_public_key(caller, p.get("UserName"), p["SSHPublicKeyBody"])
    return {"SSHPublicKey": shapes.ssh_public_key_shape(key, key.body)}


@action("GetSSHPublicKey")
def get_ssh_public_key(caller, p):
    key, body = iam.get_ssh_public_key(caller, p.get("UserName"), p["SSHPublicKeyId"],
                                       p["Encoding"])
    return {"SSHPublicKey": shapes.ssh_public_key_shape(key, body)}


@action("ListSSHPublicKeys")
def list_ssh_public_keys(caller, p):
    keys = iam.list_ssh_public_keys(caller, p.get("UserName"))
    return paginate(p, keys, "SSHPublicKeys", shapes.ssh_public_key_shape)


@action("UploadSigningCertificate")
def upload_signing_certificate(caller, p):
    certificate = iam.upload_signing_certificate(caller, p.get("UserName"),
                                                 p["CertificateBody"])
    return {"Certificate": shapes.signing_certificate_shape(certificate)}


@action("ListSigningCertificates")
def list_signing_certificates(caller, p):
    certificates = iam.list_signing_certificates(caller, p.get("UserName"))
    return paginate(p, certificates, "Certificates", shapes.signing_certificate_shape)


@action("CreateServiceSpecificCredential")
def create_service_specific_credential(caller, p):
    issued = iam.create_service_specific_credential(
        caller, p.get("UserName"), p["ServiceName"], p.get("CredentialAgeDays"))
    return {"ServiceSpecificCredential": shapes.service_credential_shape(issued.credential,
                                                                         issued.secret)}


@action("ResetServiceSpecificCredential")
def reset_service_specific_credential(caller, p):
    issued = iam.reset_service_specific_credential(caller, p.get("UserName"),
                                                   p["ServiceSpecificCredentialId"])
    return {"ServiceSpecificCredential": shapes.service_credential_shape(issued.credential,
                                                                         issued.secret)}


@action("ListServiceSpecificCredentials")
def list_service_specific_credentials(caller, p):
    credentials = iam.list_service_specific_credentials(
        caller, p.get("UserName"), p.get("ServiceName"), all_users=p.get("AllUsers", False))
    return paginate(p, credentials, "ServiceSpecificCredentials",
                    shapes.service_credential_shape)


# Passwords ---------------------------------------------------------------------------------------


@action("CreateLoginProfile")
def create_login_profile(caller, p):
    user = iam.create_login_profile(caller, p.get("UserName"), p.get("Password") or "",
                                    password_reset_required=p.get("PasswordResetRequired", False))
    return {"LoginProfile": shapes.login_profile_shape(user)}


@action("GetLoginProfile")
def get_login_profile(caller, p):
    user = iam.get_login_profile(caller, p.get("UserName"))
    return {"LoginProfile": shapes.login_profile_shape(user)}


@action("UpdateLoginProfile")
def update_login_profile(caller, p):
    iam.update_login_profile(caller, p["UserName"], password=p.get("Password"),
                             password_reset_required=p.get("PasswordResetRequired"))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@action("UpdateAccountPasswordPolicy")
def update_account_password_policy(caller, p):
    iam.update_account_password_policy(caller, **{_snake(k): v for k, v in p.items()})


@action("GetAccountPasswordPolicy")
def get_account_password_policy(caller, p):
    policy = iam.get_account_password_policy(caller)
    return {"PasswordPolicy": shapes.password_policy_shape(policy)}


# Virtual MFA -------------------------------------------------------------------------------------


@action("CreateVirtualMFADevice")
def create_virtual_mfa_device(caller, p):
    new = iam.create_virtual_mfa_device(caller, p["VirtualMFADeviceName"], path=p.get("Path"),
                                        tags=p.get("Tags"))
    return {"VirtualMFADevice": shapes.virtual_mfa_shape(new.device, seed=new.base32_seed,
                                                         qr_png=new.qr_png)}


@action("ListMFADevices")
def list_mfa_devices(caller, p):
    devices = iam.list_mfa_devices(caller, p.get("UserName"))
    return paginate(p, devices, "MFADevices", shapes.mfa_device_shape)


@action("GetMFADevice")
def get_mfa_device(caller, p):
    device = iam.get_mfa_device(caller, p["SerialNumber"], p.get("UserName"))
    return shapes.mfa_device_shape(device)


@action("ListVirtualMFADevices")
def list_virtual_mfa_devices(caller, p):
    devices = iam.list_virtual_mfa_devices(caller, p.get("AssignmentStatus", "Any"))
    return paginate(p, devices, "VirtualMFADevices", shapes.virtual_mfa_shape)


# Account -----------------------------------------------------------------------------------------


@action("ListAccountAliases")
def list_account_aliases(caller, p):
    return paginate(p, iam.list_account_aliases(caller), "AccountAliases", str)


@action("GetAccountProperties")
def get_account_properties(caller, p):
    return {"Properties": iam.get_account_properties(caller)}


@action("GetAccountSummary")
def get_account_summary(caller, p):
    return {"SummaryMap": iam.get_account_summary(caller)}


@action("GetAccountAuthorizationDetails")
def get_account_authorization_details(caller, p):
    details = reports.get_account_authorization_details(caller, p.get("Filter"))
    rows = [("UserDetailList", shapes.user_detail_shape, u) for u in details.users]
    rows += [("GroupDetailList", shapes.group_detail_shape, g) for g in details.groups]
    rows += [("RoleDetailList", shapes.role_detail_shape, r) for r in details.roles]
    rows += [("Policies", shapes.policy_detail_shape, pol) for pol in details.policies]
    selected, meta = page(p, rows)
    result: dict[str, Any] = {key: [] for key in
                              ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")}
    for key, shape, entity in selected:
        result[key].append(shape(entity))
    return {**result, **meta}


@action("GenerateCredentialReport")
def generate_credential_report(caller, p):
    state = reports.generate_credential_report(caller)
    return {"State": state.state, "Description": state.description}


@action("GetCredentialReport")
def get_credential_report(caller, p):
    report = reports.get_credential_report(caller)
    return {"Content": report.content, "ReportFormat": report.report_format,
            "GeneratedTime": report.generated_at}


# Access Advisor -----------------------------------------------------------------------------------


@action("GenerateServiceLastAccessedDetails")
def generate_service_last_accessed_details(caller, p):
    return {"JobId": iam.generate_service_last_accessed_details(caller, p["Arn"],
                                                                p.get("Granularity"))}


def _job_dates(job) -> dict[str, Any]:
    return {"JobStatus": job.status, "JobCreationDate": job.created_at,
            "JobCompletionDate": job.completed_at}


@action("GetServiceLastAccessedDetails")
def get_service_last_accessed_details(caller, p):
    job = iam.get_service_last_accessed_details(caller, p["JobId"])
    return {**_job_dates(job), "JobType": job.job_type,
            **paginate(p, job.services, "ServicesLastAccessed", lambda s: s)}


@action("GetServiceLastAccessedDetailsWithEntities")
def get_service_last_accessed_details_with_entities(caller, p):
    job, entities = iam.get_service_last_accessed_details_with_entities(
        caller, p["JobId"], p["ServiceNamespace"])
    return {**_job_dates(job), **paginate(p, entities, "EntityDetailsList", lambda e: e)}


@action("ListPoliciesGrantingServiceAccess")
def list_policies_granting_service_access(caller, p):
    entries = iam.list_policies_granting_service_access(caller, p["Arn"],
                                                        p["ServiceNamespaces"])
    return paginate(p, entries, "PoliciesGrantingServiceAccess", lambda e: e)


# Policy simulation -------------------------------------------------------------------------------


def _simulation_options(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "resource_arns": p.get("ResourceArns"),
        "permissions_boundary_policy_input_list": p.get("PermissionsBoundaryPolicyInputList"),
        "resource_policy": p.get("ResourcePolicy"),
        "resource_owner": p.get("ResourceOwner"),
        "caller_arn": p.get("CallerArn"),
        "context_entries": p.get("ContextEntries"),
        "resource_handling_option": p.get("ResourceHandlingOption"),
    }


def _evaluation_results(p: dict[str, Any], results: list) -> dict[str, Any]:
    return paginate(p, results, "EvaluationResults", lambda r: r.as_aws_dict())


@action("SimulatePrincipalPolicy")
def simulate_principal_policy(caller, p):
    principal = simulation.gather_principal(caller, p["PolicySourceArn"])  # read once
    results = simulation.simulate_principal_policy(
        caller, principal, p["ActionNames"],
        policy_input_list=p.get("PolicyInputList"),
        policy_exclusion_list=simulation.exclusion_keys(principal, p.get("PolicyExclusionList")),
        **_simulation_options(p),
    )
    return _evaluation_results(p, results)


@action("SimulateCustomPolicy")
def simulate_custom_policy(caller, p):
    if p.get("OrderedOrganizationPolicyInputList"):
        raise InvalidInput("OrderedOrganizationPolicyInputList is not supported by iamconsole "
                           "(it has no AWS Organizations).")
    results = simulation.simulate_custom_policy(caller, p["PolicyInputList"], p["ActionNames"],
                                                **_simulation_options(p))
    return _evaluation_results(p, results)


@action("GetContextKeysForPrincipalPolicy")
def get_context_keys_for_principal_policy(caller, p):
    keys = simulation.get_context_keys_for_principal_policy(
        caller, p["PolicySourceArn"], p.get("PolicyInputList"))
    return {"ContextKeyNames": keys}


@action("GetContextKeysForCustomPolicy")
def get_context_keys_for_custom_policy(caller, p):
    keys = simulation.get_context_keys_for_custom_policy(caller, p["PolicyInputList"])
    return {"ContextKeyNames": keys}


# Organizations' features in IAM (centralized root access, access reports): their own module.
# Outbound web identity federation too (the account as an OIDC issuer).
from . import (  # noqa: E402, F401  (register into ACTIONS)
    org_features_actions,
    outbound_federation_actions,
)

"""Shapes of the REST API: input serializers validate shape only (the domain layer enforces
AWS's rules and answers with AWS's error codes); output serializers render domain objects.
Field names are snake_case versions of AWS's names (UserName → user_name)."""

from __future__ import annotations

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from iamconsole.iam import kinds
from iamconsole.iam import services as iam


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "object"}],
                      "description": "IAM policy document: JSON text or a JSON object."})
class PolicyDocumentField(serializers.Field):
    default_error_messages = {
        "invalid": "A policy document must be JSON text or a JSON object.",
        "null": "Null characters are not allowed.",
    }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            return json.dumps(data, indent=2)
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        if "\x00" in data:
            self.fail("null")
        return data

    def to_representation(self, value):
        return value


def tag_map(**kwargs) -> serializers.DictField:
    return serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=256, trim_whitespace=False),
        help_text="Tags as {key: value}.", **kwargs,
    )


def arn_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=2048, **kwargs)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="AWS error code, e.g. NoSuchEntity, AccessDenied.")
    message = serializers.CharField()
    action = serializers.CharField(required=False, help_text="AccessDenied: the IAM action.")
    resource = serializers.CharField(required=False, help_text="AccessDenied: the resource.")
    encodedAuthorizationMessage = serializers.CharField(
        required=False,
        help_text="AccessDenied by a policy decision: the details (decision, matched "
                  "statements, condition keys), encoded; STS DecodeAuthorizationMessage "
                  "decodes them for a caller allowed sts:DecodeAuthorizationMessage.")
    field = serializers.CharField(required=False)
    fields = serializers.DictField(required=False)
    findings = serializers.ListField(child=serializers.DictField(), required=False)


# --------------------------------------------------------------------------- users, groups, roles


def name_field(kind: kinds.Kind, **kwargs) -> serializers.CharField:
    """A name of an entity of `kind` (UserName: 64 characters at most, GroupName: 128)."""
    return serializers.CharField(max_length=kind.name_max, **kwargs)


def path_field() -> serializers.CharField:
    return serializers.CharField(max_length=512, required=False)


def _serializer(name: str, fields: dict[str, serializers.Field],
                base: type[serializers.Serializer] = serializers.Serializer,
                ) -> type[serializers.Serializer]:
    return type(name, (base,), {"__module__": __name__, **fields})


def entity_serializer(kind: kinds.Kind) -> type[serializers.Serializer]:
    """The base of an entity's output: {kind}_name, path, {kind}_id, arn, create_date (what
    AWS's User, Group and Role shapes begin with); the kind's serializer adds its own."""
    return _serializer(f"{kind.noun}Base", {
        f"{kind.key}_name": serializers.CharField(source="name"),
        "path": serializers.CharField(),
        kind.id_field: serializers.CharField(),
        "arn": serializers.CharField(),
        "create_date": serializers.DateTimeField(source="created_at"),
    })


def create_serializer(kind: kinds.Kind) -> type[serializers.Serializer]:
    """Create{noun}: its name and path (the kind's serializer adds the rest)."""
    return _serializer(f"Create{kind.noun}Serializer",
                       {f"{kind.key}_name": name_field(kind), "path": path_field()})


def rename_serializer(kind: kinds.Kind) -> type[serializers.Serializer]:
    """Update{noun} of a kind that is only renamed and moved: new_{kind}_name, new_path."""
    return _serializer(f"Update{kind.noun}Serializer", {
        f"new_{kind.key}_name": name_field(kind, required=False), "new_path": path_field(),
    })


class BoundaryOutput:
    # `permissions_boundary`: the ARN of the entity's boundary policy, or null. (No docstring:
    # the schema would describe the serializers with it.)

    @extend_schema_field({"type": "string", "nullable": True})  # null: no boundary
    def get_permissions_boundary(self, obj) -> str | None:
        return obj.permissions_boundary.arn if obj.permissions_boundary_id else None


class UserSerializer(BoundaryOutput, entity_serializer(kinds.USER)):
    password_last_used = serializers.DateTimeField(allow_null=True)
    permissions_boundary = serializers.SerializerMethodField()
    tags = serializers.DictField(child=serializers.CharField())


class CreateUserSerializer(create_serializer(kinds.USER)):
    permissions_boundary = arn_field(required=False, help_text="Managed policy ARN.")
    tags = tag_map(required=False)


UpdateUserSerializer = rename_serializer(kinds.USER)


class ListFilterSerializer(serializers.Serializer):
    path_prefix = path_field()
    tag = serializers.CharField(
        max_length=385, required=False,
        help_text="Only entities with this tag: `key` (any value) or `key=value`.",
    )


class TagKeysSerializer(serializers.Serializer):
    key = serializers.ListField(child=serializers.CharField(max_length=128), min_length=1,
                                help_text="Tag keys to remove (repeat the parameter).")


class TagsSerializer(serializers.Serializer):
    tags = tag_map()


class PolicyArnSerializer(serializers.Serializer):
    policy_arn = arn_field()


GroupSerializer = _serializer("GroupSerializer", {}, entity_serializer(kinds.GROUP))
CreateGroupSerializer = create_serializer(kinds.GROUP)
UpdateGroupSerializer = rename_serializer(kinds.GROUP)


class MemberSerializer(serializers.Serializer):
    user_name = name_field(kinds.USER)


class RoleSerializer(BoundaryOutput, entity_serializer(kinds.ROLE)):
    description = serializers.CharField()
    aws_service_name = serializers.CharField(
        help_text="A service-linked role's service (only its description may change); empty "
                  "for other roles.")
    max_session_duration = serializers.IntegerField()
    assume_role_policy_document = serializers.CharField()
    permissions_boundary = serializers.SerializerMethodField()
    tags = serializers.DictField(child=serializers.CharField())
    last_used_date = serializers.DateTimeField(source="last_used_at", allow_null=True)
    last_used_region = serializers.CharField()


def _session_duration() -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=0, max_value=10**6)


def _description() -> serializers.CharField:
    return serializers.CharField(max_length=1000, required=False, allow_blank=True)


class CreateRoleSerializer(serializers.Serializer):
    role_name = name_field(kinds.ROLE)
    assume_role_policy_document = PolicyDocumentField()
    path = path_field()
    description = _description()
    max_session_duration = _session_duration()
    permissions_boundary = arn_field(required=False)
    tags = tag_map(required=False)


class UpdateRoleSerializer(serializers.Serializer):
    description = _description()
    max_session_duration = _session_duration()


class TrustPolicySerializer(serializers.Serializer):
    policy_document = PolicyDocumentField()


class InstanceProfileSerializer(entity_serializer(kinds.INSTANCE_PROFILE)):
    roles = RoleSerializer(many=True, read_only=True)
    tags = serializers.DictField(child=serializers.CharField())


class CreateInstanceProfileSerializer(create_serializer(kinds.INSTANCE_PROFILE)):
    tags = tag_map(required=False)


class ServerCertificateSerializer(entity_serializer(kinds.SERVER_CERTIFICATE)):
    # A server certificate: its metadata, PEM body and chain, tags; never its private key.
    create_date = serializers.DateTimeField(source="created_at", help_text="UploadDate")
    expiration = serializers.DateTimeField(help_text="The certificate's notAfter.")
    expired = serializers.BooleanField(source="is_expired")
    certificate_body = serializers.CharField()
    certificate_chain = serializers.CharField()
    tags = serializers.DictField(child=serializers.CharField())


class UploadServerCertificateSerializer(create_serializer(kinds.SERVER_CERTIFICATE)):
    certificate_body = serializers.CharField(max_length=16384, trim_whitespace=False,
                                             help_text="The PEM X.509 certificate.")
    private_key = serializers.CharField(max_length=16384, trim_whitespace=False,
                                        write_only=True,
                                        help_text="Its PEM private key (stored encrypted, "
                                                  "never returned).")
    certificate_chain = serializers.CharField(max_length=2097152, required=False,
                                              trim_whitespace=False,
                                              help_text="The PEM certificates that signed it, "
                                                        "its issuer first.")
    tags = tag_map(required=False)


UpdateServerCertificateSerializer = rename_serializer(kinds.SERVER_CERTIFICATE)


class SAMLProviderSerializer(entity_serializer(kinds.SAML_PROVIDER)):
    # A SAML provider: its metadata document, what was read from it, its private keys' ids
    # (never the keys) and tags. Its REST URL names it by name (the Query API by ARN).
    valid_until = serializers.DateTimeField()
    entity_id = serializers.CharField(help_text="The IdP's entityID (saml:iss).")
    saml_metadata_document = serializers.CharField(source="metadata_document")
    assertion_encryption_mode = serializers.CharField()
    private_key_ids = serializers.SerializerMethodField()
    tags = serializers.DictField(child=serializers.CharField())

    def get_private_key_ids(self, obj) -> list[str]:
        return [key["KeyId"] for key in obj.private_keys]


_ENCRYPTION_MODES = ["Required", "Allowed"]


class CreateSAMLProviderSerializer(serializers.Serializer):
    saml_provider_name = serializers.RegexField(r"^[\w._-]{1,128}$", max_length=128)
    saml_metadata_document = serializers.CharField(
        min_length=1000, max_length=10_000_000, trim_whitespace=False,
        help_text="The IdP's SAML metadata document (md:EntityDescriptor).")
    assertion_encryption_mode = serializers.ChoiceField(_ENCRYPTION_MODES, required=False)
    add_private_key = serializers.CharField(max_length=16384, required=False, write_only=True,
                                            trim_whitespace=False,
                                            help_text="A PEM private key (stored encrypted, "
                                                      "never returned).")
    tags = tag_map(required=False)


class UpdateSAMLProviderSerializer(serializers.Serializer):
    saml_metadata_document = serializers.CharField(min_length=1000, max_length=10_000_000,
                                                   required=False, trim_whitespace=False)
    assertion_encryption_mode = serializers.ChoiceField(_ENCRYPTION_MODES, required=False)
    add_private_key = serializers.CharField(max_length=16384, required=False, write_only=True,
                                            trim_whitespace=False)
    remove_private_key = serializers.RegexField(r"^[A-Z0-9]{22,64}$", required=False)


class RoleNameSerializer(serializers.Serializer):
    role_name = name_field(kinds.ROLE)


class CreateServiceLinkedRoleSerializer(serializers.Serializer):
    aws_service_name = serializers.CharField(max_length=128,
                                             help_text="e.g. elasticbeanstalk.amazonaws.com")
    description = _description()
    custom_suffix = serializers.CharField(max_length=64, required=False)


class DeletionTaskSerializer(serializers.Serializer):
    deletion_task_id = serializers.CharField(max_length=1000)


class DeletionStatusSerializer(serializers.Serializer):
    deletion_task_id = serializers.CharField(source="task_id")
    status = serializers.CharField()
    reason = serializers.CharField()


# --------------------------------------------------------------------------- policies


class PolicySerializer(serializers.Serializer):
    policy_name = serializers.CharField(source="name")
    policy_id = serializers.CharField()
    arn = serializers.CharField()
    path = serializers.CharField()
    description = serializers.CharField()
    is_aws_managed = serializers.BooleanField()
    default_version_id = serializers.SerializerMethodField()
    attachment_count = serializers.SerializerMethodField()
    create_date = serializers.DateTimeField(source="created_at")
    update_date = serializers.DateTimeField(source="updated_at")
    tags = serializers.DictField(child=serializers.CharField())

    @extend_schema_field(OpenApiTypes.STR)
    def get_default_version_id(self, obj) -> str | None:
        for version in obj.versions.all():
            if version.is_default:
                return version.version_id
        return None

    @extend_schema_field(OpenApiTypes.INT)
    def get_attachment_count(self, obj) -> int:
        return iam.attachment_count(obj)


class CreatePolicySerializer(serializers.Serializer):
    policy_name = serializers.CharField(max_length=128)
    policy_document = PolicyDocumentField()
    path = path_field()
    description = _description()
    tags = tag_map(required=False)


class UpdatePolicySerializer(serializers.Serializer):
    description = serializers.CharField(max_length=1000, allow_blank=True)


class PolicyListFilterSerializer(ListFilterSerializer):
    scope = serializers.ChoiceField(["All", "AWS", "Local"], required=False)
    only_attached = serializers.BooleanField(required=False)
    policy_usage_filter = serializers.ChoiceField(
        ["PermissionsPolicy", "PermissionsBoundary"], required=False)
    arn = arn_field(required=False, help_text="Only the policy with this ARN.")


class PolicyVersionSerializer(serializers.Serializer):
    version_id = serializers.CharField()
    is_default_version = serializers.BooleanField(source="is_default")
    create_date = serializers.DateTimeField(source="created_at")
    document = serializers.CharField()


class CreatePolicyVersionSerializer(serializers.Serializer):
    policy_document = PolicyDocumentField()
    set_as_default = serializers.BooleanField(required=False, default=False)


class DefaultVersionSerializer(serializers.Serializer):
    version_id = serializers.RegexField(r"^v[0-9]{1,9}$")


class EntityRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    arn = serializers.CharField()


class PolicyEntitiesSerializer(serializers.Serializer):
    users = EntityRefSerializer(many=True)
    groups = EntityRefSerializer(many=True)
    roles = EntityRefSerializer(many=True)


class AttachedPolicySerializer(serializers.Serializer):
    policy_name = serializers.CharField(source="name")
    policy_arn = serializers.CharField(source="arn")
    policy_id = serializers.CharField()


class InlinePolicySerializer(serializers.Serializer):
    policy_name = serializers.CharField(source="name")
    policy_document = serializers.CharField(source="document")
    update_date = serializers.DateTimeField(source="updated_at")


class InlinePolicyNameSerializer(serializers.Serializer):
    policy_name = serializers.CharField(source="name")


class PutInlinePolicySerializer(serializers.Serializer):
    policy_document = PolicyDocumentField()


class BoundarySerializer(serializers.Serializer):
    permissions_boundary = serializers.CharField(allow_null=True)


# --------------------------------------------------------------------------- credentials


class AccessKeySerializer(serializers.Serializer):
    access_key_id = serializers.CharField()
    user_name = serializers.CharField(source="user.name")
    status = serializers.CharField()
    create_date = serializers.DateTimeField(source="created_at")
    last_used_date = serializers.DateTimeField(source="last_used_at", allow_null=True)
    last_used_service = serializers.CharField()
    last_used_region = serializers.CharField()


class NewAccessKeySerializer(AccessKeySerializer):
    secret_access_key = serializers.CharField(
        help_text="Shown once, now: it cannot be retrieved later.")


class UpdateAccessKeySerializer(serializers.Serializer):
    status = serializers.ChoiceField(["Active", "Inactive"])


class SSHPublicKeySerializer(serializers.Serializer):
    ssh_public_key_id = serializers.CharField()
    user_name = serializers.CharField(source="user.name")
    fingerprint = serializers.CharField()
    status = serializers.CharField()
    upload_date = serializers.DateTimeField(source="uploaded_at")


class SSHPublicKeyBodySerializer(SSHPublicKeySerializer):
    ssh_public_key_body = serializers.CharField(help_text="In the requested encoding.")


class UploadSSHPublicKeySerializer(serializers.Serializer):
    ssh_public_key_body = serializers.CharField(
        max_length=16384, trim_whitespace=False,
        help_text="An RSA public key (at least 2048 bits), ssh-rsa (OpenSSH) or PEM.")


class SSHPublicKeyEncodingSerializer(serializers.Serializer):
    encoding = serializers.ChoiceField(["SSH", "PEM"], default="SSH")


class SigningCertificateSerializer(serializers.Serializer):
    certificate_id = serializers.CharField()
    user_name = serializers.CharField(source="user.name")
    certificate_body = serializers.CharField(source="body")
    status = serializers.CharField()
    upload_date = serializers.DateTimeField(source="uploaded_at")


class UploadSigningCertificateSerializer(serializers.Serializer):
    certificate_body = serializers.CharField(max_length=16384, trim_whitespace=False,
                                             help_text="One PEM-encoded X.509 certificate.")


class ServiceSpecificCredentialSerializer(serializers.Serializer):
    service_specific_credential_id = serializers.CharField(source="credential_id")
    user_name = serializers.CharField(source="user.name")
    service_name = serializers.CharField()
    service_user_name = serializers.CharField()
    service_credential_alias = serializers.CharField(source="alias")
    status = serializers.SerializerMethodField()
    create_date = serializers.DateTimeField(source="created_at")
    expiration_date = serializers.DateTimeField(source="expires_at", allow_null=True)

    def get_status(self, credential) -> str:
        return iam.credential_status(credential)


class IssuedServiceSpecificCredentialSerializer(ServiceSpecificCredentialSerializer):
    service_password = serializers.CharField(
        allow_null=True, help_text="CodeCommit / Keyspaces: shown once, now.")
    service_credential_secret = serializers.CharField(
        allow_null=True, help_text="API keys (Bedrock, CloudWatch Logs): shown once, now.")


class CreateServiceSpecificCredentialSerializer(serializers.Serializer):
    service_name = serializers.CharField(max_length=128)
    credential_age_days = serializers.IntegerField(min_value=1, max_value=36600, required=False)


class ServiceSpecificCredentialFilterSerializer(serializers.Serializer):
    service_name = serializers.CharField(max_length=128, required=False)


class LoginProfileSerializer(serializers.Serializer):
    user_name = serializers.CharField(source="name")
    create_date = serializers.DateTimeField(source="login_profile_created_at", allow_null=True)
    password_reset_required = serializers.BooleanField()


class CreateLoginProfileSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False,
                                     style={"input_type": "password"})
    password_reset_required = serializers.BooleanField(required=False, default=False)


class UpdateLoginProfileSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False, required=False,
                                     style={"input_type": "password"})
    password_reset_required = serializers.BooleanField(required=False, allow_null=True,
                                                       default=None)


class MFADeviceSerializer(serializers.Serializer):
    serial_number = serializers.CharField()
    user_name = serializers.CharField(source="user.name")
    enable_date = serializers.DateTimeField(source="enabled_at", allow_null=True)


# --------------------------------------------------------------------------- account


class PasswordPolicySerializer(serializers.Serializer):
    minimum_password_length = serializers.IntegerField(required=False, min_value=0,
                                                       max_value=10**4)
    require_symbols = serializers.BooleanField(required=False)
    require_numbers = serializers.BooleanField(required=False)
    require_uppercase_characters = serializers.BooleanField(required=False)
    require_lowercase_characters = serializers.BooleanField(required=False)
    allow_users_to_change_password = serializers.BooleanField(required=False)
    max_password_age = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                                max_value=10**4)
    password_reuse_prevention = serializers.IntegerField(required=False, allow_null=True,
                                                         min_value=0, max_value=10**4)
    hard_expiry = serializers.BooleanField(required=False)
    expire_passwords = serializers.BooleanField(read_only=True)


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_time = serializers.DateTimeField(source="created_at")
    actor = serializers.CharField()
    actor_arn = serializers.CharField()
    auth_method = serializers.CharField()
    source_ip = serializers.CharField(allow_null=True)
    request_id = serializers.CharField()
    action = serializers.CharField()
    resource_type = serializers.CharField()
    resource_name = serializers.CharField()
    resource_arn = serializers.CharField()
    outcome = serializers.CharField(help_text="success, failure (sign-in) or denied.")
    error_code = serializers.CharField(help_text="CloudTrail's errorCode: AccessDenied for a "
                                                 "denied call, else empty.")
    old_value = serializers.JSONField(allow_null=True)
    new_value = serializers.JSONField(allow_null=True)
    detail = serializers.CharField()


class AuditFilterSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=128, required=False,
                                   help_text="Exact action, e.g. iam:CreateUser.")
    actor = serializers.CharField(max_length=256, required=False)
    resource_type = serializers.CharField(max_length=32, required=False)
    resource_name = serializers.CharField(max_length=512, required=False)
    outcome = serializers.CharField(max_length=16, required=False,
                                    help_text="Exact outcome: success, failure or denied.")
    error_code = serializers.CharField(max_length=64, required=False,
                                       help_text="Exact errorCode, e.g. AccessDenied.")
    failed = serializers.BooleanField(required=False, default=False,
                                      help_text="Only calls that did not succeed (denied calls "
                                                "and failed sign-ins).")
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


class CallerIdentitySerializer(serializers.Serializer):
    arn = serializers.CharField()
    user_id = serializers.CharField()
    account = serializers.CharField()
    auth_method = serializers.CharField()
    access_key_id = serializers.CharField(allow_blank=True)


# --------------------------------------------------------------------------- Access Advisor


class LastAccessedQuerySerializer(serializers.Serializer):
    granularity = serializers.ChoiceField(choices=["SERVICE_LEVEL", "ACTION_LEVEL"],
                                          required=False)
    service_namespace = serializers.RegexField(r"^[\w-]+$", max_length=64, required=False,
                                               help_text="also list the report's entities "
                                                         "for this service")


class TrackedActionSerializer(serializers.Serializer):
    action_name = serializers.CharField(source="ActionName")
    last_accessed_entity = serializers.CharField(source="LastAccessedEntity", required=False)
    last_accessed_time = serializers.DateTimeField(source="LastAccessedTime", required=False)
    last_accessed_region = serializers.CharField(source="LastAccessedRegion", required=False)


class ServiceLastAccessedSerializer(serializers.Serializer):
    service_name = serializers.CharField(source="ServiceName")
    service_namespace = serializers.CharField(source="ServiceNamespace")
    last_authenticated = serializers.DateTimeField(source="LastAuthenticated", required=False)
    last_authenticated_entity = serializers.CharField(source="LastAuthenticatedEntity",
                                                      required=False)
    last_authenticated_region = serializers.CharField(source="LastAuthenticatedRegion",
                                                      required=False)
    total_authenticated_entities = serializers.IntegerField(source="TotalAuthenticatedEntities")
    tracked_actions_last_accessed = TrackedActionSerializer(
        source="TrackedActionsLastAccessed", many=True, required=False)


class EntityInfoSerializer(serializers.Serializer):
    arn = serializers.CharField(source="Arn")
    name = serializers.CharField(source="Name")
    type = serializers.CharField(source="Type")
    id = serializers.CharField(source="Id")
    path = serializers.CharField(source="Path")


class EntityDetailsSerializer(serializers.Serializer):
    entity_info = EntityInfoSerializer(source="EntityInfo")
    last_authenticated = serializers.DateTimeField(source="LastAuthenticated", required=False)


class LastAccessedReportSerializer(serializers.Serializer):
    job_id = serializers.CharField()
    job_type = serializers.CharField()
    job_status = serializers.CharField(source="status")
    job_creation_date = serializers.DateTimeField(source="created_at")
    job_completion_date = serializers.DateTimeField(source="completed_at")
    arn = serializers.CharField()
    services_last_accessed = ServiceLastAccessedSerializer(source="services", many=True)
    entity_details = EntityDetailsSerializer(many=True, required=False,
                                             help_text="with ?service_namespace=")


class OpenIDConnectProviderSerializer(serializers.Serializer):
    # An OIDC identity provider: its URL, ARN, audiences (client ids), thumbprints, tags.
    url = serializers.CharField()
    arn = serializers.CharField()
    client_id_list = serializers.ListField(child=serializers.CharField(), source="client_ids")
    thumbprint_list = serializers.ListField(child=serializers.CharField(), source="thumbprints")
    create_date = serializers.DateTimeField(source="created_at")
    tags = serializers.DictField(child=serializers.CharField())


class CreateOpenIDConnectProviderSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=255, help_text="https://host[/path], the tokens' iss.")
    client_id_list = serializers.ListField(child=serializers.CharField(max_length=255),
                                           required=False, max_length=100)
    thumbprint_list = serializers.ListField(child=serializers.CharField(), required=False)
    tags = tag_map(required=False)


class ThumbprintsSerializer(serializers.Serializer):
    thumbprint_list = serializers.ListField(child=serializers.CharField())


class ClientIDSerializer(serializers.Serializer):
    client_id = serializers.CharField(max_length=255)

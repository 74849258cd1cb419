"""The domain layer: one function per AWS IAM API operation, each in one transaction, each
authorizing its caller, enforcing AWS's rules and limits, raising typed errors with AWS's codes and
writing an audit record. The console, the REST API and the Query API call these and nothing below.
"""

from ._common import MAX_POLICY_VERSIONS, related_count
from .access_keys import (
    NewAccessKey,
    create_access_key,
    delete_access_key,
    get_access_key_last_used,
    get_user_access_key_last_used,
    list_access_keys,
    record_access_key_use,
    update_access_key,
)
from .account import (
    create_account_alias,
    delete_account_alias,
    get_account_properties,
    get_account_summary,
    list_account_aliases,
    put_account_properties,
    set_security_token_service_preferences,
    update_account_settings,
)
from .advisor import (
    generate_service_last_accessed_details,
    get_service_last_accessed_details,
    get_service_last_accessed_details_with_entities,
    list_policies_granting_service_access,
)
from .dependencies import (
    DELETES_WITH_DEPENDENCIES,
    Dependency,
    delete_with_dependencies,
    deletion_dependencies,
)
from .groups import (
    add_user_to_group,
    add_users_to_group,
    create_group,
    delete_group,
    find_group,
    get_group,
    list_groups,
    list_groups_for_user,
    remove_user_from_group,
    update_group,
)
from .guided import (
    NewUser,
    create_role_with_permissions,
    create_user_with_access,
    generated_password,
    policies_of_user,
    reset_mfa_device,
)
from .instance_profiles import (
    add_role_to_instance_profile,
    create_instance_profile,
    delete_instance_profile,
    find_instance_profile,
    get_instance_profile,
    list_instance_profile_tags,
    list_instance_profiles,
    list_instance_profiles_for_role,
    remove_role_from_instance_profile,
    tag_instance_profile,
    untag_instance_profile,
)
from .lookup import authorize_missing, get_policy_by_arn, parse_policy_arn, policy_arn_by_id
from .mfa import (
    NewVirtualMFADevice,
    create_virtual_mfa_device,
    deactivate_mfa_device,
    delete_virtual_mfa_device,
    enable_mfa_device,
    find_device,
    find_mfa_device,
    get_mfa_device,
    list_mfa_device_tags,
    list_mfa_devices,
    list_virtual_mfa_devices,
    mfa_serial_number,
    resync_mfa_device,
    tag_mfa_device,
    untag_mfa_device,
    verify_mfa_code,
)
from .oidc_providers import (
    add_client_id_to_open_id_connect_provider,
    create_open_id_connect_provider,
    delete_open_id_connect_provider,
    find_open_id_connect_provider,
    get_open_id_connect_provider,
    list_open_id_connect_provider_tags,
    list_open_id_connect_providers,
    remove_client_id_from_open_id_connect_provider,
    tag_open_id_connect_provider,
    untag_open_id_connect_provider,
    update_open_id_connect_provider_thumbprint,
)
from .passwords import (
    account_password_policy,
    change_password,
    create_login_profile,
    delete_account_password_policy,
    delete_login_profile,
    get_account_password_policy,
    get_login_profile,
    password_expired,
    password_expires_at,
    policy_dict,
    set_password,
    update_account_password_policy,
    update_login_profile,
    validate_new_password,
)
from .permissions import (
    attach_group_policy,
    attach_policies,
    attach_policy,
    attach_role_policy,
    attach_user_policy,
    delete_inline_policy,
    detach_group_policy,
    detach_policy,
    detach_role_policy,
    detach_user_policy,
    get_inline_policy,
    list_attached_policies,
    list_inline_policies,
    put_group_policy,
    put_inline_policy,
    put_role_policy,
    put_user_policy,
)
from .policies import (
    PolicyEntities,
    attachment_count,
    boundary_usage_count,
    create_policy,
    create_policy_version,
    default_version,
    delete_policy,
    delete_policy_version,
    get_policy,
    get_policy_version,
    list_entities_for_policy,
    list_policies,
    list_policy_tags,
    list_policy_versions,
    replace_policy_version,
    set_default_policy_version,
    tag_policy,
    untag_policy,
    update_policy_description,
    with_counts,
)
from .queries import filter_by_policy_arn, filter_by_tag, lock_entity, refreshed_policy
from .roles import (
    create_role,
    delete_role,
    delete_role_permissions_boundary,
    find_role,
    get_role,
    list_role_tags,
    list_roles,
    put_role_permissions_boundary,
    tag_role,
    untag_role,
    update_assume_role_policy,
    update_role,
)
from .saml_providers import (
    create_saml_provider,
    delete_saml_provider,
    find_saml_provider,
    get_saml_provider,
    list_saml_provider_tags,
    list_saml_providers,
    saml_private_key_list,
    tag_saml_provider,
    untag_saml_provider,
    update_saml_provider,
)
from .self_service import (
    ensure_self_service_policy,
    may_change_own_password,
    may_enroll_own_mfa,
    may_manage_own_access_keys,
)
from .server_certificates import (
    delete_server_certificate,
    find_server_certificate,
    get_server_certificate,
    list_server_certificate_tags,
    list_server_certificates,
    private_key_of,
    tag_server_certificate,
    untag_server_certificate,
    update_server_certificate,
    upload_server_certificate,
)
from .service_credentials import (
    API_KEY_SERVICES,
    PASSWORD_SERVICES,
    IssuedServiceCredential,
    create_service_specific_credential,
    credential_status,
    delete_service_specific_credential,
    list_service_specific_credentials,
    reset_service_specific_credential,
    update_service_specific_credential,
)
from .service_linked_roles import (
    create_service_linked_role,
    delete_service_linked_role,
    get_service_linked_role_deletion_status,
    service_role_name,
)
from .signing_certificates import (
    delete_signing_certificate,
    list_signing_certificates,
    update_signing_certificate,
    upload_signing_certificate,
)
from .ssh_keys import (
    delete_ssh_public_key,
    get_ssh_public_key,
    list_ssh_public_keys,
    update_ssh_public_key,
    upload_ssh_public_key,
)
from .users import (
    create_user,
    delete_user,
    delete_user_permissions_boundary,
    find_user,
    get_user,
    list_user_tags,
    list_users,
    put_user_permissions_boundary,
    tag_user,
    target_user,
    untag_user,
    update_user,
)

__all__ = [name for name in dir() if not name.startswith("_")]

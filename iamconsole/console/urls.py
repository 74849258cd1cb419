"""The browser console. Each view declares its IAM action (see `console_view`); each entity kind's
list, detail, create, edit, delete, tag and permission routes come from `entities.urls` over its
page (views/entities.py), followed by the kind's own views."""

from django.urls import path

from .views import (
    account,
    audit,
    bulk,
    credential_report,
    custom_services,
    dashboard,
    entities,
    groups,
    instance_profiles,
    mfa_assign,
    oidc_providers,
    org_policies,
    organization,
    pickers,
    policies,
    role_wizard,
    roles,
    saml_providers,
    server_certificates,
    sign_in_security,
    user_credentials,
    user_wizard,
    users,
)

app_name = "console"

USER = "users/<str:name>"
GROUP = "groups/<str:name>"
POLICY = "policies/<str:scope>/<str:name>"
PROFILE = "instance-profiles/<str:name>"

def sign_in_security_urls() -> list:
    """A user's sign-in lock, console sessions and STS sessions (the "Sessions" tab)."""
    v = sign_in_security
    return [
        path(f"{USER}/unlock/", v.user_unlock, name="user_unlock"),
        path(f"{USER}/console-sessions/<int:session_id>/revoke/",
             v.user_console_session_revoke, name="user_console_session_revoke"),
        path(f"{USER}/console-sessions/revoke/", v.user_console_sessions_revoke_all,
             name="user_console_sessions_revoke_all"),
        path(f"{USER}/sts-sessions/<str:key_id>/revoke/", v.user_sts_session_revoke,
             name="user_sts_session_revoke"),
    ]


def user_credential_urls() -> list:
    """SSH public keys, signing certificates, service-specific credentials of a user."""
    v = user_credentials
    return [
        path(f"{USER}/ssh-keys/upload/", v.ssh_key_upload, name="ssh_key_upload"),
        path(f"{USER}/ssh-keys/<str:key_id>/status/", v.ssh_key_status, name="ssh_key_status"),
        path(f"{USER}/ssh-keys/<str:key_id>/delete/", v.ssh_key_delete, name="ssh_key_delete"),
        path(f"{USER}/certificates/upload/", v.certificate_upload, name="certificate_upload"),
        path(f"{USER}/certificates/<str:certificate_id>/status/", v.certificate_status,
             name="certificate_status"),
        path(f"{USER}/certificates/<str:certificate_id>/delete/", v.certificate_delete,
             name="certificate_delete"),
        path(f"{USER}/service-credentials/create/", v.service_credential_create,
             name="service_credential_create"),
        path(f"{USER}/service-credentials/<str:credential_id>/reset/",
             v.service_credential_reset, name="service_credential_reset"),
        path(f"{USER}/service-credentials/<str:credential_id>/status/",
             v.service_credential_status, name="service_credential_status"),
        path(f"{USER}/service-credentials/<str:credential_id>/delete/",
             v.service_credential_delete, name="service_credential_delete"),
    ]


def organization_urls() -> list:
    """AWS Organizations for the management account: the tree and its forms, SCPs and RCPs."""
    o, p = organization, org_policies
    return [
        path("organization/", o.organization_tree, name="organization"),
        path("organization/create/", o.organization_create, name="organization_create"),
        path("organization/ous/create/", o.unit_create, name="organization_ou_create"),
        path("organization/ous/<str:ou_id>/rename/", o.unit_rename,
             name="organization_ou_rename"),
        path("organization/ous/<str:ou_id>/delete/", o.unit_delete,
             name="organization_ou_delete"),
        path("organization/accounts/create/", o.account_create,
             name="organization_account_create"),
        path("organization/accounts/<str:account_id>/move/", o.account_move,
             name="organization_account_move"),
        path("organization/attach/", o.policy_attach, name="organization_attach"),
        path("organization/detach/", o.policy_detach, name="organization_detach"),
        path("organization/policy-types/", o.policy_type_toggle,
             name="organization_policy_type"),
        path("organization/policies/", p.policy_list, name="org_policy_list"),
        path("organization/policies/create/", p.policy_create, name="org_policy_create"),
        path("organization/policies/<str:policy_id>/", p.policy_detail,
             name="org_policy_detail"),
        path("organization/policies/<str:policy_id>/edit/", p.policy_edit,
             name="org_policy_edit"),
        path("organization/policies/<str:policy_id>/delete/", p.policy_delete,
             name="org_policy_delete"),
    ]


urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("locked-users/", sign_in_security.locked_users, name="locked_users"),
    path("locked-users/<str:name>/unlock/", sign_in_security.locked_user_unlock,
         name="locked_user_unlock"),
    *entities.urls(users.PAGE, collection=[
        path("users/create/guided/", user_wizard.user_create_guided, name="user_create_guided"),
        path("users/create/guided/options/", user_wizard.user_create_options,
             name="user_create_options"),
        path("users/bulk/", bulk.user_bulk, name="user_bulk"),
    ], special=[
        path(f"{USER}/groups/add/", users.user_add_to_group, name="user_add_to_group"),
        path(f"{USER}/groups/<str:group>/remove/", users.user_remove_from_group,
             name="user_remove_from_group"),
        path(f"{USER}/access-keys/create/", users.access_key_create, name="access_key_create"),
        path(f"{USER}/access-keys/<str:key_id>/status/", users.access_key_status,
             name="access_key_status"),
        path(f"{USER}/access-keys/<str:key_id>/delete/", users.access_key_delete,
             name="access_key_delete"),
        path(f"{USER}/login-profile/", users.login_profile_set, name="login_profile_set"),
        path(f"{USER}/login-profile/delete/", users.login_profile_delete,
             name="login_profile_delete"),
        path(f"{USER}/mfa/deactivate/", users.mfa_deactivate, name="mfa_deactivate"),
        path(f"{USER}/mfa/assign/", mfa_assign.mfa_assign, name="mfa_assign"),
        path(f"{USER}/mfa/reset/", mfa_assign.mfa_reset, name="mfa_reset"),
        *user_credential_urls(),
        *sign_in_security_urls(),
    ]),
    *entities.urls(groups.PAGE, collection=[
        path("groups/bulk/", bulk.group_bulk, name="group_bulk"),
    ], special=[
        path(f"{GROUP}/members/add/", groups.group_add_member, name="group_add_member"),
        path(f"{GROUP}/members/<str:user>/remove/", groups.group_remove_member,
             name="group_remove_member"),
    ]),
    *entities.urls(roles.PAGE, collection=[
        path("roles/create/guided/", role_wizard.role_create_guided, name="role_create_guided"),
        path("roles/bulk/", bulk.role_bulk, name="role_bulk"),
    ], special=[
        path("roles/<str:name>/trust/", roles.role_trust, name="role_trust"),
        path("roles/<str:name>/sessions/revoke/", sign_in_security.role_sessions_revoke,
             name="role_sessions_revoke"),
    ]),
    *entities.urls(policies.PAGE, collection=[
        path("policies/validate/", policies.policy_validate, name="policy_validate"),
        path("policies/options/", pickers.policy_options, name="policy_options"),
        path("policies/options/users/", pickers.user_options, name="user_options"),
        path("policies/options/groups/", pickers.group_options, name="group_options"),
        path("policies/options/roles/", pickers.role_options, name="role_options"),
        path("policies/options/identities/", pickers.identity_options, name="identity_options"),
        path("policies/bulk/", bulk.policy_bulk, name="policy_bulk"),
    ], special=[
        path(f"{POLICY}/versions/new/", policies.policy_version_create,
             name="policy_version_create"),
        path(f"{POLICY}/versions/compare/", policies.policy_version_compare,
             name="policy_version_compare"),
        path(f"{POLICY}/versions/<str:version_id>/", policies.policy_version_detail,
             name="policy_version_detail"),
        path(f"{POLICY}/versions/<str:version_id>/set-default/",
             policies.policy_version_set_default, name="policy_version_set_default"),
        path(f"{POLICY}/versions/<str:version_id>/delete/", policies.policy_version_delete,
             name="policy_version_delete"),
    ]),
    *entities.urls(instance_profiles.PAGE, special=[
        path(f"{PROFILE}/roles/add/", instance_profiles.instance_profile_add_role,
             name="instance_profile_add_role"),
        path(f"{PROFILE}/roles/<str:role>/remove/", instance_profiles.instance_profile_remove_role,
             name="instance_profile_remove_role"),
    ]),
    *entities.urls(server_certificates.PAGE),
    *oidc_providers.urls(),


    *entities.urls(saml_providers.PAGE),
    # Audit log (read-only)
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export/", audit.audit_export, name="audit_export"),
    path("custom-services/", custom_services.custom_service_list, name="custom_service_list"),
    path("custom-services/<str:prefix>/delete/", custom_services.custom_service_delete,
         name="custom_service_delete"),
    path("audit/<int:pk>/", audit.audit_detail, name="audit_detail"),
    *organization_urls(),
    path("credential-report/", credential_report.credential_report, name="credential_report"),
    path("credential-report/csv/", credential_report.credential_report_csv,
         name="credential_report_csv"),
    path("credential-report/generate/", credential_report.credential_report_generate,
         name="credential_report_generate"),
    # Account settings of the account the session acts in
    path("account/", account.account_settings, name="account_settings"),
    path("account/alias/", account.alias_create, name="account_alias_create"),
    path("account/alias/delete/", account.alias_delete, name="account_alias_delete"),
    path("account/outbound-federation/enable/", account.outbound_enable,
         name="account_outbound_enable"),
    path("account/outbound-federation/disable/", account.outbound_disable,
         name="account_outbound_disable"),
]

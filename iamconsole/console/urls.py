"""The browser console. Each view declares its IAM action (see `console_view`); each entity kind's
list, detail, create, edit, delete, tag and permission routes come from `entities.urls` over its
page (views/entities.py), followed by the kind's own views."""

from django.urls import path

from .views import (
    audit,
    dashboard,
    entities,
    groups,
    instance_profiles,
    organization,
    pickers,
    policies,
    roles,
    server_certificates,
    user_credentials,
    users,
)

app_name = "console"

USER = "users/<str:name>"
GROUP = "groups/<str:name>"
POLICY = "policies/<str:scope>/<str:name>"
PROFILE = "instance-profiles/<str:name>"

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


urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    *entities.urls(users.PAGE, special=[
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
        *user_credential_urls(),
    ]),
    *entities.urls(groups.PAGE, special=[
        path(f"{GROUP}/members/add/", groups.group_add_member, name="group_add_member"),
        path(f"{GROUP}/members/<str:user>/remove/", groups.group_remove_member,
             name="group_remove_member"),
    ]),
    *entities.urls(roles.PAGE, special=[
        path("roles/<str:name>/trust/", roles.role_trust, name="role_trust"),
    ]),
    *entities.urls(policies.PAGE, collection=[
        path("policies/validate/", policies.policy_validate, name="policy_validate"),
        path("policies/options/", pickers.policy_options, name="policy_options"),
    ], special=[
        path(f"{POLICY}/versions/new/", policies.policy_version_create,
             name="policy_version_create"),
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
    # Audit log (read-only)
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/<int:pk>/", audit.audit_detail, name="audit_detail"),
    # AWS Organizations (read-only tree)
    path("organization/", organization.organization_tree, name="organization"),
]

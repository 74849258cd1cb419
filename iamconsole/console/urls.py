"""The browser console. Each view declares its IAM action (see `console_view`)."""

from django.urls import path

from .views import audit, dashboard, groups, identity, pickers, policies, roles, users

app_name = "console"


def identity_urls(kind: str, prefix: str) -> list:
    """Permission actions shared by users, groups and roles."""
    routes = [
        path(f"{prefix}/<str:name>/policies/attach/", identity.attach_view(kind),
             name=f"{kind}_attach_policy"),
        path(f"{prefix}/<str:name>/policies/detach/", identity.detach_view(kind),
             name=f"{kind}_detach_policy"),
        path(f"{prefix}/<str:name>/inline/new/", identity.inline_edit_view(kind),
             name=f"{kind}_inline_new"),
        path(f"{prefix}/<str:name>/inline/<str:policy_name>/edit/",
             identity.inline_edit_view(kind), name=f"{kind}_inline_edit"),
        path(f"{prefix}/<str:name>/inline/<str:policy_name>/delete/",
             identity.inline_delete_view(kind), name=f"{kind}_inline_delete"),
    ]
    if identity.KINDS[kind].has_boundary:
        routes += [
            path(f"{prefix}/<str:name>/boundary/", identity.boundary_view(kind),
                 name=f"{kind}_boundary"),
            path(f"{prefix}/<str:name>/boundary/remove/", identity.boundary_remove_view(kind),
                 name=f"{kind}_boundary_remove"),
        ]
    return routes


urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Users
    path("users/", users.user_list, name="user_list"),
    path("users/create/", users.user_create, name="user_create"),
    path("users/<str:name>/", users.user_detail, name="user_detail"),
    path("users/<str:name>/edit/", users.user_edit, name="user_edit"),
    path("users/<str:name>/delete/", users.user_delete, name="user_delete"),
    path("users/<str:name>/groups/add/", users.user_add_to_group, name="user_add_to_group"),
    path("users/<str:name>/groups/<str:group>/remove/", users.user_remove_from_group,
         name="user_remove_from_group"),
    path("users/<str:name>/access-keys/create/", users.access_key_create,
         name="access_key_create"),
    path("users/<str:name>/access-keys/<str:key_id>/status/", users.access_key_status,
         name="access_key_status"),
    path("users/<str:name>/access-keys/<str:key_id>/delete/", users.access_key_delete,
         name="access_key_delete"),
    path("users/<str:name>/login-profile/", users.login_profile_set, name="login_profile_set"),
    path("users/<str:name>/login-profile/delete/", users.login_profile_delete,
         name="login_profile_delete"),
    path("users/<str:name>/mfa/deactivate/", users.mfa_deactivate, name="mfa_deactivate"),
    path("users/<str:name>/tags/add/", users.user_tag, name="user_tag"),
    path("users/<str:name>/tags/remove/", users.user_untag, name="user_untag"),
    *identity_urls("user", "users"),
    # Groups
    path("groups/", groups.group_list, name="group_list"),
    path("groups/create/", groups.group_create, name="group_create"),
    path("groups/<str:name>/", groups.group_detail, name="group_detail"),
    path("groups/<str:name>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<str:name>/delete/", groups.group_delete, name="group_delete"),
    path("groups/<str:name>/members/add/", groups.group_add_member, name="group_add_member"),
    path("groups/<str:name>/members/<str:user>/remove/", groups.group_remove_member,
         name="group_remove_member"),
    *identity_urls("group", "groups"),
    # Roles
    path("roles/", roles.role_list, name="role_list"),
    path("roles/create/", roles.role_create, name="role_create"),
    path("roles/<str:name>/", roles.role_detail, name="role_detail"),
    path("roles/<str:name>/edit/", roles.role_edit, name="role_edit"),
    path("roles/<str:name>/trust/", roles.role_trust, name="role_trust"),
    path("roles/<str:name>/delete/", roles.role_delete, name="role_delete"),
    path("roles/<str:name>/tags/add/", roles.role_tag, name="role_tag"),
    path("roles/<str:name>/tags/remove/", roles.role_untag, name="role_untag"),
    *identity_urls("role", "roles"),
    # Managed policies
    path("policies/", policies.policy_list, name="policy_list"),
    path("policies/create/", policies.policy_create, name="policy_create"),
    path("policies/validate/", policies.policy_validate, name="policy_validate"),
    path("policies/options/", pickers.policy_options, name="policy_options"),
    path("policies/<str:scope>/<str:name>/", policies.policy_detail, name="policy_detail"),
    path("policies/<str:scope>/<str:name>/edit/", policies.policy_edit, name="policy_edit"),
    path("policies/<str:scope>/<str:name>/delete/", policies.policy_delete,
         name="policy_delete"),
    path("policies/<str:scope>/<str:name>/versions/new/", policies.policy_version_create,
         name="policy_version_create"),
    path("policies/<str:scope>/<str:name>/versions/<str:version_id>/",
         policies.policy_version_detail, name="policy_version_detail"),
    path("policies/<str:scope>/<str:name>/versions/<str:version_id>/set-default/",
         policies.policy_version_set_default, name="policy_version_set_default"),
    path("policies/<str:scope>/<str:name>/versions/<str:version_id>/delete/",
         policies.policy_version_delete, name="policy_version_delete"),
    path("policies/<str:scope>/<str:name>/tags/add/", policies.policy_tag, name="policy_tag"),
    path("policies/<str:scope>/<str:name>/tags/remove/", policies.policy_untag,
         name="policy_untag"),
    # Audit log (read-only)
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/<int:pk>/", audit.audit_detail, name="audit_detail"),
]

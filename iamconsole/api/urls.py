"""/api/v1/: the REST API. Names follow AWS (users, groups, roles, policies…); identities are
named by their name, managed policies by their PolicyId (ANPA…)."""

from csp.decorators import csp_replace
from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .converters import (
    ArnConverter,
    EventIdConverter,
    IdConverter,
    NameConverter,
    VersionConverter,
)
from .views import account, credentials, entities, identity, policies, simulate
from .views.misc import UnknownURLView

app_name = "api"

register_converter(NameConverter, "iam_name")
register_converter(IdConverter, "iam_id")
register_converter(VersionConverter, "iam_version")
register_converter(ArnConverter, "iam_ref")
register_converter(EventIdConverter, "iam_event")


def _identity_routes(plural: str, kind: str, *, tags: bool, boundary: bool) -> list:
    base = f"{plural}/<iam_name:name>/"
    routes = [
        path(f"{base}attached-policies/", identity.AttachedPoliciesView.as_view(kind=kind),
             name=f"{kind}-attached-policies"),
        path(f"{base}attached-policies/<iam_ref:policy>/",
             identity.AttachedPolicyView.as_view(kind=kind), name=f"{kind}-attached-policy"),
        path(f"{base}inline-policies/", identity.InlinePoliciesView.as_view(kind=kind),
             name=f"{kind}-inline-policies"),
        path(f"{base}inline-policies/<iam_name:policy_name>/",
             identity.InlinePolicyView.as_view(kind=kind), name=f"{kind}-inline-policy"),
    ]
    if tags:
        routes.append(path(f"{base}tags/", identity.TagsView.as_view(kind=kind),
                           name=f"{kind}-tags"))
    if boundary:
        routes.append(path(f"{base}permissions-boundary/",
                           identity.BoundaryView.as_view(kind=kind), name=f"{kind}-boundary"))
    return routes


urlpatterns = [
    # public documentation: no authentication, not rate limited (served from the app, no DB)
    path("schema/", SpectacularAPIView.as_view(throttle_classes=[]), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script for the
    # CSP. Swagger UI sets inline styles, allowed on this page only (styles, never scripts).
    path("docs/", csp_replace({"style-src": ["'self'", "'unsafe-inline'"]})(
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", throttle_classes=[])),
        name="docs"),
    path("caller-identity/", account.CallerIdentityView.as_view(), name="caller-identity"),
    # users
    path("users/", entities.UsersView.as_view(), name="users"),
    path("users/<iam_name:user_name>/", entities.UserView.as_view(), name="user"),
    path("users/<iam_name:user_name>/groups/", entities.UserGroupsView.as_view(),
         name="user-groups"),
    path("users/<iam_name:user_name>/access-keys/", credentials.AccessKeysView.as_view(),
         name="access-keys"),
    path("users/<iam_name:user_name>/access-keys/<iam_id:access_key_id>/",
         credentials.AccessKeyView.as_view(), name="access-key"),
    path("users/<iam_name:user_name>/login-profile/", credentials.LoginProfileView.as_view(),
         name="login-profile"),
    path("users/<iam_name:user_name>/mfa-devices/", credentials.MFADevicesView.as_view(),
         name="mfa-devices"),
    path("users/<iam_name:user_name>/mfa-devices/<iam_ref:serial_number>/",
         credentials.MFADeviceView.as_view(), name="mfa-device"),
    *_identity_routes("users", "user", tags=True, boundary=True),
    # groups
    path("groups/", entities.GroupsView.as_view(), name="groups"),
    path("groups/<iam_name:group_name>/", entities.GroupView.as_view(), name="group"),
    path("groups/<iam_name:group_name>/members/", entities.GroupMembersView.as_view(),
         name="group-members"),
    path("groups/<iam_name:group_name>/members/<iam_name:user_name>/",
         entities.GroupMemberView.as_view(), name="group-member"),
    *_identity_routes("groups", "group", tags=False, boundary=False),
    # roles
    path("roles/", entities.RolesView.as_view(), name="roles"),
    path("roles/<iam_name:role_name>/", entities.RoleView.as_view(), name="role"),
    path("roles/<iam_name:role_name>/trust-policy/", entities.TrustPolicyView.as_view(),
         name="trust-policy"),
    *_identity_routes("roles", "role", tags=True, boundary=True),
    # managed policies
    path("policies/", policies.PoliciesView.as_view(), name="policies"),
    path("policies/<iam_id:policy_id>/", policies.PolicyView.as_view(), name="policy"),
    path("policies/<iam_id:policy_id>/versions/", policies.PolicyVersionsView.as_view(),
         name="policy-versions"),
    path("policies/<iam_id:policy_id>/versions/<iam_version:version_id>/",
         policies.PolicyVersionView.as_view(), name="policy-version"),
    path("policies/<iam_id:policy_id>/default-version/", policies.DefaultVersionView.as_view(),
         name="policy-default-version"),
    path("policies/<iam_id:policy_id>/entities/", policies.PolicyEntitiesView.as_view(),
         name="policy-entities"),
    path("policies/<iam_id:policy_id>/tags/", policies.PolicyTagsView.as_view(),
         name="policy-tags"),
    # account
    path("password-policy/", account.PasswordPolicyView.as_view(), name="password-policy"),
    path("audit-events/", account.AuditEventsView.as_view(), name="audit-events"),
    path("audit-events/<iam_event:event_id>/", account.AuditEventView.as_view(),
         name="audit-event"),
    # simulator
    path("simulate/principal/", simulate.SimulatePrincipalView.as_view(),
         name="simulate-principal"),
    path("simulate/custom/", simulate.SimulateCustomView.as_view(), name="simulate-custom"),
    # anything else under /api/v1/ (a %0A in the path included): JSON 404 NoSuchEntity
    re_path(r"^[\s\S]*$", UnknownURLView.as_view(), name="unknown"),  # newlines too
]

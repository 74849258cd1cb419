"""/api/v1/: the REST API. Names follow AWS (users, groups, roles, policies…); identities are
named by their name, managed policies by their PolicyId (ANPA…)."""

from csp.decorators import csp_replace
from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from iamconsole.iam import kinds

from .converters import (
    ArnConverter,
    EventIdConverter,
    IdConverter,
    NameConverter,
    VersionConverter,
)
from .views import (
    account,
    advisor,
    authorize,
    credentials,
    entities,
    identity,
    oidc_providers,
    outbound,
    policies,
    simulate,
)
from .views.misc import UnknownURLView

app_name = "api"

register_converter(NameConverter, "iam_name")
register_converter(IdConverter, "iam_id")
register_converter(VersionConverter, "iam_version")
register_converter(ArnConverter, "iam_ref")
register_converter(EventIdConverter, "iam_event")


# What only one kind has, under /<plural>/<name>/: (suffix, view, URL name).
_KIND_EXTRAS = {
    "user": [
        ("groups/", entities.UserGroupsView, "user-groups"),
        ("access-keys/", credentials.AccessKeysView, "access-keys"),
        ("access-keys/<iam_id:access_key_id>/", credentials.AccessKeyView, "access-key"),
        ("login-profile/", credentials.LoginProfileView, "login-profile"),
        ("mfa-devices/", credentials.MFADevicesView, "mfa-devices"),
        ("mfa-devices/<iam_ref:serial_number>/", credentials.MFADeviceView, "mfa-device"),
        ("ssh-public-keys/", credentials.SSHPublicKeysView, "ssh-public-keys"),
        ("ssh-public-keys/<iam_id:ssh_public_key_id>/", credentials.SSHPublicKeyView,
         "ssh-public-key"),
        ("signing-certificates/", credentials.SigningCertificatesView, "signing-certificates"),
        ("signing-certificates/<iam_id:certificate_id>/", credentials.SigningCertificateView,
         "signing-certificate"),
        ("service-specific-credentials/", credentials.ServiceSpecificCredentialsView,
         "service-specific-credentials"),
        ("service-specific-credentials/<iam_id:credential_id>/",
         credentials.ServiceSpecificCredentialView, "service-specific-credential"),
        ("service-specific-credentials/<iam_id:credential_id>/reset/",
         credentials.ServiceSpecificCredentialResetView, "service-specific-credential-reset"),
    ],
    "group": [
        ("members/", entities.GroupMembersView, "group-members"),
        ("members/<iam_name:user_name>/", entities.GroupMemberView, "group-member"),
    ],
    "role": [
        ("trust-policy/", entities.TrustPolicyView, "trust-policy"),
        ("instance-profiles/", entities.RoleInstanceProfilesView, "role-instance-profiles"),
    ],
    "instance_profile": [
        ("roles/", entities.InstanceProfileRolesView, "instance-profile-roles"),
        ("roles/<iam_name:role_name>/", entities.InstanceProfileRoleView,
         "instance-profile-role"),
    ],
}

# What kinds share under /<plural>/<name>/, for those with the Kind feature `has`.
_SHARED_ROUTES = [
    ("attached-policies/", identity.AttachedPoliciesView, "attached-policies", "attachments"),
    ("attached-policies/<iam_ref:policy>/", identity.AttachedPolicyView, "attached-policy",
     "attachments"),
    ("inline-policies/", identity.InlinePoliciesView, "inline-policies", "inline_policies"),
    ("inline-policies/<iam_name:policy_name>/", identity.InlinePolicyView, "inline-policy",
     "inline_policies"),
    ("tags/", identity.TagsView, "tags", "tags"),
    ("permissions-boundary/", identity.BoundaryView, "boundary", "boundary"),
    ("last-accessed/", advisor.LastAccessedView, "last-accessed", "attachments"),
]


def _kind_routes(kind: kinds.Kind) -> list:
    """/<plural>/, /<plural>/<name>/, the kind's own sub-resources, then the shared ones."""
    item = f"{kind.plural}/<iam_name:{kind.key}_name>/"
    shared = f"{kind.plural}/<iam_name:name>/"
    return [
        path(f"{kind.plural}/", entities.collection_view(kind).as_view(), name=kind.plural),
        path(item, entities.item_view(kind).as_view(), name=kind.key),
        *(path(item + suffix, view.as_view(), name=name)
          for suffix, view, name in _KIND_EXTRAS.get(kind.key, ())),
        *(path(shared + suffix, view.as_view(kind=kind.key), name=f"{kind.key}-{name}")
          for suffix, view, name, has in _SHARED_ROUTES if getattr(kind, f"has_{has}")),
    ]


urlpatterns = [
    # The decision API first: services call it for every request they serve, and the resolver
    # tries patterns in order (iam/decisions.py).
    path("authorize/", authorize.AuthorizeView.as_view(), name="authorize"),
    # public documentation: no authentication, not rate limited (served from the app, no DB)
    path("schema/", SpectacularAPIView.as_view(throttle_classes=[]), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script for the
    # CSP. Swagger UI sets inline styles, allowed on this page only (styles, never scripts).
    path("docs/", csp_replace({"style-src": ["'self'", "'unsafe-inline'"]})(
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", throttle_classes=[])),
        name="docs"),
    path("caller-identity/", account.CallerIdentityView.as_view(), name="caller-identity"),
    # users, groups, roles, instance profiles, server certificates, SAML providers
    *(route for kind in (*kinds.IDENTITIES.values(), kinds.INSTANCE_PROFILE,
                         kinds.SERVER_CERTIFICATE, kinds.SAML_PROVIDER)
      for route in _kind_routes(kind)),
    # OIDC identity providers, named by their ARN (its sub-resources first: the ARN has slashes)
    path("oidc-providers/", oidc_providers.OpenIDConnectProvidersView.as_view(),
         name="oidc-providers"),
    path("oidc-providers/<iam_ref:arn>/thumbprints/", oidc_providers.ThumbprintsView.as_view(),
         name="oidc-provider-thumbprints"),
    path("oidc-providers/<iam_ref:arn>/client-ids/", oidc_providers.ClientIDsView.as_view(),
         name="oidc-provider-client-ids"),
    path("oidc-providers/<iam_ref:name>/tags/", identity.TagsView.as_view(kind="oidc_provider"),
         name="oidc_provider-tags"),
    path("oidc-providers/<iam_ref:arn>/", oidc_providers.OpenIDConnectProviderView.as_view(),
         name="oidc-provider"),
    path("service-linked-roles/", entities.ServiceLinkedRolesView.as_view(),
         name="service-linked-roles"),
    path("service-linked-roles/<iam_name:role_name>/", entities.ServiceLinkedRoleView.as_view(),
         name="service-linked-role"),
    path("service-linked-role-deletions/", entities.ServiceLinkedRoleDeletionView.as_view(),
         name="service-linked-role-deletion"),
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
    path("policies/<iam_id:policy_id>/last-accessed/", advisor.PolicyLastAccessedView.as_view(),
         name="policy-last-accessed"),
    # account
    path("password-policy/", account.PasswordPolicyView.as_view(), name="password-policy"),
    path("audit-events/", account.AuditEventsView.as_view(), name="audit-events"),
    path("outbound-web-identity-federation/", outbound.OutboundFederationView.as_view(),
         name="outbound-web-identity-federation"),
    path("audit-events/<iam_event:event_id>/", account.AuditEventView.as_view(),
         name="audit-event"),
    # simulator
    path("simulate/principal/", simulate.SimulatePrincipalView.as_view(),
         name="simulate-principal"),
    path("simulate/custom/", simulate.SimulateCustomView.as_view(), name="simulate-custom"),
    # custom services and the decision API (iam/custom_services.py, iam/decisions.py)
    path("custom-services/", authorize.CustomServicesView.as_view(), name="custom-services"),
    path("custom-services/<iam_name:prefix>/", authorize.CustomServiceView.as_view(),
         name="custom-service"),
    # anything else under /api/v1/ (a %0A in the path included): JSON 404 NoSuchEntity
    re_path(r"^[\s\S]*$", UnknownURLView.as_view(), name="unknown"),  # newlines too
]

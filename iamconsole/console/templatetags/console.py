"""Template helpers: `{% allowed "iam:DeleteUser" user.arn as can_delete %}` (hide or disable what
the signed-in caller may not do), the main navigation, and small formatting filters."""

from __future__ import annotations

import json

from django import template
from django.urls import reverse

from iamconsole.console.auth import allowed as _allowed
from iamconsole.iam import clock, kinds

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed(context, action: str, resource: str = "*", **extra) -> bool:
    request = context.get("request")
    if request is None:
        return False
    return _allowed(request, action, resource or "*", extra or None)


# (label, url, IAM actions any of which grants the link, resource: an ARN or a function giving
# it in the request's account). Hidden when none is allowed;
# no action: every signed-in user may open it (the dashboard adapts to what the user may see).
NAV = [
    ("Dashboard", "/", (), "*"),
    ("Users", "/users/", ("iam:ListUsers",), kinds.USER.any_arn),
    ("Locked-out users", "/locked-users/", ("iam:ListUsers",), kinds.USER.any_arn),
    ("Groups", "/groups/", ("iam:ListGroups",), kinds.GROUP.any_arn),
    ("Roles", "/roles/", ("iam:ListRoles",), kinds.ROLE.any_arn),
    ("Policies", "/policies/", ("iam:ListPolicies",), kinds.POLICY.any_arn),
    ("Instance profiles", "/instance-profiles/", ("iam:ListInstanceProfiles",),
     kinds.INSTANCE_PROFILE.any_arn),
    ("Server certificates", "/server-certificates/", ("iam:ListServerCertificates",),
     kinds.SERVER_CERTIFICATE.any_arn),
    ("Identity providers", "/oidc-providers/", ("iam:ListOpenIDConnectProviders",),
     kinds.OIDC_PROVIDER.any_arn),


    ("SAML providers", "/saml-providers/", ("iam:ListSAMLProviders",),
     kinds.SAML_PROVIDER.any_arn),
    ("Simulator", "/simulator/", ("iam:SimulatePrincipalPolicy", "iam:SimulateCustomPolicy"),
     "*"),
    ("Credential report", "/credential-report/", ("iam:GetCredentialReport",), "*"),
    ("Audit log", "/audit/", ("cloudtrail:LookupEvents",), "*"),
    ("Custom services", "/custom-services/", ("iamconsole:ListCustomServices",), "*"),
    ("Organization", "/organization/", ("organizations:DescribeOrganization",), "*"),
    ("Password policy", "/accounts/password-policy/", ("iam:GetAccountPasswordPolicy",), "*"),
    ("Account", "/account/", ("iam:ListAccountAliases",), "*"),
]


@register.inclusion_tag("partials/nav_links.html", takes_context=True)
def console_nav(context):
    request = context.get("request")
    links = []
    if request is not None and request.user.is_authenticated:
        path = request.path
        for label, url, actions, resource in NAV:
            arn = resource() if callable(resource) else resource  # this request's account
            if not actions or any(_allowed(request, action, arn) for action in actions):
                current = path == url if url == "/" else path.startswith(url)
                links.append({"label": label, "url": url, "current": current})
    return {"links": links}


@register.filter
def pretty_json(value) -> str:
    """A policy document or audit value, indented for reading."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, sort_keys=False)


@register.filter
def age_days(value) -> int | None:
    if not value:
        return None
    return (clock.now() - value).days


@register.simple_tag
def policy_url(policy) -> str:
    scope = "aws" if policy.is_aws_managed else "local"
    return reverse("console:policy_detail", args=[scope, policy.name])


@register.inclusion_tag("console/_sort_header.html")
def sort_header(listing, column: str, label: str):
    return {"label": label, "url": listing.sort_url(column), "state": listing.sort_state(column)}

"""Create a role by trusted-entity type (AWS's "Create role"): choose who may assume it (an AWS
service, an account, a web identity, SAML 2.0, or a custom document), see the trust policy that
makes and its principals in words, pick the permissions, and create it all in one change
(iam.services.create_role_with_permissions; the trust policy from iam.trust)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse

from iamconsole.iam import kinds, trust
from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError

from ..auth import console_view, get_caller
from ..forms import PATH_HELP, ConsoleForm
from .common import changed, form_page
from .roles import PAGE

POLICY_CHOICES_MAX = 500  # the permissions select offers the first policies by name


class GuidedRoleForm(ConsoleForm):
    entity_type = forms.ChoiceField(label="Trusted entity type",
                                    choices=list(trust.TRUSTED_ENTITY_TYPES.items()),
                                    widget=forms.RadioSelect, initial="service")
    service = forms.CharField(required=False, label="AWS service: service principal",
                              help_text="For example ec2.amazonaws.com or lambda.amazonaws.com.")
    account_id = forms.CharField(required=False, label="AWS account: account ID",
                                 help_text="12 digits; empty: this account.")
    require_mfa = forms.BooleanField(required=False, label="AWS account: require MFA")
    external_id = forms.CharField(required=False, label="AWS account: external ID")
    provider = forms.CharField(
        required=False, label="Web identity or SAML: identity provider",
        help_text="Its ARN (arn:aws:iam::<account>:oidc-provider/<host> or "
                  "saml-provider/<name>), or the host / name in this account.")
    audience = forms.CharField(required=False, label="Web identity: audience")
    subject = forms.CharField(required=False, label="Web identity: subject pattern",
                              help_text="Optional, * and ? allowed (StringLike).")
    document = forms.CharField(required=False, label="Custom trust policy",
                               widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}))
    role_name = forms.CharField(max_length=64, required=False, label="Role name")
    path = forms.CharField(required=False, initial="/", help_text=PATH_HELP)
    description = forms.CharField(required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    policy_arns = forms.MultipleChoiceField(required=False, label="Permissions policies",
                                            widget=forms.SelectMultiple(attrs={"size": 8}))

    def __init__(self, *args, policies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_arns"].choices = [(p.arn, p.name) for p in policies]

    def trust_choices(self) -> dict:
        data = self.cleaned_data
        return {key: data[key] for key in ("service", "account_id", "require_mfa",
                                           "external_id", "provider", "audience", "subject",
                                           "document")}


def _policies(caller) -> list:
    try:
        return list(iam.list_policies(caller, counts=False).order_by("name")[:POLICY_CHOICES_MAX])
    except IAMError:  # may create roles without listing policies: attach none here
        return []


@console_view("iam:CreateRole", kinds.ROLE.any_arn)
def role_create_guided(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    policies = _policies(caller)
    document, principals = "", []
    if request.method == "POST":
        form = GuidedRoleForm(request.POST, policies=policies)
        if form.is_valid():
            data = form.cleaned_data
            try:
                document = trust.trust_policy(data["entity_type"], **form.trust_choices())
                principals = trust.trusted_principals(document)
                if "preview" not in request.POST:
                    if not data["role_name"]:
                        form.add_error("role_name", "Name the role.")
                    else:
                        role = iam.create_role_with_permissions(
                            caller, data["role_name"], document, data["policy_arns"],
                            path=data["path"] or "/", description=data["description"])
                        attached = len(data["policy_arns"])
                        return changed(request, PAGE.tab_url([role.name], "trust"),
                                       f"Created role {role.name} with {attached} "
                                       f"{'policy' if attached == 1 else 'policies'}.")
            except IAMError as exc:
                form.apply_error(exc)
    else:
        form = GuidedRoleForm(policies=policies)
    return form_page(request, "console/roles/create_guided.html", {
        "document": document, "principals": principals,
        "urls": {"list": PAGE.url("list")}}, form)

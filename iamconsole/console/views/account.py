"""Account settings of the account the session acts in: its id, its alias (CreateAccountAlias /
DeleteAccountAlias), its place in an organization (organization id, OU path) and the link to
the password policy. Each section shows what the caller may read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from iamconsole.iam import outbound_federation
from iamconsole.iam import services as iam
from iamconsole.iam.errors import AccessDenied, IAMError
from iamconsole.orgs import services as orgs
from iamconsole.orgs.errors import OrganizationsError

from ..auth import access_denied_response, allowed, console_view, get_caller
from ..organization_forms import AliasForm
from .common import changed, failed, form_page


def _page(request: HttpRequest, form: AliasForm | None = None) -> HttpResponse:
    caller = get_caller(request)
    context: dict = {"account_id": caller.account}
    try:
        context["aliases"] = iam.list_account_aliases(caller)
    except AccessDenied as exc:
        context["aliases_denied"] = exc
    try:
        context["place"] = orgs.describe_own_account(caller)
    except OrganizationsError as exc:
        context["org_denied"] = exc
    if context.get("place"):
        context["manages"] = context["place"].organization.management_id == caller.account
    try:
        context["outbound"] = outbound_federation.get_info(caller)
    except outbound_federation.FeatureDisabled:
        context["outbound"] = None
    except AccessDenied as exc:
        context["outbound_denied"] = exc
    context["can_enable_outbound"] = allowed(request, "iam:EnableOutboundWebIdentityFederation")
    context["can_disable_outbound"] = allowed(request,
                                              "iam:DisableOutboundWebIdentityFederation")
    context["can_create_alias"] = allowed(request, "iam:CreateAccountAlias")
    context["can_delete_alias"] = allowed(request, "iam:DeleteAccountAlias")
    return form_page(request, "console/account/settings.html", context, form or AliasForm())


# The page is AWS's account settings page: it needs the alias list; the organization section
# shows what organizations:DescribeOrganization lets the caller read.
@console_view("iam:ListAccountAliases", "*", methods=("GET",))
def account_settings(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@console_view("iam:CreateAccountAlias", "*", methods=("POST",))
def alias_create(request: HttpRequest) -> HttpResponse:
    form = AliasForm(request.POST)
    if form.is_valid():
        alias = form.cleaned_data["account_alias"]
        try:
            iam.create_account_alias(get_caller(request), alias)
        except AccessDenied as exc:
            return access_denied_response(request, exc)
        except IAMError as exc:
            form.apply_error(exc)
        else:
            return changed(request, reverse("console:account_settings"),
                           f"The account's alias is now {alias}.")
    return _page(request, form)


@require_POST
@console_view("iam:DeleteAccountAlias", "*", methods=("POST",))
def alias_delete(request: HttpRequest) -> HttpResponse:
    url = reverse("console:account_settings")
    alias = request.POST.get("account_alias", "")
    try:
        iam.delete_account_alias(get_caller(request), alias)
    except IAMError as exc:
        return failed(request, exc, url)
    return changed(request, url, f"Deleted the alias {alias}.")


@require_POST
@console_view("iam:EnableOutboundWebIdentityFederation", "*", methods=("POST",))
def outbound_enable(request: HttpRequest) -> HttpResponse:
    url = reverse("console:account_settings")
    try:
        info = outbound_federation.enable(get_caller(request))
    except IAMError as exc:
        return failed(request, exc, url)
    return changed(request, url, "Outbound identity federation is enabled: the issuer is "
                                 f"{info.issuer_identifier}.")


@require_POST
@console_view("iam:DisableOutboundWebIdentityFederation", "*", methods=("POST",))
def outbound_disable(request: HttpRequest) -> HttpResponse:
    url = reverse("console:account_settings")
    try:
        outbound_federation.disable(get_caller(request))
    except IAMError as exc:
        return failed(request, exc, url)
    return changed(request, url, "Outbound identity federation is disabled. Tokens issued "
                                 "before stay valid until they expire.")

"""OIDC identity providers: the generic list, detail (tabs: provider with its audiences and
thumbprints, tags), create and delete pages (views/entities.py), and adding / removing an
audience on the provider tab. A provider's pages are addressed by its URL without https://
(`oidc-providers/token.actions.githubusercontent.com/`), its ARN's resource; as that may hold
slashes, the detail route comes after the others (`urls`)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path

from iamconsole.iam import console_signin, kinds
from iamconsole.iam import services as iam

from ..forms import ClientIDForm, OpenIDConnectProviderCreateForm
from . import entities


class OpenIDConnectProviderPage(entities.EntityPage):
    kind = kinds.OIDC_PROVIDER
    var = "provider"
    tabs = (("provider", "Provider"), ("tags", "Tags"))
    sorts = {"name": "name", "created": "created_at"}
    list_action = "iam:ListOpenIDConnectProviders"
    create_form = OpenIDConnectProviderCreateForm
    editable = False
    path_arg = "<path:name>"
    delete_warning = ("Roles that trust this provider can no longer be assumed with its "
                      "tokens.")

    def ident(self, kwargs: dict) -> str:
        return "https://" + kwargs["name"]

    def request_args(self, kwargs: dict, ident: str, entity=None) -> list[str]:
        return [kwargs["name"]]

    def resource(self, request: HttpRequest, name: str, **_) -> str:
        return self.kind.arn(name)  # the ARN is the URL's: no lookup needed

    def find(self, ident: str):
        return self.kind.find(ident if ident.startswith("https://") else "https://" + ident)

    def detail_template(self) -> str:
        return "console/oidc-providers/detail.html"

    def tab_context(self, request, entity, tab):
        return {"client_id_form": ClientIDForm(),
                "add_url": self.url("add_client_id", [entity.name]),
                "remove_url": self.url("remove_client_id", [entity.name]),
                "console_sign_in": console_signin.console_sign_in_of(entity),
                "console_sign_in_url": self.url("console_sign_in", [entity.name]),
                "console_sign_in_action": console_signin.MANAGE_ACTION}

    def create(self, caller, data):
        return iam.create_open_id_connect_provider(
            caller, data["url"], client_id_list=data["client_ids"],
            thumbprint_list=data["thumbprints"], tags=data["tags"] or None)


PAGE = OpenIDConnectProviderPage()

add_client_id = entities.tab_action(
    PAGE, "provider", "iam:AddClientIDToOpenIDConnectProvider",
    lambda caller, name, request: iam.add_client_id_to_open_id_connect_provider(
        caller, "https://" + name, request.POST.get("client_id", "")),
    lambda request, name: f"Audience {request.POST.get('client_id', '')} added.")

remove_client_id = entities.tab_action(
    PAGE, "provider", "iam:RemoveClientIDFromOpenIDConnectProvider",
    lambda caller, name, request: iam.remove_client_id_from_open_id_connect_provider(
        caller, "https://" + name, request.POST.get("client_id", "")),
    lambda request, name: f"Audience {request.POST.get('client_id', '')} removed.")

# Console sign-in through this provider (issue #17): the console's OAuth client at the provider.
console_sign_in = entities.tab_action(
    PAGE, "provider", console_signin.MANAGE_ACTION,
    lambda caller, name, request: console_signin.put_console_sign_in(
        caller, "https://" + name, client_id=request.POST.get("client_id", ""),
        client_secret=request.POST.get("client_secret", ""),
        display_name=request.POST.get("display_name", ""),
        enabled=request.POST.get("enabled") == "on"),
    lambda request, name: "Console sign-in saved.")


def urls() -> list:
    """The generic routes, the detail last (a provider's name may contain slashes)."""
    routes = entities.urls(PAGE, special=[
        path("oidc-providers/<path:name>/client-ids/add/", add_client_id,
             name="oidc_provider_add_client_id"),
        path("oidc-providers/<path:name>/client-ids/remove/", remove_client_id,
             name="oidc_provider_remove_client_id"),
        path("oidc-providers/<path:name>/console-sign-in/", console_sign_in,
             name="oidc_provider_console_sign_in"),
    ])
    detail = [r for r in routes if r.name == "oidc_provider_detail"]
    return [r for r in routes if r.name != "oidc_provider_detail"] + detail

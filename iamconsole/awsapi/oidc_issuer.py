"""The public OIDC discovery endpoints of an account's outbound web identity federation
(iam/outbound_federation.py): `/oidc/<account-id>/.well-known/openid-configuration` and
`.../jwks.json`. Unauthenticated, as relying parties fetch them; 404 while the account has
never enabled the feature (keys of a disabled account stay published: its tokens stay valid)."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from iamconsole.iam import outbound_federation
from iamconsole.iam.models import OutboundFederation


def _known(account_id: str) -> None:
    if not OutboundFederation.everywhere.filter(account_id=account_id).exists():
        raise Http404("no issuer")


def _json(payload: dict) -> JsonResponse:
    response = JsonResponse(payload)
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def openid_configuration(request, account_id: str):
    _known(account_id)
    return _json(outbound_federation.discovery(account_id))


@require_GET
def jwks(request, account_id: str):
    _known(account_id)
    return _json(outbound_federation.jwks(account_id))


urlpatterns = [
    path("<str:account_id>/.well-known/openid-configuration", openid_configuration,
         name="oidc-openid-configuration"),
    path("<str:account_id>/.well-known/jwks.json", jwks, name="oidc-jwks"),
]

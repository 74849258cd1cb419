"""REST: outbound web identity federation (enable, info, disable) per account."""

from __future__ import annotations

import pytest
from accounts_fixtures import B, in_account, second_account
from api_helpers import API
from django.test import Client
from personas import make_user

from iamconsole.iam import outbound_federation

URL = f"{API}outbound-web-identity-federation/"


@pytest.fixture
def client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def test_enable_info_disable(client, settings):
    settings.IAMCONSOLE_PUBLIC_URL = "https://iam.example"
    assert client.get(URL).json()["code"] == "FeatureDisabled"
    enabled = client.post(URL)
    assert enabled.status_code == 201
    assert enabled.json() == {"issuer_identifier": "https://iam.example/oidc/123456789012",
                              "jwt_vending_enabled": True}
    again = client.post(URL)
    assert (again.status_code, again.json()["code"]) == (409, "FeatureEnabled")
    assert client.get(URL).json()["jwt_vending_enabled"] is True
    assert client.delete(URL).status_code == 204
    assert client.get(URL).json()["jwt_vending_enabled"] is False
    twice = client.delete(URL)
    assert (twice.status_code, twice.json()["code"]) == (404, "FeatureDisabled")


def test_accounts_are_separate_issuers(client, settings):
    settings.IAMCONSOLE_PUBLIC_URL = "https://iam.example"
    client.post(URL)
    second_account()
    with in_account(B):
        assert not outbound_federation.is_enabled(B)
        assert outbound_federation.jwks(B) == {"keys": []}
    assert outbound_federation.is_enabled("123456789012")
    assert client.get(f"/oidc/{B}/.well-known/openid-configuration").status_code == 404
    assert client.get("/oidc/123456789012/.well-known/openid-configuration").json()[
        "issuer"] == "https://iam.example/oidc/123456789012"


def test_needs_permission(db):
    outsider = Client()
    outsider.force_login(make_user("nobody"))
    response = outsider.post(URL)
    assert (response.status_code, response.json()["code"]) == (403, "AccessDenied")

"""REST: SAML providers under /api/v1/saml-providers/ (create from a metadata document, get,
list, update with If-Match, tags, delete), private keys never answered (ids only), XXE
refused."""

from __future__ import annotations

import json

import pytest
from api_helpers import API
from cert_fixtures import key_pem, new_key
from django.test import Client
from saml_fixtures import IDP_ENTITY_ID, metadata

pytestmark = pytest.mark.django_db
ACCOUNT = "123456789012"


@pytest.fixture
def client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def call(client, method, url, body=None, **headers):
    return client.generic(method, API + url, data=json.dumps(body) if body is not None else "",
                          content_type="application/json", headers=headers)


def test_create_get_update_tags_delete(client):
    key = key_pem(new_key("rsa"))
    response = call(client, "POST", "saml-providers/", {
        "saml_provider_name": "okta", "saml_metadata_document": metadata(),
        "add_private_key": key, "tags": {"env": "prod"}})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["arn"] == f"arn:aws:iam::{ACCOUNT}:saml-provider/okta"
    assert body["entity_id"] == IDP_ENTITY_ID and len(body["private_key_ids"]) == 1
    assert key not in response.content.decode() and body["tags"] == {"env": "prod"}
    got = call(client, "GET", "saml-providers/okta/")
    assert got.status_code == 200 and got.json()["saml_provider_name"] == "okta"
    listed = call(client, "GET", "saml-providers/").json()
    assert [p["saml_provider_name"] for p in listed["results"]] == ["okta"]
    updated = call(client, "PATCH", "saml-providers/okta/",
                   {"assertion_encryption_mode": "Required"}, If_Match=got["ETag"])
    assert updated.status_code == 200, updated.content
    assert updated.json()["assertion_encryption_mode"] == "Required"
    stale = call(client, "PATCH", "saml-providers/okta/",
                 {"assertion_encryption_mode": "Allowed"}, If_Match=got["ETag"])
    assert stale.status_code in (409, 412)
    tags = call(client, "POST", "saml-providers/okta/tags/", {"tags": {"team": "sso"}})
    assert tags.json()["tags"] == {"env": "prod", "team": "sso"}
    assert call(client, "DELETE", "saml-providers/okta/").status_code == 204
    assert call(client, "GET", "saml-providers/okta/").status_code == 404


def test_bad_documents(client):
    xxe = metadata(prolog='<!DOCTYPE md [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
                   ).replace(IDP_ENTITY_ID, "&xxe;")
    response = call(client, "POST", "saml-providers/", {
        "saml_provider_name": "xxe", "saml_metadata_document": xxe})
    assert response.status_code == 400 and "root:" not in response.content.decode()
    short = call(client, "POST", "saml-providers/", {
        "saml_provider_name": "short", "saml_metadata_document": "<x/>"})
    assert short.status_code == 400

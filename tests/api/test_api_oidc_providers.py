"""REST: OIDC identity providers, named in the URL by their ARN: create, get, list, thumbprints,
client ids, tags, delete, and AWS's errors as JSON."""

from __future__ import annotations

import json

import pytest
from api_helpers import API
from django.test import Client

ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
THUMB = "6938fd4d98bab03faadb97b34396831e3780aea1"


@pytest.fixture
def client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def call(client, method, url, body=None):
    return client.generic(method, API + url, data=json.dumps(body) if body is not None else "",
                          content_type="application/json")


def test_provider_lifecycle(client):
    created = call(client, "POST", "oidc-providers/", {
        "url": "https://token.actions.githubusercontent.com",
        "client_id_list": ["sts.amazonaws.com"], "thumbprint_list": [THUMB],
        "tags": {"team": "ci"}})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["arn"] == ARN and body["url"] == "https://token.actions.githubusercontent.com"
    assert body["client_id_list"] == ["sts.amazonaws.com"] and body["tags"] == {"team": "ci"}
    listed = call(client, "GET", "oidc-providers/").json()
    assert [p["arn"] for p in listed["results"]] == [ARN]
    assert call(client, "GET", f"oidc-providers/{ARN}/").json()["thumbprint_list"] == [THUMB]

    updated = call(client, "PUT", f"oidc-providers/{ARN}/thumbprints/",
                   {"thumbprint_list": ["b" * 40]})
    assert updated.status_code == 200 and updated.json()["thumbprint_list"] == ["b" * 40]
    added = call(client, "POST", f"oidc-providers/{ARN}/client-ids/", {"client_id": "app"})
    assert added.json()["client_id_list"] == ["sts.amazonaws.com", "app"]
    removed = call(client, "DELETE",
                   f"oidc-providers/{ARN}/client-ids/?client_id=sts.amazonaws.com")
    assert removed.json()["client_id_list"] == ["app"]
    tagged = call(client, "POST", f"oidc-providers/{ARN}/tags/", {"tags": {"env": "prod"}})
    assert tagged.json()["tags"] == {"team": "ci", "env": "prod"}
    assert call(client, "GET", f"oidc-providers/{ARN}/tags/").json()["tags"] == \
        {"team": "ci", "env": "prod"}

    assert call(client, "DELETE", f"oidc-providers/{ARN}/").status_code == 204
    missing = call(client, "GET", f"oidc-providers/{ARN}/")
    assert missing.status_code == 404 and missing.json()["code"] == "NoSuchEntity"


@pytest.mark.parametrize("body, code", [
    ({"url": "http://idp.example.com"}, "InvalidInput"),
    ({"url": "https://idp.example.com", "thumbprint_list": ["abc"]}, "InvalidInput"),
])
def test_bad_input_is_a_400_with_the_aws_code(client, body, code):
    answer = call(client, "POST", "oidc-providers/", body)
    assert answer.status_code == 400 and answer.json()["code"] == code


def test_the_same_url_twice_is_a_409(client):
    body = {"url": "https://idp.example.com"}
    assert call(client, "POST", "oidc-providers/", body).status_code == 201
    again = call(client, "POST", "oidc-providers/", body)
    assert again.status_code == 409 and again.json()["code"] == "EntityAlreadyExists"

"""The REST API with principals bound by identity: a trust policy naming no existing user is a
JSON 400 MalformedPolicyDocument, and a deleted user shows as its unique id."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from tests.conftest import make_user

API = "/api/v1/"
GHOST_ARN = "arn:aws:iam::123456789012:user/ghost"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": GHOST_ARN}, "Action": "sts:AssumeRole"}]})


@pytest.fixture
def client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def call(client, method, url, body=None):
    return client.generic(method, API + url, data=json.dumps(body) if body is not None else "",
                          content_type="application/json")


def test_creating_a_role_trusting_a_missing_user_is_a_400(client):
    response = call(client, "POST", "roles/", {"role_name": "target",
                                               "assume_role_policy_document": TRUST})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "MalformedPolicyDocument"
    assert body["message"] == f'Invalid principal in policy: "AWS":"{GHOST_ARN}"'


def test_the_trust_policy_shows_a_deleted_users_unique_id(client):
    ghost = make_user("ghost", password=None)
    iam.create_role(Caller.system("test"), "target", TRUST)
    assert call(client, "DELETE", "users/ghost/").status_code == 204
    document = call(client, "GET", "roles/target/trust-policy/").json()["policy_document"]
    if isinstance(document, str):
        document = json.loads(document)
    assert document["Statement"][0]["Principal"]["AWS"] == ghost.user_id

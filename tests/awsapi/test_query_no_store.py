"""Responses that carry a secret (an access key's secret, session credentials, a TOTP seed) are
sent with `Cache-Control: no-store` on every door; other responses are not marked."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from tests.api.api_helpers import sign

ADMIN_ARN = "arn:aws:iam::123456789012:user/admin"


def cache_control(response) -> str:
    return response["ResponseMetadata"]["HTTPHeaders"].get("cache-control", "")


@pytest.fixture
def trusting_role(db):
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": ADMIN_ARN}, "Action": "sts:AssumeRole"}]})
    iam.create_role(Caller.system("test"), "deploy", trust)
    return "arn:aws:iam::123456789012:role/deploy"


def test_query_responses_with_secrets_are_not_stored(admin_iam, admin_sts, trusting_role):
    assert cache_control(admin_iam.create_access_key(UserName="admin")) == "no-store"
    assert cache_control(admin_iam.create_virtual_mfa_device(
        VirtualMFADeviceName="phone")) == "no-store"
    assert cache_control(admin_sts.get_session_token()) == "no-store"
    assert cache_control(admin_sts.assume_role(RoleArn=trusting_role,
                                               RoleSessionName="s1")) == "no-store"


def test_query_responses_without_secrets_are_not_marked(admin_iam, admin_sts):
    assert cache_control(admin_iam.list_users()) == ""
    assert cache_control(admin_sts.get_caller_identity()) == ""


@pytest.mark.django_db
def test_rest_create_access_key_is_not_stored(admin):
    new = iam.create_access_key(Caller.system("test"), "admin")
    url = "http://testserver/api/v1/users/admin/access-keys/"
    headers = sign("POST", url, new.access_key.access_key_id, new.secret_access_key)
    response = Client().generic("POST", "/api/v1/users/admin/access-keys/", b"",
                                headers={**headers, "Host": "testserver"})
    assert response.status_code == 201
    assert "secret_access_key" in response.json()
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_console_pages_showing_a_secret_are_not_stored(admin, client):
    client.force_login(admin)
    created = client.post("/users/admin/access-keys/create/")
    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    client.post("/accounts/mfa/", {"action": "create", "device_name": "phone"})
    enroll = client.get("/accounts/mfa/")
    assert "phone" in enroll.content.decode()
    assert "no-store" in enroll["Cache-Control"]

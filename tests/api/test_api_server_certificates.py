"""REST: server certificates under /api/v1/server-certificates/ (upload, get, list, rename with
If-Match, tags, delete), their errors, the private key never answered, the permission matrix
(allowed, denied naming the action, missing: no existence oracle) and account isolation."""

from __future__ import annotations

import json

import pytest
from accounts_fixtures import B, in_account, second_account
from api_helpers import API
from cert_fixtures import ca_chain, issue, key_pem, new_key
from django.test import Client
from personas import ADMIN_POLICY, make_user

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller

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


def _body(name, cert, **extra):
    return {"server_certificate_name": name, "certificate_body": cert.pem,
            "private_key": cert.key_pem, **extra}


def test_upload_get_list_rename_delete(client):
    leaf, intermediate, root = ca_chain()
    created = call(client, "POST", "server-certificates/", _body(
        "prod", leaf, path="/elb/", certificate_chain=intermediate.pem + root.pem,
        tags={"env": "prod"}))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/elb/prod"
    assert body["server_certificate_id"].startswith("ASCA")
    assert body["certificate_body"] == leaf.pem.strip()
    assert body["tags"] == {"env": "prod"} and body["expired"] is False
    assert "private_key" not in body and "PRIVATE KEY" not in created.content.decode()
    etag = created["ETag"]

    got = call(client, "GET", "server-certificates/prod/")
    assert got.status_code == 200 and "PRIVATE KEY" not in got.content.decode()
    listed = call(client, "GET", "server-certificates/?path_prefix=/elb/").json()
    assert [c["server_certificate_name"] for c in listed["results"]] == ["prod"]
    assert call(client, "GET", "server-certificates/?tag=env=prod").status_code == 200

    renamed = call(client, "PATCH", "server-certificates/prod/",
                   {"new_server_certificate_name": "prod-2", "new_path": "/"},
                   **{"If-Match": etag})
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/prod-2"
    stale = call(client, "PATCH", "server-certificates/prod-2/", {"new_path": "/x/"},
                 **{"If-Match": etag})
    assert stale.status_code == 412

    tagged = call(client, "POST", "server-certificates/prod-2/tags/", {"tags": {"a": "1"}})
    assert tagged.status_code == 200
    assert call(client, "GET", "server-certificates/prod-2/tags/").status_code == 200

    assert call(client, "DELETE", "server-certificates/prod-2/").status_code == 204
    missing = call(client, "GET", "server-certificates/prod-2/")
    assert missing.status_code == 404 and missing.json()["code"] == "NoSuchEntity"


def test_errors(client):
    cert = issue("www.example.com")
    mismatch = call(client, "POST", "server-certificates/",
                    {**_body("x", cert), "private_key": key_pem(new_key())})
    assert mismatch.status_code == 400 and mismatch.json()["code"] == "KeyPairMismatch"
    malformed = call(client, "POST", "server-certificates/",
                     {**_body("x", cert), "certificate_body": "nope"})
    assert malformed.status_code == 400 and malformed.json()["code"] == "MalformedCertificate"
    assert call(client, "POST", "server-certificates/", _body("x", cert)).status_code == 201
    again = call(client, "POST", "server-certificates/", _body("X", cert))
    assert again.status_code == 409 and again.json()["code"] == "EntityAlreadyExists"
    assert call(client, "POST", "server-certificates/",
                {"server_certificate_name": "y"}).status_code == 400
    expired = call(client, "POST", "server-certificates/",
                   _body("old", issue("old", expired=True))).json()
    assert expired["expired"] is True


@pytest.fixture
def outsider_client(db) -> Client:
    client = Client()
    client.force_login(make_user("nobody"))
    return client


MATRIX = [
    ("GET", "server-certificates/", None, "iam:ListServerCertificates"),
    ("POST", "server-certificates/", "upload", "iam:UploadServerCertificate"),
    ("GET", "server-certificates/web/", None, "iam:GetServerCertificate"),
    ("PATCH", "server-certificates/web/", {"new_path": "/a/"}, "iam:UpdateServerCertificate"),
    ("DELETE", "server-certificates/web/", None, "iam:DeleteServerCertificate"),
    ("GET", "server-certificates/web/tags/", None, "iam:ListServerCertificateTags"),
    ("POST", "server-certificates/web/tags/", {"tags": {"a": "b"}},
     "iam:TagServerCertificate"),
    ("DELETE", "server-certificates/web/tags/?key=a", None, "iam:UntagServerCertificate"),
]


@pytest.mark.parametrize(("method", "url", "body", "action"), MATRIX,
                         ids=[f"{m} {u}" for m, u, _, _ in MATRIX])
def test_permission_matrix(client, outsider_client, method, url, body, action):
    cert = issue("www.example.com")
    iam.upload_server_certificate(Caller.system("test"), "web", cert.pem, cert.key_pem)
    body = _body("new", cert) if body == "upload" else body
    denied = call(outsider_client, method, url, body)
    assert denied.status_code == 403 and denied.json()["action"] == action
    if "/web/" in url:  # a missing one is denied the same way: no existence oracle
        missing = call(outsider_client, method, url.replace("/web/", "/none/"), body)
        assert missing.status_code == 403 and missing.json()["action"] == action
    allowed = call(client, method, url, body)
    assert allowed.status_code in (200, 201, 204), allowed.content


def test_another_account_does_not_see_it(client):
    cert = issue("www.example.com")
    assert call(client, "POST", "server-certificates/", _body("web", cert)).status_code == 201
    second_account()
    with in_account(B):
        admin_b = make_user("admin", policy=ADMIN_POLICY)
    client_b = Client()
    client_b.force_login(admin_b)
    assert call(client_b, "GET", "server-certificates/").json()["results"] == []
    assert call(client_b, "GET", "server-certificates/web/").status_code == 404
    assert call(client_b, "DELETE", "server-certificates/web/").status_code == 404
    assert call(client, "GET", "server-certificates/web/").status_code == 200

"""REST: a user's SSH public keys, signing certificates and service-specific credentials under
/api/v1/users/<name>/ (the permission matrix is in test_api_permissions.py)."""

from __future__ import annotations

import json

import pytest
from api_helpers import API
from django.test import Client
from key_material import certificate, md5_fingerprint, pem_public, rsa_key, ssh_public
from personas import make_user


@pytest.fixture
def client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    make_user("alice", password=None)
    return client


def call(client, method, url, body=None):
    return client.generic(method, API + url, data=json.dumps(body) if body is not None else "",
                          content_type="application/json")


def test_ssh_public_key_upload_get_in_both_encodings_update_delete(client):
    body = ssh_public(rsa_key(0))
    created = call(client, "POST", "users/alice/ssh-public-keys/", {"ssh_public_key_body": body})
    assert created.status_code == 201, created.content
    key = created.json()
    assert key["fingerprint"] == md5_fingerprint(body) and key["status"] == "Active"
    url = f"users/alice/ssh-public-keys/{key['ssh_public_key_id']}/"
    assert call(client, "GET", url).json()["ssh_public_key_body"] == body
    pem = call(client, "GET", url + "?encoding=PEM").json()["ssh_public_key_body"]
    assert pem.strip() == pem_public(rsa_key(0)).strip()
    assert call(client, "GET", url + "?encoding=DER").status_code == 400
    assert call(client, "PATCH", url, {"status": "Inactive"}).json()["status"] == "Inactive"
    listed = call(client, "GET", "users/alice/ssh-public-keys/").json()
    assert [k["ssh_public_key_id"] for k in listed] == [key["ssh_public_key_id"]]
    assert call(client, "DELETE", url).status_code == 204
    assert call(client, "GET", url).json()["code"] == "NoSuchEntity"


@pytest.mark.parametrize(("body", "code"), [
    ("ssh-rsa AAAA", "InvalidPublicKey"),
    ("ssh-dss AAAA", "UnrecognizedPublicKeyEncoding"),
])
def test_bad_ssh_public_keys_are_400_with_aws_codes(client, body, code):
    response = call(client, "POST", "users/alice/ssh-public-keys/",
                    {"ssh_public_key_body": body})
    assert response.status_code == 400 and response.json()["code"] == code


def test_signing_certificate_upload_list_update_delete(client):
    body = certificate(rsa_key(0))
    created = call(client, "POST", "users/alice/signing-certificates/",
                   {"certificate_body": body})
    assert created.status_code == 201, created.content
    cert_id = created.json()["certificate_id"]
    assert call(client, "POST", "users/alice/signing-certificates/",
                {"certificate_body": body}).json()["code"] == "DuplicateCertificate"
    url = f"users/alice/signing-certificates/{cert_id}/"
    assert call(client, "PATCH", url, {"status": "Inactive"}).json()["status"] == "Inactive"
    assert call(client, "DELETE", url).status_code == 204
    assert call(client, "GET", "users/alice/signing-certificates/").json() == []
    malformed = call(client, "POST", "users/alice/signing-certificates/",
                     {"certificate_body": "-----BEGIN CERTIFICATE-----\nxx"})
    assert malformed.status_code == 400 and malformed.json()["code"] == "MalformedCertificate"


def test_service_password_is_shown_at_creation_and_reset_only(client):
    created = call(client, "POST", "users/alice/service-specific-credentials/",
                   {"service_name": "codecommit.amazonaws.com"})
    assert created.status_code == 201 and created["Cache-Control"] == "no-store"
    data = created.json()
    password = data["service_password"]
    assert data["service_user_name"] == "alice-at-123456789012" and len(password) == 44
    listed = call(client, "GET", "users/alice/service-specific-credentials/")
    assert password not in listed.content.decode()
    url = f"users/alice/service-specific-credentials/{data['service_specific_credential_id']}/"
    reset = call(client, "POST", url + "reset/")
    assert reset.status_code == 200 and reset["Cache-Control"] == "no-store"
    assert reset.json()["service_password"] not in (None, password)
    assert call(client, "PATCH", url, {"status": "Inactive"}).json()["status"] == "Inactive"
    filtered = call(client, "GET",
                    "users/alice/service-specific-credentials/?service_name=cassandra.amazonaws.com")
    assert filtered.json() == []
    unsupported = call(client, "POST", "users/alice/service-specific-credentials/",
                       {"service_name": "s3.amazonaws.com"})
    assert unsupported.status_code == 404 and unsupported.json()["code"] == "NotSupportedService"
    assert call(client, "DELETE", url).status_code == 204


def test_delete_user_is_409_while_credentials_remain(client):
    call(client, "POST", "users/alice/ssh-public-keys/",
         {"ssh_public_key_body": ssh_public(rsa_key(0))})
    response = call(client, "DELETE", "users/alice/")
    assert response.status_code == 409
    assert response.json()["code"] == "DeleteConflict"
    assert "SSH public keys" in response.json()["message"]

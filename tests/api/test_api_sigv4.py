"""SigV4 access-key authentication against a live server, with requests signed by botocore's own
SigV4Auth and sent with `requests`: the exact AWS error for each way a signature can be wrong."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

import botocore.auth
import pytest
import requests
import time_machine
from api_helpers import API, sign

from iamconsole.iam import clock, crypto
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AccessKey, AuditEvent, TemporaryCredential
from tests.conftest import ADMIN_POLICY, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_key(db):
    make_user("admin", policy=ADMIN_POLICY, password=None)
    new = iam.create_access_key(Caller.system("test"), "admin")
    return new.access_key.access_key_id, new.secret_access_key


def send(method, url, key_id, secret, *, body=b"", token=None, service="iam", headers=None):
    headers = {"Content-Type": "application/json", **(headers or {})} if body else headers
    signed = sign(method, url, key_id, secret, body=body, headers=headers, token=token,
                  service=service)
    return requests.request(method, url, data=body, headers=signed, timeout=10)


def test_signed_get_lists_users_and_records_last_use(live_server, admin_key):
    key_id, secret = admin_key
    response = send("GET", f"{live_server.url}{API}users/?path_prefix=/", key_id, secret)
    assert response.status_code == 200, response.text
    assert [u["user_name"] for u in response.json()["results"]] == ["admin"]
    key = AccessKey.objects.get(access_key_id=key_id)
    assert key.last_used_at is not None
    assert (key.last_used_service, key.last_used_region) == ("iam", "us-east-1")


def test_signed_json_post_creates_a_user_as_the_key_owner(live_server, admin_key):
    key_id, secret = admin_key
    body = json.dumps({"user_name": "bob", "tags": {"team": "blue"}}).encode()
    response = send("POST", f"{live_server.url}{API}users/", key_id, secret, body=body)
    assert response.status_code == 201, response.text
    assert response.json()["tags"] == {"team": "blue"}
    event = AuditEvent.objects.get(action="iam:CreateUser", resource_name="bob")
    assert (event.actor, event.auth_method) == ("admin", "api")


def test_execute_api_service_name_is_accepted_too(live_server, admin_key):
    key_id, secret = admin_key
    response = send("GET", f"{live_server.url}{API}caller-identity/", key_id, secret,
                    service="execute-api")
    assert response.status_code == 200
    assert response.json()["arn"] == "arn:aws:iam::123456789012:user/admin"
    assert response.json()["access_key_id"] == key_id


def test_other_service_name_is_rejected(live_server, admin_key):
    key_id, secret = admin_key
    response = send("GET", f"{live_server.url}{API}users/", key_id, secret, service="s3")
    assert response.status_code == 403
    assert response.json()["code"] == "SignatureDoesNotMatch"


def test_wrong_secret_is_signature_does_not_match(live_server, admin_key):
    key_id, secret = admin_key
    response = send("GET", f"{live_server.url}{API}users/", key_id, secret[::-1])
    assert response.status_code == 403
    assert response.json()["code"] == "SignatureDoesNotMatch"


def test_body_changed_after_signing_is_signature_does_not_match(live_server, admin_key):
    key_id, secret = admin_key
    url = f"{live_server.url}{API}users/"
    headers = {"Content-Type": "application/json"}
    signed = sign("POST", url, key_id, secret, body=b'{"user_name": "bob"}', headers=headers)
    response = requests.post(url, data=b'{"user_name": "eve"}', headers=signed, timeout=10)
    assert response.status_code == 403
    assert response.json()["code"] == "SignatureDoesNotMatch"
    assert not AuditEvent.objects.filter(resource_name__in=["bob", "eve"]).exists()


def test_unknown_key_is_invalid_client_token_id(live_server, admin_key):
    _, secret = admin_key
    response = send("GET", f"{live_server.url}{API}users/", "AKIAUNKNOWNUNKNOWN00", secret)
    assert response.status_code == 403
    assert response.json() == {
        "code": "InvalidClientTokenId",
        "message": "The security token included in the request is invalid.",
    }


def test_inactive_key_is_invalid_client_token_id(live_server, admin_key):
    key_id, secret = admin_key
    iam.update_access_key(Caller.system("test"), key_id, "Inactive", "admin")
    response = send("GET", f"{live_server.url}{API}users/", key_id, secret)
    assert response.status_code == 403
    assert response.json()["code"] == "InvalidClientTokenId"


def test_long_term_key_with_a_session_token_is_invalid(live_server, admin_key):
    key_id, secret = admin_key
    response = send("GET", f"{live_server.url}{API}users/", key_id, secret, token="abc")
    assert response.status_code == 403
    assert response.json()["code"] == "InvalidClientTokenId"


@pytest.mark.parametrize(("minutes", "words"), [(-20, "Signature expired"),
                                                (20, "Signature not yet current")])
def test_clock_skew_beyond_15_minutes_is_rejected(live_server, admin_key, monkeypatch,
                                                  minutes, words):
    key_id, secret = admin_key
    signed_at = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: signed_at)
    response = send("GET", f"{live_server.url}{API}users/", key_id, secret)
    assert response.status_code == 403
    assert response.json()["code"] == "SignatureDoesNotMatch"
    assert response.json()["message"].startswith(words)


def test_clock_skew_within_15_minutes_is_accepted(live_server, admin_key, monkeypatch):
    key_id, secret = admin_key
    signed_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=14)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: signed_at)
    response = send("GET", f"{live_server.url}{API}users/", key_id, secret)
    assert response.status_code == 200


def test_malformed_authorization_is_incomplete_signature(live_server, admin_key):
    response = requests.get(f"{live_server.url}{API}users/", timeout=10, headers={
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/iam",
        "X-Amz-Date": "20260101T000000Z"})
    assert response.status_code == 400
    assert response.json()["code"] == "IncompleteSignature"


def test_unsigned_request_is_missing_authentication_token(live_server, db):
    response = requests.get(f"{live_server.url}{API}users/", timeout=10)
    assert response.status_code == 403
    assert response.json()["code"] == "MissingAuthenticationToken"


def test_signed_request_is_authorized_by_the_key_owners_policies(live_server, db):
    make_user("nobody", password=None)
    new = iam.create_access_key(Caller.system("test"), "nobody")
    response = send("GET", f"{live_server.url}{API}users/", new.access_key.access_key_id,
                    new.secret_access_key)
    assert response.status_code == 403
    assert response.json()["code"] == "AccessDenied"
    assert response.json()["action"] == "iam:ListUsers"


def test_secrets_never_reach_the_logs(live_server, admin_key, caplog):
    key_id, secret = admin_key
    caplog.set_level(logging.DEBUG)
    send("GET", f"{live_server.url}{API}users/", key_id, secret[::-1])
    send("GET", f"{live_server.url}{API}users/", key_id, secret)
    assert secret not in caplog.text
    assert secret[::-1] not in caplog.text


# --------------------------------------------------------------------------- STS credentials


TOKEN = "FwoGZXIvYXdzEJr//////////session-token-for-tests=="


def _session(user=None, role=None, minutes=60, mfa=True) -> tuple[str, str]:
    key_id, secret = "ASIATESTSESSION00001", "s3cr3t/Session+Key/For/Tests/0123456789ab"
    TemporaryCredential.objects.create(
        access_key_id=key_id, secret_encrypted=crypto.encrypt(secret),
        session_token_hash=hashlib.sha256(TOKEN.encode()).hexdigest(), user=user, role=role,
        # a role session carries its session name; a user's (GetSessionToken) none: a user
        # credential with a name is a GetFederationToken session (Caller.is_federated)
        session_name="tests" if role is not None else "",
        expires_at=clock.now() + dt.timedelta(minutes=minutes),
        mfa_authenticated=mfa, mfa_authenticated_at=clock.now() if mfa else None,
    )
    return key_id, secret


def test_temporary_credentials_work_until_they_expire(live_server, db):
    user = make_user("admin", policy=ADMIN_POLICY, password=None)
    key_id, secret = _session(user=user, minutes=60)
    url = f"{live_server.url}{API}users/"
    assert send("GET", url, key_id, secret, token=TOKEN).status_code == 200
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=61)
    with time_machine.travel(later, tick=True):
        response = send("GET", url, key_id, secret, token=TOKEN)
    assert response.status_code == 403
    assert response.json()["code"] == "ExpiredToken"


def test_session_token_credentials_without_mfa_cannot_call_iam(live_server, db):
    """AWS: credentials from GetSessionToken call IAM only when they were obtained with MFA."""
    user = make_user("admin", policy=ADMIN_POLICY, password=None)
    key_id, secret = _session(user=user, mfa=False)
    response = send("GET", f"{live_server.url}{API}users/", key_id, secret, token=TOKEN)
    assert response.status_code == 403
    assert response.json()["code"] == "AccessDenied"
    assert "require MFA" in response.json()["message"]


def test_assumed_role_credentials_act_as_the_role(live_server, db):
    from api_helpers import TRUST

    from tests.conftest import policy_json

    role = iam.create_role(Caller.system("test"), "reader-role", TRUST)
    iam.put_role_policy(Caller.system("test"), "reader-role", "read",
                        policy_json({"Effect": "Allow", "Action": "iam:ListRoles",
                                     "Resource": "*"}))
    key_id, secret = _session(role=role)
    ok = send("GET", f"{live_server.url}{API}roles/", key_id, secret, token=TOKEN)
    assert ok.status_code == 200
    denied = send("GET", f"{live_server.url}{API}users/", key_id, secret, token=TOKEN)
    assert denied.status_code == 403
    assert "assumed-role/reader-role/tests" in denied.json()["message"]


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_temporary_credentials_need_their_token(live_server, db, token):
    user = make_user("admin", policy=ADMIN_POLICY, password=None)
    key_id, secret = _session(user=user)
    response = send("GET", f"{live_server.url}{API}users/", key_id, secret, token=token)
    assert response.status_code == 403
    assert response.json()["code"] == "InvalidClientTokenId"

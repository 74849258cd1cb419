"""REST conventions: JSON errors with AWS codes, pagination, filters, ETag/If-Match, CSRF on
session calls, rate limiting, secrets shown once, and the create_access_key command."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from api_helpers import API, DOC, PASSWORD
from django.core.management import CommandError, call_command
from django.test import Client

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from tests.conftest import make_user

NEW_DOC = {"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}


@pytest.fixture
def client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def call(client, method, url, body=None, **headers):
    return client.generic(method, API + url, data=json.dumps(body) if body is not None else "",
                          content_type="application/json", headers=headers)


# --------------------------------------------------------------------------- errors


def test_unknown_entity_is_404_no_such_entity(client):
    response = call(client, "GET", "users/ghost/")
    assert response.status_code == 404
    assert response.json() == {"code": "NoSuchEntity",
                               "message": "The user with name ghost cannot be found."}


def test_unknown_url_is_404_json(client):
    response = call(client, "GET", "no/such/thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "NoSuchEntity"


def test_duplicate_is_409_entity_already_exists(client):
    assert call(client, "POST", "users/", {"user_name": "bob"}).status_code == 201
    response = call(client, "POST", "users/", {"user_name": "BOB"})
    assert response.status_code == 409
    assert response.json()["code"] == "EntityAlreadyExists"


def test_shape_error_is_400_with_fields(client):
    response = call(client, "POST", "users/", {"path": "/x/"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "ValidationError"
    assert "user_name" in body["fields"]


def test_domain_validation_error_keeps_aws_code(client):
    response = call(client, "POST", "users/", {"user_name": "bad name!"})
    assert response.status_code == 400
    assert response.json()["code"] == "ValidationError"
    assert "[\\w+=,.@-]+" in response.json()["message"]


def test_malformed_policy_document_lists_findings(client):
    make_user("alice", password=None)
    response = call(client, "PUT", "users/alice/inline-policies/p/",
                    {"policy_document": {"Version": "2012-10-17", "Statement": "nope"}})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "MalformedPolicyDocument"
    assert body["findings"] and body["findings"][0]["severity"] == "error"


def test_malformed_json_is_400(client):
    response = client.post(API + "users/", data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "MalformedInput"


def test_delete_conflict_is_409(client):
    make_user("alice", policy=DOC, password=None)
    response = call(client, "DELETE", "users/alice/")
    assert response.status_code == 409
    assert response.json()["code"] == "DeleteConflict"


# --------------------------------------------------------------------------- lists


def test_pagination_with_limit_and_offset(client):
    for name in ("u1", "u2", "u3"):
        make_user(name, password=None)
    page = call(client, "GET", "users/?limit=2&offset=1").json()
    assert page["count"] == 4  # admin + 3
    assert [u["user_name"] for u in page["results"]] == ["u1", "u2"]
    assert "offset=3" in page["next"]


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "offset=-1",
                                   "offset=99999999999999999999999"])
def test_bad_pagination_is_400(client, query):
    response = call(client, "GET", f"users/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "ValidationError"


def test_filter_by_path_prefix_and_tag(client):
    system = Caller.system("test")
    make_user("ann", path="/eng/", password=None)
    make_user("ben", path="/eng/", password=None)
    make_user("cat", path="/ops/", password=None)
    iam.tag_user(system, "ann", {"team": "blue"})
    iam.tag_user(system, "cat", {"team": "red"})

    def names(query):
        return [u["user_name"] for u in call(client, "GET", f"users/?{query}").json()["results"]]

    assert names("path_prefix=/eng/") == ["ann", "ben"]
    assert names("tag=team") == ["ann", "cat"]
    assert names("tag=team=red") == ["cat"]
    assert names("path_prefix=/eng/&tag=team=red") == []


def test_policy_list_filters_by_arn_and_scope(client):
    policy = iam.create_policy(Caller.system("test"), "Pol", DOC)
    page = call(client, "GET", f"policies/?arn={policy.arn}&scope=Local").json()
    assert [p["policy_id"] for p in page["results"]] == [policy.policy_id]
    assert page["results"][0]["default_version_id"] == "v1"


# --------------------------------------------------------------------------- ETag / If-Match


def test_inline_policy_if_match_rejects_a_stale_write(client):
    make_user("alice", password=None)
    first = call(client, "PUT", "users/alice/inline-policies/p/", {"policy_document": DOC})
    etag = first["ETag"]
    assert call(client, "GET", "users/alice/inline-policies/p/")["ETag"] == etag
    second = call(client, "PUT", "users/alice/inline-policies/p/", {"policy_document": NEW_DOC},
                  **{"If-Match": etag})
    assert second.status_code == 200
    assert second["ETag"] != etag
    stale = call(client, "PUT", "users/alice/inline-policies/p/", {"policy_document": DOC},
                 **{"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["code"] == "PreconditionFailed"
    current = call(client, "GET", "users/alice/inline-policies/p/").json()
    assert json.loads(current["policy_document"]) == NEW_DOC


def test_managed_policy_version_if_match_uses_the_policy_revision(client):
    policy = iam.create_policy(Caller.system("test"), "Pol", DOC)
    url = f"policies/{policy.policy_id}/"
    etag = call(client, "GET", url)["ETag"]
    created = call(client, "POST", url + "versions/", {"policy_document": NEW_DOC},
                   **{"If-Match": etag})
    assert created.status_code == 201
    stale = call(client, "PUT", url + "default-version/", {"version_id": "v2"},
                 **{"If-Match": etag})
    assert stale.status_code == 412
    assert call(client, "GET", url).json()["default_version_id"] == "v1"
    fresh = call(client, "PUT", url + "default-version/", {"version_id": "v2"},
                 **{"If-Match": created["ETag"]})
    assert fresh.status_code == 200
    assert call(client, "GET", url).json()["default_version_id"] == "v2"


def test_trust_policy_if_match(client):
    from api_helpers import TRUST

    iam.create_role(Caller.system("test"), "app", TRUST)
    etag = call(client, "GET", "roles/app/trust-policy/")["ETag"]
    call(client, "PATCH", "roles/app/", {"description": "changed"})
    stale = call(client, "PUT", "roles/app/trust-policy/", {"policy_document": TRUST},
                 **{"If-Match": etag})
    assert stale.status_code == 412


# --------------------------------------------------------------------------- credentials


def test_access_key_secret_is_shown_once(client):
    make_user("alice", password=None)
    created = call(client, "POST", "users/alice/access-keys/")
    assert created.status_code == 201
    secret = created.json()["secret_access_key"]
    assert len(secret) == 40 and created.json()["access_key_id"].startswith("AKIA")
    assert created["Cache-Control"] == "no-store"
    listed = call(client, "GET", "users/alice/access-keys/")
    assert secret not in listed.content.decode()
    assert listed.json()[0]["status"] == "Active"


def test_third_access_key_is_409_limit_exceeded(client):
    make_user("alice", password=None)
    for _ in range(2):
        assert call(client, "POST", "users/alice/access-keys/").status_code == 201
    response = call(client, "POST", "users/alice/access-keys/")
    assert response.status_code == 409
    assert response.json()["code"] == "LimitExceeded"


def test_create_access_key_command_prints_the_pair_and_keeps_the_limit(db):
    from iamconsole.iam import crypto
    from iamconsole.iam.models import AccessKey

    make_user("ops", password=None)
    out = StringIO()
    call_command("create_access_key", "ops", stdout=out)
    pair = json.loads(out.getvalue())
    assert set(pair) == {"AccessKeyId", "SecretAccessKey"}
    stored = AccessKey.objects.get(access_key_id=pair["AccessKeyId"])
    assert pair["SecretAccessKey"] not in stored.secret_encrypted
    assert crypto.decrypt(stored.secret_encrypted) == pair["SecretAccessKey"]
    call_command("create_access_key", "ops", stdout=StringIO())
    with pytest.raises(CommandError, match="LimitExceeded"):
        call_command("create_access_key", "ops", stdout=StringIO())
    with pytest.raises(CommandError, match="NoSuchEntity"):
        call_command("create_access_key", "ghost", stdout=StringIO())


# --------------------------------------------------------------------------- session, limits


def test_session_calls_need_the_csrf_token(admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    without = call(client, "POST", "users/", {"user_name": "bob"})
    assert without.status_code == 403
    assert without.json()["code"] == "InvalidCsrfToken"
    token = "abcdefghijklmnopqrstuvwxyz012345"  # a CSRF secret: 32 allowed characters
    client.cookies["csrftoken"] = token
    with_token = call(client, "POST", "users/", {"user_name": "bob"},
                      **{"X-CSRFToken": token})
    assert with_token.status_code == 201
    assert call(client, "GET", "users/bob/").status_code == 200  # safe methods need none


def test_signed_out_session_is_missing_authentication_token(db):
    response = Client().get(API + "users/")
    assert response.status_code == 403
    assert response.json()["code"] == "MissingAuthenticationToken"


def test_rate_limit_answers_429_throttling(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.API_RATE_LIMIT = "3/minute"
    statuses = [call(client, "GET", "caller-identity/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = call(client, "GET", "caller-identity/")
    assert response.json()["code"] == "Throttling"
    assert int(response["Retry-After"]) >= 1
    cache.clear()


def test_login_profile_password_follows_the_password_policy(client):
    iam.update_account_password_policy(Caller.system("test"), minimum_password_length=20)
    make_user("alice", password=None)
    response = call(client, "POST", "users/alice/login-profile/", {"password": PASSWORD})
    assert response.status_code == 400
    assert response.json()["code"] == "PasswordPolicyViolation"


def test_schema_and_docs_are_served(db):
    schema = Client().get(API + "schema/", headers={"Accept": "application/json"})
    assert schema.status_code == 200
    document = json.loads(schema.content)
    operation = document["paths"]["/api/v1/users/"]["post"]
    assert operation["x-iam-action"] == "iam:CreateUser"
    assert "sigv4" in document["components"]["securitySchemes"]
    assert Client().get(API + "docs/").status_code == 200

"""The decision API's fast path (issue #20): the calling service's key is kept for a second
like its principals, and so is an end caller's; a change still applies within the second; the
body's fast validation accepts exactly what the serializer would accept unchanged; a batch
asks the service's own permission once per service prefix."""

from __future__ import annotations

import hashlib
import json
import time

import pytest
import requests
from api_helpers import API, sign

from iamconsole.api.views.authorize import AuthorizeSerializer, plain_checks
from iamconsole.iam import decisions
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AccessKey
from tests.conftest import allow, make_user, policy_json


@pytest.fixture
def world(live_server, transactional_db):
    decisions.forget()
    system = Caller.system("test")
    account = system.account
    make_user("svc", password=None, policy=policy_json(
        allow("iamconsole:Authorize", f"arn:aws:iamconsole::{account}:service/jobs"),
        allow("iam:ListUsers", "*")))
    make_user("alice", password=None, policy=policy_json(allow("jobs:RunJob", "*")))
    svc = iam.create_access_key(system, "svc")
    alice = iam.create_access_key(system, "alice")
    yield {"account": account, "svc": (svc.access_key.access_key_id, svc.secret_access_key),
           "alice": (alice.access_key.access_key_id, alice.secret_access_key),
           "arn": f"arn:aws:iam::{account}:user/alice", "url": live_server.url}
    decisions.forget()


def authorize(world, creds, checks):
    url = f"{world['url']}{API}authorize/"
    body = json.dumps({"checks": checks}).encode()
    headers = sign("POST", url, *creds, body=body, headers={"Content-Type": "application/json"})
    return requests.post(url, data=body, headers=headers, timeout=10)


def list_users(world, creds):
    url = f"{world['url']}{API}users/"
    return requests.get(url, headers=sign("GET", url, *creds), timeout=10)


def deactivate(user_name: str, key_id: str) -> None:
    iam.update_access_key(Caller.system("test"), key_id, "Inactive", user_name)


def delegated(world, creds) -> dict:
    """A check whose principal is the end caller's request to the jobs service."""
    headers = sign("GET", "http://jobs.example/jobs/1", *creds, service="jobs",
                   headers={"Host": "jobs.example"})
    return {"action": "jobs:RunJob", "resource": "*", "request": {
        "method": "GET", "path": "/jobs/1", "query": "", "headers": headers,
        "payload_hash": hashlib.sha256(b"").hexdigest()}}


def test_a_deactivated_service_key_is_refused_within_a_second(world):
    check = {"action": "jobs:RunJob", "principal_arn": world["arn"]}
    response = authorize(world, world["svc"], [check])
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["allowed"] is True
    key = AccessKey.objects.get(access_key_id=world["svc"][0])
    assert (key.last_used_service, key.last_used_region) == ("iam", "us-east-1")
    deactivate("svc", world["svc"][0])
    # Every other door reads the key on each request: refused at once.
    refused = list_users(world, world["svc"])
    assert refused.status_code == 403 and refused.json()["code"] == "InvalidClientTokenId"
    time.sleep(decisions.TTL + 0.1)
    refused = authorize(world, world["svc"], [check])
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "InvalidClientTokenId"


def test_a_deactivated_end_caller_key_fails_its_checks_within_a_second(world):
    response = authorize(world, world["svc"], [delegated(world, world["alice"])])
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["allowed"] is True
    deactivate("alice", world["alice"][0])
    time.sleep(decisions.TTL + 0.1)
    response = authorize(world, world["svc"], [delegated(world, world["alice"])])
    assert response.status_code == 200, response.text
    result = response.json()["results"][0]
    assert result["allowed"] is False and result["decision"] == "authenticationFailed"
    assert result["error"]["code"] == "InvalidClientTokenId"


def test_a_kept_end_caller_key_still_needs_a_good_signature(world):
    assert authorize(world, world["svc"], [delegated(world, world["alice"])]).json()[
        "results"][0]["allowed"] is True
    forged = delegated(world, (world["alice"][0], "not-the-secret"))
    result = authorize(world, world["svc"], [forged]).json()["results"][0]
    assert result["allowed"] is False and result["error"]["code"] == "SignatureDoesNotMatch"


def test_each_service_prefix_of_a_batch_is_authorized(world):
    arn = world["arn"]
    same = [{"action": "jobs:RunJob", "principal_arn": arn}] * 3
    response = authorize(world, world["svc"], same)
    assert response.status_code == 200, response.text
    assert [r["allowed"] for r in response.json()["results"]] == [True] * 3
    mixed = [*same, {"action": "billing:Pay", "principal_arn": arn}]
    refused = authorize(world, world["svc"], mixed)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "AccessDenied"


ARN = "arn:aws:iam::123456789012:user/alice"
REQUEST = {"method": "GET", "path": "/jobs/1", "query": "a=1",
           "headers": {"host": "jobs.example", "authorization": "AWS4-HMAC-SHA256 x",
                       "x-empty": ""},
           "payload_hash": "UNSIGNED-PAYLOAD", "source_ip": "10.0.0.1",
           "secure_transport": True}
PLAIN = [  # the fast path takes these
    {"checks": [{"action": "jobs:RunJob", "principal_arn": ARN}]},
    {"checks": [{"action": "jobs:RunJob", "resource": "arn:aws:jobs::1:job/1",
                 "principal_arn": ARN, "explain": True, "context": {"jobs:Queue": "q",
                                                                     "n": 3, "l": ["a"]}}]},
    {"checks": [{"action": "jobs:RunJob", "request": REQUEST}], "unknown": 1},
    {"checks": [{"action": "jobs:RunJob", "request": {**REQUEST, "payload_hash": "a" * 64},
                 "ignored": "x"}] * 100},
    {"checks": [{"action": "jobs:RunJob", "request": {
        k: v for k, v in REQUEST.items() if k in ("method", "path", "headers")}}]},
]
OTHERS = [  # the serializer decides these (some valid once converted, some 400)
    {}, [], "x", {"checks": []}, {"checks": "x"}, {"checks": [{"action": "x:Y"}] * 101},
    {"checks": [{"action": " jobs:RunJob", "principal_arn": ARN}]},
    {"checks": [{"action": "jobs:RunJob", "principal_arn": ARN + " "}]},
    {"checks": [{"action": 5, "principal_arn": ARN}]},
    {"checks": [{"action": "jobs:RunJob", "principal_arn": ARN, "explain": "true"}]},
    {"checks": [{"action": "jobs:RunJob", "principal_arn": ARN, "explain": 1}]},
    {"checks": [{"action": "jobs:RunJob", "principal_arn": ARN, "resource": None}]},
    {"checks": [{"action": "jobs:RunJob", "principal_arn": ARN, "resource": ""}]},
    {"checks": [{"action": "jobs:RunJob", "principal_arn": None}]},
    {"checks": [{"action": "jobs:RunJob", "principal_arn": "é" + ARN}]},
    {"checks": [{"action": "jobs:RunJob", "principal_arn": "\ud800"}]},
    {"checks": [{"action": "jobs:RunJob", "principal_arn": "a\x00b"}]},
    {"checks": [{"action": "j" * 257, "principal_arn": ARN}]},
    {"checks": [{"action": "jobs:RunJob", "principal_arn": ARN, "context": None}]},
    {"checks": [{"action": "jobs:RunJob", "principal_arn": ARN, "context": []}]},
    {"checks": [{"action": "jobs:RunJob", "request": {**REQUEST, "source_ip": "::1"}}]},
    {"checks": [{"action": "jobs:RunJob", "request": {**REQUEST, "source_ip": "10.0.0"}}]},
    {"checks": [{"action": "jobs:RunJob", "request": {**REQUEST, "payload_hash": "zz"}}]},
    {"checks": [{"action": "jobs:RunJob", "request": {**REQUEST, "query": " a=1"}}]},
    {"checks": [{"action": "jobs:RunJob", "request": {**REQUEST, "method": ""}}]},
    {"checks": [{"action": "jobs:RunJob", "request": {**REQUEST, "secure_transport": "1"}}]},
    {"checks": [{"action": "jobs:RunJob", "request": {**REQUEST, "headers": {"h": " v "}}}]},
    {"checks": [{"action": "jobs:RunJob", "request": {**REQUEST, "headers": {"h": 1}}}]},
    {"checks": [{"action": "jobs:RunJob", "request": {**REQUEST, "headers": []}}]},
    {"checks": [{"action": "jobs:RunJob", "request": {"method": "GET", "path": "/"}}]},
    {"checks": [{"action": "jobs:RunJob", "request": "GET /"}]},
    {"checks": [None]},
]


def _validated(body) -> list[dict] | None:
    serializer = AuthorizeSerializer(data=body)
    if not serializer.is_valid():
        return None
    return [{**check, **({"request": dict(check["request"])} if "request" in check else {})}
            for check in serializer.validated_data["checks"]]


@pytest.mark.parametrize("body", PLAIN + OTHERS)
def test_the_fast_path_accepts_only_what_the_serializer_keeps_unchanged(body):
    fast = plain_checks(body)
    if body in PLAIN:
        assert fast is not None and fast == _validated(body)
    else:
        assert fast is None

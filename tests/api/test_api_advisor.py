"""REST: the last-accessed report of a user, group, role or managed policy."""

from __future__ import annotations

import pytest
from api_helpers import API
from django.test import Client
from personas import allow, make_user, policy_json

from iamconsole.iam import last_accessed
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller

SYSTEM = Caller.system("test")


@pytest.fixture(autouse=True)
def _fresh_process_memory():
    last_accessed.forget()
    yield
    last_accessed.forget()


@pytest.fixture
def client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def test_a_user_report_shows_the_console_call_it_made(client, db):
    bob = make_user("bob", policy=policy_json(allow(["iam:List*", "s3:GetObject"])))
    bobs = Client()
    bobs.force_login(bob)
    assert bobs.get(API + "users/").status_code == 200  # recorded at the end of the request
    report = client.get(API + "users/bob/last-accessed/?granularity=ACTION_LEVEL")
    assert report.status_code == 200
    body = report.json()
    assert body["job_status"] == "COMPLETED" and body["job_type"] == "ACTION_LEVEL"
    services = {s["service_namespace"]: s for s in body["services_last_accessed"]}
    assert set(services) == {"iam", "s3"}
    assert services["iam"]["last_authenticated_entity"] == bob.arn
    assert services["iam"]["last_authenticated_region"] == ""
    actions = {a["action_name"]: a for a in services["iam"]["tracked_actions_last_accessed"]}
    assert "last_accessed_time" in actions["ListUsers"]
    assert actions["ListRoles"] == {"action_name": "ListRoles"}
    assert "last_authenticated" not in services["s3"]


def test_a_policy_report_lists_its_entities_for_a_service(client, db):
    policy = iam.create_policy(SYSTEM, "ListAll", policy_json(allow("iam:List*")))
    make_user("bob")
    iam.attach_user_policy(SYSTEM, "bob", policy.arn)
    body = client.get(API + f"policies/{policy.policy_id}/last-accessed/"
                            "?service_namespace=iam").json()
    assert [s["service_namespace"] for s in body["services_last_accessed"]] == ["iam"]
    assert [e["entity_info"]["name"] for e in body["entity_details"]] == ["bob"]
    assert "last_authenticated" not in body["entity_details"][0]


def test_bad_input_and_missing_entities(client, db):
    bad = client.get(API + "users/admin/last-accessed/?granularity=WEEKLY")
    assert bad.status_code == 400
    missing = client.get(API + "roles/nobody/last-accessed/")
    assert missing.status_code == 404 and missing.json()["code"] == "NoSuchEntity"

"""Custom services on the REST API: register, read, replace, delete; bad input is 400 with
AWS's codes; the audit log records each change; the decision API refuses bad batches."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from iamconsole.iam import custom_services
from iamconsole.iam.models import AuditEvent
from iamconsole.policy import catalog
from iamconsole.policy.validate import validate_policy

API = "/api/v1/"
SERVICE = {"prefix": "jobs", "name": "Job runner",
           "actions": [{"name": "RunJob", "access_level": "Write",
                        "resource_types": ["job"], "condition_keys": ["jobs:Queue"]},
                       {"name": "ListJobs", "access_level": "List"}],
           "resource_types": [{"name": "job", "arn": "arn:aws:jobs::${Account}:job/${Id}"}],
           "condition_keys": [{"name": "jobs:Queue", "type": "String"}]}


@pytest.fixture
def as_admin(admin) -> Client:
    custom_services.forget()
    client = Client()
    client.force_login(admin)
    yield client
    custom_services.forget()


def _send(client, method, url, body=None):
    return client.generic(method, API + url, data=json.dumps(body) if body is not None else "",
                          content_type="application/json")


def test_lifecycle_audit_and_catalog(as_admin):
    response = _send(as_admin, "POST", "custom-services/", SERVICE)
    assert response.status_code == 201, response.content
    assert response.json()["arn"].endswith(":service/jobs")
    assert catalog.known_action("jobs:RunJob")
    assert catalog.condition_key_type("jobs:Queue") == "String"
    assert "jobs:RunJob" in catalog.search_actions("jobs:R")  # the editor's autocomplete
    doc = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["jobs:RunJob", "jobs:Nope"], "Resource": "*"}]})
    codes = [f.code for f in validate_policy(doc)]
    assert codes.count("UnknownAction") == 1  # jobs:Nope only
    assert "UnknownService" not in codes
    assert _send(as_admin, "POST", "custom-services/", SERVICE).json()["code"] == \
        "EntityAlreadyExists"
    listed = _send(as_admin, "GET", "custom-services/").json()
    assert [s["prefix"] for s in listed] == ["jobs"]
    replaced = _send(as_admin, "PUT", "custom-services/jobs/",
                     {"actions": [{"name": "CancelJob"}]})
    assert replaced.status_code == 200
    assert [a["name"] for a in replaced.json()["actions"]] == ["CancelJob"]
    assert catalog.known_action("jobs:CancelJob") and not catalog.known_action("jobs:RunJob")
    assert _send(as_admin, "DELETE", "custom-services/jobs/").status_code == 204
    assert _send(as_admin, "GET", "custom-services/jobs/").status_code == 404
    assert not catalog.known_action("jobs:CancelJob")
    actions = list(AuditEvent.objects.filter(resource_name="jobs")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["PutCustomService", "PutCustomService", "DeleteCustomService"]


@pytest.mark.parametrize("change", [
    {"prefix": "IAM"}, {"prefix": "iam"}, {"prefix": "x"}, {"actions": []},
    {"actions": [{"name": "Bad Name"}]}, {"actions": [{"name": "A"}, {"name": "a"}]},
    {"actions": [{"name": "A", "resource_types": ["nope"]}]},
    {"actions": [{"name": "A", "condition_keys": ["jobs:Nope"]}]},
    {"actions": [{"name": "A", "access_level": "Admin"}]},
    {"resource_types": [{"name": "job", "arn": "not-an-arn"}]},
    {"condition_keys": [{"name": "other:Key"}]},
    {"condition_keys": [{"name": "jobs:Key", "type": "Float"}]},
    {"actions": "RunJob"},
])
def test_bad_definitions_are_400(as_admin, change):
    response = _send(as_admin, "POST", "custom-services/", {**SERVICE, **change})
    assert response.status_code == 400, response.content
    assert response.json()["code"] in ("InvalidInput", "ValidationError")


@pytest.mark.parametrize("body", [
    {}, {"checks": []}, {"checks": [{"action": "x:Y"}] * 101}, {"checks": "x"},
    {"checks": [{"action": "noColon", "principal_arn": "arn:aws:iam::123456789012:user/a"}]},
    {"checks": [{"action": "x:Y", "request": {"method": "GET"}}]},
    {"checks": [{"action": "x:Y", "request": {"method": "GET", "path": "/", "headers": {},
                                               "payload_hash": "zz"}}]},
])
def test_bad_batches_are_400(as_admin, body):
    response = _send(as_admin, "POST", "authorize/", body)
    assert response.status_code == 400, response.content


def test_a_check_without_principal_or_with_a_garbled_request(as_admin):
    checks = [{"action": "x:Y"},
              {"action": "x:Y", "request": {"method": "GET", "path": "/", "headers": {
                  "authorization": "AWS4-HMAC-SHA256 garbage"}}}]
    response = _send(as_admin, "POST", "authorize/", {"checks": checks})
    assert response.status_code == 200, response.content
    first, second = response.json()["results"]
    assert first["allowed"] is False and first["error"]["code"] == "InvalidInput"
    assert second["allowed"] is False and second["error"]["code"] == "IncompleteSignature"


def test_management_command_registers_and_deletes(db, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    custom_services.forget()
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps(SERVICE))
    out = StringIO()
    call_command("register_service", str(path), stdout=out)
    assert json.loads(out.getvalue())["prefix"] == "jobs"
    assert catalog.known_action("jobs:ListJobs")
    path.write_text(json.dumps({**SERVICE, "prefix": "sts"}))
    with pytest.raises(CommandError, match="InvalidInput"):
        call_command("register_service", str(path))
    call_command("register_service", delete="jobs")
    assert not catalog.known_action("jobs:ListJobs")

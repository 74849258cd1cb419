"""REST API: a denied call is in the audit log (actor, action, resource, source IP, request id,
errorCode AccessDenied, reason), and the audit endpoint filters for failures."""

from __future__ import annotations

import json

import pytest
import requests
from api_helpers import API, sign
from django.test import Client

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, User
from tests.conftest import ADMIN_POLICY, make_user


@pytest.mark.django_db(transaction=True)
def test_a_signed_denied_request_is_audited(live_server):
    make_user("nobody", password=None)
    new = iam.create_access_key(Caller.system("test"), "nobody")
    url = f"{live_server.url}{API}users/"
    body = json.dumps({"user_name": "mallory"}).encode()
    headers = sign("POST", url, new.access_key.access_key_id, new.secret_access_key, body=body,
                   headers={"Content-Type": "application/json"})
    response = requests.post(url, data=body, headers=headers, timeout=10)
    assert response.status_code == 403 and response.json()["code"] == "AccessDenied"
    assert not User.objects.filter(name="mallory").exists()
    event = AuditEvent.objects.get(outcome="denied")
    assert (event.actor, event.auth_method, event.action) == ("nobody", "api", "iam:CreateUser")
    assert (event.resource_type, event.resource_name) == ("user", "mallory")
    assert event.source_ip == "127.0.0.1" and event.request_id
    assert event.error_code == "AccessDenied"
    assert event.detail == response.json()["message"]


@pytest.mark.django_db
def test_the_audit_endpoint_filters_failures(outsider):
    make_user("admin", policy=ADMIN_POLICY)
    nosy = Client()
    nosy.force_login(outsider)
    assert nosy.get(f"{API}users/admin/").status_code == 403
    admin = Client()
    admin.force_login(User.objects.get(name="admin"))
    results = admin.get(f"{API}audit-events/?failed=true").json()["results"]
    assert [(e["actor"], e["action"], e["outcome"], e["error_code"]) for e in results] == [
        ("outsider", "iam:GetUser", "denied", "AccessDenied")]
    assert "because no identity-based policy allows" in results[0]["detail"]
    by_code = admin.get(f"{API}audit-events/?error_code=AccessDenied").json()["results"]
    assert [e["id"] for e in by_code] == [results[0]["id"]]
    everything = admin.get(f"{API}audit-events/").json()["results"]
    assert {e["outcome"] for e in everything} == {"success", "denied"}

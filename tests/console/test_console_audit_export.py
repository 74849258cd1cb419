"""Console audit log: the old/new diff of an event, CSV and JSON exports of the current filter
(CloudTrail-like records), and the Activity tab of users, groups, roles and policies."""

from __future__ import annotations

import csv
import io
import json

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent
from tests.conftest import allow, policy_json
from tests.console.console_support import client_for, htmx

NEW_DOC = policy_json(allow("s3:PutObject", "arn:aws:s3:::bucket/*"))


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_an_update_event_shows_its_document_diff(world, admin):
    iam.create_policy_version(Caller.system("test"), world.custom_arn, NEW_DOC,
                              set_as_default=True)
    event = AuditEvent.objects.get(action="iam:CreatePolicyVersion")
    assert event.old_value["Document"] and event.new_value["Document"]
    page = client_for(admin).get(f"/audit/{event.pk}/").content.decode()
    assert "<h2>Changes</h2>" in page
    assert '<span class="diff-del">-        &quot;Action&quot;: &quot;s3:GetObject&quot;' in page
    assert '<span class="diff-add">+        &quot;Action&quot;: &quot;s3:PutObject&quot;' in page


def test_an_inline_policy_update_records_old_and_new(world, admin):
    iam.put_user_policy(Caller.system("test"), "target", "note", NEW_DOC)
    event = AuditEvent.objects.filter(action="iam:PutUserPolicy").first()
    page = client_for(admin).get(f"/audit/{event.pk}/").content.decode()
    assert 'class="diff-del"' in page and 'class="diff-add"' in page
    assert "s3:PutObject" in page


def test_a_create_event_has_no_diff(world, admin):
    event = AuditEvent.objects.get(action="iam:CreateUser", resource_name="spare")
    page = client_for(admin).get(f"/audit/{event.pk}/").content.decode()
    assert "<h2>Changes</h2>" not in page


def test_the_denied_filter_and_the_json_export_follow_the_filter(world, admin, outsider):
    client_for(outsider).get("/users/target/", REMOTE_ADDR="198.51.100.7")
    client = client_for(admin)
    listing = client.get("/audit/?result=denied").content.decode()
    assert "format=json" in listing and "result=denied" in listing
    response = client.get("/audit/export/?result=denied&format=json")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    records = json.loads(_body(response))["Records"]
    assert len(records) == 1
    (record,) = records
    assert record["eventName"] == "GetUser" and record["eventSource"] == "iam.amazonaws.com"
    assert record["errorCode"] == "AccessDenied"
    assert "not authorized" in record["errorMessage"]
    assert record["sourceIPAddress"] == "198.51.100.7"
    assert record["userIdentity"]["userName"] == "outsider"
    assert record["userIdentity"]["type"] == "IAMUser"
    assert record["userIdentity"]["arn"].endswith(":user/outsider")
    assert len(record["userIdentity"]["accountId"]) == 12
    assert record["userAgent"] == "iamconsole/console"
    assert record["eventID"] == str(AuditEvent.objects.get(outcome="denied").pk)
    assert record["eventTime"].endswith("Z")
    allowed = json.loads(_body(client.get("/audit/export/?result=success&format=json")))
    assert allowed["Records"] and all("errorCode" not in r for r in allowed["Records"])


def test_the_csv_export(world, admin):
    client = client_for(admin)
    response = client.get("/audit/export/?resource_name=spare&format=csv")
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(_body(response))))
    assert [row["eventName"] for row in rows] == ["CreateUser"]
    assert rows[0]["eventSource"] == "iam.amazonaws.com"
    assert json.loads(rows[0]["requestParameters"])["resourceName"] == "spare"
    assert rows[0]["errorCode"] == ""
    everything = list(csv.DictReader(io.StringIO(_body(client.get("/audit/export/?format=csv")))))
    assert len(everything) == AuditEvent.objects.count()


def test_the_export_refuses_bad_input_and_callers_without_lookup(world, admin, outsider):
    assert client_for(admin).get("/audit/export/?format=xml").status_code == 400
    assert client_for(outsider).get("/audit/export/?format=csv").status_code == 403


def test_the_activity_tabs(world, admin, outsider):
    client_for(outsider).post("/users/spare/delete/")
    client = client_for(admin)
    user = client.get("/users/spare/?tab=activity", **htmx("tabbed")).content.decode()
    assert "iam:CreateUser" in user and "iam:DeleteUser" in user and "AccessDenied" in user
    assert "iam:PutUserPolicy" not in user  # target's, not spare's
    target = client.get("/users/target/?tab=activity").content.decode()
    assert "iam:PutUserPolicy" in target and 'id="tab-activity"' in target
    assert "iam:CreateGroup" in client.get("/groups/team/?tab=activity").content.decode()
    assert "iam:CreateRole" in client.get("/roles/app/?tab=activity").content.decode()
    policy = client.get("/policies/local/Custom/?tab=activity").content.decode()
    assert "iam:CreatePolicy" in policy


def test_the_activity_tab_needs_lookup_events(world, reader):
    page = client_for(reader).get("/users/spare/?tab=activity").content.decode()
    assert "cloudtrail:LookupEvents" in page and "iam:CreateUser" not in page


def test_an_invalid_filter_exports_nothing_rather_than_failing(world, admin):
    client = client_for(admin)
    assert client.get("/audit/export/?actor=%00&format=csv").status_code == 400  # NUL: refused
    for query in ("since=2025-13-40", "since=2025-03-02&until=2025-03-01"):
        response = client.get(f"/audit/export/?{query}&format=json")
        assert response.status_code == 200, query
        assert json.loads(_body(response)) == {"Records": []}


def test_the_export_streams_in_a_constant_number_of_queries(world, admin,
                                                            django_assert_max_num_queries):
    system = Caller.system("test")
    for i in range(30):
        iam.create_user(system, f"bulk{i}")
    client = client_for(admin)
    with django_assert_max_num_queries(25):
        records = json.loads(_body(client.get("/audit/export/?format=json")))["Records"]
    assert len(records) == AuditEvent.objects.count() > 30


def test_set_default_version_records_both_documents(world, admin):
    system = Caller.system("test")
    iam.create_policy_version(system, world.custom_arn, NEW_DOC)
    iam.set_default_policy_version(system, world.custom_arn, "v2")
    event = AuditEvent.objects.get(action="iam:SetDefaultPolicyVersion")
    page = client_for(admin).get(f"/audit/{event.pk}/").content.decode()
    assert '<span class="diff-add">+  &quot;DefaultVersionId&quot;: &quot;v2&quot;' in page
    assert '<span class="diff-add">+        &quot;Action&quot;: &quot;s3:PutObject&quot;' in page

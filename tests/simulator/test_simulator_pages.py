"""The simulator and who-can pages over real HTTP (Django test client): runs, htmx fragments,
exports, form errors for bad input (status 200, never a 500) and permissions."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import urlencode

import pytest
from personas import allow, deny, make_user, policy_json

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller

SYSTEM = Caller.system("test")
OBJECT = "arn:aws:s3:::reports/q1.csv"
URL = "/simulator/"


@pytest.fixture
def alice(db):
    user = make_user("alice", password=None, policy=policy_json(
        allow("s3:GetObject", "arn:aws:s3:::reports/*", Sid="ReadReports")))
    iam.create_group(SYSTEM, "devs")
    iam.put_group_policy(SYSTEM, "devs", "NoDelete", policy_json(deny("s3:DeleteObject")))
    iam.add_user_to_group(SYSTEM, "devs", "alice")
    return user


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client


def run(client, **params):
    query = {"run": "1", **params}
    return client.get(URL + "?" + urlencode(query, doseq=True))


def decisions(html: str) -> list[str]:
    return re.findall(r'<tr data-decision="(\w+)">', html)


def test_blank_page_lists_principals(reader_client, alice):
    response = reader_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{alice.arn}">alice</option>' in html
    assert '<optgroup label="Groups">' in html
    assert "results-table" not in html


def test_run_shows_one_row_per_action_and_resource(reader_client, alice):
    response = run(reader_client, principal=alice.arn,
                   actions="s3:GetObject\ns3:DeleteObject",
                   resources=f"{OBJECT}\narn:aws:s3:::other/x")
    assert response.status_code == 200
    html = response.content.decode()
    assert decisions(html) == ["allowed", "implicitDeny", "explicitDeny", "explicitDeny"]
    assert '<span class="badge allowed">allowed</span>' in html
    assert "Sid <code>ReadReports</code>" in html
    assert 'class="hl">' in html  # the statement's lines are highlighted
    assert 'href="/users/alice/#inline-inline"' in html
    assert 'href="/groups/devs/#inline-NoDelete"' in html


def test_action_patterns_expand(reader_client, alice):
    html = run(reader_client, principal=alice.arn, actions="s3:GetObjectAcl*").content.decode()
    assert "<code>s3:GetObjectAcl</code>" in html
    assert len(decisions(html)) >= 1


def test_htmx_request_returns_the_fragment(reader_client, alice):
    response = reader_client.get(
        URL + "?" + urlencode({"run": "1", "principal": alice.arn, "actions": "s3:GetObject",
                               "resources": OBJECT}),
        HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert decisions(html) == ["allowed"]


def test_unticked_policy_is_excluded(reader_client, alice):
    params = {"principal": alice.arn, "actions": "s3:GetObject", "resources": OBJECT,
              "listed": "1", "policy": "group/devs/NoDelete"}  # user/alice/inline unticked
    assert decisions(run(reader_client, **params).content.decode()) == ["implicitDeny"]
    params["policy"] = ["group/devs/NoDelete", "user/alice/inline"]
    assert decisions(run(reader_client, **params).content.decode()) == ["allowed"]


def test_principal_policies_fragment(reader_client, alice):
    response = reader_client.get("/simulator/policies/?" + urlencode({"principal": alice.arn}),
                                 HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="policy" value="user/alice/inline"' in html
    assert 'value="group/devs/NoDelete"' in html
    assert 'name="listed" value="1"' in html


def test_referenced_context_keys_are_offered(reader_client, alice):
    iam.put_user_policy(SYSTEM, "alice", "office", policy_json(allow("s3:PutObject", "*",
        Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    html = reader_client.get(URL + "?" + urlencode({"principal": alice.arn})).content.decode()
    assert '<datalist id="context-keys"><option value="aws:SourceIp"></datalist>' in html


def test_context_entries_and_missing_keys(reader_client, alice):
    iam.put_user_policy(SYSTEM, "alice", "office", policy_json(allow("s3:PutObject", "*",
        Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    html = run(reader_client, principal=alice.arn, actions="s3:PutObject").content.decode()
    assert decisions(html) == ["implicitDeny"]
    assert "<code>aws:SourceIp</code>" in html
    html = run(reader_client, principal=alice.arn, actions="s3:PutObject",
               ctx_key="aws:SourceIp", ctx_type="ip", ctx_values="10.1.1.1").content.decode()
    assert decisions(html) == ["allowed"]
    assert 'value="10.1.1.1"' in html  # the form keeps what was typed


def test_custom_policy_without_principal(reader_client, db):
    html = run(reader_client, actions="ec2:DescribeInstances",
               policy_input=policy_json(allow("ec2:Describe*"))).content.decode()
    assert decisions(html) == ["allowed"]
    assert "PolicyInputList.1" in html


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<ul class="errorlist" id="{field}-errors">(.*?)</ul>', html, re.S)
    assert match, f"no error shown for {field}"
    return match.group(1)


@pytest.mark.parametrize(("params", "field", "text"), [
    ({"resources": "not-an-arn"}, "resources", "Invalid ARN"),
    ({"actions": "s3:GetObjekt"}, "actions", "Unknown action s3:GetObjekt"),
    ({"actions": "s3:Nothing*Here"}, "actions", "matches no known action"),
    ({"actions": ""}, "actions", "Enter at least one action"),
    ({"ctx_key": "aws:SourceIp", "ctx_type": "ip", "ctx_values": "not-an-ip"}, "context",
     "not a valid ip"),
    ({"ctx_key": "s3:max-keys", "ctx_type": "numeric", "ctx_values": "ten"}, "context",
     "not a valid numeric"),
    ({"ctx_key": "s3:max-keys", "ctx_type": "numeric", "ctx_values": "1, 2"}, "context",
     "numericList"),
    ({"principal": "arn:aws:iam::123456789012:user"}, "principal", "Invalid ARN"),
    ({"principal": "arn:aws:iam::123456789012:user/ghost"}, "principal", "cannot be found"),
    ({"policy_input": '{"Version": "2012-10-17"'}, "policy_input", "PolicyInputList.1"),
    ({"boundary": "[]"}, "boundary", "PermissionsBoundaryPolicyInputList.1"),
    ({"resource_owner": "abc"}, "resource_owner", "12-digit"),
])
def test_bad_input_is_a_form_error_next_to_its_field(reader_client, alice, params, field, text):
    query = {"principal": alice.arn, "actions": "s3:GetObject", **params}
    response = run(reader_client, **query)
    assert response.status_code == 200
    html = response.content.decode()
    assert text in field_error(html, field)
    assert "results-table" not in html


def test_custom_mode_needs_a_policy(reader_client, db):
    html = run(reader_client, actions="s3:GetObject").content.decode()
    assert "paste a policy" in field_error(html, "principal")


def test_json_export(reader_client, alice):
    response = reader_client.get(URL + "?" + urlencode({
        "run": "1", "principal": alice.arn, "actions": "s3:GetObject\ns3:DeleteObject",
        "resources": OBJECT, "format": "json"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    results = data["EvaluationResults"]
    assert [(r["EvalActionName"], r["EvalDecision"]) for r in results] == [
        ("s3:GetObject", "allowed"), ("s3:DeleteObject", "explicitDeny")]
    assert results[0]["MatchedStatements"][0]["Sid"] == "ReadReports"
    assert results[1]["MatchedStatements"][0]["SourcePolicyId"] == "NoDelete"


def test_csv_export(reader_client, alice):
    response = reader_client.get(URL + "?" + urlencode({
        "run": "1", "principal": alice.arn, "actions": "s3:GetObject,s3:PutObject",
        "resources": OBJECT, "format": "csv"}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["EvalActionName", "EvalResourceName", "EvalDecision"]
    assert [r[:3] for r in rows[1:]] == [["s3:GetObject", OBJECT, "allowed"],
                                         ["s3:PutObject", OBJECT, "implicitDeny"]]
    assert "inline (user) Sid ReadReports lines 4-9" in rows[1][3]


def test_export_of_bad_input_is_a_400_with_the_errors(reader_client, alice):
    response = reader_client.get(URL + "?" + urlencode({
        "run": "1", "principal": alice.arn, "actions": "s3:Bad", "format": "json"}))
    assert response.status_code == 400
    assert "actions" in json.loads(response.content)["errors"]


def test_action_autocomplete(reader_client):
    html = reader_client.get("/simulator/actions/?q=s3:GetObjectAc").content.decode()
    assert html.startswith('<datalist id="action-options">')
    assert '<option value="s3:GetObjectAcl">' in html


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_outsider_gets_403(client, outsider, alice):
    client.force_login(outsider)
    assert client.get(URL).status_code == 403
    response = run(client, principal=alice.arn, actions="s3:GetObject")
    assert response.status_code == 403
    assert "iam:SimulatePrincipalPolicy" in response.content.decode()
    assert client.get("/simulator/who-can/").status_code == 403


def test_custom_only_caller_may_simulate_pasted_policies_but_not_principals(client, alice):
    user = make_user("custom", policy=policy_json(allow("iam:SimulateCustomPolicy")))
    client.force_login(user)
    html = run(client, actions="s3:GetObject",
               policy_input=policy_json(allow("s3:GetObject"))).content.decode()
    assert decisions(html) == ["allowed"]
    assert "<optgroup" not in html  # it may not list users, groups or roles
    assert run(client, principal=alice.arn, actions="s3:GetObject").status_code == 403


# Who can --------------------------------------------------------------------------------

def test_who_can_page(reader_client, alice):
    iam.create_role(SYSTEM, "reporter", policy_json({
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole"}))
    iam.put_role_policy(SYSTEM, "reporter", "read", policy_json(allow("s3:Get*")))
    response = reader_client.get("/simulator/who-can/?" + urlencode(
        {"run": "1", "action": "s3:GetObject", "resource": OBJECT}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 principals allowed" in html
    assert '<a href="/users/alice/"' in html and '<a href="/roles/reporter/"' in html
    assert "Sid <code>ReadReports</code>" in html


@pytest.mark.parametrize(("params", "field", "text"), [
    ({"action": "s3:Nope"}, "action", "Unknown action"),
    ({"action": ""}, "action", "Enter an action"),
    ({"resource": "bucket"}, "resource", "Invalid ARN"),
    ({"ctx_key": "aws:SourceIp", "ctx_type": "ip", "ctx_values": "x"}, "context", "not a valid"),
])
def test_who_can_bad_input_is_a_form_error(reader_client, db, params, field, text):
    query = {"run": "1", "action": "s3:GetObject", "resource": OBJECT, **params}
    response = reader_client.get("/simulator/who-can/?" + urlencode(query))
    assert response.status_code == 200
    assert text in field_error(response.content.decode(), field)


def test_matched_managed_policy_links_to_its_console_page(reader_client, alice):
    managed = iam.create_policy(SYSTEM, "ReadAll", policy_json(allow("s3:ListBucket", "*")))
    iam.attach_user_policy(SYSTEM, "alice", managed.arn)
    html = run(reader_client, principal=alice.arn, actions="s3:ListBucket").content.decode()
    assert decisions(html) == ["allowed"]
    [href] = re.findall(r'<a href="(/policies/[^"]+)">ReadAll</a>', html)
    assert href == "/policies/local/ReadAll/"
    page = reader_client.get(href)
    assert page.status_code == 200 and "ReadAll" in page.content.decode()

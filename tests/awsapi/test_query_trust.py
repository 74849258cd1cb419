"""The role-trust bypass (issue: AssumeRole ignored the trust policy when the caller's identity
policy allowed sts:AssumeRole), reproduced on every door: STS through the Query API with boto3,
SimulatePrincipalPolicy through the Query API, the REST simulator and the console's simulator
and who-can pages. A role's trust policy must allow the caller; the identity policy alone never
does."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from awsapi_helpers import ACCOUNT, create_keys, error
from personas import allow, make_user, policy_json

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, TemporaryCredential

SYSTEM = Caller.system("test")
PROD_ADMIN = f"arn:aws:iam::{ACCOUNT}:role/prod-admin"
MALLORY = f"arn:aws:iam::{ACCOUNT}:user/mallory"
ASSUME_ANY = policy_json(allow("sts:AssumeRole", "*"))


def trust(principal: str) -> str:
    return policy_json({"Effect": "Allow", "Principal": {"AWS": principal},
                        "Action": "sts:AssumeRole"})


@pytest.fixture
def prod_admin(db):
    """mallory may call sts:AssumeRole on anything; prod-admin trusts only user/someone and
    may do everything."""
    make_user("mallory", policy=ASSUME_ANY, password=None)
    make_user("someone", password=None)
    iam.create_role(SYSTEM, "prod-admin", trust(f"arn:aws:iam::{ACCOUNT}:user/someone"))
    iam.put_role_policy(SYSTEM, "prod-admin", "admin", policy_json(allow("*", "*")))


def test_identity_allow_alone_does_not_assume_a_role_that_does_not_trust_the_caller(
        prod_admin, aws_client):
    sts = aws_client("sts", *create_keys("mallory"))
    with pytest.raises(sts.exceptions.ClientError) as denied:
        sts.assume_role(RoleArn=PROD_ADMIN, RoleSessionName="escalate")
    code, status, message = error(denied)
    assert (code, status) == ("AccessDenied", 403)
    assert f"User: {MALLORY} is not authorized to perform: sts:AssumeRole" in message
    assert not TemporaryCredential.objects.exists()
    event = AuditEvent.objects.filter(action="sts:AssumeRole").latest("id")
    assert event.outcome == "denied" and event.resource_arn == PROD_ADMIN


def test_the_named_principal_still_assumes_it_without_identity_policy(prod_admin, aws_client):
    sts = aws_client("sts", *create_keys("someone"))
    result = sts.assume_role(RoleArn=PROD_ADMIN, RoleSessionName="ops")
    assert result["AssumedRoleUser"]["Arn"] == \
        f"arn:aws:sts::{ACCOUNT}:assumed-role/prod-admin/ops"


def test_account_root_in_trust_needs_the_identity_allow(prod_admin, aws_client):
    iam.update_assume_role_policy(SYSTEM, "prod-admin", trust(f"arn:aws:iam::{ACCOUNT}:root"))
    make_user("nobody", password=None)
    sts = aws_client("sts", *create_keys("nobody"))
    with pytest.raises(sts.exceptions.ClientError) as denied:
        sts.assume_role(RoleArn=PROD_ADMIN, RoleSessionName="x1")
    assert error(denied)[0] == "AccessDenied"
    mallory = aws_client("sts", *create_keys("mallory"))
    assert mallory.assume_role(RoleArn=PROD_ADMIN, RoleSessionName="x2")["Credentials"]


def test_boundary_without_assume_role_stops_a_directly_named_user(prod_admin, aws_client):
    bounded = iam.create_policy(SYSTEM, "S3Only", policy_json(allow("s3:*", "*")))
    iam.put_user_permissions_boundary(SYSTEM, "someone", bounded.arn)
    sts = aws_client("sts", *create_keys("someone"))
    with pytest.raises(sts.exceptions.ClientError) as denied:
        sts.assume_role(RoleArn=PROD_ADMIN, RoleSessionName="ops")
    assert error(denied)[0] == "AccessDenied"


def test_query_api_simulator_evaluates_the_trust_policy(prod_admin, admin_iam):
    results = admin_iam.simulate_principal_policy(
        PolicySourceArn=MALLORY, ActionNames=["sts:AssumeRole", "sts:GetCallerIdentity"],
        ResourceArns=[PROD_ADMIN])["EvaluationResults"]
    assert [(r["EvalActionName"], r["EvalDecision"]) for r in results] == [
        ("sts:AssumeRole", "implicitDeny"), ("sts:GetCallerIdentity", "allowed")]
    someone = admin_iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/someone", ActionNames=["sts:AssumeRole"],
        ResourceArns=[PROD_ADMIN])["EvaluationResults"][0]
    assert someone["EvalDecision"] == "allowed"
    assert [s["SourcePolicyId"] for s in someone["MatchedStatements"]] == ["AssumeRolePolicy"]


def test_query_api_simulator_reads_a_given_resource_policy_as_the_trust_policy(
        prod_admin, admin_iam):
    result = admin_iam.simulate_custom_policy(
        PolicyInputList=[ASSUME_ANY], ActionNames=["sts:AssumeRole"], ResourceArns=[PROD_ADMIN],
        ResourcePolicy=trust(f"arn:aws:iam::{ACCOUNT}:user/someone"), CallerArn=MALLORY,
    )["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny"


def test_rest_simulator_evaluates_the_trust_policy(prod_admin, client, admin):
    client.force_login(admin)
    response = client.post("/api/v1/simulate/principal/", data=json.dumps({
        "policy_source_arn": MALLORY, "action_names": ["sts:AssumeRole"],
        "resource_arns": [PROD_ADMIN]}), content_type="application/json")
    assert response.status_code == 200, response.content
    [result] = response.json()["evaluation_results"]
    assert result["EvalDecision"] == "implicitDeny"


def test_console_simulator_and_who_can_evaluate_the_trust_policy(prod_admin, client, admin):
    client.force_login(admin)
    html = client.get("/simulator/?" + urlencode({
        "run": "1", "principal": MALLORY, "actions": "sts:AssumeRole",
        "resources": PROD_ADMIN})).content.decode()
    assert re.findall(r'<tr data-decision="(\w+)">', html) == ["implicitDeny"]
    html = client.get("/simulator/who-can/?" + urlencode({
        "run": "1", "action": "sts:AssumeRole", "resource": PROD_ADMIN})).content.decode()
    assert "someone" in html
    assert "mallory" not in html


def test_trust_statement_is_explained_after_other_actions(prod_admin, db):
    from iamconsole.iam import simulation
    from iamconsole.iam.models import User

    iam.put_user_policy(SYSTEM, "someone", "read", policy_json(allow("s3:GetObject", "*")))
    someone = User.objects.get(name="someone")
    results = simulation.simulate_principal_policy(
        SYSTEM, someone.arn, ["s3:GetObject", "sts:AssumeRole"], resource_arns=[PROD_ADMIN])
    assert [r.eval_decision for r in results] == ["allowed", "allowed"]
    [statement] = results[1].matched_statements
    assert statement.source_policy_id == "AssumeRolePolicy"
    assert json.loads(statement.policy_text)["Statement"][0]["Principal"] == {
        "AWS": f"arn:aws:iam::{ACCOUNT}:user/someone"}

"""SimulatePrincipalPolicy / SimulateCustomPolicy / GetContextKeysFor* through boto3: every
parameter reaches the simulator and every AWS result field comes back; results equal what the
domain simulator and the policy engine compute in-process."""

from __future__ import annotations

import json

import pytest
from awsapi_helpers import ACCOUNT, error
from personas import allow, deny, make_user, policy_json

from iamconsole.iam import services as iam
from iamconsole.iam import simulation
from iamconsole.iam.caller import Caller
from iamconsole.policy import Context, Request, compile_policy, evaluate

BUCKET = "arn:aws:s3:::reports"
OBJECT = "arn:aws:s3:::reports/2025/q1.csv"


def without_metadata(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@pytest.fixture
def analyst(db):
    user = make_user("analyst", policy=policy_json(
        allow(["s3:GetObject", "s3:ListBucket"], [BUCKET, f"{BUCKET}/*"]),
        deny("s3:DeleteObject", f"{BUCKET}/*"),
        allow("s3:PutObject", f"{BUCKET}/*",
              Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
    ))
    return user


def test_simulate_principal_policy_decisions_and_statements(admin_iam, analyst):
    source = f"arn:aws:iam::{ACCOUNT}:user/analyst"
    response = admin_iam.simulate_principal_policy(
        PolicySourceArn=source,
        ActionNames=["s3:GetObject", "s3:DeleteObject", "s3:PutObject", "iam:CreateUser"],
        ResourceArns=[OBJECT],
        ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"],
                         "ContextKeyType": "ip"}],
    )
    results = {r["EvalActionName"]: r for r in response["EvaluationResults"]}
    assert {a: r["EvalDecision"] for a, r in results.items()} == {
        "s3:GetObject": "allowed", "s3:DeleteObject": "explicitDeny",
        "s3:PutObject": "allowed", "iam:CreateUser": "implicitDeny"}
    get = results["s3:GetObject"]
    assert get["EvalResourceName"] == OBJECT
    assert [s["SourcePolicyId"] for s in get["MatchedStatements"]] == ["inline"]
    assert get["MatchedStatements"][0]["SourcePolicyType"] == "user"
    assert get["MatchedStatements"][0]["StartPosition"]["Line"] >= 1
    assert results["iam:CreateUser"]["MatchedStatements"] == []
    assert results["iam:CreateUser"]["MissingContextValues"] == []
    assert response["IsTruncated"] is False

    expected = simulation.simulate_principal_policy(
        Caller.system("test"), source,
        ["s3:GetObject", "s3:DeleteObject", "s3:PutObject", "iam:CreateUser"],
        resource_arns=[OBJECT],
        context_entries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"],
                          "ContextKeyType": "ip"}],
    )
    assert response["EvaluationResults"] == [r.as_aws_dict() for r in expected]


def test_missing_context_values_are_reported(admin_iam, analyst):
    response = admin_iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/analyst", ActionNames=["s3:PutObject"],
        ResourceArns=[OBJECT])
    result = response["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == ["aws:SourceIp"]


def test_policy_input_boundary_and_exclusions(admin_iam, analyst):
    source = f"arn:aws:iam::{ACCOUNT}:user/analyst"
    response = admin_iam.simulate_principal_policy(
        PolicySourceArn=source, ActionNames=["iam:ListUsers", "s3:GetObject"],
        ResourceArns=[OBJECT],
        PolicyInputList=[policy_json(allow("iam:ListUsers"))],
        PermissionsBoundaryPolicyInputList=[policy_json(allow("iam:*"))],
    )
    results = {r["EvalActionName"]: r for r in response["EvaluationResults"]}
    assert results["iam:ListUsers"]["EvalDecision"] == "allowed"
    assert results["iam:ListUsers"]["MatchedStatements"][0]["SourcePolicyId"] == \
        "PolicyInputList.1"
    assert results["iam:ListUsers"]["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": True}
    assert results["s3:GetObject"]["EvalDecision"] == "implicitDeny"  # outside the boundary
    assert results["s3:GetObject"]["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": False}


@pytest.mark.parametrize("identifier", [
    {"PolicyType": "inline"},
    {"InlinePolicyIdentifier": {"PolicyName": "inline", "AttachmentType": "user",
                                "AttachmentName": "analyst"}},
])
def test_policy_exclusion_list_leaves_policies_out(admin_iam, analyst, identifier):
    source = f"arn:aws:iam::{ACCOUNT}:user/analyst"
    kept = admin_iam.simulate_principal_policy(
        PolicySourceArn=source, ActionNames=["s3:GetObject"], ResourceArns=[OBJECT],
        PolicyExclusionList=[{"PolicyType": "user-managed"}])
    assert kept["EvaluationResults"][0]["EvalDecision"] == "allowed"
    excluded = admin_iam.simulate_principal_policy(
        PolicySourceArn=source, ActionNames=["s3:GetObject"], ResourceArns=[OBJECT],
        PolicyExclusionList=[identifier])
    assert excluded["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


def test_policy_exclusion_by_managed_policy_arn_and_boundary(admin_iam, analyst):
    system = Caller.system("test")
    managed = iam.create_policy(system, "ListAll", policy_json(allow("iam:List*")))
    iam.attach_user_policy(system, "analyst", managed.arn)
    boundary = iam.create_policy(system, "S3Only", policy_json(allow("s3:*")))
    iam.put_user_permissions_boundary(system, "analyst", boundary.arn)
    source = f"arn:aws:iam::{ACCOUNT}:user/analyst"

    def decision(**kwargs) -> str:
        return admin_iam.simulate_principal_policy(
            PolicySourceArn=source, ActionNames=["iam:ListUsers"], **kwargs,
        )["EvaluationResults"][0]["EvalDecision"]

    assert decision() == "implicitDeny"  # the boundary does not allow IAM
    assert decision(PolicyExclusionList=[{"PolicyType": "permission-boundary"}]) == "allowed"
    assert decision(PolicyExclusionList=[{"PolicyType": "permission-boundary"},
                                         {"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/List*"}]
                    ) == "implicitDeny"


def test_resource_policy_owner_caller_and_resource_specific_results(admin_iam, analyst):
    make_user("outside")
    bucket_policy = policy_json({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/outside"},
        "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"})
    response = admin_iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/outside", ActionNames=["s3:GetObject"],
        ResourceArns=[OBJECT, "arn:aws:s3:::other/x"], ResourcePolicy=bucket_policy,
        ResourceOwner=f"arn:aws:iam::{ACCOUNT}:root",
        CallerArn=f"arn:aws:iam::{ACCOUNT}:user/outside")
    results = response["EvaluationResults"]
    by_resource = {r["EvalResourceName"]: r["EvalDecision"] for r in results}
    assert by_resource == {OBJECT: "allowed", "arn:aws:s3:::other/x": "implicitDeny"}
    allowed = next(r for r in results if r["EvalResourceName"] == OBJECT)
    assert allowed["MatchedStatements"][0]["SourcePolicyType"] == "resource"


def test_simulate_custom_policy_matches_the_engine(admin_iam):
    document = policy_json(allow("s3:*", f"{BUCKET}/*"), deny("s3:DeleteObject"))
    actions = ["s3:GetObject", "s3:DeleteObject", "ec2:RunInstances"]
    response = admin_iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=actions,
                                                ResourceArns=[OBJECT])
    compiled = compile_policy(document, policy_id="PolicyInputList.1", policy_type="none")
    for result in response["EvaluationResults"]:
        engine = evaluate(Request(result["EvalActionName"], OBJECT, Context({})), [compiled])
        assert result["EvalDecision"] == engine.decision
        assert [(s["StartPosition"]["Line"], s["StartPosition"]["Column"])
                for s in result["MatchedStatements"]] == [
            (m.start_line, m.start_column) for m in engine.matched_statements]
    expected = simulation.simulate_custom_policy(Caller.system("test"), [document], actions,
                                                 resource_arns=[OBJECT])
    assert response["EvaluationResults"] == [r.as_aws_dict() for r in expected]


def test_simulation_results_paginate(admin_iam):
    actions = [f"s3:{a}" for a in ("GetObject", "PutObject", "DeleteObject", "ListBucket",
                                    "GetBucketPolicy")]
    paginator = admin_iam.get_paginator("simulate_custom_policy")
    pages = list(paginator.paginate(PolicyInputList=[policy_json(allow("s3:Get*"))],
                                    ActionNames=actions, PaginationConfig={"PageSize": 2}))
    assert [len(p["EvaluationResults"]) for p in pages] == [2, 2, 1]
    decisions = [r["EvalDecision"] for p in pages for r in p["EvaluationResults"]]
    assert decisions == ["allowed", "implicitDeny", "implicitDeny", "implicitDeny", "allowed"]


def test_simulation_input_errors(admin_iam):
    with pytest.raises(admin_iam.exceptions.NoSuchEntityException):
        admin_iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/x",
                                            ActionNames=["s3:GetObject"])
    with pytest.raises(admin_iam.exceptions.ClientError) as bad_policy:
        admin_iam.simulate_custom_policy(PolicyInputList=['{"Statement": 1}'],
                                         ActionNames=["s3:GetObject"])
    assert error(bad_policy)[1] == 400
    with pytest.raises(admin_iam.exceptions.InvalidInputException):
        admin_iam.simulate_custom_policy(
            PolicyInputList=[policy_json(allow())], ActionNames=["s3:GetObject"],
            ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["nope"],
                             "ContextKeyType": "ip"}])


def test_get_context_keys(admin_iam, analyst):
    keys = admin_iam.get_context_keys_for_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/analyst",
        PolicyInputList=[policy_json(allow("s3:GetObject", Condition={
            "StringEquals": {"s3:prefix": "home/${aws:username}"}}))])
    assert keys["ContextKeyNames"] == ["aws:SourceIp", "aws:username", "s3:prefix"]
    custom = admin_iam.get_context_keys_for_custom_policy(PolicyInputList=[json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                "Resource": "*", "Condition": {
                                                    "Bool": {"aws:SecureTransport": "true"}}}]})])
    assert custom["ContextKeyNames"] == ["aws:SecureTransport"]


def test_simulation_needs_permission(aws_client, analyst):
    from awsapi_helpers import create_keys

    make_user("nobody")
    nobody = aws_client("iam", *create_keys("nobody"))
    with pytest.raises(nobody.exceptions.ClientError) as denied:
        nobody.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/analyst",
                                         ActionNames=["s3:GetObject"])
    assert error(denied)[:2] == ("AccessDenied", 403)
    assert iam.find_user("analyst")  # untouched


def test_simulate_principal_policy_reads_the_principals_policies_once(admin_iam, analyst,
                                                                      monkeypatch):
    """With a PolicyExclusionList too, the excluded keys and the run share one reading."""
    from iamconsole.iam import authz

    seen = []
    real = authz.principal_sources
    monkeypatch.setattr(authz, "principal_sources",
                        lambda kind, entity: seen.append((kind, entity.name)) or real(kind, entity))
    response = admin_iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/analyst", ActionNames=["s3:GetObject"],
        ResourceArns=[OBJECT], PolicyExclusionList=[{"PolicyType": "user-managed"}])
    assert response["EvaluationResults"][0]["EvalDecision"] == "allowed"
    assert seen.count(("user", "analyst")) == 1

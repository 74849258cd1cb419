"""The AWS managed policy catalog through the Query API (boto3 and the aws CLI): a new user's
walk-through — list the AWS policies, attach AmazonS3ReadOnlyAccess to a user and
AmazonEC2FullAccess to a group, simulate a decision made by ReadOnlyAccess — and AWS's error
when a catalog policy is changed."""

from __future__ import annotations

import json

import pytest
from awsapi_helpers import ACCOUNT, error
from botocore.exceptions import ClientError
from test_query_cli import aws_cli  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)

S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
EC2_FULL = "arn:aws:iam::aws:policy/AmazonEC2FullAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def test_the_new_users_walkthrough_with_boto3(aws_catalog, admin_iam):
    pages = admin_iam.get_paginator("list_policies").paginate(Scope="AWS")
    policies = [p for page in pages for p in page["Policies"]]
    assert len(policies) > 1000
    by_name = {p["PolicyName"]: p for p in policies}
    assert by_name["ViewOnlyAccess"]["Arn"] == "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
    assert by_name["AmazonS3ReadOnlyAccess"]["DefaultVersionId"].startswith("v")
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in policies)

    admin_iam.create_user(UserName="Steve")
    admin_iam.attach_user_policy(UserName="Steve", PolicyArn=S3_READ)
    admin_iam.create_group(GroupName="Operators")
    admin_iam.attach_group_policy(GroupName="Operators", PolicyArn=EC2_FULL)
    assert [p["PolicyArn"] for p in admin_iam.list_attached_user_policies(
        UserName="Steve")["AttachedPolicies"]] == [S3_READ]
    assert [p["PolicyArn"] for p in admin_iam.list_attached_group_policies(
        GroupName="Operators")["AttachedPolicies"]] == [EC2_FULL]
    attached = admin_iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]
    assert {p["Arn"] for p in attached} >= {S3_READ, EC2_FULL}
    got = admin_iam.get_policy(PolicyArn=S3_READ)["Policy"]
    assert got["AttachmentCount"] == 1
    version = admin_iam.get_policy_version(PolicyArn=S3_READ,
                                           VersionId=got["DefaultVersionId"])["PolicyVersion"]
    assert version["IsDefaultVersion"] is True
    assert "s3:Get*" in json.dumps(version["Document"])

    details = admin_iam.get_account_authorization_details(Filter=["AWSManagedPolicy"])
    assert {p["Arn"] for p in details["Policies"]} == {S3_READ, EC2_FULL}

    admin_iam.create_user(UserName="Auditor")
    admin_iam.attach_user_policy(UserName="Auditor", PolicyArn=READ_ONLY)
    response = admin_iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/Auditor",
        ActionNames=["s3:GetObject", "s3:DeleteObject"],
        ResourceArns=["arn:aws:s3:::bucket/key"])
    results = {r["EvalActionName"]: r for r in response["EvaluationResults"]}
    assert results["s3:GetObject"]["EvalDecision"] == "allowed"
    assert [s["SourcePolicyId"] for s in results["s3:GetObject"]["MatchedStatements"]] \
        == ["ReadOnlyAccess"]
    assert results["s3:GetObject"]["MatchedStatements"][0]["SourcePolicyType"] == "aws-managed"
    assert results["s3:DeleteObject"]["EvalDecision"] == "implicitDeny"


def test_catalog_policies_are_read_only(aws_catalog, admin_iam):
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    for call in (
        lambda: admin_iam.create_policy_version(PolicyArn=S3_READ, PolicyDocument=document,
                                                SetAsDefault=True),
        lambda: admin_iam.delete_policy(PolicyArn=S3_READ),
        lambda: admin_iam.set_default_policy_version(PolicyArn=S3_READ, VersionId="v1"),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        code, status, _ = error(caught)
        assert status < 500
        assert code == "UnmodifiableEntity", code


def test_the_new_users_walkthrough_with_the_aws_cli(aws_catalog, aws_cli):  # noqa: F811
    def cli(*args):
        return json.loads(aws_cli("iam", *args).stdout or "{}")

    listed = cli("list-policies", "--scope", "AWS")["Policies"]
    assert len(listed) > 1000
    cli("create-user", "--user-name", "Steve")
    cli("attach-user-policy", "--user-name", "Steve", "--policy-arn", S3_READ)
    cli("create-group", "--group-name", "Operators")
    cli("attach-group-policy", "--group-name", "Operators", "--policy-arn", EC2_FULL)
    attached = cli("list-attached-user-policies", "--user-name", "Steve")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [S3_READ]

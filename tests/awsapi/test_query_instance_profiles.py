"""Instance profiles and service-linked roles through unmodified boto3 (and the aws CLI)
against a live server, with the shapes and errors of botocore's IAM model."""

from __future__ import annotations

import json

import pytest
from awsapi_helpers import ACCOUNT, create_keys, error
from botocore.exceptions import ClientError
from personas import allow, make_user, policy_json
from test_query_cli import aws_cli  # noqa: F401  (the aws CLI fixture)

TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
READ = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
UNMODIFIABLE = ("Cannot perform the operation on the protected role "
                "'AWSServiceRoleForElasticBeanstalk' - this role is only modifiable by AWS")
IN_PROFILE = "Cannot delete entity, must remove roles from instance profile first."


def _code(call, **kwargs) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    return error(exc)


def test_terraform_style_apply_and_destroy(admin_iam):
    # apply: aws_iam_role, aws_iam_role_policy_attachment, aws_iam_role_policy,
    # aws_iam_instance_profile (role = ...)
    admin_iam.create_role(RoleName="web", AssumeRolePolicyDocument=TRUST_EC2)
    arn = admin_iam.create_policy(PolicyName="Read", PolicyDocument=READ)["Policy"]["Arn"]
    admin_iam.attach_role_policy(RoleName="web", PolicyArn=arn)
    admin_iam.put_role_policy(RoleName="web", PolicyName="inline", PolicyDocument=READ)
    created = admin_iam.create_instance_profile(InstanceProfileName="web-profile",
                                                Path="/app/")["InstanceProfile"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/app/web-profile"
    assert created["InstanceProfileId"].startswith("AIPA") and created["Roles"] == []
    admin_iam.get_waiter("instance_profile_exists").wait(InstanceProfileName="web-profile")
    admin_iam.add_role_to_instance_profile(InstanceProfileName="web-profile", RoleName="web")
    profile = admin_iam.get_instance_profile(InstanceProfileName="web-profile")["InstanceProfile"]
    [role] = profile["Roles"]
    assert role["RoleName"] == "web" and role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/web"
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"}

    # destroying the role first: DeleteConflict, the instance profile named first
    code, status, message = _code(admin_iam.delete_role, RoleName="web")
    assert (code, status) == ("DeleteConflict", 409)
    assert message.startswith("Cannot delete entity, must remove roles from instance profile")
    assert _code(admin_iam.delete_instance_profile, InstanceProfileName="web-profile") == (
        "DeleteConflict", 409, IN_PROFILE)

    # destroy in Terraform's order
    for_role = admin_iam.list_instance_profiles_for_role(RoleName="web")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == ["web-profile"]
    admin_iam.remove_role_from_instance_profile(InstanceProfileName="web-profile",
                                                RoleName="web")
    admin_iam.delete_instance_profile(InstanceProfileName="web-profile")
    admin_iam.detach_role_policy(RoleName="web", PolicyArn=arn)
    admin_iam.delete_role_policy(RoleName="web", PolicyName="inline")
    admin_iam.delete_role(RoleName="web")
    assert _code(admin_iam.get_instance_profile, InstanceProfileName="web-profile") == (
        "NoSuchEntity", 404, "Instance Profile web-profile cannot be found.")


def test_one_role_per_instance_profile(admin_iam):
    for name in ("a", "b"):
        admin_iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_EC2)
    admin_iam.create_instance_profile(InstanceProfileName="p")
    admin_iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="a")
    assert _code(admin_iam.add_role_to_instance_profile, InstanceProfileName="p",
                 RoleName="b") == ("LimitExceeded", 409,
                                   "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
    assert _code(admin_iam.add_role_to_instance_profile, InstanceProfileName="p",
                 RoleName="nobody")[:2] == ("NoSuchEntity", 404)
    assert _code(admin_iam.remove_role_from_instance_profile, InstanceProfileName="p",
                 RoleName="b")[:2] == ("NoSuchEntity", 404)


def test_list_instance_profiles_path_prefix_and_pagination(admin_iam):
    for name, path in (("p1", "/a/"), ("p2", "/a/"), ("p3", "/b/")):
        admin_iam.create_instance_profile(InstanceProfileName=name, Path=path)
    under_a = admin_iam.list_instance_profiles(PathPrefix="/a/")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in under_a] == ["p1", "p2"]
    first = admin_iam.list_instance_profiles(MaxItems=2)
    assert first["IsTruncated"] and len(first["InstanceProfiles"]) == 2
    pages = admin_iam.get_paginator("list_instance_profiles").paginate(
        PaginationConfig={"PageSize": 1})
    names = [p["InstanceProfileName"] for page in pages for p in page["InstanceProfiles"]]
    assert names == ["p1", "p2", "p3"]


def test_instance_profile_names_and_tags(admin_iam):
    admin_iam.create_instance_profile(InstanceProfileName="Tagged",
                                      Tags=[{"Key": "env", "Value": "prod"}])
    assert _code(admin_iam.create_instance_profile, InstanceProfileName="tagged")[:2] == (
        "EntityAlreadyExists", 409)
    admin_iam.tag_instance_profile(InstanceProfileName="Tagged",
                                   Tags=[{"Key": "team", "Value": "web"}])
    admin_iam.untag_instance_profile(InstanceProfileName="Tagged", TagKeys=["env"])
    tags = admin_iam.list_instance_profile_tags(InstanceProfileName="Tagged")["Tags"]
    assert tags == [{"Key": "team", "Value": "web"}]
    got = admin_iam.get_instance_profile(InstanceProfileName="Tagged")["InstanceProfile"]
    assert got["Tags"] == [{"Key": "team", "Value": "web"}]
    assert _code(admin_iam.create_instance_profile, InstanceProfileName="x" * 129)[0] == \
        "ValidationError"


def test_authorization_details_and_summary_show_instance_profiles(admin_iam):
    admin_iam.create_role(RoleName="web", AssumeRolePolicyDocument=TRUST_EC2)
    admin_iam.create_instance_profile(InstanceProfileName="web-profile")
    admin_iam.add_role_to_instance_profile(InstanceProfileName="web-profile", RoleName="web")
    details = admin_iam.get_account_authorization_details(Filter=["Role"])
    [role] = details["RoleDetailList"]
    [profile] = role["InstanceProfileList"]
    assert profile["InstanceProfileName"] == "web-profile"
    assert [r["RoleName"] for r in profile["Roles"]] == ["web"]
    summary = admin_iam.get_account_summary()["SummaryMap"]
    assert summary["InstanceProfiles"] == 1 and summary["InstanceProfilesQuota"] == 1000


def test_instance_profile_calls_are_authorized_without_existence_oracle(admin_iam, aws_client):
    make_user("ops", policy=policy_json(allow(
        "iam:GetInstanceProfile", f"arn:aws:iam::{ACCOUNT}:instance-profile/ops-*")))
    ops = aws_client("iam", *create_keys("ops"))
    admin_iam.create_instance_profile(InstanceProfileName="secret")
    admin_iam.create_instance_profile(InstanceProfileName="ops-1")
    assert ops.get_instance_profile(InstanceProfileName="ops-1")["InstanceProfile"]
    assert _code(ops.get_instance_profile, InstanceProfileName="secret")[:2] == (
        "AccessDenied", 403)
    assert _code(ops.get_instance_profile, InstanceProfileName="missing")[:2] == (
        "AccessDenied", 403)
    assert _code(ops.get_instance_profile, InstanceProfileName="ops-missing")[:2] == (
        "NoSuchEntity", 404)


def test_add_role_to_instance_profile_needs_pass_role(admin_iam, aws_client):
    make_user("ops", policy=policy_json(allow("iam:*InstanceProfile*")))
    ops = aws_client("iam", *create_keys("ops"))
    admin_iam.create_role(RoleName="web", AssumeRolePolicyDocument=TRUST_EC2)
    ops.create_instance_profile(InstanceProfileName="p")
    code, _, message = _code(ops.add_role_to_instance_profile, InstanceProfileName="p",
                             RoleName="web")
    assert code == "AccessDenied" and "iam:PassRole" in message


# Service-linked roles ---------------------------------------------------------------------------


def test_service_linked_role_lifecycle(admin_iam):
    role = admin_iam.create_service_linked_role(
        AWSServiceName="elasticbeanstalk.amazonaws.com", Description="EB")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForElasticBeanstalk"
    assert role["Path"] == "/aws-service-role/elasticbeanstalk.amazonaws.com/"
    assert role["Arn"] == (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/"
                           "elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk")
    trust = role["AssumeRolePolicyDocument"]  # boto3 decodes it
    assert trust["Statement"] == [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                   "Principal": {"Service": "elasticbeanstalk.amazonaws.com"}}]
    assert role["Description"] == "EB"

    name = role["RoleName"]
    admin_iam.update_role_description(RoleName=name, Description="still EB")
    arn = admin_iam.create_policy(PolicyName="Read", PolicyDocument=READ)["Policy"]["Arn"]
    for call, kwargs in [
        (admin_iam.delete_role, {}),
        (admin_iam.update_assume_role_policy, {"PolicyDocument": TRUST_EC2}),
        (admin_iam.put_role_policy, {"PolicyName": "p", "PolicyDocument": READ}),
        (admin_iam.attach_role_policy, {"PolicyArn": arn}),
        (admin_iam.put_role_permissions_boundary, {"PermissionsBoundary": arn}),
        (admin_iam.update_role, {"MaxSessionDuration": 7200}),
    ]:
        assert _code(call, RoleName=name, **kwargs) == ("UnmodifiableEntity", 400, UNMODIFIABLE)
    admin_iam.create_instance_profile(InstanceProfileName="p")
    assert _code(admin_iam.add_role_to_instance_profile, InstanceProfileName="p",
                 RoleName=name)[0] == "UnmodifiableEntity"

    task = admin_iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert task.startswith(f"task/aws-service-role/elasticbeanstalk.amazonaws.com/{name}/")
    status = admin_iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert status["Status"] == "SUCCEEDED"
    assert _code(admin_iam.get_role, RoleName=name)[0] == "NoSuchEntity"
    assert _code(admin_iam.get_service_linked_role_deletion_status,
                 DeletionTaskId=task[:-3] + "abc")[:2] == ("NoSuchEntity", 404)
    assert _code(admin_iam.get_service_linked_role_deletion_status,
                 DeletionTaskId="nonsense")[0] == "InvalidInput"


def test_service_linked_role_names_suffix_and_taken(admin_iam):
    derived = admin_iam.create_service_linked_role(
        AWSServiceName="codestar-notifications.amazonaws.com")["Role"]
    assert derived["RoleName"] == "AWSServiceRoleForCodestarNotifications"
    suffixed = admin_iam.create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="blue")["Role"]
    assert suffixed["RoleName"] == "AWSServiceRoleForAutoScaling_blue"
    assert _code(admin_iam.create_service_linked_role, AWSServiceName="autoscaling.amazonaws.com",
                 CustomSuffix="blue") == (
        "InvalidInput", 400, "Service role name AWSServiceRoleForAutoScaling_blue has been taken "
        "in this account, please try a different suffix.")
    assert _code(admin_iam.create_service_linked_role, AWSServiceName="not-a-service")[0] == \
        "InvalidInput"
    admin_iam.create_role(RoleName="plain", AssumeRolePolicyDocument=TRUST_EC2)
    assert _code(admin_iam.delete_service_linked_role, RoleName="plain")[:2] == (
        "NoSuchEntity", 404)


def test_aws_cli_instance_profile_scenario(aws_cli):  # noqa: F811
    aws_cli("iam", "create-role", "--role-name", "cli-role", "--assume-role-policy-document",
            TRUST_EC2)
    created = json.loads(aws_cli("iam", "create-instance-profile", "--instance-profile-name",
                                 "cli-profile").stdout)
    assert created["InstanceProfile"]["Arn"] == (
        f"arn:aws:iam::{ACCOUNT}:instance-profile/cli-profile")
    aws_cli("iam", "add-role-to-instance-profile", "--instance-profile-name", "cli-profile",
            "--role-name", "cli-role")
    aws_cli("iam", "wait", "instance-profile-exists", "--instance-profile-name", "cli-profile")
    got = json.loads(aws_cli("iam", "get-instance-profile", "--instance-profile-name",
                             "cli-profile").stdout)
    assert [r["RoleName"] for r in got["InstanceProfile"]["Roles"]] == ["cli-role"]

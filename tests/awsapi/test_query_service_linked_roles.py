"""Service-linked roles through boto3: created under /aws-service-role/<service>/, trusted by
the service only, deleted with a task id whose status is SUCCEEDED."""

from __future__ import annotations

import json

import pytest
from awsapi_helpers import ACCOUNT, create_keys, error
from personas import allow, make_user, policy_json

SERVICE = "elasticbeanstalk.amazonaws.com"


def test_service_linked_role_lifecycle(admin_iam):
    role = admin_iam.create_service_linked_role(AWSServiceName=SERVICE,
                                                Description="for beanstalk")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForElasticbeanstalk"
    assert role["Path"] == f"/aws-service-role/{SERVICE}/"
    assert role["Arn"] == (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/{SERVICE}/"
                           "AWSServiceRoleForElasticbeanstalk")
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"] == [{"Effect": "Allow", "Principal": {"Service": SERVICE},
                                   "Action": "sts:AssumeRole"}]
    suffixed = admin_iam.create_service_linked_role(AWSServiceName=SERVICE,
                                                    CustomSuffix="debug")["Role"]
    assert suffixed["RoleName"] == "AWSServiceRoleForElasticbeanstalk_debug"
    with pytest.raises(admin_iam.exceptions.InvalidInputException) as taken:
        admin_iam.create_service_linked_role(AWSServiceName=SERVICE)
    assert "has been taken" in error(taken)[2]

    task = admin_iam.delete_service_linked_role(
        RoleName="AWSServiceRoleForElasticbeanstalk")["DeletionTaskId"]
    assert task.startswith(f"task/aws-service-role/{SERVICE}/AWSServiceRoleForElasticbeanstalk/")
    assert admin_iam.get_service_linked_role_deletion_status(DeletionTaskId=task)[
        "Status"] == "SUCCEEDED"
    with pytest.raises(admin_iam.exceptions.NoSuchEntityException):
        admin_iam.get_role(RoleName="AWSServiceRoleForElasticbeanstalk")
    with pytest.raises(admin_iam.exceptions.NoSuchEntityException):
        admin_iam.get_service_linked_role_deletion_status(
            DeletionTaskId=task[:-36] + "00000000-0000-0000-0000-000000000000")


def test_service_linked_role_rules(admin_iam):
    with pytest.raises(admin_iam.exceptions.InvalidInputException):
        admin_iam.create_service_linked_role(AWSServiceName="not-a-service")
    admin_iam.create_role(RoleName="plain", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    with pytest.raises(admin_iam.exceptions.InvalidInputException) as not_linked:
        admin_iam.delete_service_linked_role(RoleName="plain")
    assert "not a service-linked role" in error(not_linked)[2]
    with pytest.raises(admin_iam.exceptions.InvalidInputException):
        admin_iam.get_service_linked_role_deletion_status(DeletionTaskId="task/nonsense")


def test_create_service_linked_role_is_authorized_with_the_service_name(aws_client, db):
    make_user("ops", password=None, policy=policy_json(allow(
        ["iam:CreateServiceLinkedRole"], "*",
        Condition={"StringEquals": {"iam:AWSServiceName": "autoscaling.amazonaws.com"}})))
    client = aws_client("iam", *create_keys("ops"))
    created = client.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    assert created["Role"]["RoleName"] == "AWSServiceRoleForAutoscaling"
    with pytest.raises(client.exceptions.ClientError) as denied:
        client.create_service_linked_role(AWSServiceName=SERVICE)
    assert error(denied)[:2] == ("AccessDenied", 403)

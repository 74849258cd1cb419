"""AWS's "Revoke active sessions" for a role, through the Query API with boto3: once the inline
policy AWSRevokeOlderSessions is on the role, a session assumed before is denied everything
(aws:TokenIssueTime is before the revocation) while a session assumed afterwards works."""

from __future__ import annotations

import json
import time

import pytest
from awsapi_helpers import ACCOUNT, create_keys, error, session_client
from botocore.exceptions import ClientError
from personas import allow, make_user, policy_json

from iamconsole.iam import clock
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent
from iamconsole.iam.services import sign_in_sessions

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/deployer"


@pytest.fixture
def role(db):
    system = Caller.system("test")
    make_user("dev")
    iam.create_role(system, "deployer", policy_json({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/dev"},
        "Action": "sts:AssumeRole"}))
    iam.put_role_policy(system, "deployer", "permissions",
                        policy_json(allow(["iam:ListUsers", "iam:GetUser"])))


def test_revoked_role_session_is_denied_and_a_new_one_works(aws_client, admin_iam, role):
    dev_sts = aws_client("sts", *create_keys("dev"))
    old = dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="before")["Credentials"]
    old_iam = session_client(aws_client, "iam", old)
    assert old_iam.list_users()["Users"]

    # What the AWS console's button does, done with PutRolePolicy through the Query API:
    admin_iam.put_role_policy(
        RoleName="deployer", PolicyName="AWSRevokeOlderSessions",
        PolicyDocument=sign_in_sessions.revoke_policy_document(clock.now()))

    with pytest.raises(ClientError) as denied:
        old_iam.list_users()
    code, status, message = error(denied)
    assert (code, status) == ("AccessDenied", 403)
    assert "explicit deny" in message

    time.sleep(0.01)  # the revocation time is rounded up to the next millisecond
    time.sleep(0.01)
    new = dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="after")["Credentials"]
    assert session_client(aws_client, "iam", new).list_users()["Users"]
    with pytest.raises(ClientError):  # still denied afterwards, whatever else happened
        old_iam.get_user(UserName="dev")


def test_console_revoke_puts_aws_policy_and_denies_the_older_session(aws_client, admin,
                                                                     admin_iam, role):
    dev_sts = aws_client("sts", *create_keys("dev"))
    old = dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="before")["Credentials"]
    revoked_at = sign_in_sessions.revoke_role_sessions(Caller(user=admin), "deployer")
    got = admin_iam.get_role_policy(RoleName="deployer", PolicyName="AWSRevokeOlderSessions")
    document = got["PolicyDocument"]
    if isinstance(document, str):
        document = json.loads(document)
    assert document["Statement"] == [{
        "Effect": "Deny", "Action": ["*"], "Resource": ["*"],
        "Condition": {"DateLessThan": {"aws:TokenIssueTime": revoked_at}}}]
    assert revoked_at.endswith("Z") and len(revoked_at) == len("2025-01-01T00:00:00.000Z")
    assert AuditEvent.objects.filter(action="iam:PutRolePolicy",
                                     resource_name="deployer").exists()

    with pytest.raises(ClientError) as denied:
        session_client(aws_client, "iam", old).list_users()
    assert error(denied)[0] == "AccessDenied"
    time.sleep(0.01)
    new = dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="after")["Credentials"]
    assert session_client(aws_client, "iam", new).list_users()["Users"]

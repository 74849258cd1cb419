"""Principals bound by identity through the Query API with boto3: a user or role deleted and
created again under the same name is not trusted by the roles that trusted the old one, GetRole
shows the old one's unique id, and a trust policy naming no existing entity is refused."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from awsapi_helpers import ACCOUNT, create_keys, error, session_client
from personas import make_user, policy_json

TARGET_ARN = f"arn:aws:iam::{ACCOUNT}:role/target"
GHOST_ARN = f"arn:aws:iam::{ACCOUNT}:user/ghost"


def trust(principal: str) -> str:
    return policy_json({"Effect": "Allow", "Principal": {"AWS": principal},
                        "Action": "sts:AssumeRole"})


def trust_principal(admin_iam, role_name: str = "target"):
    document = admin_iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    if isinstance(document, str):  # boto3 decodes the URL-encoded JSON into a dict
        document = json.loads(urllib.parse.unquote(document))
    return document["Statement"][0]["Principal"]["AWS"]


def delete_user_with_keys(admin_iam, name: str) -> None:
    for key in admin_iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        admin_iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    admin_iam.delete_user(UserName=name)


def test_a_recreated_user_cannot_assume_the_roles_that_trusted_the_old_one(
        aws_client, admin_iam):
    make_user("ghost", password=None)
    admin_iam.create_role(RoleName="target", AssumeRolePolicyDocument=trust(GHOST_ARN))
    old_ghost = aws_client("sts", *create_keys("ghost"))
    assert old_ghost.assume_role(RoleArn=TARGET_ARN, RoleSessionName="s1")["Credentials"]
    old_id = admin_iam.get_user(UserName="ghost")["User"]["UserId"]

    delete_user_with_keys(admin_iam, "ghost")
    assert trust_principal(admin_iam) == old_id and old_id.startswith("AIDA")
    admin_iam.create_user(UserName="ghost")
    new_ghost = aws_client("sts", *create_keys("ghost"))
    with pytest.raises(new_ghost.exceptions.ClientError) as denied:
        new_ghost.assume_role(RoleArn=TARGET_ARN, RoleSessionName="s2")
    assert error(denied)[:2] == ("AccessDenied", 403)
    assert trust_principal(admin_iam) == old_id  # the new ghost is a different principal


@pytest.mark.parametrize("identity_allows", [False, True], ids=["no identity policy",
                                                                  "identity allows AssumeRole"])
def test_a_recreated_role_is_not_trusted_by_the_roles_that_trusted_the_old_one(
        aws_client, admin_iam, identity_allows):
    """Only a trust policy naming the new `hop` could let its sessions assume `target` (an
    identity policy allowing sts:AssumeRole never suffices on its own), and the one that named
    the old `hop` names its id now."""
    make_user("dev", password=None)
    dev_trust = trust(f"arn:aws:iam::{ACCOUNT}:user/dev")
    admin_iam.create_role(RoleName="hop", AssumeRolePolicyDocument=dev_trust)
    admin_iam.create_role(RoleName="target", AssumeRolePolicyDocument=trust(
        f"arn:aws:iam::{ACCOUNT}:role/hop"))
    old_id = admin_iam.get_role(RoleName="hop")["Role"]["RoleId"]

    admin_iam.delete_role(RoleName="hop")
    assert trust_principal(admin_iam) == old_id and old_id.startswith("AROA")
    admin_iam.create_role(RoleName="hop", AssumeRolePolicyDocument=dev_trust)
    if identity_allows:
        admin_iam.put_role_policy(RoleName="hop", PolicyName="assume", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    dev_sts = aws_client("sts", *create_keys("dev"))
    hop = dev_sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/hop",
                              RoleSessionName="hop")["Credentials"]
    hop_sts = session_client(aws_client, "sts", hop)
    with pytest.raises(hop_sts.exceptions.ClientError) as denied:
        hop_sts.assume_role(RoleArn=TARGET_ARN, RoleSessionName="chained")
    assert error(denied)[:2] == ("AccessDenied", 403)


@pytest.mark.parametrize("operation", ["create_role", "update_assume_role_policy"])
def test_a_trust_policy_naming_a_missing_user_is_malformed(admin_iam, operation):
    if operation == "create_role":
        call = lambda: admin_iam.create_role(  # noqa: E731
            RoleName="target", AssumeRolePolicyDocument=trust(GHOST_ARN))
    else:
        admin_iam.create_role(RoleName="target", AssumeRolePolicyDocument=trust(
            f"arn:aws:iam::{ACCOUNT}:root"))
        call = lambda: admin_iam.update_assume_role_policy(  # noqa: E731
            RoleName="target", PolicyDocument=trust(GHOST_ARN))
    with pytest.raises(admin_iam.exceptions.MalformedPolicyDocumentException) as refused:
        call()
    assert error(refused) == ("MalformedPolicyDocument", 400,
                              f'Invalid principal in policy: "AWS":"{GHOST_ARN}"')

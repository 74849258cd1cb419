"""Two accounts through boto3: each account's callers see only their own entities (by name and
by ARN), and a user of one account assumes a role of the other when both sides allow it."""

import json

import pytest
from accounts_fixtures import A, B, in_account, keys_of, second_account, trust
from awsapi_helpers import error, session_client
from botocore.exceptions import ClientError
from personas import ADMIN_POLICY, allow, make_user, policy_json

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, UserPolicyAttachment

pytestmark = pytest.mark.django_db(transaction=True)

ASSUME_B_ROLE = policy_json(allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/*"))


@pytest.fixture
def accounts(db):
    second_account()
    make_user("admin", policy=ADMIN_POLICY)
    make_user("alice", policy=ASSUME_B_ROLE)
    with in_account(B):
        make_user("admin", policy=ADMIN_POLICY)
        make_user("bob")
        system = Caller.system("test")
        iam.create_role(system, "FromA", trust(f"arn:aws:iam::{A}:root"))
        iam.put_role_policy(system, "FromA", "read", policy_json(
            allow(["iam:ListUsers", "iam:GetUser"], "*")))
        iam.create_role(system, "Private", trust(f"arn:aws:iam::{B}:root"))
        iam.create_policy(system, "BPolicy", ADMIN_POLICY)


def test_callers_of_each_account_list_only_their_own_users(accounts, aws_client):
    iam_a = aws_client("iam", *keys_of("admin", A))
    iam_b = aws_client("iam", *keys_of("admin", B))
    assert sorted(u["UserName"] for u in iam_a.list_users()["Users"]) == ["admin", "alice"]
    users_b = iam_b.list_users()["Users"]
    assert sorted(u["UserName"] for u in users_b) == ["admin", "bob"]
    assert {u["Arn"].split(":")[4] for u in users_b} == {B}


def test_another_accounts_user_is_not_found_by_name(accounts, aws_client):
    iam_a = aws_client("iam", *keys_of("admin", A))
    with pytest.raises(ClientError) as exc:
        iam_a.get_user(UserName="bob")
    assert error(exc)[:2] == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as exc:
        iam_a.delete_role(RoleName="FromA")
    assert error(exc)[:2] == ("NoSuchEntity", 404)


def test_another_accounts_policy_is_refused_by_arn(accounts, aws_client):
    iam_a = aws_client("iam", *keys_of("admin", A))
    with pytest.raises(ClientError) as exc:
        iam_a.get_policy(PolicyArn=f"arn:aws:iam::{B}:policy/BPolicy")
    assert error(exc)[0] in ("AccessDenied", "NoSuchEntity")
    with pytest.raises(ClientError):
        iam_a.attach_user_policy(UserName="alice", PolicyArn=f"arn:aws:iam::{B}:policy/BPolicy")
    with in_account(A):
        assert not UserPolicyAttachment.objects.filter(user__name="alice").exists()


def test_the_same_name_is_created_independently_in_each_account(accounts, aws_client):
    iam_a = aws_client("iam", *keys_of("admin", A))
    iam_b = aws_client("iam", *keys_of("admin", B))
    made_a = iam_a.create_group(GroupName="ops")["Group"]
    made_b = iam_b.create_group(GroupName="ops")["Group"]
    assert made_a["Arn"] == f"arn:aws:iam::{A}:group/ops"
    assert made_b["Arn"] == f"arn:aws:iam::{B}:group/ops"
    assert made_a["GroupId"] != made_b["GroupId"]


def test_get_caller_identity_names_the_callers_account(accounts, aws_client):
    sts_b = aws_client("sts", *keys_of("bob", B))
    identity = sts_b.get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (B, f"arn:aws:iam::{B}:user/bob")


def test_a_user_assumes_a_role_of_another_account_that_trusts_its_account(accounts, aws_client):
    sts_a = aws_client("sts", *keys_of("alice", A))
    assumed = sts_a.assume_role(RoleArn=f"arn:aws:iam::{B}:role/FromA", RoleSessionName="s1")
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{B}:assumed-role/FromA/s1"
    identity = session_client(aws_client, "sts", assumed["Credentials"]).get_caller_identity()
    assert identity["Account"] == B
    session_iam = session_client(aws_client, "iam", assumed["Credentials"])
    assert sorted(u["UserName"] for u in session_iam.list_users()["Users"]) == ["admin", "bob"]
    with pytest.raises(ClientError) as exc:  # the role's policies allow reading only
        session_iam.create_user(UserName="mallory")
    assert error(exc)[0] == "AccessDenied"
    # CloudTrail-style: the AssumeRole is logged in both accounts.
    assert AuditEvent.objects.filter(action="sts:AssumeRole", outcome="success").count() == 1
    with in_account(B):
        assert AuditEvent.objects.filter(action="sts:AssumeRole", outcome="success").count() == 1


def test_cross_account_assume_role_needs_the_callers_own_permission(accounts, aws_client):
    """The trust policy names account A: A must also allow its user sts:AssumeRole."""
    make_user("carol")
    sts_carol = aws_client("sts", *keys_of("carol", A))
    with pytest.raises(ClientError) as exc:
        sts_carol.assume_role(RoleArn=f"arn:aws:iam::{B}:role/FromA", RoleSessionName="s0")
    assert error(exc)[0] == "AccessDenied"


def test_a_role_that_does_not_trust_the_callers_account_cannot_be_assumed(accounts,
                                                                          aws_client):
    sts_a = aws_client("sts", *keys_of("alice", A))
    with pytest.raises(ClientError) as exc:
        sts_a.assume_role(RoleArn=f"arn:aws:iam::{B}:role/Private", RoleSessionName="s0")
    assert error(exc)[0] == "AccessDenied"
    with pytest.raises(ClientError) as exc:
        sts_a.assume_role(RoleArn=f"arn:aws:iam::{B}:role/Missing", RoleSessionName="s0")
    assert error(exc)[0] == "AccessDenied"


def test_a_trust_policy_naming_the_user_of_another_account_still_needs_its_permission(
        accounts, aws_client):
    with in_account(B):
        iam.create_role(Caller.system("t"), "ForAlice",
                        trust(f"arn:aws:iam::{A}:user/alice"))
    with in_account(A):
        make_user("dave")
    sts_alice = aws_client("sts", *keys_of("alice", A))
    assumed = sts_alice.assume_role(RoleArn=f"arn:aws:iam::{B}:role/ForAlice",
                                    RoleSessionName="named")
    assert assumed["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::{B}:assumed-role/")
    sts_dave = aws_client("sts", *keys_of("dave", A))
    with pytest.raises(ClientError):
        sts_dave.assume_role(RoleArn=f"arn:aws:iam::{B}:role/ForAlice", RoleSessionName="d0")


def test_role_chaining_back_across_accounts_is_bounded_to_one_hour(accounts, aws_client):
    with in_account(A):
        iam.create_role(Caller.system("t"), "BackInA",
                        trust(f"arn:aws:iam::{B}:role/FromA"))
    with in_account(B):
        iam.put_role_policy(Caller.system("t"), "FromA", "chain",
                            policy_json(allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/*")))
    sts_a = aws_client("sts", *keys_of("alice", A))
    first = sts_a.assume_role(RoleArn=f"arn:aws:iam::{B}:role/FromA", RoleSessionName="hop1")
    sts_hop = session_client(aws_client, "sts", first["Credentials"])
    with pytest.raises(ClientError) as exc:
        sts_hop.assume_role(RoleArn=f"arn:aws:iam::{A}:role/BackInA", RoleSessionName="hop2",
                            DurationSeconds=7200)
    assert error(exc)[0] == "ValidationError"
    second = sts_hop.assume_role(RoleArn=f"arn:aws:iam::{A}:role/BackInA",
                                 RoleSessionName="hop2")
    identity = session_client(aws_client, "sts", second["Credentials"]).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{A}:assumed-role/BackInA/hop2"
    assert json.dumps(identity)  # the session answers as account A again

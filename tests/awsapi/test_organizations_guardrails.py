"""The issue's "done when", through boto3 only: the management account creates two member
accounts and an OU with an SCP; a user of one member account assumes a role of the other; the
SCP denies there what it should, allows the rest, and never limits the management account."""

import json

import pytest
from accounts_fixtures import A, keys_of
from awsapi_helpers import error, session_client
from botocore.exceptions import ClientError
from personas import ADMIN_POLICY, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


DENY_USER_WRITES = doc({"Sid": "NoNewUsers", "Effect": "Deny",
                        "Action": ["iam:CreateUser", "iam:DeleteUser"], "Resource": "*"})
ALLOW_ALL = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})


def as_role(aws_client, sts, account: str, role: str, service: str, session="s1"):
    assumed = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}",
                              RoleSessionName=session)
    return session_client(aws_client, service, assumed["Credentials"])


@pytest.fixture
def world(aws_client):
    """Management account A; member accounts dev (under the root) and prod (in OU Prod, which
    has the SCP NoUserWrites); in prod a role CrossRole that trusts dev's account; in dev a
    user alice allowed to assume it."""
    make_user("admin", policy=ADMIN_POLICY)
    admin_keys = keys_of("admin", A)
    orgs = aws_client("organizations", *admin_keys)
    sts = aws_client("sts", *admin_keys)
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    ids = {}
    for name in ("dev", "prod"):
        status = orgs.create_account(Email=f"{name}@example.com", AccountName=name)
        ids[name] = orgs.describe_create_account_status(
            CreateAccountRequestId=status["CreateAccountStatus"]["Id"]
        )["CreateAccountStatus"]["AccountId"]
    unit = orgs.create_organizational_unit(ParentId=root, Name="Prod")["OrganizationalUnit"]
    orgs.move_account(AccountId=ids["prod"], SourceParentId=root, DestinationParentId=unit["Id"])
    orgs.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    scp = orgs.create_policy(Content=DENY_USER_WRITES, Description="no user writes",
                             Name="NoUserWrites", Type="SERVICE_CONTROL_POLICY")
    scp_id = scp["Policy"]["PolicySummary"]["Id"]
    orgs.attach_policy(PolicyId=scp_id, TargetId=unit["Id"])

    prod_iam = as_role(aws_client, sts, ids["prod"], "OrganizationAccountAccessRole", "iam")
    prod_iam.create_role(RoleName="CrossRole", AssumeRolePolicyDocument=doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ids['dev']}:root"},
        "Action": "sts:AssumeRole"}))
    prod_iam.put_role_policy(RoleName="CrossRole", PolicyName="all", PolicyDocument=ALLOW_ALL)

    dev_iam = as_role(aws_client, sts, ids["dev"], "OrganizationAccountAccessRole", "iam")
    dev_iam.create_user(UserName="alice")
    dev_iam.put_user_policy(UserName="alice", PolicyName="assume", PolicyDocument=doc({
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Resource": f"arn:aws:iam::{ids['prod']}:role/CrossRole"}))
    key = dev_iam.create_access_key(UserName="alice")["AccessKey"]
    alice_sts = aws_client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    return {"orgs": orgs, "sts": sts, "root": root, "ou": unit["Id"], "scp": scp_id,
            "alice_sts": alice_sts, **ids}


def test_the_scp_denies_in_the_other_member_account_what_it_names(world, aws_client):
    cross = as_role(aws_client, world["alice_sts"], world["prod"], "CrossRole", "iam")
    assert [u["UserName"] for u in cross.list_users()["Users"]] == []  # allowed: reads
    cross.create_group(GroupName="ops")  # allowed: not named by the SCP
    with pytest.raises(ClientError) as exc:
        cross.create_user(UserName="mallory")  # denied by the OU's SCP
    code, status, message = error(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert "with an explicit deny in a service control policy" in message


def test_detaching_the_scp_lifts_its_denial_at_once(world, aws_client):
    cross = as_role(aws_client, world["alice_sts"], world["prod"], "CrossRole", "iam")
    with pytest.raises(ClientError):
        cross.create_user(UserName="mallory")
    world["orgs"].detach_policy(PolicyId=world["scp"], TargetId=world["ou"])
    cross.create_user(UserName="mallory")


def test_the_other_member_account_outside_the_ou_is_not_limited(world, aws_client):
    dev_iam = as_role(aws_client, world["sts"], world["dev"],
                      "OrganizationAccountAccessRole", "iam", session="admin")
    dev_iam.create_user(UserName="bob")


def test_an_scp_on_the_callers_account_denies_even_what_its_policies_allow(world, aws_client):
    deny_assume = world["orgs"].create_policy(
        Content=doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}),
        Description="", Name="NoAssume", Type="SERVICE_CONTROL_POLICY")
    world["orgs"].attach_policy(PolicyId=deny_assume["Policy"]["PolicySummary"]["Id"],
                                TargetId=world["dev"])
    with pytest.raises(ClientError) as exc:
        world["alice_sts"].assume_role(
            RoleArn=f"arn:aws:iam::{world['prod']}:role/CrossRole", RoleSessionName="s2")
    assert error(exc)[0] == "AccessDenied"


def test_every_level_must_allow(world, aws_client):
    """Replacing FullAWSAccess on the OU with an SCP allowing only reads limits prod to reads,
    even for its own administrator role."""
    orgs = world["orgs"]
    reads = orgs.create_policy(Content=doc({"Effect": "Allow", "Action": ["iam:List*",
                                                                          "iam:Get*"],
                                            "Resource": "*"}),
                               Description="", Name="ReadsOnly", Type="SERVICE_CONTROL_POLICY")
    orgs.attach_policy(PolicyId=reads["Policy"]["PolicySummary"]["Id"], TargetId=world["ou"])
    orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=world["ou"])
    prod_iam = as_role(aws_client, world["sts"], world["prod"],
                       "OrganizationAccountAccessRole", "iam", session="admin")
    assert prod_iam.list_roles()["Roles"]
    with pytest.raises(ClientError) as exc:
        prod_iam.create_group(GroupName="ops")
    assert "because no service control policy allows the iam:CreateGroup action" in \
        error(exc)[2]


def test_scps_never_limit_the_management_account(world, aws_client):
    orgs = world["orgs"]
    deny_all = orgs.create_policy(Content=doc({"Effect": "Deny", "Action": "*",
                                               "Resource": "*"}),
                                  Description="", Name="DenyAll",
                                  Type="SERVICE_CONTROL_POLICY")
    orgs.attach_policy(PolicyId=deny_all["Policy"]["PolicySummary"]["Id"],
                       TargetId=world["root"])
    admin_iam = aws_client("iam", *keys_of("admin", A))
    admin_iam.create_user(UserName="still-works")
    # The assuming is decided in the management account; the session then acts in dev,
    # where the root's SCP denies everything.
    dev_iam = as_role(aws_client, world["sts"], world["dev"], "OrganizationAccountAccessRole",
                      "iam", session="x1")
    with pytest.raises(ClientError) as exc:
        dev_iam.list_users()
    assert "explicit deny in a service control policy" in error(exc)[2]


def test_the_simulator_applies_the_scp_and_says_so(world, aws_client):
    prod_iam = as_role(aws_client, world["sts"], world["prod"],
                       "OrganizationAccountAccessRole", "iam", session="sim")
    role_arn = f"arn:aws:iam::{world['prod']}:role/CrossRole"
    results = {r["EvalActionName"]: r for r in prod_iam.simulate_principal_policy(
        PolicySourceArn=role_arn, ActionNames=["iam:CreateUser", "iam:CreateGroup"]
    )["EvaluationResults"]}
    denied, allowed = results["iam:CreateUser"], results["iam:CreateGroup"]
    assert denied["EvalDecision"] == "explicitDeny"
    assert denied["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    assert allowed["EvalDecision"] == "allowed"
    assert allowed["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    # The custom-policy simulation knows no account: no organization part, as on AWS.
    custom = prod_iam.simulate_custom_policy(PolicyInputList=[ALLOW_ALL],
                                             ActionNames=["iam:CreateUser"])
    assert "OrganizationsDecisionDetail" not in custom["EvaluationResults"][0]


def test_principal_org_id_is_in_the_request_context(world, aws_client):
    """aws:PrincipalOrgID and aws:PrincipalOrgPaths are set for principals of the
    organization: a trust policy may require them."""
    orgs = world["orgs"]
    org_id = orgs.describe_organization()["Organization"]["Id"]
    prod_iam = as_role(aws_client, world["sts"], world["prod"],
                       "OrganizationAccountAccessRole", "iam", session="ctx")
    prod_iam.create_role(RoleName="OrgOnly", AssumeRolePolicyDocument=doc({
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": org_id}}}))
    prod_iam.put_role_policy(RoleName="OrgOnly", PolicyName="r", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}))
    dev_iam = as_role(aws_client, world["sts"], world["dev"],
                      "OrganizationAccountAccessRole", "iam", session="ctx")
    dev_iam.put_user_policy(UserName="alice", PolicyName="org-only", PolicyDocument=doc({
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Resource": f"arn:aws:iam::{world['prod']}:role/OrgOnly"}))
    assumed = as_role(aws_client, world["alice_sts"], world["prod"], "OrgOnly", "iam",
                      session="ok")
    assert assumed.list_users()["Users"] == []
    with pytest.raises(ClientError) as exc:  # the condition must hold: another org id fails
        prod_iam.update_assume_role_policy(RoleName="OrgOnly", PolicyDocument=doc({
            "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-0000000000"}}}))
        as_role(aws_client, world["alice_sts"], world["prod"], "OrgOnly", "iam",
                session="no")
    assert error(exc)[0] == "AccessDenied"

"""AWS Organizations through boto3's `organizations` client (JSON 1.1 protocol) against the
live server: the management account (the default account) builds an organization of two
created accounts, an OU and an SCP; member accounts are refused the management operations;
bad input answers AWS's exact error codes; the management account reaches a member account
through OrganizationAccountAccessRole."""

import json

import pytest
from accounts_fixtures import A, B, in_account, keys_of, second_account
from awsapi_helpers import session_client
from botocore.exceptions import ClientError
from personas import ADMIN_POLICY, make_user

pytestmark = pytest.mark.django_db(transaction=True)

DENY_S3 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})


def code(exc_info) -> tuple[str, int]:
    response = exc_info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def org(aws_client):
    """The management account's admin client, and the organization it built: two created
    accounts (dev under the OU Prod after a move, test under the root), SCPs enabled, the SCP
    DenyS3 attached to Prod."""
    make_user("admin", policy=ADMIN_POLICY)
    client = aws_client("organizations", *keys_of("admin", A))
    made = client.create_organization(FeatureSet="ALL")["Organization"]
    root = client.list_roots()["Roots"][0]
    accounts = {}
    for name in ("dev", "test"):
        status = client.create_account(Email=f"{name}@example.com",
                                       AccountName=name)["CreateAccountStatus"]
        described = client.describe_create_account_status(
            CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
        assert described["State"] == "SUCCEEDED"
        accounts[name] = described["AccountId"]
    unit = client.create_organizational_unit(ParentId=root["Id"],
                                             Name="Prod")["OrganizationalUnit"]
    client.move_account(AccountId=accounts["dev"], SourceParentId=root["Id"],
                        DestinationParentId=unit["Id"])
    enabled = client.enable_policy_type(RootId=root["Id"],
                                        PolicyType="SERVICE_CONTROL_POLICY")["Root"]
    assert enabled["PolicyTypes"] == [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]
    policy = client.create_policy(Content=DENY_S3, Description="no S3", Name="DenyS3",
                                  Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]
    client.attach_policy(PolicyId=policy["Id"], TargetId=unit["Id"])
    return {"client": client, "org": made, "root": root["Id"], "ou": unit["Id"],
            "policy": policy["Id"], **accounts}


def test_the_management_account_describes_its_organization(org):
    described = org["client"].describe_organization()["Organization"]
    assert described["Id"] == org["org"]["Id"]
    assert described["Id"].startswith("o-") and len(described["Id"]) == 12
    assert described["MasterAccountId"] == A
    assert described["Arn"] == f"arn:aws:organizations::{A}:organization/{described['Id']}"
    assert described["FeatureSet"] == "ALL"


def test_list_accounts_names_the_management_and_created_accounts(org):
    accounts = org["client"].list_accounts()["Accounts"]
    assert {a["Id"] for a in accounts} == {A, org["dev"], org["test"]}
    dev = next(a for a in accounts if a["Id"] == org["dev"])
    assert (dev["Name"], dev["Email"], dev["Status"], dev["JoinedMethod"]) == (
        "dev", "dev@example.com", "ACTIVE", "CREATED")
    assert dev["Arn"] == f"arn:aws:organizations::{A}:account/{org['org']['Id']}/{org['dev']}"
    described = org["client"].describe_account(AccountId=org["dev"])["Account"]
    assert described["Paths"] == [f"{org['org']['Id']}/{org['root']}/{org['ou']}/{org['dev']}/"]


def test_list_children_and_parents_follow_the_move(org):
    client = org["client"]
    under_root = client.list_children(ParentId=org["root"], ChildType="ACCOUNT")["Children"]
    assert {c["Id"] for c in under_root} == {A, org["test"]}
    units = client.list_children(ParentId=org["root"],
                                 ChildType="ORGANIZATIONAL_UNIT")["Children"]
    assert units == [{"Id": org["ou"], "Type": "ORGANIZATIONAL_UNIT"}]
    in_prod = client.list_children(ParentId=org["ou"], ChildType="ACCOUNT")["Children"]
    assert in_prod == [{"Id": org["dev"], "Type": "ACCOUNT"}]
    assert client.list_parents(ChildId=org["dev"])["Parents"] == [
        {"Id": org["ou"], "Type": "ORGANIZATIONAL_UNIT"}]
    assert client.list_parents(ChildId=org["ou"])["Parents"] == [
        {"Id": org["root"], "Type": "ROOT"}]
    assert [a["Id"] for a in client.list_accounts_for_parent(ParentId=org["ou"])["Accounts"]] \
        == [org["dev"]]


def test_enabling_scps_attaches_full_aws_access_everywhere(org):
    client = org["client"]
    for target in (org["root"], org["ou"], org["dev"], org["test"], A):
        policies = client.list_policies_for_target(TargetId=target,
                                                   Filter="SERVICE_CONTROL_POLICY")["Policies"]
        assert "p-FullAWSAccess" in {p["Id"] for p in policies}
    on_ou = client.list_policies_for_target(TargetId=org["ou"],
                                            Filter="SERVICE_CONTROL_POLICY")["Policies"]
    assert {p["Name"] for p in on_ou} == {"FullAWSAccess", "DenyS3"}
    full = next(p for p in on_ou if p["Id"] == "p-FullAWSAccess")
    assert full["AwsManaged"] is True
    assert full["Arn"] == ("arn:aws:organizations::aws:policy/service_control_policy/"
                           "p-FullAWSAccess")
    targets = client.list_targets_for_policy(PolicyId=org["policy"])["Targets"]
    assert targets == [{"TargetId": org["ou"], "Type": "ORGANIZATIONAL_UNIT", "Name": "Prod",
                        "Arn": f"arn:aws:organizations::{A}:ou/{org['org']['Id']}/{org['ou']}"}]


def test_the_policy_reads_back_and_updates(org):
    client = org["client"]
    policy = client.describe_policy(PolicyId=org["policy"])["Policy"]
    assert json.loads(policy["Content"]) == json.loads(DENY_S3)
    summary = policy["PolicySummary"]
    assert summary["Arn"] == (f"arn:aws:organizations::{A}:policy/{org['org']['Id']}/"
                              f"service_control_policy/{org['policy']}")
    updated = client.update_policy(PolicyId=org["policy"], Description="still no S3")
    assert updated["Policy"]["PolicySummary"]["Description"] == "still no S3"
    names = [p["Name"] for p in
             client.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]]
    assert names == ["FullAWSAccess", "DenyS3"]


def test_a_member_accounts_caller_is_refused_management_operations(org, aws_client):
    with in_account(org["dev"]):
        make_user("dev-admin", policy=ADMIN_POLICY)
    member = aws_client("organizations", *keys_of("dev-admin", org["dev"]))
    with pytest.raises(ClientError) as exc:
        member.list_accounts()
    assert code(exc) == ("AccessDeniedException", 400)
    assert exc.value.response["Error"]["Message"] == \
        "You don't have permissions to access this resource."
    with pytest.raises(ClientError) as exc:
        member.create_organizational_unit(ParentId=org["root"], Name="Mine")
    assert code(exc) == ("AccessDeniedException", 400)
    # A member account may describe the organization it belongs to.
    assert member.describe_organization()["Organization"]["Id"] == org["org"]["Id"]


def test_an_account_outside_any_organization_is_told_so(org, aws_client):
    second_account()
    with in_account(B):
        make_user("b-admin", policy=ADMIN_POLICY)
    outsider = aws_client("organizations", *keys_of("b-admin", B))
    with pytest.raises(ClientError) as exc:
        outsider.describe_organization()
    assert code(exc) == ("AWSOrganizationsNotInUseException", 400)
    with pytest.raises(ClientError) as exc:
        outsider.list_accounts()
    assert code(exc) == ("AWSOrganizationsNotInUseException", 400)


def test_an_iam_user_without_organizations_permissions_is_refused(org, aws_client):
    make_user("nobody")
    client = aws_client("organizations", *keys_of("nobody", A))
    with pytest.raises(ClientError) as exc:
        client.list_roots()
    assert code(exc) == ("AccessDeniedException", 400)


@pytest.mark.parametrize("call, expected", [
    (lambda c, o: c.create_organizational_unit(ParentId=o["root"], Name="Prod"),
     "DuplicateOrganizationalUnitException"),
    (lambda c, o: c.list_parents(ChildId="999999999999"), "ChildNotFoundException"),
    (lambda c, o: c.delete_policy(PolicyId=o["policy"]), "PolicyInUseException"),
    (lambda c, o: c.attach_policy(PolicyId=o["policy"], TargetId="999999999999"),
     "TargetNotFoundException"),
    (lambda c, o: c.list_parents(ChildId="not-an-id"), "InvalidInputException"),
    (lambda c, o: c.describe_account(AccountId="12345"), "InvalidInputException"),
    (lambda c, o: c.list_policies(Filter="NOT_A_TYPE"), "InvalidInputException"),
    (lambda c, o: c.detach_policy(PolicyId="p-FullAWSAccess", TargetId=o["test"]),
     "ConstraintViolationException"),
    (lambda c, o: c.attach_policy(PolicyId=o["policy"], TargetId=o["ou"]),
     "DuplicatePolicyAttachmentException"),
    (lambda c, o: c.detach_policy(PolicyId=o["policy"], TargetId=o["test"]),
     "PolicyNotAttachedException"),
    (lambda c, o: c.describe_policy(PolicyId="p-00000000"), "PolicyNotFoundException"),
    (lambda c, o: c.delete_organizational_unit(OrganizationalUnitId=o["ou"]),
     "OrganizationalUnitNotEmptyException"),
    (lambda c, o: c.describe_organizational_unit(
        OrganizationalUnitId=o["ou"][:-8] + "00000000"), "OrganizationalUnitNotFoundException"),
    (lambda c, o: c.move_account(AccountId=o["dev"], SourceParentId=o["ou"],
                                 DestinationParentId=o["ou"]), "DuplicateAccountException"),
    (lambda c, o: c.move_account(AccountId=o["test"], SourceParentId=o["root"],
                                 DestinationParentId="r-zzzz"),
     "DestinationParentNotFoundException"),
    (lambda c, o: c.enable_policy_type(RootId=o["root"], PolicyType="SERVICE_CONTROL_POLICY"),
     "PolicyTypeAlreadyEnabledException"),
    (lambda c, o: c.attach_policy(PolicyId="p-RCPFullAWSAccess", TargetId=o["ou"]),
     "PolicyTypeNotEnabledException"),
    (lambda c, o: c.create_policy(Content="{not json", Description="", Name="Bad",
                                  Type="SERVICE_CONTROL_POLICY"),
     "MalformedPolicyDocumentException"),
    (lambda c, o: c.create_policy(Content=DENY_S3, Description="", Name="DenyS3",
                                  Type="SERVICE_CONTROL_POLICY"), "DuplicatePolicyException"),
    (lambda c, o: c.create_policy(Content=DENY_S3 + " " * 5200, Description="", Name="Big",
                                  Type="SERVICE_CONTROL_POLICY"),
     "ConstraintViolationException"),
    (lambda c, o: c.describe_create_account_status(
        CreateAccountRequestId="car-00000000000000000000000000000000"),
     "CreateAccountStatusNotFoundException"),
    (lambda c, o: c.delete_organization(), "OrganizationNotEmptyException"),
    (lambda c, o: c.create_organization(), "AlreadyInOrganizationException"),
    (lambda c, o: c.describe_effective_policy(PolicyType="SERVICE_CONTROL_POLICY",
                                              TargetId=o["dev"]), "InvalidInputException"),
    (lambda c, o: c.describe_effective_policy(PolicyType="TAG_POLICY", TargetId=o["dev"]),
     "EffectivePolicyNotFoundException"),
])
def test_bad_input_answers_aws_error_codes(org, call, expected):
    with pytest.raises(ClientError) as exc:
        call(org["client"], org)
    assert code(exc) == (expected, 400)


def test_invalid_input_carries_its_reason(org):
    with pytest.raises(ClientError) as exc:
        org["client"].list_parents(ChildId="not-an-id")
    error = exc.value.response["Error"]
    assert error["Message"] == "You specified an invalid value."
    assert exc.value.response["Reason"] == "INVALID_PATTERN_TARGET_ID"


def test_detaching_the_last_scp_is_refused_but_another_may_go(org):
    client = org["client"]
    client.detach_policy(PolicyId="p-FullAWSAccess", TargetId=org["ou"])  # DenyS3 stays
    with pytest.raises(ClientError) as exc:
        client.detach_policy(PolicyId=org["policy"], TargetId=org["ou"])
    assert code(exc) == ("ConstraintViolationException", 400)
    assert exc.value.response["Reason"] == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"


def test_pagination_with_max_results(org):
    client = org["client"]
    first = client.list_accounts(MaxResults=2)
    assert len(first["Accounts"]) == 2 and first["NextToken"]
    rest = client.list_accounts(MaxResults=2, NextToken=first["NextToken"])
    assert len(rest["Accounts"]) == 1 and "NextToken" not in rest
    paginated = client.get_paginator("list_accounts").paginate(PaginationConfig={
        "PageSize": 1})
    assert sum(len(page["Accounts"]) for page in paginated) == 3


def test_tags_on_an_ou(org):
    client = org["client"]
    client.tag_resource(ResourceId=org["ou"], Tags=[{"Key": "env", "Value": "prod"}])
    assert client.list_tags_for_resource(ResourceId=org["ou"])["Tags"] == [
        {"Key": "env", "Value": "prod"}]
    client.untag_resource(ResourceId=org["ou"], TagKeys=["env"])
    assert client.list_tags_for_resource(ResourceId=org["ou"])["Tags"] == []


def test_an_ou_is_renamed_and_an_empty_one_deleted(org):
    client = org["client"]
    made = client.create_organizational_unit(ParentId=org["ou"], Name="Inner")
    inner = made["OrganizationalUnit"]
    assert inner["Path"] == f"{org['org']['Id']}/{org['root']}/{org['ou']}/{inner['Id']}/"
    assert inner["Id"].startswith(f"ou-{org['root'][2:]}-")
    renamed = client.update_organizational_unit(OrganizationalUnitId=inner["Id"], Name="Core")
    assert renamed["OrganizationalUnit"]["Name"] == "Core"
    client.delete_organizational_unit(OrganizationalUnitId=inner["Id"])
    listed = client.list_organizational_units_for_parent(ParentId=org["ou"])
    assert listed["OrganizationalUnits"] == []


def test_the_management_account_assumes_the_access_role_of_a_member_account(org, aws_client):
    sts = aws_client("sts", *keys_of("admin", A))
    role_arn = f"arn:aws:iam::{org['dev']}:role/OrganizationAccountAccessRole"
    assumed = sts.assume_role(RoleArn=role_arn, RoleSessionName="ops")
    assert assumed["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{org['dev']}:assumed-role/OrganizationAccountAccessRole/ops")
    member_iam = session_client(aws_client, "iam", assumed["Credentials"])
    member_iam.create_user(UserName="made-by-management")
    users = [u["UserName"] for u in member_iam.list_users()["Users"]]
    assert users == ["made-by-management"]
    assert {u["Arn"].split(":")[4] for u in member_iam.list_users()["Users"]} == {org["dev"]}
    roles = [r["RoleName"] for r in member_iam.list_roles()["Roles"]]
    assert "OrganizationAccountAccessRole" in roles


def test_create_account_takes_another_role_name(org, aws_client):
    status = org["client"].create_account(Email="ops@example.com", AccountName="ops",
                                          RoleName="Admin")["CreateAccountStatus"]
    sts = aws_client("sts", *keys_of("admin", A))
    sts.assume_role(RoleArn=f"arn:aws:iam::{status['AccountId']}:role/Admin",
                    RoleSessionName="xy")
    statuses = org["client"].list_create_account_status(States=["SUCCEEDED"])
    assert len(statuses["CreateAccountStatuses"]) == 3


def test_an_email_already_in_use_fails_the_request(org):
    status = org["client"].create_account(Email="dev@example.com",
                                          AccountName="again")["CreateAccountStatus"]
    assert (status["State"], status["FailureReason"]) == ("FAILED", "EMAIL_ALREADY_EXISTS")


def signed_post(url: str, key: tuple[str, str], service: str, target: str) -> tuple[int, dict]:
    """A JSON 1.1 POST signed by botocore's SigV4 signer for `service`."""
    import urllib.error
    import urllib.request

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="POST", url=url, data=b"{}", headers={
        "X-Amz-Target": f"AWSOrganizationsV20161128.{target}",
        "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials(*key), service, "us-east-1").add_auth(request)
    prepared = urllib.request.Request(url, data=b"{}", headers=dict(request.headers),
                                      method="POST")
    try:
        with urllib.request.urlopen(prepared) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def test_a_request_signed_for_another_service_is_refused(db, live_server):
    make_user("signer", policy=ADMIN_POLICY)
    key = keys_of("signer", A)
    url = f"{live_server.url}/aws/organizations/"
    status, body = signed_post(url, key, "iam", "DescribeOrganization")
    assert (status, body["__type"]) == (400, "InvalidSignatureException")
    status, body = signed_post(url, key, "organizations", "DescribeOrganization")
    assert (status, body["__type"]) == (400, "AWSOrganizationsNotInUseException")


def test_an_operation_iamconsole_does_not_implement_is_unknown(org):
    with pytest.raises(ClientError) as exc:
        org["client"].list_handshakes_for_organization()
    assert code(exc) == ("UnknownOperationException", 400)


def test_removing_every_member_lets_the_organization_be_deleted(org):
    client = org["client"]
    client.remove_account_from_organization(AccountId=org["dev"])
    client.remove_account_from_organization(AccountId=org["test"])
    with pytest.raises(ClientError) as exc:
        client.remove_account_from_organization(AccountId=A)
    assert code(exc) == ("MasterCannotLeaveOrganizationException", 400)
    assert [a["Id"] for a in client.list_accounts()["Accounts"]] == [A]
    client.detach_policy(PolicyId=org["policy"], TargetId=org["ou"])
    client.delete_policy(PolicyId=org["policy"])
    client.delete_organizational_unit(OrganizationalUnitId=org["ou"])
    client.delete_organization()
    with pytest.raises(ClientError) as exc:
        client.describe_organization()
    assert code(exc) == ("AWSOrganizationsNotInUseException", 400)

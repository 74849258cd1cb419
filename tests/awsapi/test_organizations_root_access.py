"""IAM's organization features through boto3: centralized root access (the features, STS
AssumeRoot into a member account's root user limited by its task policy) and the
organizations access report."""

import json

import pytest
from accounts_fixtures import A, in_account, keys_of
from awsapi_helpers import error, session_client
from botocore.exceptions import ClientError
from personas import ADMIN_POLICY, make_user

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AccessKey, User

pytestmark = pytest.mark.django_db(transaction=True)

TASK = "arn:aws:iam::aws:policy/root-task/"
BOTH = ["RootCredentialsManagement", "RootSessions"]


@pytest.fixture
def org(aws_client):
    """Management account A (admin user with administrator access) with member account dev
    under the root."""
    make_user("admin", policy=ADMIN_POLICY)
    keys = keys_of("admin", A)
    orgs = aws_client("organizations", *keys)
    orgs.create_organization(FeatureSet="ALL")
    status = orgs.create_account(Email="dev@example.com", AccountName="dev")
    dev = orgs.describe_create_account_status(
        CreateAccountRequestId=status["CreateAccountStatus"]["Id"]
    )["CreateAccountStatus"]["AccountId"]
    return {"orgs": orgs, "iam": aws_client("iam", *keys), "sts": aws_client("sts", *keys),
            "dev": dev, "org_id": orgs.describe_organization()["Organization"]["Id"],
            "root": orgs.list_roots()["Roots"][0]["Id"]}


@pytest.fixture
def root_sessions(org):
    org["iam"].enable_organizations_root_credentials_management()
    org["iam"].enable_organizations_root_sessions()
    return org


def member_root_key(account_id: str) -> str:
    """An access key of the member account's root user, made by the account itself."""
    with in_account(account_id):
        new = iam.create_access_key(_root_caller(account_id))
    return new.access_key.access_key_id


def _root_caller(account_id: str) -> Caller:
    return Caller(user=User.everywhere.get(account_id=account_id, is_root=True),
                  auth_method="test")


def assume_root(org, policy: str, **extra):
    return org["sts"].assume_root(TargetPrincipal=org["dev"],
                                  TaskPolicyArn={"arn": TASK + policy}, **extra)


# --------------------------------------------------------------------------- the features


def test_the_management_account_enables_and_lists_the_features(org):
    client = org["iam"]
    assert client.list_organizations_features()["EnabledFeatures"] == []
    answer = client.enable_organizations_root_credentials_management()
    assert answer["OrganizationId"] == org["org_id"]
    assert answer["EnabledFeatures"] == ["RootCredentialsManagement"]
    assert client.enable_organizations_root_sessions()["EnabledFeatures"] == BOTH
    listed = client.list_organizations_features()
    assert (listed["OrganizationId"], listed["EnabledFeatures"]) == (org["org_id"], BOTH)
    assert client.disable_organizations_root_sessions()["EnabledFeatures"] == [
        "RootCredentialsManagement"]
    assert client.disable_organizations_root_credentials_management()[
        "EnabledFeatures"] == []


def test_a_member_account_may_not_manage_the_features(org, aws_client):
    dev_iam = session_client(aws_client, "iam", org["sts"].assume_role(
        RoleArn=f"arn:aws:iam::{org['dev']}:role/OrganizationAccountAccessRole",
        RoleSessionName="admin")["Credentials"])
    with pytest.raises(ClientError) as enabling:
        dev_iam.enable_organizations_root_sessions()
    assert error(enabling)[:2] == ("CallerIsNotManagementAccountException", 400)
    with pytest.raises(ClientError) as listing:
        dev_iam.list_organizations_features()
    assert error(listing)[0] == "AccountNotManagementOrDelegatedAdministratorException"


def test_an_account_outside_any_organization_has_no_features(aws_client):
    make_user("loner", policy=ADMIN_POLICY)
    client = aws_client("iam", *keys_of("loner", A))
    with pytest.raises(ClientError) as exc:
        client.list_organizations_features()
    assert error(exc)[0] == "OrganizationNotFoundException"


# --------------------------------------------------------------------------- AssumeRoot


def test_assume_root_deletes_the_member_roots_access_key(root_sessions, aws_client):
    key_id = member_root_key(root_sessions["dev"])
    creds = assume_root(root_sessions, "IAMDeleteRootUserCredentials")["Credentials"]
    member_sts = session_client(aws_client, "sts", creds)
    assert member_sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{root_sessions['dev']}:root"
    member_iam = session_client(aws_client, "iam", creds)
    listed = member_iam.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [key_id]
    member_iam.delete_access_key(AccessKeyId=key_id)
    assert not AccessKey.objects.filter(access_key_id=key_id).exists()


def test_the_task_policy_limits_the_root_session(root_sessions, aws_client):
    creds = assume_root(root_sessions, "IAMDeleteRootUserCredentials")["Credentials"]
    member_iam = session_client(aws_client, "iam", creds)
    with pytest.raises(ClientError) as exc:
        member_iam.create_user(UserName="mallory")
    code, status, message = error(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert "explicit deny in an identity-based policy" in message


def test_the_task_policy_denies_its_actions_on_other_users(root_sessions, aws_client):
    admin = session_client(aws_client, "iam", root_sessions["sts"].assume_role(
        RoleArn=f"arn:aws:iam::{root_sessions['dev']}:role/OrganizationAccountAccessRole",
        RoleSessionName="admin")["Credentials"])
    admin.create_user(UserName="bob")
    admin.create_access_key(UserName="bob")
    member_iam = session_client(aws_client, "iam", assume_root(
        root_sessions, "IAMDeleteRootUserCredentials")["Credentials"])
    with pytest.raises(ClientError) as exc:
        member_iam.list_access_keys(UserName="bob")
    assert error(exc)[0] == "AccessDenied"


def test_create_root_user_password_creates_the_roots_login_profile(root_sessions, aws_client):
    member_iam = session_client(aws_client, "iam", assume_root(
        root_sessions, "IAMCreateRootUserPassword")["Credentials"])
    member_iam.create_login_profile(Password="Root-Passw0rd!-new", PasswordResetRequired=True)
    assert member_iam.get_login_profile()["LoginProfile"]["PasswordResetRequired"] is True
    with pytest.raises(ClientError) as exc:
        member_iam.delete_login_profile()  # not this task's
    assert error(exc)[0] == "AccessDenied"


def test_audit_root_user_credentials_is_read_only(root_sessions, aws_client):
    key_id = member_root_key(root_sessions["dev"])
    member_iam = session_client(aws_client, "iam", assume_root(
        root_sessions, "IAMAuditRootUserCredentials")["Credentials"])
    assert [k["AccessKeyId"] for k in member_iam.list_access_keys()["AccessKeyMetadata"]] == [
        key_id]
    with pytest.raises(ClientError) as exc:
        member_iam.delete_access_key(AccessKeyId=key_id)
    assert error(exc)[0] == "AccessDenied"


def test_assume_root_is_refused_while_root_sessions_are_disabled(org):
    org["iam"].enable_organizations_root_credentials_management()
    with pytest.raises(ClientError) as exc:
        assume_root(org, "IAMAuditRootUserCredentials")
    code, status, message = error(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert "root sessions are not enabled" in message


def test_assume_root_needs_sts_assume_root(root_sessions, aws_client):
    make_user("reader", policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]}))
    sts = aws_client("sts", *keys_of("reader", A))
    with pytest.raises(ClientError) as exc:
        sts.assume_root(TargetPrincipal=root_sessions["dev"],
                        TaskPolicyArn={"arn": TASK + "IAMAuditRootUserCredentials"})
    assert error(exc)[0] == "AccessDenied"


def test_assume_root_checks_its_parameters(root_sessions):
    with pytest.raises(ClientError) as policy:
        root_sessions["sts"].assume_root(
            TargetPrincipal=root_sessions["dev"],
            TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
    assert error(policy)[:2] == ("ValidationError", 400)
    with pytest.raises(ClientError) as duration:
        assume_root(root_sessions, "IAMAuditRootUserCredentials", DurationSeconds=901)
    assert error(duration)[0] == "ValidationError"
    with pytest.raises(ClientError) as target:
        root_sessions["sts"].assume_root(
            TargetPrincipal=A, TaskPolicyArn={"arn": TASK + "IAMAuditRootUserCredentials"})
    assert error(target)[0] == "AccessDenied"  # the management account is no member target


# --------------------------------------------------------------------------- access report


def test_access_report_round_trip(org, aws_client):
    orgs, client = org["orgs"], org["iam"]
    orgs.enable_policy_type(RootId=org["root"], PolicyType="SERVICE_CONTROL_POLICY")
    deny_s3 = orgs.create_policy(
        Content=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}),
        Description="", Name="NoS3", Type="SERVICE_CONTROL_POLICY")
    orgs.attach_policy(PolicyId=deny_s3["Policy"]["PolicySummary"]["Id"], TargetId=org["dev"])
    dev_iam = session_client(aws_client, "iam", org["sts"].assume_role(
        RoleArn=f"arn:aws:iam::{org['dev']}:role/OrganizationAccountAccessRole",
        RoleSessionName="admin")["Credentials"])
    dev_iam.create_user(UserName="bob")  # an IAM use in dev
    path = f"{org['org_id']}/{org['root']}/{org['dev']}"
    job = client.generate_organizations_access_report(EntityPath=path)["JobId"]
    report = client.get_organizations_access_report(JobId=job, MaxItems=1000)
    assert report["JobStatus"] == "COMPLETED"
    by_ns = {d["ServiceNamespace"]: d for d in report["AccessDetails"]}
    assert "s3" not in by_ns and "ec2" in by_ns  # s3 denied by the account's SCP
    iam_row = by_ns["iam"]
    assert iam_row["EntityPath"] == path and iam_row["TotalAuthenticatedEntities"] == 1
    assert iam_row["LastAuthenticatedTime"] is not None and iam_row["Region"]
    assert "LastAuthenticatedTime" not in by_ns["ec2"]
    assert report["NumberOfServicesAccessible"] == len(by_ns)
    accessed = {ns for ns, d in by_ns.items() if "LastAuthenticatedTime" in d}
    # Only dev's principals count (Access Advisor's records): the role session's CreateUser;
    # the AssumeRole into dev's role was the management account's principal's.
    assert "iam" in accessed and "sts" not in accessed
    assert report["NumberOfServicesNotAccessed"] == len(by_ns) - len(accessed)
    latest = client.get_organizations_access_report(
        JobId=job, SortKey="LAST_AUTHENTICATED_TIME_DESCENDING", MaxItems=1)
    assert latest["AccessDetails"][0]["ServiceNamespace"] == "iam" and latest["IsTruncated"]
    page = client.get_organizations_access_report(JobId=job, MaxItems=2,
                                                  Marker=latest["Marker"])
    assert len(page["AccessDetails"]) == 2


def test_access_report_errors(org):
    client = org["iam"]
    with pytest.raises(ClientError) as no_scps:
        client.generate_organizations_access_report(
            EntityPath=f"{org['org_id']}/{org['root']}")
    assert error(no_scps)[0] == "InvalidInput"
    org["orgs"].enable_policy_type(RootId=org["root"], PolicyType="SERVICE_CONTROL_POLICY")
    with pytest.raises(ClientError) as bad_path:
        client.generate_organizations_access_report(
            EntityPath=f"{org['org_id']}/r-zzzz/{org['dev']}")
    assert error(bad_path)[0] == "InvalidInput"
    with pytest.raises(ClientError) as missing:
        client.get_organizations_access_report(JobId="0" * 36)
    assert error(missing)[:2] == ("NoSuchEntity", 404)


def test_assume_root_and_what_its_session_does_are_in_the_member_accounts_audit_log(
        root_sessions, aws_client):
    from iamconsole.iam.models import AuditEvent

    key_id = member_root_key(root_sessions["dev"])
    member_iam = session_client(aws_client, "iam", assume_root(
        root_sessions, "IAMDeleteRootUserCredentials")["Credentials"])
    member_iam.delete_access_key(AccessKeyId=key_id)
    events = AuditEvent.everywhere.filter(account_id=root_sessions["dev"])
    assumed = events.get(action="sts:AssumeRoot")
    assert assumed.actor_arn == f"arn:aws:iam::{A}:user/admin"
    assert assumed.new_value["TaskPolicyArn"] == TASK + "IAMDeleteRootUserCredentials"
    deleted = events.get(action="iam:DeleteAccessKey")
    assert deleted.actor_arn == f"arn:aws:iam::{root_sessions['dev']}:root"


def test_only_the_management_account_generates_access_reports(org, aws_client):
    org["orgs"].enable_policy_type(RootId=org["root"], PolicyType="SERVICE_CONTROL_POLICY")
    dev_iam = session_client(aws_client, "iam", org["sts"].assume_role(
        RoleArn=f"arn:aws:iam::{org['dev']}:role/OrganizationAccountAccessRole",
        RoleSessionName="admin")["Credentials"])
    with pytest.raises(ClientError) as exc:
        dev_iam.generate_organizations_access_report(
            EntityPath=f"{org['org_id']}/{org['root']}/{org['dev']}")
    assert error(exc)[:2] == ("AccessDenied", 403)


def test_sts_task_policy_arn_limits_which_task_a_principal_may_assume(root_sessions,
                                                                        aws_client):
    make_user("auditor", policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoot",
        "Resource": f"arn:aws:iam::{root_sessions['dev']}:root",
        "Condition": {"StringEquals": {
            "sts:TaskPolicyArn": TASK + "IAMAuditRootUserCredentials"}}}]}))
    sts = aws_client("sts", *keys_of("auditor", A))
    sts.assume_root(TargetPrincipal=root_sessions["dev"],
                    TaskPolicyArn={"arn": TASK + "IAMAuditRootUserCredentials"})
    with pytest.raises(ClientError) as exc:
        sts.assume_root(TargetPrincipal=f"arn:aws:iam::{root_sessions['dev']}:root",
                        TaskPolicyArn={"arn": TASK + "IAMDeleteRootUserCredentials"})
    assert error(exc)[0] == "AccessDenied"

"""The IAM Query API driven by unmodified boto3 clients against a live server."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from awsapi_helpers import ACCOUNT, create_keys, error
from botocore.exceptions import ClientError
from personas import allow, deny, make_user, policy_json
from test_query_bad_input import error_of, signed_post

from iamconsole.iam import clock
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, User

READ_IAM = {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"],
                           "Resource": "*"}]}
TRUST_EC2 = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                            "Action": "sts:AssumeRole"}]}


# The scenario --------------------------------------------------------------------------


def test_create_user_group_policy_attach_key_then_the_new_key_works_and_is_denied_beyond_it(
    admin_iam, aws_client
):
    admin_iam.create_user(UserName="dev", Path="/eng/")
    admin_iam.create_group(GroupName="readers")
    admin_iam.add_user_to_group(GroupName="readers", UserName="dev")
    policy = admin_iam.create_policy(PolicyName="ReadIAM", PolicyDocument=json.dumps(READ_IAM))
    arn = policy["Policy"]["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/ReadIAM"
    admin_iam.attach_group_policy(GroupName="readers", PolicyArn=arn)
    key = admin_iam.create_access_key(UserName="dev")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["SecretAccessKey"]) == 40

    # Any region signs: the key works from eu-central-1 as well.
    dev = aws_client("iam", key["AccessKeyId"], key["SecretAccessKey"], region="eu-central-1")
    assert dev.get_user()["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eng/dev"
    assert {u["UserName"] for u in dev.list_users()["Users"]} == {"admin", "dev"}
    attached = dev.list_attached_group_policies(GroupName="readers")["AttachedPolicies"]
    assert attached == [{"PolicyName": "ReadIAM", "PolicyArn": arn}]

    with pytest.raises(ClientError) as denied:
        dev.create_user(UserName="mallory")
    code, status, message = error(denied)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/eng/dev is not authorized to perform: "
        f"iam:CreateUser on resource: arn:aws:iam::{ACCOUNT}:user/mallory because no "
        "identity-based policy allows the iam:CreateUser action"
    )
    assert not User.objects.filter(name="mallory").exists()

    last = admin_iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert last["UserName"] == "dev"
    assert last["AccessKeyLastUsed"]["ServiceName"] == "iam"
    assert last["AccessKeyLastUsed"]["Region"] == "eu-central-1"
    events = AuditEvent.objects.filter(action="iam:CreateAccessKey", resource_name="dev")
    assert events.get().auth_method == "query"


def test_responses_carry_the_request_id_in_metadata_and_header(admin_iam):
    response = admin_iam.list_users()
    request_id = response["ResponseMetadata"]["RequestId"]
    assert len(request_id) == 36
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"] == request_id
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "text/xml"


def test_missing_entity_is_the_modeled_no_such_entity_404(admin_iam):
    with pytest.raises(admin_iam.exceptions.NoSuchEntityException) as missing:
        admin_iam.get_user(UserName="nobody")
    assert error(missing) == ("NoSuchEntity", 404, "The user with name nobody cannot be found.")
    assert missing.value.response["ResponseMetadata"]["RequestId"]


def test_duplicate_user_is_entity_already_exists_409(admin_iam):
    admin_iam.create_user(UserName="twin")
    with pytest.raises(admin_iam.exceptions.EntityAlreadyExistsException) as dup:
        admin_iam.create_user(UserName="twin")
    assert error(dup)[:2] == ("EntityAlreadyExists", 409)


def test_model_constraints_are_validation_errors(admin_iam):
    with pytest.raises(ClientError) as bad:
        admin_iam.create_user(UserName="no spaces allowed")
    code, status, message = error(bad)
    assert (code, status) == ("ValidationError", 400)
    assert "userName" in message


def test_delete_user_with_attached_things_is_a_delete_conflict(admin_iam):
    admin_iam.create_user(UserName="busy")
    admin_iam.create_access_key(UserName="busy")
    with pytest.raises(admin_iam.exceptions.DeleteConflictException) as conflict:
        admin_iam.delete_user(UserName="busy")
    assert error(conflict)[:2] == ("DeleteConflict", 409)


def test_update_and_delete_user(admin_iam):
    admin_iam.create_user(UserName="old")
    admin_iam.update_user(UserName="old", NewUserName="new", NewPath="/ops/")
    assert admin_iam.get_user(UserName="new")["User"]["Path"] == "/ops/"
    admin_iam.delete_user(UserName="new")
    assert not User.objects.filter(name="new").exists()


# Tags ---------------------------------------------------------------------------------------------


def test_user_and_role_tags_round_trip(admin_iam):
    admin_iam.create_user(UserName="tagged", Tags=[{"Key": "team", "Value": "a b"}])
    admin_iam.tag_user(UserName="tagged", Tags=[{"Key": "cost", "Value": "42"},
                                                {"Key": "Team", "Value": "ops"}])
    tags = admin_iam.list_user_tags(UserName="tagged")["Tags"]
    assert sorted(tags, key=lambda t: t["Key"]) == [
        {"Key": "Team", "Value": "ops"}, {"Key": "cost", "Value": "42"}]
    admin_iam.untag_user(UserName="tagged", TagKeys=["cost"])
    assert admin_iam.get_user(UserName="tagged")["User"]["Tags"] == [
        {"Key": "Team", "Value": "ops"}]
    assert "Tags" not in admin_iam.list_users()["Users"][0]  # ListUsers leaves tags out

    admin_iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST_EC2),
                          Tags=[{"Key": "env", "Value": "prod"}])
    admin_iam.tag_role(RoleName="app", Tags=[{"Key": "owner", "Value": "me@example.com"}])
    admin_iam.untag_role(RoleName="app", TagKeys=["env"])
    assert admin_iam.list_role_tags(RoleName="app")["Tags"] == [
        {"Key": "owner", "Value": "me@example.com"}]


def test_reserved_tag_key_is_invalid_input(admin_iam):
    admin_iam.create_user(UserName="t")
    with pytest.raises(admin_iam.exceptions.InvalidInputException):
        admin_iam.tag_user(UserName="t", Tags=[{"Key": "aws:x", "Value": "1"}])


# Roles --------------------------------------------------------------------------------------------


def test_role_lifecycle_with_trust_policy_as_a_dict(admin_iam):
    created = admin_iam.create_role(RoleName="app", Path="/svc/", Description="App role",
                                    AssumeRolePolicyDocument=json.dumps(TRUST_EC2),
                                    MaxSessionDuration=7200)["Role"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/svc/app"
    assert created["RoleId"].startswith("AROA")
    assert created["AssumeRolePolicyDocument"] == TRUST_EC2
    admin_iam.update_role(RoleName="app", MaxSessionDuration=3600)
    trust = {**TRUST_EC2, "Statement": [{**TRUST_EC2["Statement"][0],
                                         "Principal": {"Service": "lambda.amazonaws.com"}}]}
    admin_iam.update_assume_role_policy(RoleName="app", PolicyDocument=json.dumps(trust))
    role = admin_iam.get_role(RoleName="app")["Role"]
    assert role["MaxSessionDuration"] == 3600
    assert role["Description"] == "App role"
    assert role["AssumeRolePolicyDocument"] == trust
    described = admin_iam.update_role_description(RoleName="app", Description="Lambda")
    assert described["Role"]["Description"] == "Lambda"
    assert [r["RoleName"] for r in admin_iam.list_roles(PathPrefix="/svc/")["Roles"]] == ["app"]
    admin_iam.delete_role(RoleName="app")
    assert admin_iam.list_roles()["Roles"] == []


def test_malformed_trust_policy_is_rejected(admin_iam):
    with pytest.raises(admin_iam.exceptions.MalformedPolicyDocumentException) as bad:
        admin_iam.create_role(RoleName="x", AssumeRolePolicyDocument='{"Statement": 1}')
    assert error(bad)[:2] == ("MalformedPolicyDocument", 400)


# Managed policies and versions --------------------------------------------------------------------


def test_policy_versions_up_to_five_then_limit_exceeded(admin_iam):
    arn = admin_iam.create_policy(PolicyName="P", Path="/team/", Description="d",
                                  PolicyDocument=json.dumps(READ_IAM))["Policy"]["Arn"]
    documents = [{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": f"s3:GetObject{n}", "Resource": "*"}]} for n in range(2, 6)]
    for n, document in enumerate(documents, start=2):
        version = admin_iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(
            document), SetAsDefault=(n == 4))["PolicyVersion"]
        assert version["VersionId"] == f"v{n}"
        assert version["IsDefaultVersion"] is (n == 4)
    with pytest.raises(admin_iam.exceptions.LimitExceededException) as limit:
        admin_iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(READ_IAM))
    assert error(limit)[:2] == ("LimitExceeded", 409)

    versions = admin_iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["VersionId"] for v in versions if v["IsDefaultVersion"]] == ["v4"]
    got = admin_iam.get_policy_version(PolicyArn=arn, VersionId="v3")["PolicyVersion"]
    assert got["Document"] == documents[1]

    admin_iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    policy = admin_iam.get_policy(PolicyArn=arn)["Policy"]
    assert policy["DefaultVersionId"] == "v2"
    assert policy["Path"] == "/team/" and policy["Description"] == "d"
    assert policy["IsAttachable"] is True and policy["AttachmentCount"] == 0
    admin_iam.delete_policy_version(PolicyArn=arn, VersionId="v5")
    admin_iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(READ_IAM))
    assert admin_iam.list_policy_versions(PolicyArn=arn)["Versions"][0]["VersionId"] == "v6"


def test_attach_detach_and_list_entities_for_policy(admin_iam):
    arn = admin_iam.create_policy(PolicyName="P", PolicyDocument=json.dumps(READ_IAM))[
        "Policy"]["Arn"]
    admin_iam.create_user(UserName="u")
    admin_iam.create_group(GroupName="g")
    admin_iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    admin_iam.attach_user_policy(UserName="u", PolicyArn=arn)
    admin_iam.attach_group_policy(GroupName="g", PolicyArn=arn)
    admin_iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    entities = admin_iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["u"]
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == ["g"]
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["r"]
    only_roles = admin_iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert only_roles["PolicyUsers"] == [] and len(only_roles["PolicyRoles"]) == 1
    assert admin_iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    listed = admin_iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    assert [p["PolicyName"] for p in listed] == ["P"]
    admin_iam.detach_role_policy(RoleName="r", PolicyArn=arn)
    assert admin_iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"] == []
    with pytest.raises(admin_iam.exceptions.NoSuchEntityException):
        admin_iam.detach_role_policy(RoleName="r", PolicyArn=arn)


def test_permissions_boundary_on_user_and_role(admin_iam):
    arn = admin_iam.create_policy(PolicyName="Boundary", PolicyDocument=json.dumps(READ_IAM))[
        "Policy"]["Arn"]
    admin_iam.create_user(UserName="b", PermissionsBoundary=arn)
    assert admin_iam.get_user(UserName="b")["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}
    admin_iam.delete_user_permissions_boundary(UserName="b")
    assert "PermissionsBoundary" not in admin_iam.get_user(UserName="b")["User"]
    admin_iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    admin_iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary=arn)
    assert admin_iam.get_role(RoleName="r")["Role"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"] == arn
    assert admin_iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 1


# Inline policies ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["User", "Group", "Role"])
def test_inline_policies_round_trip_as_dicts(admin_iam, kind):
    name_key = f"{kind}Name"
    create = getattr(admin_iam, f"create_{kind.lower()}")
    extra = {"AssumeRolePolicyDocument": json.dumps(TRUST_EC2)} if kind == "Role" else {}
    create(**{name_key: "owner"}, **extra)
    snake = kind.lower()
    document = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Read1", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::bucket/a b&<x>+%20ü/*"}]}
    getattr(admin_iam, f"put_{snake}_policy")(**{name_key: "owner"}, PolicyName="inline",
                                              PolicyDocument=json.dumps(document))
    got = getattr(admin_iam, f"get_{snake}_policy")(**{name_key: "owner"}, PolicyName="inline")
    assert got[name_key] == "owner"
    assert got["PolicyName"] == "inline"
    assert got["PolicyDocument"] == document
    listed = getattr(admin_iam, f"list_{snake}_policies")(**{name_key: "owner"})
    assert listed["PolicyNames"] == ["inline"]
    getattr(admin_iam, f"delete_{snake}_policy")(**{name_key: "owner"}, PolicyName="inline")
    assert getattr(admin_iam, f"list_{snake}_policies")(**{name_key: "owner"})[
        "PolicyNames"] == []


# Access keys --------------------------------------------------------------------------------------


def test_access_keys_list_update_delete_and_quota(admin_iam, aws_client):
    admin_iam.create_user(UserName="k")
    first = admin_iam.create_access_key(UserName="k")["AccessKey"]
    admin_iam.create_access_key(UserName="k")
    with pytest.raises(admin_iam.exceptions.LimitExceededException):
        admin_iam.create_access_key(UserName="k")
    metadata = admin_iam.list_access_keys(UserName="k")["AccessKeyMetadata"]
    assert metadata[0]["AccessKeyId"] == first["AccessKeyId"]
    assert all(m["Status"] == "Active" and m["UserName"] == "k" for m in metadata)
    never = admin_iam.get_access_key_last_used(AccessKeyId=first["AccessKeyId"])
    assert never["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}

    admin_iam.update_access_key(UserName="k", AccessKeyId=first["AccessKeyId"],
                                Status="Inactive")
    inactive = aws_client("iam", first["AccessKeyId"], first["SecretAccessKey"])
    with pytest.raises(ClientError) as rejected:
        inactive.get_user()
    assert error(rejected)[:2] == ("InvalidClientTokenId", 403)
    admin_iam.delete_access_key(UserName="k", AccessKeyId=first["AccessKeyId"])
    assert len(admin_iam.list_access_keys(UserName="k")["AccessKeyMetadata"]) == 1


# Passwords ----------------------------------------------------------------------------------------


def test_account_password_policy_get_missing_then_update_get_delete(admin_iam):
    with pytest.raises(admin_iam.exceptions.NoSuchEntityException) as missing:
        admin_iam.get_account_password_policy()
    assert error(missing) == ("NoSuchEntity", 404, "The Password Policy with domain name "
                              f"{ACCOUNT} cannot be found.")
    admin_iam.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True,
                                             MaxPasswordAge=90, PasswordReusePrevention=3,
                                             AllowUsersToChangePassword=True)
    policy = admin_iam.get_account_password_policy()["PasswordPolicy"]
    assert policy == {
        "MinimumPasswordLength": 12, "RequireSymbols": True, "RequireNumbers": False,
        "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": True, "ExpirePasswords": True, "MaxPasswordAge": 90,
        "PasswordReusePrevention": 3, "HardExpiry": False,
    }
    # No partial update: omitted fields go back to their defaults.
    admin_iam.update_account_password_policy(RequireNumbers=True)
    policy = admin_iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 6 and policy["RequireSymbols"] is False
    assert policy["ExpirePasswords"] is False and "MaxPasswordAge" not in policy
    admin_iam.delete_account_password_policy()
    with pytest.raises(admin_iam.exceptions.NoSuchEntityException):
        admin_iam.get_account_password_policy()


def test_login_profile_password_policy_violation_then_change_password_as_the_user(
    admin_iam, aws_client
):
    admin_iam.update_account_password_policy(MinimumPasswordLength=12,
                                             AllowUsersToChangePassword=True)
    admin_iam.create_user(UserName="pat")
    with pytest.raises(admin_iam.exceptions.PasswordPolicyViolationException) as weak:
        admin_iam.create_login_profile(UserName="pat", Password="short-1")
    code, status, message = error(weak)
    assert (code, status) == ("PasswordPolicyViolation", 400)
    assert "at least 12 characters" in message
    with pytest.raises(admin_iam.exceptions.NoSuchEntityException):
        admin_iam.get_login_profile(UserName="pat")

    profile = admin_iam.create_login_profile(UserName="pat", Password="Long-enough-pass-1",
                                             PasswordResetRequired=True)["LoginProfile"]
    assert profile["UserName"] == "pat" and profile["PasswordResetRequired"] is True
    assert admin_iam.get_login_profile(UserName="pat")["LoginProfile"]["UserName"] == "pat"

    pat = aws_client("iam", *create_keys("pat"))
    with pytest.raises(ClientError) as wrong_old:
        pat.change_password(OldPassword="not-it", NewPassword="Another-long-pass-2")
    assert error(wrong_old)[0] == "InvalidInput"
    pat.change_password(OldPassword="Long-enough-pass-1", NewPassword="Another-long-pass-2")
    user = User.objects.get(name="pat")
    assert user.check_password("Another-long-pass-2")
    assert user.password_reset_required is False
    admin_iam.update_login_profile(UserName="pat", PasswordResetRequired=True)
    assert admin_iam.get_login_profile(UserName="pat")["LoginProfile"]["PasswordResetRequired"]
    admin_iam.delete_login_profile(UserName="pat")
    assert not User.objects.get(name="pat").has_usable_password()


# Pagination ---------------------------------------------------------------------------------------


def test_pagination_over_250_users_with_boto3s_paginator(admin_iam):
    system = Caller.system("test")
    for n in range(249):
        iam.create_user(system, f"user{n:03d}")
    paginator = admin_iam.get_paginator("list_users")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 100}))
    assert [len(p["Users"]) for p in pages] == [100, 100, 50]
    assert [p["IsTruncated"] for p in pages] == [True, True, False]
    assert pages[0]["Marker"] != pages[1]["Marker"]
    names = [u["UserName"] for p in pages for u in p["Users"]]
    assert names == sorted(names) and len(set(names)) == 250
    assert names[0] == "admin"

    first = admin_iam.list_users(MaxItems=100)
    assert len(first["Users"]) == 100 and first["IsTruncated"]
    second = admin_iam.list_users(MaxItems=100, Marker=first["Marker"])
    assert second["Users"][0]["UserName"] == names[100]
    assert len(admin_iam.list_users()["Users"]) == 100  # MaxItems defaults to 100


def test_a_forged_marker_is_a_validation_error(admin_iam):
    with pytest.raises(ClientError) as bad:
        admin_iam.list_users(Marker="not-a-marker")
    assert error(bad)[:2] == ("ValidationError", 400)


# Account snapshot, report, summary ----------------------------------------------------------------


def test_get_account_authorization_details(admin_iam):
    arn = admin_iam.create_policy(PolicyName="Read", PolicyDocument=json.dumps(READ_IAM))[
        "Policy"]["Arn"]
    admin_iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(READ_IAM))
    admin_iam.create_user(UserName="ann", Tags=[{"Key": "t", "Value": "v"}])
    admin_iam.put_user_policy(UserName="ann", PolicyName="own", PolicyDocument=json.dumps(
        READ_IAM))
    admin_iam.create_group(GroupName="g")
    admin_iam.add_user_to_group(GroupName="g", UserName="ann")
    admin_iam.attach_group_policy(GroupName="g", PolicyArn=arn)
    admin_iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    admin_iam.put_role_policy(RoleName="r", PolicyName="rp", PolicyDocument=json.dumps(READ_IAM))

    details = admin_iam.get_account_authorization_details(
        Filter=["User", "Group", "Role", "LocalManagedPolicy"])
    users = {u["UserName"]: u for u in details["UserDetailList"]}
    assert set(users) == {"admin", "ann"}
    assert users["ann"]["UserPolicyList"] == [{"PolicyName": "own", "PolicyDocument": READ_IAM}]
    assert users["ann"]["GroupList"] == ["g"]
    assert users["ann"]["Tags"] == [{"Key": "t", "Value": "v"}]
    group = details["GroupDetailList"][0]
    assert group["AttachedManagedPolicies"] == [{"PolicyName": "Read", "PolicyArn": arn}]
    role = details["RoleDetailList"][0]
    assert role["AssumeRolePolicyDocument"] == TRUST_EC2
    assert role["RolePolicyList"][0]["PolicyDocument"] == READ_IAM
    policy = details["Policies"][0]
    assert policy["Arn"] == arn and policy["AttachmentCount"] == 1
    assert [v["VersionId"] for v in policy["PolicyVersionList"]] == ["v2", "v1"]
    assert policy["PolicyVersionList"][1]["Document"] == READ_IAM

    only_roles = admin_iam.get_account_authorization_details(Filter=["Role"])
    assert only_roles["UserDetailList"] == [] and len(only_roles["RoleDetailList"]) == 1

    paginator = admin_iam.get_paginator("get_account_authorization_details")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3  # 2 users, 1 group, 1 role, 1 local policy (no AWS ones here)
    assert sum(len(p["UserDetailList"]) + len(p["GroupDetailList"]) + len(p["RoleDetailList"])
               + len(p["Policies"]) for p in pages) == 5


def test_credential_report_generate_get_and_expire(admin_iam):
    with pytest.raises(ClientError) as absent:
        admin_iam.get_credential_report()
    assert error(absent)[:2] == ("ReportNotPresent", 410)
    make_user("carol")  # has a password
    admin_iam.create_access_key(UserName="carol")
    assert admin_iam.generate_credential_report()["State"] == "STARTED"
    report = admin_iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(report["Content"].decode())))
    header = report["Content"].decode().splitlines()[0]
    assert header == (
        "user,arn,user_creation_time,password_enabled,password_last_used,"
        "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,"
        "access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
        "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
        "access_key_2_last_used_date,access_key_2_last_used_region,"
        "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
        "cert_2_last_rotated")
    by_user = {r["user"]: r for r in rows}
    carol = by_user["carol"]
    assert carol["arn"] == f"arn:aws:iam::{ACCOUNT}:user/carol"
    assert carol["password_enabled"] == "true"
    assert carol["password_last_used"] == "no_information"
    assert carol["password_next_rotation"] == "N/A"
    assert carol["mfa_active"] == "false"
    assert carol["access_key_1_active"] == "true"
    assert carol["access_key_1_last_used_date"] == "N/A"
    assert carol["access_key_2_active"] == "false"
    assert carol["access_key_2_last_rotated"] == "N/A"
    assert carol["user_creation_time"].endswith("+00:00")
    admin = by_user["admin"]
    assert admin["access_key_1_last_used_service"] == "iam"  # the key signing these calls

    with time_machine.travel(clock.now() + timedelta(hours=5)):
        with pytest.raises(ClientError) as expired:
            admin_iam.get_credential_report()
        assert error(expired)[:2] == ("ReportExpired", 410)


def test_account_summary_and_alias(admin_iam):
    admin_iam.create_user(UserName="s1")
    summary = admin_iam.get_account_summary()["SummaryMap"]
    assert summary["Users"] == 2 and summary["AccessKeysPerUserQuota"] == 2
    admin_iam.create_account_alias(AccountAlias="my-company")
    assert admin_iam.list_account_aliases()["AccountAliases"] == ["my-company"]
    admin_iam.delete_account_alias(AccountAlias="my-company")
    assert admin_iam.list_account_aliases()["AccountAliases"] == []


# Errors of the protocol and of authentication -----------------------------------------------------


def test_unsupported_action_answers_invalid_action(client, admin_keys):
    # A made-up action (every operation of the model is built or pending in other branches).
    for path, version in (("/aws/iam/", "2010-05-08"), ("/aws/sts/", "2011-06-15")):
        response = signed_post(client, admin_keys, f"Action=ListMadeUpThings&Version={version}",
                               path=path, service=path.strip("/").split("/")[1])
        assert response.status_code == 400
        code, message = error_of(response)
        assert code == "InvalidAction"
        assert "ListMadeUpThings" in message


def test_wrong_secret_is_signature_does_not_match(aws_client, admin_keys):
    key_id, secret = admin_keys
    forged = aws_client("iam", key_id, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    with pytest.raises(ClientError) as bad:
        forged.list_users()
    code, status, message = error(bad)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("The request signature we calculated does not match")


def test_unknown_key_is_invalid_client_token_id(aws_client, admin):
    stranger = aws_client("iam", "AKIAAAAAAAAAAAAAAAAA", "x" * 40)
    with pytest.raises(ClientError) as bad:
        stranger.list_users()
    assert error(bad) == ("InvalidClientTokenId", 403,
                          "The security token included in the request is invalid.")


def test_explicit_deny_beats_the_admin_policy(admin_iam, aws_client):
    make_user("limited", policy=policy_json(allow("*"), deny("iam:DeleteUser")))
    limited = aws_client("iam", *create_keys("limited"))
    limited.create_user(UserName="victim")
    with pytest.raises(ClientError) as denied:
        limited.delete_user(UserName="victim")
    code, status, message = error(denied)
    assert (code, status) == ("AccessDenied", 403)
    assert "with an explicit deny" in message


@pytest.mark.parametrize("service", ["iam", "sts"])
def test_no_operation_of_the_model_answers_a_server_error(aws_client, admin_keys, service):
    """Every operation botocore knows, called with no parameters at all: a result or an AWS
    client error (InvalidAction for those iamconsole does not implement), never a 5xx."""
    client = aws_client(service, *admin_keys, validate=False)
    statuses = {}
    for operation in client.meta.service_model.operation_names:
        try:
            response = client._make_api_call(operation, {})
        except ClientError as exc:
            response = exc.response
        statuses[operation] = response["ResponseMetadata"]["HTTPStatusCode"]
    assert {op: s for op, s in statuses.items() if s >= 500} == {}
    assert statuses["GetCallerIdentity" if service == "sts" else "ListUsers"] == 200
    assert statuses["GetFederationToken" if service == "sts" else "CreateSAMLProvider"] == 400


def test_unsigned_request_gets_the_xml_error_envelope_on_both_paths(client):
    for path in ("/aws/iam/", "/aws/iam"):
        response = client.post(path, data="Action=ListUsers&Version=2010-05-08",
                                content_type="application/x-www-form-urlencoded")
        assert response.status_code == 403  # not a redirect, not a CSRF failure
        assert response["Content-Type"] == "text/xml"
        body = response.content.decode()
        assert body.startswith('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">')
        assert "<Type>Sender</Type><Code>MissingAuthenticationToken</Code>" in body
        assert f"<RequestId>{response['x-amzn-RequestId']}</RequestId>" in body


def test_endpoint_without_trailing_slash_works_for_boto3(live_server, admin_keys):
    import boto3

    sts = boto3.client("sts", endpoint_url=f"{live_server.url}/aws/sts", region_name="us-west-2",
                       aws_access_key_id=admin_keys[0], aws_secret_access_key=admin_keys[1])
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/admin"
    sts.close()


def test_requests_beyond_the_rate_limit_are_throttled_like_aws(admin_iam, aws_client, settings):
    settings.API_RATE_LIMIT = "3/minute"
    # Start at the opening of a clock minute (the limiter's window): the four requests share
    # one window however slow the machine, instead of straddling a boundary by chance.
    opening = (int(clock.now().timestamp()) // 60 + 1) * 60 + 0.5
    with time_machine.travel(datetime.fromtimestamp(opening, UTC), tick=True):
        for _ in range(3):
            admin_iam.get_user()
        with pytest.raises(ClientError) as raised:
            admin_iam.list_users()
    assert raised.value.response["Error"]["Code"] == "Throttling"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # The budget is the access key's: another key is not affected.
    make_user("other", policy=policy_json(allow("iam:GetUser", "*")))
    other = aws_client("iam", *create_keys("other"))
    assert other.get_user()["User"]["UserName"] == "other"

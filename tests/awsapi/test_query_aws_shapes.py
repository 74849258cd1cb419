"""Result shapes as AWS answers them, through boto3 against the live server: what CreatePolicy,
ListPolicies and GetPolicy include, GetAccountSummary's keys, GenerateCredentialReport's
states, a malformed policy ARN, virtual MFA names per path and the password policy's optional
fields."""

from __future__ import annotations

import botocore.session
import pytest
from awsapi_helpers import ACCOUNT, error
from botocore.exceptions import ClientError
from personas import allow, policy_json

DOCUMENT = policy_json(allow(["s3:GetObject"]))


def test_policy_description_is_answered_by_get_policy_only(admin_iam):
    created = admin_iam.create_policy(PolicyName="P", PolicyDocument=DOCUMENT,
                                      Description="Reads objects")["Policy"]
    assert "Description" not in created
    listed = admin_iam.list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in listed] == ["P"] and "Description" not in listed[0]
    fetched = admin_iam.get_policy(PolicyArn=created["Arn"])["Policy"]
    assert fetched["Description"] == "Reads objects"


def test_get_policy_leaves_out_tags_it_does_not_have(admin_iam):
    arn = admin_iam.create_policy(PolicyName="Plain", PolicyDocument=DOCUMENT)["Policy"]["Arn"]
    assert "Tags" not in admin_iam.get_policy(PolicyArn=arn)["Policy"]
    admin_iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "team", "Value": "a"}])
    assert admin_iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == [
        {"Key": "team", "Value": "a"}]


def test_account_summary_has_exactly_the_models_keys(admin_iam):
    enum = botocore.session.get_session().get_service_model("iam").shape_for(
        "summaryKeyType").enum
    admin_iam.create_user(UserName="s1")
    summary = admin_iam.get_account_summary()["SummaryMap"]
    assert set(summary) == set(enum)
    assert summary["Users"] == 2  # admin and s1
    assert (summary["InstanceProfiles"], summary["ServerCertificates"],
            summary["Providers"]) == (0, 0, 0)
    assert summary["UsersQuota"] == 5000 and summary["InstanceProfilesQuota"] == 1000
    assert summary["ServerCertificatesQuota"] == 20
    assert summary["SigningCertificatesPerUserQuota"] == 2
    assert summary["GlobalEndpointTokenVersion"] == 1
    assert summary["AccountPasswordPresent"] == 0  # no root user in this account


def test_generate_credential_report_starts_then_is_complete(admin_iam):
    first = admin_iam.generate_credential_report()
    assert first["State"] == "STARTED"
    assert admin_iam.generate_credential_report()["State"] == "COMPLETE"
    assert admin_iam.get_credential_report()["ReportFormat"] == "text/csv"


@pytest.mark.parametrize("arn, expected", [
    ("this-is-not-an-arn-at-all", ("ValidationError", 400, "Invalid ARN: Could not be parsed!")),
    (f"arn:aws:iam::{ACCOUNT}:user/alice",
     ("InvalidInput", 400, f"ARN arn:aws:iam::{ACCOUNT}:user/alice is not valid.")),
])
def test_a_malformed_policy_arn(admin_iam, arn, expected):
    with pytest.raises(ClientError) as bad:
        admin_iam.get_policy(PolicyArn=arn)
    assert error(bad) == expected
    admin_iam.create_user(UserName="alice")
    with pytest.raises(ClientError) as bad_attach:
        admin_iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    assert error(bad_attach) == expected


def test_virtual_mfa_device_names_are_unique_per_path(admin_iam):
    first = admin_iam.create_virtual_mfa_device(VirtualMFADeviceName="phone")
    second = admin_iam.create_virtual_mfa_device(VirtualMFADeviceName="Phone", Path="/eng/")
    assert first["VirtualMFADevice"]["SerialNumber"] == f"arn:aws:iam::{ACCOUNT}:mfa/phone"
    assert second["VirtualMFADevice"]["SerialNumber"] == \
        f"arn:aws:iam::{ACCOUNT}:mfa/eng/Phone"
    with pytest.raises(ClientError) as taken:
        admin_iam.create_virtual_mfa_device(VirtualMFADeviceName="PHONE", Path="/eng/")
    assert error(taken)[:2] == ("EntityAlreadyExists", 409)
    listed = {d["SerialNumber"] for d in admin_iam.list_virtual_mfa_devices()["VirtualMFADevices"]}
    assert listed == {first["VirtualMFADevice"]["SerialNumber"],
                      second["VirtualMFADevice"]["SerialNumber"]}
    admin_iam.delete_virtual_mfa_device(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/eng/Phone")
    assert [d["SerialNumber"] for d in
            admin_iam.list_virtual_mfa_devices()["VirtualMFADevices"]] == [
        f"arn:aws:iam::{ACCOUNT}:mfa/phone"]


def test_password_policy_leaves_out_unset_optional_fields(admin_iam):
    admin_iam.update_account_password_policy(MinimumPasswordLength=10)
    policy = admin_iam.get_account_password_policy()["PasswordPolicy"]
    assert policy == {
        "MinimumPasswordLength": 10, "RequireSymbols": False, "RequireNumbers": False,
        "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": False, "ExpirePasswords": False, "HardExpiry": False,
    }
    admin_iam.update_account_password_policy(MinimumPasswordLength=10, MaxPasswordAge=90,
                                             PasswordReusePrevention=3)
    policy = admin_iam.get_account_password_policy()["PasswordPolicy"]
    assert (policy["ExpirePasswords"], policy["MaxPasswordAge"],
            policy["PasswordReusePrevention"]) == (True, 90, 3)

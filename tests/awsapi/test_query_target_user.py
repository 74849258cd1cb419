"""An omitted UserName means the calling IAM user (services.target_user): through boto3, every
Query operation with an optional UserName answers AWS's ValidationError to role credentials, the
root user may mean itself where AWS lets it (GetUser, ListMFADevices), and an IAM user means
itself."""

from __future__ import annotations

import pytest
from awsapi_helpers import ACCOUNT, create_keys, error, session_client
from personas import allow, make_user, policy_json

from iamconsole.iam import crypto
from iamconsole.iam import identifiers as ids
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AccessKey

NON_USER = ("ValidationError", 400,
            "Must specify userName when calling with non-User credentials")
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SERIAL = f"arn:aws:iam::{ACCOUNT}:mfa/phone"
CERT_ID = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
CRED_ID = "ACCAABCDEFGHIJKLMNOPQ"

# Each Query operation whose UserName is optional, called without it.
CALLS = {
    "GetUser": lambda c: c.get_user(),
    "CreateAccessKey": lambda c: c.create_access_key(),
    "UpdateAccessKey": lambda c: c.update_access_key(AccessKeyId=KEY_ID, Status="Inactive"),
    "DeleteAccessKey": lambda c: c.delete_access_key(AccessKeyId=KEY_ID),
    "ListAccessKeys": lambda c: c.list_access_keys(),
    "CreateLoginProfile": lambda c: c.create_login_profile(Password="Correct-Horse-9!"),
    "GetLoginProfile": lambda c: c.get_login_profile(),
    "DeleteLoginProfile": lambda c: c.delete_login_profile(),
    "DeactivateMFADevice": lambda c: c.deactivate_mfa_device(SerialNumber=SERIAL),
    "ListMFADevices": lambda c: c.list_mfa_devices(),
    "ListSSHPublicKeys": lambda c: c.list_ssh_public_keys(),
    "UploadSigningCertificate": lambda c: c.upload_signing_certificate(CertificateBody="x"),
    "ListSigningCertificates": lambda c: c.list_signing_certificates(),
    "UpdateSigningCertificate": lambda c: c.update_signing_certificate(
        CertificateId=CERT_ID, Status="Inactive"),
    "DeleteSigningCertificate": lambda c: c.delete_signing_certificate(CertificateId=CERT_ID),
    "ListServiceSpecificCredentials": lambda c: c.list_service_specific_credentials(),
    "UpdateServiceSpecificCredential": lambda c: c.update_service_specific_credential(
        ServiceSpecificCredentialId=CRED_ID, Status="Inactive"),
    "ResetServiceSpecificCredential": lambda c: c.reset_service_specific_credential(
        ServiceSpecificCredentialId=CRED_ID),
    "DeleteServiceSpecificCredential": lambda c: c.delete_service_specific_credential(
        ServiceSpecificCredentialId=CRED_ID),
}


@pytest.fixture
def role_iam(aws_client, db):
    """An IAM client signed with a role session's credentials; the role may do anything."""
    make_user("dev", policy=policy_json(allow(["sts:AssumeRole"])))
    system = Caller.system("test")
    dev = f"arn:aws:iam::{ACCOUNT}:user/dev"
    trust = policy_json({"Effect": "Allow", "Principal": {"AWS": dev}, "Action": "sts:AssumeRole"})
    iam.create_role(system, "deployer", trust)
    iam.put_role_policy(system, "deployer", "all", policy_json(allow(["iam:*"])))
    dev_sts = aws_client("sts", *create_keys("dev"))
    assumed = dev_sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deployer",
                                  RoleSessionName="s1")
    return session_client(aws_client, "iam", assumed["Credentials"])


@pytest.fixture
def root_iam(aws_client, root_user):
    secret = ids.new_secret_access_key()
    key = AccessKey.objects.create(access_key_id=ids.new_access_key_id(), user=root_user,
                                   secret_encrypted=crypto.encrypt(secret))
    return aws_client("iam", key.access_key_id, secret)


@pytest.mark.parametrize("operation", sorted(CALLS))
def test_omitting_user_name_with_role_credentials_is_a_validation_error(role_iam, operation):
    with pytest.raises(role_iam.exceptions.ClientError) as exc:
        CALLS[operation](role_iam)
    assert error(exc) == NON_USER


def test_the_root_user_means_itself_where_aws_lets_it(root_iam):
    assert root_iam.get_user()["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert root_iam.list_mfa_devices()["MFADevices"] == []
    assert root_iam.list_signing_certificates()["Certificates"] == []  # root's own, as AWS
    # AWS: without root credentials' AssumeRoot session these need a UserName.
    for operation in ("GetLoginProfile", "DeactivateMFADevice", "ListSSHPublicKeys",
                      "ListServiceSpecificCredentials"):
        with pytest.raises(root_iam.exceptions.ClientError) as exc:
            CALLS[operation](root_iam)
        assert error(exc) == NON_USER, operation


def test_an_iam_user_omitting_user_name_means_itself(aws_client, db):
    make_user("self", policy=policy_json(allow(["iam:*"])), password=None)
    client = aws_client("iam", *create_keys("self"))
    assert client.get_user()["User"]["UserName"] == "self"
    created = client.create_access_key()["AccessKey"]
    assert created["UserName"] == "self"
    assert {k["AccessKeyId"] for k in client.list_access_keys()["AccessKeyMetadata"]} >= {
        created["AccessKeyId"]}
    client.create_login_profile(Password="Correct-Horse-9!")
    assert client.get_login_profile()["LoginProfile"]["UserName"] == "self"
    client.delete_login_profile()
    assert client.list_mfa_devices()["MFADevices"] == []
    assert client.list_ssh_public_keys()["SSHPublicKeys"] == []
    assert client.list_service_specific_credentials()["ServiceSpecificCredentials"] == []


def test_the_root_user_manages_its_own_access_keys_without_user_name(root_iam, root_user):
    """AWS: the access-key operations "work for access keys under the Amazon Web Services
    account ... to manage Amazon Web Services account root user credentials"."""
    signing = {k["AccessKeyId"] for k in root_iam.list_access_keys()["AccessKeyMetadata"]}
    assert len(signing) == 1
    created = root_iam.create_access_key()["AccessKey"]
    assert created["UserName"] == root_user.name
    listed = {k["AccessKeyId"] for k in root_iam.list_access_keys()["AccessKeyMetadata"]}
    assert listed == signing | {created["AccessKeyId"]}
    root_iam.update_access_key(AccessKeyId=created["AccessKeyId"], Status="Inactive")
    statuses = {k["AccessKeyId"]: k["Status"]
                for k in root_iam.list_access_keys()["AccessKeyMetadata"]}
    assert statuses[created["AccessKeyId"]] == "Inactive"
    root_iam.delete_access_key(AccessKeyId=created["AccessKeyId"])
    assert {k["AccessKeyId"] for k in root_iam.list_access_keys()["AccessKeyMetadata"]} == \
        signing
    assert AccessKey.objects.filter(user=root_user).count() == 1

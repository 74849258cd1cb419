"""SSH public keys, signing certificates and service-specific credentials through boto3 against
the live server: every operation, AWS's errors and limits, paginators, the caller as the
default user, and Terraform's aws_iam_user force_destroy sequence."""

from __future__ import annotations

import pytest
from awsapi_helpers import ACCOUNT, create_keys, error
from botocore.exceptions import ClientError
from key_material import (
    certificate,
    ed25519_ssh_public,
    md5_fingerprint,
    pem_public,
    rsa_key,
    ssh_public,
)
from personas import ADMIN_POLICY, make_user

from iamconsole.iam.models import AuditEvent


@pytest.fixture
def dev(admin_iam):
    admin_iam.create_user(UserName="dev")
    return "dev"


# SSH public keys ---------------------------------------------------------------------------------


def test_upload_get_list_update_delete_ssh_public_key(admin_iam, dev):
    body = ssh_public(rsa_key(0))
    key = admin_iam.upload_ssh_public_key(UserName=dev, SSHPublicKeyBody=body)["SSHPublicKey"]
    key_id = key["SSHPublicKeyId"]
    assert key_id.startswith("APKA") and len(key_id) == 20
    assert key["Fingerprint"] == md5_fingerprint(body)
    assert key["Status"] == "Active" and key["SSHPublicKeyBody"] == body
    assert key["UserName"] == dev and key["UploadDate"]

    as_ssh = admin_iam.get_ssh_public_key(UserName=dev, SSHPublicKeyId=key_id,
                                          Encoding="SSH")["SSHPublicKey"]
    assert as_ssh["SSHPublicKeyBody"] == body
    as_pem = admin_iam.get_ssh_public_key(UserName=dev, SSHPublicKeyId=key_id,
                                          Encoding="PEM")["SSHPublicKey"]
    assert as_pem["SSHPublicKeyBody"].strip() == pem_public(rsa_key(0)).strip()
    assert as_pem["Fingerprint"] == key["Fingerprint"]

    admin_iam.update_ssh_public_key(UserName=dev, SSHPublicKeyId=key_id, Status="Inactive")
    listed = admin_iam.list_ssh_public_keys(UserName=dev)["SSHPublicKeys"]
    assert [(k["SSHPublicKeyId"], k["Status"]) for k in listed] == [(key_id, "Inactive")]
    assert "SSHPublicKeyBody" not in listed[0]

    admin_iam.delete_ssh_public_key(UserName=dev, SSHPublicKeyId=key_id)
    assert admin_iam.list_ssh_public_keys(UserName=dev)["SSHPublicKeys"] == []
    actions = list(AuditEvent.objects.filter(resource_name=dev, action__contains="SSH")
                   .values_list("action", flat=True))
    assert sorted(actions) == ["iam:DeleteSSHPublicKey", "iam:UpdateSSHPublicKey",
                               "iam:UploadSSHPublicKey"]


def test_pem_public_key_is_accepted_and_the_same_key_twice_is_a_duplicate(admin_iam, dev):
    pem = pem_public(rsa_key(1))
    key = admin_iam.upload_ssh_public_key(UserName=dev, SSHPublicKeyBody=pem)["SSHPublicKey"]
    assert key["Fingerprint"] == md5_fingerprint(ssh_public(rsa_key(1)))
    got = admin_iam.get_ssh_public_key(UserName=dev, SSHPublicKeyId=key["SSHPublicKeyId"],
                                       Encoding="SSH")["SSHPublicKey"]
    assert got["SSHPublicKeyBody"] == ssh_public(rsa_key(1), comment="")
    with pytest.raises(ClientError) as exc:  # the same key in its other encoding
        admin_iam.upload_ssh_public_key(UserName=dev, SSHPublicKeyBody=ssh_public(rsa_key(1)))
    assert error(exc)[:2] == ("DuplicateSSHPublicKey", 400)


@pytest.mark.parametrize(("body", "code"), [
    ("ssh-rsa AAAAnotbase64!!", "InvalidPublicKey"),
    ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "InvalidPublicKey"),
    ("hello world", "UnrecognizedPublicKeyEncoding"),
])
def test_malformed_public_keys_are_refused(admin_iam, dev, body, code):
    with pytest.raises(ClientError) as exc:
        admin_iam.upload_ssh_public_key(UserName=dev, SSHPublicKeyBody=body)
    assert error(exc)[:2] == (code, 400)


def test_short_and_non_rsa_keys_are_refused(admin_iam, dev):
    with pytest.raises(ClientError) as exc:
        admin_iam.upload_ssh_public_key(UserName=dev,
                                        SSHPublicKeyBody=ssh_public(rsa_key(9, bits=1024)))
    assert error(exc)[:2] == ("InvalidPublicKey", 400)
    with pytest.raises(ClientError) as exc:
        admin_iam.upload_ssh_public_key(UserName=dev, SSHPublicKeyBody=ed25519_ssh_public())
    assert error(exc)[:2] == ("UnrecognizedPublicKeyEncoding", 400)


def test_a_user_holds_at_most_five_ssh_public_keys(admin_iam, dev):
    for index in range(5):
        admin_iam.upload_ssh_public_key(UserName=dev, SSHPublicKeyBody=ssh_public(rsa_key(index)))
    with pytest.raises(ClientError) as exc:
        admin_iam.upload_ssh_public_key(UserName=dev, SSHPublicKeyBody=ssh_public(rsa_key(5)))
    assert error(exc)[:2] == ("LimitExceeded", 409)
    paginator = admin_iam.get_paginator("list_ssh_public_keys")
    pages = list(paginator.paginate(UserName=dev, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3 and sum(len(p["SSHPublicKeys"]) for p in pages) == 5


def test_unknown_ssh_key_and_bad_status(admin_iam, dev):
    with pytest.raises(ClientError) as exc:
        admin_iam.get_ssh_public_key(UserName=dev, SSHPublicKeyId="APKAAAAAAAAAAAAAAAAA",
                                     Encoding="SSH")
    assert error(exc)[:2] == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as exc:
        admin_iam.delete_ssh_public_key(UserName="nobody", SSHPublicKeyId="APKAAAAAAAAAAAAAAAAA")
    assert error(exc)[:2] == ("NoSuchEntity", 404)


# Signing certificates ----------------------------------------------------------------------------


def test_upload_list_update_delete_signing_certificate(admin_iam, dev):
    body = certificate(rsa_key(0))
    cert = admin_iam.upload_signing_certificate(UserName=dev, CertificateBody=body)["Certificate"]
    cert_id = cert["CertificateId"]
    assert 24 <= len(cert_id) <= 128 and cert["Status"] == "Active"
    assert cert["CertificateBody"] == body.strip() and cert["UserName"] == dev

    admin_iam.update_signing_certificate(UserName=dev, CertificateId=cert_id, Status="Inactive")
    listed = admin_iam.list_signing_certificates(UserName=dev)["Certificates"]
    assert [(c["CertificateId"], c["Status"]) for c in listed] == [(cert_id, "Inactive")]
    admin_iam.delete_signing_certificate(UserName=dev, CertificateId=cert_id)
    assert admin_iam.list_signing_certificates(UserName=dev)["Certificates"] == []


def test_signing_certificate_errors(admin_iam, dev):
    body = certificate(rsa_key(0))
    admin_iam.upload_signing_certificate(UserName=dev, CertificateBody=body)
    admin_iam.create_user(UserName="other")
    cases = [
        (body, "other", ("DuplicateCertificate", 409)),  # one certificate, one user
        ("not a certificate", dev, ("MalformedCertificate", 400)),
        (certificate(rsa_key(1), days=2, start_days_ago=10), dev, ("MalformedCertificate", 400)),
    ]
    for cert_body, user, expected in cases:
        with pytest.raises(ClientError) as exc:
            admin_iam.upload_signing_certificate(UserName=user, CertificateBody=cert_body)
        assert error(exc)[:2] == expected
    admin_iam.upload_signing_certificate(UserName=dev, CertificateBody=certificate(rsa_key(2)))
    with pytest.raises(ClientError) as exc:
        admin_iam.upload_signing_certificate(UserName=dev, CertificateBody=certificate(rsa_key(3)))
    assert error(exc)[:2] == ("LimitExceeded", 409)


def test_signing_certificates_default_to_the_calling_user(aws_client, admin_iam, dev):
    make_user("self-service", policy=ADMIN_POLICY)
    own = aws_client("iam", *create_keys("self-service"))
    cert = own.upload_signing_certificate(CertificateBody=certificate(rsa_key(4)))["Certificate"]
    assert cert["UserName"] == "self-service"
    assert [c["CertificateId"] for c in own.list_signing_certificates()["Certificates"]] == \
        [cert["CertificateId"]]
    own.delete_signing_certificate(CertificateId=cert["CertificateId"])


# Service-specific credentials --------------------------------------------------------------------


def test_service_specific_credential_lifecycle(admin_iam, dev):
    created = admin_iam.create_service_specific_credential(
        UserName=dev, ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
    cred_id = created["ServiceSpecificCredentialId"]
    assert cred_id.startswith("ACCA") and created["Status"] == "Active"
    assert created["ServiceUserName"] == f"{dev}-at-{ACCOUNT}"
    assert len(created["ServicePassword"]) == 44

    second = admin_iam.create_service_specific_credential(
        UserName=dev, ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
    assert second["ServiceUserName"] == f"{dev}+1-at-{ACCOUNT}"
    with pytest.raises(ClientError) as exc:
        admin_iam.create_service_specific_credential(UserName=dev,
                                                     ServiceName="codecommit.amazonaws.com")
    assert error(exc)[:2] == ("LimitExceeded", 409)
    admin_iam.create_service_specific_credential(UserName=dev,
                                                 ServiceName="cassandra.amazonaws.com")

    listed = admin_iam.list_service_specific_credentials(
        UserName=dev, ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredentials"]
    assert [c["ServiceSpecificCredentialId"] for c in listed] == \
        [cred_id, second["ServiceSpecificCredentialId"]]
    assert all("ServicePassword" not in c for c in listed)

    reset = admin_iam.reset_service_specific_credential(
        UserName=dev, ServiceSpecificCredentialId=cred_id)["ServiceSpecificCredential"]
    assert reset["ServicePassword"] != created["ServicePassword"]
    admin_iam.update_service_specific_credential(UserName=dev,
                                                 ServiceSpecificCredentialId=cred_id,
                                                 Status="Inactive")
    statuses = {c["ServiceSpecificCredentialId"]: c["Status"] for c in
                admin_iam.list_service_specific_credentials(UserName=dev)
                ["ServiceSpecificCredentials"]}
    assert statuses[cred_id] == "Inactive" and len(statuses) == 3
    admin_iam.delete_service_specific_credential(UserName=dev,
                                                 ServiceSpecificCredentialId=cred_id)
    # No password in the audit log.
    logged = str(list(AuditEvent.objects.values_list("old_value", "new_value")))
    assert created["ServicePassword"] not in logged and reset["ServicePassword"] not in logged


def test_api_keys_have_an_alias_a_secret_and_an_expiry(admin_iam, dev):
    created = admin_iam.create_service_specific_credential(
        UserName=dev, ServiceName="bedrock.amazonaws.com",
        CredentialAgeDays=30)["ServiceSpecificCredential"]
    assert created["ServiceCredentialSecret"] and "ServicePassword" not in created
    assert created["ServiceCredentialAlias"].endswith(f"-at-{ACCOUNT}")
    assert (created["ExpirationDate"] - created["CreateDate"]).days == 30
    with pytest.raises(ClientError) as exc:
        admin_iam.create_service_specific_credential(
            UserName=dev, ServiceName="codecommit.amazonaws.com", CredentialAgeDays=30)
    assert error(exc)[:2] == ("InvalidInput", 400)


def test_unsupported_service_and_all_users(admin_iam, dev):
    with pytest.raises(ClientError) as exc:
        admin_iam.create_service_specific_credential(UserName=dev, ServiceName="s3.amazonaws.com")
    assert error(exc)[:2] == ("NotSupportedService", 404)
    admin_iam.create_user(UserName="other")
    for user in (dev, "other"):
        admin_iam.create_service_specific_credential(UserName=user,
                                                     ServiceName="cassandra.amazonaws.com")
    everyone = admin_iam.list_service_specific_credentials(
        AllUsers=True, ServiceName="cassandra.amazonaws.com")["ServiceSpecificCredentials"]
    assert sorted(c["UserName"] for c in everyone) == [dev, "other"]
    with pytest.raises(ClientError) as exc:
        admin_iam.list_service_specific_credentials(UserName=dev, AllUsers=True)
    assert error(exc)[:2] == ("InvalidInput", 400)


def test_a_denied_caller_learns_nothing(aws_client, admin_iam, dev):
    make_user("nobody-special")
    other = aws_client("iam", *create_keys("nobody-special"))
    calls = [
        lambda: other.list_ssh_public_keys(UserName=dev),
        lambda: other.upload_ssh_public_key(UserName="ghost", SSHPublicKeyBody=ssh_public()),
        lambda: other.list_signing_certificates(UserName=dev),
        lambda: other.create_service_specific_credential(
            UserName="ghost", ServiceName="codecommit.amazonaws.com"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc)[:2] == ("AccessDenied", 403)


# Terraform's aws_iam_user force_destroy -----------------------------------------------------------


def test_terraform_force_destroy_replay(admin_iam):
    """A user with every credential family: DeleteUser refuses (DeleteConflict) until the
    provider's force_destroy sequence has listed and deleted each family."""
    name = "tf-user"
    admin_iam.create_user(UserName=name, Tags=[{"Key": "managed-by", "Value": "terraform"}])
    admin_iam.create_access_key(UserName=name)
    admin_iam.upload_ssh_public_key(UserName=name, SSHPublicKeyBody=ssh_public(rsa_key(0)))
    admin_iam.upload_signing_certificate(UserName=name, CertificateBody=certificate(rsa_key(0)))
    admin_iam.create_service_specific_credential(UserName=name,
                                                 ServiceName="codecommit.amazonaws.com")
    admin_iam.create_login_profile(UserName=name, Password="Tf-Destroy-Passw0rd!")
    serial = admin_iam.create_virtual_mfa_device(
        VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]

    with pytest.raises(ClientError) as exc:
        admin_iam.delete_user(UserName=name)
    code, status, message = error(exc)
    assert (code, status) == ("DeleteConflict", 409)
    assert "access keys" in message and "SSH public keys" in message
    assert "signing certificates" in message and "service-specific credentials" in message

    # The provider's deleteAwsIamUser* helpers, in its order.
    for page in admin_iam.get_paginator("list_groups_for_user").paginate(UserName=name):
        for group in page["Groups"]:
            admin_iam.remove_user_from_group(UserName=name, GroupName=group["GroupName"])
    for key in admin_iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        admin_iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    for page in admin_iam.get_paginator("list_ssh_public_keys").paginate(UserName=name):
        for key in page["SSHPublicKeys"]:
            admin_iam.delete_ssh_public_key(UserName=name, SSHPublicKeyId=key["SSHPublicKeyId"])
    for page in admin_iam.get_paginator("list_virtual_mfa_devices").paginate():
        for device in page["VirtualMFADevices"]:
            if device.get("User", {}).get("UserName") == name:
                admin_iam.deactivate_mfa_device(UserName=name,
                                                SerialNumber=device["SerialNumber"])
    for page in admin_iam.get_paginator("list_mfa_devices").paginate(UserName=name):
        for device in page["MFADevices"]:
            admin_iam.deactivate_mfa_device(UserName=name, SerialNumber=device["SerialNumber"])
    admin_iam.delete_virtual_mfa_device(SerialNumber=serial)
    admin_iam.delete_login_profile(UserName=name)
    for page in admin_iam.get_paginator("list_signing_certificates").paginate(UserName=name):
        for cert in page["Certificates"]:
            admin_iam.delete_signing_certificate(UserName=name, CertificateId=cert["CertificateId"])
    creds = admin_iam.list_service_specific_credentials(UserName=name)
    for cred in creds["ServiceSpecificCredentials"]:
        admin_iam.delete_service_specific_credential(
            UserName=name, ServiceSpecificCredentialId=cred["ServiceSpecificCredentialId"])

    admin_iam.delete_user(UserName=name)
    with pytest.raises(ClientError) as exc:
        admin_iam.get_user(UserName=name)
    assert error(exc)[:2] == ("NoSuchEntity", 404)
    admin_iam.get_waiter("user_exists")  # the waiter exists for the user kind

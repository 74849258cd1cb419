"""The domain operations of SSH public keys, signing certificates and service-specific
credentials: AWS's formats, limits and error codes, authorization, audit, DeleteUser's
blockers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from key_material import (
    certificate,
    ec_certificate,
    md5_fingerprint,
    pem_public,
    rsa_key,
    ssh_public,
)
from personas import caller_for, make_user

from iamconsole.iam import clock, errors, kinds
from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, ServiceSpecificCredential, User

pytestmark = pytest.mark.django_db
CODECOMMIT = "codecommit.amazonaws.com"


@pytest.fixture
def alice(system):
    return iam.create_user(system, "alice")


# SSH public keys ---------------------------------------------------------------------------------


def test_ssh_key_fingerprint_is_the_md5_of_the_key_blob_for_both_encodings(system, alice):
    ssh = iam.upload_ssh_public_key(system, "alice", ssh_public(rsa_key(0)))
    assert ssh.ssh_public_key_id.startswith("APKA") and len(ssh.ssh_public_key_id) == 20
    assert ssh.fingerprint == md5_fingerprint(ssh_public(rsa_key(0)))
    assert len(ssh.fingerprint) == 47
    pem = iam.upload_ssh_public_key(system, "alice", pem_public(rsa_key(1)))
    assert pem.fingerprint == md5_fingerprint(ssh_public(rsa_key(1)))


def test_ssh_key_is_returned_in_the_encoding_asked_for(system, alice):
    key = iam.upload_ssh_public_key(system, "alice", pem_public(rsa_key(0)))
    _, as_ssh = iam.get_ssh_public_key(system, "alice", key.ssh_public_key_id, "SSH")
    assert as_ssh == ssh_public(rsa_key(0), comment="")
    _, as_pem = iam.get_ssh_public_key(system, "alice", key.ssh_public_key_id, "PEM")
    assert as_pem == pem_public(rsa_key(0)).strip()
    with pytest.raises(errors.ValidationError):
        iam.get_ssh_public_key(system, "alice", key.ssh_public_key_id, "DER")


def test_same_ssh_key_twice_is_a_duplicate_but_another_user_may_hold_it(system, alice):
    iam.upload_ssh_public_key(system, "alice", ssh_public(rsa_key(0)))
    with pytest.raises(errors.DuplicateSSHPublicKey):
        iam.upload_ssh_public_key(system, "alice", pem_public(rsa_key(0)))
    iam.create_user(system, "bob")
    iam.upload_ssh_public_key(system, "bob", ssh_public(rsa_key(0)))


def test_sixth_ssh_key_is_limit_exceeded(system, alice):
    for index in range(5):
        iam.upload_ssh_public_key(system, "alice", ssh_public(rsa_key(index)))
    with pytest.raises(errors.LimitExceeded):
        iam.upload_ssh_public_key(system, "alice", ssh_public(rsa_key(5)))


def test_ssh_key_under_2048_bits_is_invalid(system, alice):
    with pytest.raises(errors.InvalidPublicKey):
        iam.upload_ssh_public_key(system, "alice", ssh_public(rsa_key(9, bits=1024)))


def test_ssh_key_status_and_delete_are_audited_without_the_body(system, alice):
    body = ssh_public(rsa_key(0))
    key_id = iam.upload_ssh_public_key(system, "alice", body).ssh_public_key_id
    assert iam.update_ssh_public_key(system, "alice", key_id, "Inactive").status == "Inactive"
    with pytest.raises(errors.ValidationError):
        iam.update_ssh_public_key(system, "alice", key_id, "Expired")
    iam.delete_ssh_public_key(system, "alice", key_id)
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_ssh_public_key(system, "alice", key_id)
    events = AuditEvent.objects.filter(resource_name="alice", action__contains="SSH")
    assert events.count() == 3
    assert all(body.split()[1] not in str(e.new_value) + str(e.old_value) for e in events)


def test_ssh_key_of_another_user_is_not_found(system, alice):
    key_id = iam.upload_ssh_public_key(system, "alice", ssh_public(rsa_key(0))).ssh_public_key_id
    iam.create_user(system, "bob")
    with pytest.raises(errors.NoSuchEntity):
        iam.get_ssh_public_key(system, "bob", key_id, "SSH")


def test_ssh_keys_need_the_callers_permission(system, alice):
    make_user("mallory", password=None)
    mallory = caller_for(User.objects.get(name="mallory"))
    with pytest.raises(errors.AccessDenied):
        iam.list_ssh_public_keys(mallory, "alice")
    with pytest.raises(errors.AccessDenied):  # an unknown user: the same answer
        iam.list_ssh_public_keys(mallory, "ghost")
    # Omitted, the user name is the caller's own (still authorized).
    with pytest.raises(errors.AccessDenied):
        iam.list_ssh_public_keys(mallory)


# Signing certificates ----------------------------------------------------------------------------


def test_signing_certificate_is_stored_as_uploaded(system, alice):
    body = certificate(rsa_key(0))
    cert = iam.upload_signing_certificate(system, "alice", body)
    assert cert.body == body.strip() and cert.status == "Active"
    assert len(cert.certificate_id) == 32
    assert list(iam.list_signing_certificates(system, "alice")) == [cert]


def test_a_certificate_belongs_to_one_user_of_the_account(system, alice):
    body = certificate(rsa_key(0))
    iam.upload_signing_certificate(system, "alice", body)
    iam.create_user(system, "bob")
    with pytest.raises(errors.DuplicateCertificate):
        iam.upload_signing_certificate(system, "bob", body)


def test_third_signing_certificate_is_limit_exceeded(system, alice):
    for index in range(2):
        iam.upload_signing_certificate(system, "alice", certificate(rsa_key(index)))
    with pytest.raises(errors.LimitExceeded):
        iam.upload_signing_certificate(system, "alice", certificate(rsa_key(2)))


@pytest.mark.parametrize("make_body", [
    lambda: "garbage",
    lambda: "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----",
    lambda: certificate(rsa_key(0), days=1, start_days_ago=5),  # expired
    lambda: certificate(rsa_key(0), start_days_ago=-3),  # not yet valid
    lambda: certificate(rsa_key(0)) + certificate(rsa_key(1)),  # two
])
def test_malformed_or_expired_certificates_are_refused(system, alice, make_body):
    with pytest.raises(errors.MalformedCertificate):
        iam.upload_signing_certificate(system, "alice", make_body())


def test_a_certificate_without_an_rsa_key_is_invalid(system, alice):
    with pytest.raises(errors.InvalidCertificate):
        iam.upload_signing_certificate(system, "alice", ec_certificate())


def test_the_root_user_may_hold_signing_certificates(root_user):
    root = caller_for(root_user)
    cert = iam.upload_signing_certificate(root, None, certificate(rsa_key(3)))
    assert cert.user == root_user
    iam.update_signing_certificate(root, None, cert.certificate_id, "Inactive")
    iam.delete_signing_certificate(root, None, cert.certificate_id)


# Service-specific credentials --------------------------------------------------------------------


def test_service_password_is_returned_once_and_stored_hashed(system, alice):
    issued = iam.create_service_specific_credential(system, "alice", CODECOMMIT)
    credential = ServiceSpecificCredential.objects.get()
    assert credential.credential_id.startswith("ACCA") and len(credential.credential_id) == 21
    assert credential.service_user_name == "alice-at-123456789012"
    assert issued.service_password and issued.service_credential_secret is None
    assert issued.secret not in credential.secret_hash
    assert check_password(issued.secret, credential.secret_hash)
    event = AuditEvent.objects.get(action="iam:CreateServiceSpecificCredential")
    assert issued.secret not in str(event.new_value)


def test_reset_replaces_the_password(system, alice):
    first = iam.create_service_specific_credential(system, "alice", CODECOMMIT)
    reset = iam.reset_service_specific_credential(system, "alice",
                                                  first.credential.credential_id)
    stored = ServiceSpecificCredential.objects.get().secret_hash
    assert check_password(reset.secret, stored) and not check_password(first.secret, stored)


def test_two_credentials_per_user_and_service(system, alice):
    names = [iam.create_service_specific_credential(system, "alice", CODECOMMIT)
             .credential.service_user_name for _ in range(2)]
    assert names == ["alice-at-123456789012", "alice+1-at-123456789012"]
    with pytest.raises(errors.LimitExceeded):
        iam.create_service_specific_credential(system, "alice", CODECOMMIT)
    iam.create_service_specific_credential(system, "alice", "cassandra.amazonaws.com")


def test_unsupported_service_is_refused(system, alice):
    with pytest.raises(errors.NotSupportedService):
        iam.create_service_specific_credential(system, "alice", "s3.amazonaws.com")
    with pytest.raises(errors.NotSupportedService):
        iam.list_service_specific_credentials(system, "alice", "s3.amazonaws.com")


def test_an_api_key_expires_after_its_age(system, alice):
    issued = iam.create_service_specific_credential(system, "alice", "bedrock.amazonaws.com",
                                                    credential_age_days=1)
    credential = issued.credential
    assert issued.service_credential_secret and issued.service_password is None
    assert credential.expires_at - credential.created_at == timedelta(days=1)
    assert iam.credential_status(credential) == "Active"
    with time_machine.travel(clock.now() + timedelta(days=2)):
        assert iam.credential_status(credential) == "Expired"
    with pytest.raises(errors.InvalidInput):
        iam.create_service_specific_credential(system, "alice", CODECOMMIT,
                                               credential_age_days=1)


def test_update_and_delete_service_credential(system, alice):
    cred_id = iam.create_service_specific_credential(system, "alice",
                                                     CODECOMMIT).credential.credential_id
    assert iam.update_service_specific_credential(system, "alice", cred_id,
                                                  "Inactive").status == "Inactive"
    iam.delete_service_specific_credential(system, "alice", cred_id)
    with pytest.raises(errors.NoSuchEntity):
        iam.reset_service_specific_credential(system, "alice", cred_id)


# DeleteUser --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "label"), [
    (lambda s: iam.upload_ssh_public_key(s, "alice", ssh_public(rsa_key(0))), "SSH public keys"),
    (lambda s: iam.upload_signing_certificate(s, "alice", certificate(rsa_key(0))),
     "signing certificates"),
    (lambda s: iam.create_service_specific_credential(s, "alice", CODECOMMIT),
     "service-specific credentials"),
])
def test_delete_user_is_blocked_by_each_family(system, alice, make, label):
    make(system)
    assert label in kinds.USER.deletion_blockers(User.objects.get(name="alice"))
    with pytest.raises(errors.DeleteConflict, match=label):
        iam.delete_user(system, "alice")


def test_the_credential_report_shows_signing_certificates(system, alice):
    from iamconsole.iam import reports

    cert = iam.upload_signing_certificate(system, "alice", certificate(rsa_key(0)))
    iam.update_signing_certificate(system, "alice", cert.certificate_id, "Inactive")
    iam.upload_signing_certificate(system, "alice", certificate(rsa_key(1)))
    header, *rows = reports.build_credential_report().decode().splitlines()
    columns = header.split(",")
    row = dict(zip(columns, next(r for r in rows if r.startswith("alice,")).split(","),
                   strict=True))
    assert row["cert_1_active"] == "false" and row["cert_2_active"] == "true"
    assert row["cert_1_last_rotated"].startswith(str(cert.uploaded_at.year))


@pytest.mark.parametrize("body", ["", "ssh-rsa AAAA\u2603", "x" * 16385, "ssh-rsa \x00"])
def test_key_material_outside_the_models_pattern_is_a_validation_error(system, alice, body):
    with pytest.raises(errors.ValidationError):
        iam.upload_ssh_public_key(system, "alice", body)
    with pytest.raises(errors.ValidationError):
        iam.upload_signing_certificate(system, "alice", body)

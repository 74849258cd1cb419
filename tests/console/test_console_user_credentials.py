"""The user page's SSH public keys, signing certificates and service-specific credentials: the
sections on the "Security credentials" tab, upload forms with AWS's errors, in-place htmx
actions, the generated password shown once."""

from __future__ import annotations

from key_material import certificate, md5_fingerprint, rsa_key, ssh_public
from personas import make_user

from iamconsole.iam import services as iam
from iamconsole.iam.models import (
    AuditEvent,
    ServiceSpecificCredential,
    SigningCertificate,
    SSHPublicKey,
    User,
)
from tests.console.console_support import client_for, htmx

TAB = "/users/target/?tab=credentials"


def test_the_credentials_tab_shows_the_three_sections(world, admin, system):
    iam.upload_ssh_public_key(system, "target", ssh_public(rsa_key(0)))
    page = client_for(admin).get(TAB).content.decode()
    assert "SSH public keys for AWS CodeCommit" in page
    assert md5_fingerprint(ssh_public(rsa_key(0))) in page
    assert "HTTPS Git and service-specific credentials" in page
    assert "X.509 signing certificates" in page and "No signing certificates." in page
    assert 'name="ssh_public_key_body"' in page and 'name="certificate_body"' in page


def test_upload_ssh_key_and_toggle_and_delete_it_in_place(world, admin):
    client = client_for(admin)
    response = client.post("/users/target/ssh-keys/upload/",
                           {"ssh_public_key_body": ssh_public(rsa_key(0))}, **htmx("tab-panel"))
    assert response.status_code == 200 and b"SSH public key uploaded." in response.content
    key = SSHPublicKey.objects.get(user__name="target")
    base = f"/users/target/ssh-keys/{key.ssh_public_key_id}"
    client.post(f"{base}/status/", {"status": "Inactive"}, **htmx("tab-panel"))
    key.refresh_from_db()
    assert key.status == "Inactive"
    response = client.post(f"{base}/delete/", **htmx("tab-panel"))
    assert b"No SSH public keys." in response.content
    assert not SSHPublicKey.objects.exists()


def test_a_malformed_ssh_key_is_refused_with_the_aws_message(world, admin):
    response = client_for(admin).post("/users/target/ssh-keys/upload/",
                                      {"ssh_public_key_body": "ssh-rsa AAAA"},
                                      **htmx("tab-panel"))
    assert response.status_code == 400 and response["HX-Retarget"] == "#flash"
    assert b"InvalidPublicKey" in response.content or b"malformed" in response.content
    assert not SSHPublicKey.objects.exists()


def test_upload_signing_certificate_plain_post_redirects_to_the_tab(world, admin):
    response = client_for(admin).post("/users/target/certificates/upload/",
                                      {"certificate_body": certificate(rsa_key(0))})
    assert response.status_code == 302 and response["Location"].endswith("?tab=credentials")
    cert = SigningCertificate.objects.get(user__name="target")
    page = client_for(admin).get(TAB).content.decode()
    assert cert.certificate_id in page


def test_service_password_is_shown_once(world, admin):
    client = client_for(admin)
    response = client.post("/users/target/service-credentials/create/",
                           {"service_name": "codecommit.amazonaws.com"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "target-at-123456789012" in page and "only time the password is shown" in page
    password = page.split('id="new-service-secret" class="secret">')[1].split("<")[0]
    assert len(password) == 44
    later = client.get(TAB).content.decode()
    assert "target-at-123456789012" in later and password not in later
    assert password not in str(list(AuditEvent.objects.values_list("new_value", flat=True)))


def test_reset_status_and_delete_service_credential_under_htmx(world, admin, system):
    issued = iam.create_service_specific_credential(system, "target", "cassandra.amazonaws.com")
    client = client_for(admin)
    base = f"/users/target/service-credentials/{issued.credential.credential_id}"
    reset = client.post(f"{base}/reset/", **htmx("tab-panel"))
    assert reset.status_code == 200 and b"New password generated." in reset.content
    assert issued.secret.encode() not in reset.content
    client.post(f"{base}/status/", {"status": "Inactive"}, **htmx("tab-panel"))
    assert ServiceSpecificCredential.objects.get().status == "Inactive"
    response = client.post(f"{base}/delete/", **htmx("tab-panel"))
    assert b"No service-specific credentials." in response.content


def test_an_unsupported_service_is_refused(world, admin):
    response = client_for(admin).post("/users/target/service-credentials/create/",
                                      {"service_name": "s3.amazonaws.com"}, **htmx("tab-panel"))
    assert response.status_code == 404 and b"does not support" in response.content


def test_a_user_without_permission_is_denied(world, system):
    make_user("viewer", password=None)
    response = client_for(User.objects.get(name="viewer")).post(
        "/users/target/ssh-keys/upload/", {"ssh_public_key_body": ssh_public(rsa_key(0))})
    assert response.status_code == 403
    assert not SSHPublicKey.objects.exists()

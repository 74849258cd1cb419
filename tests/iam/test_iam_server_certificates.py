"""Server certificates in the domain layer: PEM validation with `cryptography`, the key matching
the certificate, the chain, the per-account quota, renames, tags, the private key encrypted at
rest and absent from the audit log, and account isolation."""

import pytest
from accounts_fixtures import B, in_account, second_account
from cert_fixtures import ca_chain, issue, key_pem, new_key
from personas import allow, caller_for, make_user, policy_json

from iamconsole.iam import crypto, errors, kinds
from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, ServerCertificate
from iamconsole.iam.services.server_certificates import MAX_SERVER_CERTIFICATES

pytestmark = pytest.mark.django_db
ACCOUNT = "123456789012"


def _upload(caller, name="web", **kwargs):
    cert = kwargs.pop("cert", None) or issue("www.example.com")
    return iam.upload_server_certificate(caller, name, cert.pem, cert.key_pem, **kwargs), cert


def test_upload_is_a_registry_kind(system):
    stored, cert = _upload(system, path="/cloudfront/", tags={"env": "prod"})
    assert stored.arn == f"arn:aws:iam::{ACCOUNT}:server-certificate/cloudfront/web"
    assert stored.server_certificate_id.startswith("ASCA")
    assert len(stored.server_certificate_id) == 21
    assert stored.expiration == cert.not_after and not stored.is_expired
    assert kinds.of(stored) is kinds.SERVER_CERTIFICATE
    assert kinds.kind_of_arn(stored.arn) is kinds.SERVER_CERTIFICATE
    assert kinds.SERVER_CERTIFICATE.find("WEB") == stored
    assert stored.certificate_body == cert.pem.strip() and stored.certificate_chain == ""
    assert iam.get_server_certificate(system, "web").tags == {"env": "prod"}
    assert AuditEvent.objects.filter(action="iam:UploadServerCertificate",
                                     resource_name="web").exists()


def test_private_key_is_encrypted_at_rest_and_never_audited(system):
    stored, cert = _upload(system, tags={"a": "b"})
    row = ServerCertificate.objects.values().get(pk=stored.pk)
    body = cert.key_pem.split("\n")[1]  # a line of the key's base64
    assert all(body not in str(value) for value in row.values())
    assert crypto.decrypt(row["private_key_encrypted"]) == cert.key_pem
    assert iam.private_key_of(stored) == cert.key_pem
    iam.update_server_certificate(system, "web", new_server_certificate_name="web2")
    iam.tag_server_certificate(system, "web2", {"c": "d"})
    iam.delete_server_certificate(system, "web2")
    events = list(AuditEvent.objects.filter(resource_type="server_certificate").values())
    assert len(events) == 4
    assert all(body not in str(event) and "PRIVATE KEY" not in str(event) for event in events)


def test_a_ca_chain_and_an_rsa_key(system):
    leaf, intermediate, root = ca_chain()
    chain = intermediate.pem + root.pem
    stored, _ = _upload(system, cert=leaf, certificate_chain=chain)
    assert stored.certificate_chain == chain.strip()
    rsa_cert = issue("rsa.example.com", key=new_key("rsa"))
    _upload(system, "rsa", cert=rsa_cert)


def test_malformed_certificates(system):
    cert = issue("www.example.com")
    with pytest.raises(errors.MalformedCertificate) as body:
        iam.upload_server_certificate(system, "x", "not a certificate", cert.key_pem)
    assert body.value.message == \
        "Unable to parse certificate. Please ensure the certificate is in PEM format."
    two = cert.pem + issue("other").pem
    with pytest.raises(errors.MalformedCertificate):
        iam.upload_server_certificate(system, "x", two, cert.key_pem)
    broken = cert.pem.replace(cert.pem.split("\n")[3], "AAAA")
    with pytest.raises(errors.MalformedCertificate):
        iam.upload_server_certificate(system, "x", broken, cert.key_pem)
    with pytest.raises(errors.MalformedCertificate) as key:
        iam.upload_server_certificate(system, "x", cert.pem, "-----BEGIN PRIVATE KEY-----\nx")
    assert "private key" in key.value.message
    with pytest.raises(errors.ValidationError):
        iam.upload_server_certificate(system, "x", "", cert.key_pem)
    assert not ServerCertificate.objects.exists()


def test_the_key_must_be_the_certificates(system):
    cert = issue("www.example.com")
    with pytest.raises(errors.KeyPairMismatch):
        iam.upload_server_certificate(system, "x", cert.pem, key_pem(new_key()))
    with pytest.raises(errors.KeyPairMismatch):
        iam.upload_server_certificate(system, "x", cert.pem, key_pem(new_key("rsa")))
    assert not ServerCertificate.objects.exists()


def test_the_chain_must_sign_the_certificate_in_order(system):
    leaf, intermediate, root = ca_chain()
    with pytest.raises(errors.MalformedCertificate) as wrong_order:
        _upload(system, cert=leaf, certificate_chain=root.pem + intermediate.pem)
    assert wrong_order.value.message.startswith("Unable to validate certificate chain.")
    assert wrong_order.value.message.endswith("is: 0")
    with pytest.raises(errors.MalformedCertificate) as garbage:
        _upload(system, cert=leaf, certificate_chain="garbage")
    assert garbage.value.message.endswith("is: -1")
    with pytest.raises(errors.MalformedCertificate) as stranger:
        _upload(system, cert=leaf, certificate_chain=intermediate.pem + issue("x").pem)
    assert stranger.value.message.endswith("is: 1")


def test_an_expired_certificate_is_kept_with_its_expiration(system):
    expired = issue("old.example.com", expired=True)
    stored, _ = _upload(system, "old", cert=expired)
    assert stored.is_expired and stored.expiration == expired.not_after


def test_names_paths_and_renames(system):
    _upload(system, "Web")
    with pytest.raises(errors.EntityAlreadyExists):
        _upload(system, "web")
    with pytest.raises(errors.ValidationError):
        _upload(system, "x" * 129)
    with pytest.raises(errors.ValidationError):
        _upload(system, "bad name")
    _upload(system, "other", path="/a/")
    renamed = iam.update_server_certificate(system, "web", new_server_certificate_name="site",
                                            new_path="/a/")
    assert renamed.arn == f"arn:aws:iam::{ACCOUNT}:server-certificate/a/site"
    with pytest.raises(errors.EntityAlreadyExists):
        iam.update_server_certificate(system, "site", new_server_certificate_name="OTHER")
    assert [c.name for c in iam.list_server_certificates(system, path_prefix="/a/")] == \
        ["other", "site"]
    assert list(iam.list_server_certificates(system, path_prefix="/b/")) == []
    with pytest.raises(errors.NoSuchEntity) as missing:
        iam.get_server_certificate(system, "web")
    assert missing.value.message == "The Server Certificate with name web cannot be found."
    iam.delete_server_certificate(system, "site")
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_server_certificate(system, "site")


def test_tags(system):
    _upload(system)
    iam.tag_server_certificate(system, "web", [{"Key": "a", "Value": "1"}])
    iam.tag_server_certificate(system, "web", {"b": "2"})
    iam.untag_server_certificate(system, "web", ["a"])
    assert iam.list_server_certificate_tags(system, "web") == {"b": "2"}


def test_twenty_per_account(system):
    cert = issue("www.example.com")
    for n in range(MAX_SERVER_CERTIFICATES):
        iam.upload_server_certificate(system, f"c{n}", cert.pem, cert.key_pem)
    with pytest.raises(errors.LimitExceeded) as limit:
        iam.upload_server_certificate(system, "one-more", cert.pem, cert.key_pem)
    assert limit.value.message == "Cannot exceed quota for ServerCertificatesPerAccount: 20"
    assert iam.get_account_summary(system)["ServerCertificates"] == 20
    second_account()
    with in_account(B):  # the quota is per account
        iam.upload_server_certificate(system, "c0", cert.pem, cert.key_pem)


def test_another_account_does_not_see_it(system):
    _upload(system)
    second_account()
    with in_account(B):
        assert list(iam.list_server_certificates(system)) == []
        with pytest.raises(errors.NoSuchEntity):
            iam.get_server_certificate(system, "web")
        assert iam.get_account_summary(system)["ServerCertificates"] == 0
        other, _ = _upload(system)  # the same name in B
        assert other.arn == f"arn:aws:iam::{B}:server-certificate/web"
    assert ServerCertificate.everywhere.filter(name="web").count() == 2


def test_permissions(db):
    reader = make_user("reader", policy=policy_json(allow(
        ["iam:GetServerCertificate", "iam:ListServerCertificates"])))
    caller = caller_for(reader)
    cert = issue("www.example.com")
    with pytest.raises(errors.AccessDenied):
        iam.upload_server_certificate(caller, "web", cert.pem, cert.key_pem)
    with pytest.raises(errors.NoSuchEntity):  # allowed: the missing one is told
        iam.get_server_certificate(caller, "web")
    with pytest.raises(errors.AccessDenied):  # not allowed: no existence oracle
        iam.delete_server_certificate(caller, "web")
    uploader = make_user("uploader", policy=policy_json(
        allow("iam:UploadServerCertificate")))
    with pytest.raises(errors.AccessDenied):  # tags need iam:TagServerCertificate too
        iam.upload_server_certificate(caller_for(uploader), "web", cert.pem, cert.key_pem,
                                      tags={"a": "b"})
    iam.upload_server_certificate(caller_for(uploader), "web", cert.pem, cert.key_pem)
    assert iam.get_server_certificate(caller, "web").name == "web"

"""Server certificates through unmodified boto3 against a live server: certificates and keys made
by `cryptography` (self-signed, a CA chain, an expired one, a key of another certificate), the
shapes and errors of botocore's IAM model, and an account that does not see another's."""

from __future__ import annotations

import json

import pytest
from accounts_fixtures import A, B, in_account, keys_of, second_account
from awsapi_helpers import ACCOUNT, error
from botocore.exceptions import ClientError
from cert_fixtures import ca_chain, issue, key_pem, new_key
from personas import ADMIN_POLICY, allow, make_user, policy_json
from test_query_cli import aws_cli  # noqa: F401  (the aws CLI fixture)

from iamconsole.iam.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _code(call, *args, **kwargs) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as exc:
        call(*args, **kwargs)
    return error(exc)


def _upload(client, name, cert, **kwargs):
    return client.upload_server_certificate(ServerCertificateName=name, CertificateBody=cert.pem,
                                            PrivateKey=cert.key_pem, **kwargs)


def test_upload_get_list_rename_delete(admin_iam):
    leaf, intermediate, root = ca_chain()
    chain = intermediate.pem + root.pem
    uploaded = _upload(admin_iam, "prod", leaf, CertificateChain=chain, Path="/cloudfront/",
                       Tags=[{"Key": "env", "Value": "prod"}])
    meta = uploaded["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/cloudfront/prod"
    assert meta["ServerCertificateId"].startswith("ASCA")
    assert meta["Path"] == "/cloudfront/" and meta["ServerCertificateName"] == "prod"
    assert meta["Expiration"] == leaf.not_after
    assert uploaded["Tags"] == [{"Key": "env", "Value": "prod"}]

    got = admin_iam.get_server_certificate(ServerCertificateName="prod")["ServerCertificate"]
    assert got["CertificateBody"] == leaf.pem.strip()
    assert got["CertificateChain"] == chain.strip()
    assert got["ServerCertificateMetadata"] == meta
    assert got["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert "PrivateKey" not in got

    _upload(admin_iam, "self-signed", issue("self.example.com"))
    listed = admin_iam.list_server_certificates()["ServerCertificateMetadataList"]
    assert [m["ServerCertificateName"] for m in listed] == ["prod", "self-signed"]
    assert listed[0] == meta
    only = admin_iam.list_server_certificates(PathPrefix="/cloudfront/")
    assert [m["ServerCertificateName"] for m in only["ServerCertificateMetadataList"]] == ["prod"]
    page = admin_iam.list_server_certificates(MaxItems=1)
    assert page["IsTruncated"] and len(page["ServerCertificateMetadataList"]) == 1
    rest = admin_iam.list_server_certificates(Marker=page["Marker"])
    assert [m["ServerCertificateName"] for m in rest["ServerCertificateMetadataList"]] == \
        ["self-signed"]
    paginator = admin_iam.get_paginator("list_server_certificates")
    assert sum(len(p["ServerCertificateMetadataList"])
               for p in paginator.paginate(PaginationConfig={"PageSize": 1})) == 2

    admin_iam.update_server_certificate(ServerCertificateName="prod",
                                        NewServerCertificateName="prod-2024", NewPath="/elb/")
    renamed = admin_iam.get_server_certificate(ServerCertificateName="prod-2024")
    assert renamed["ServerCertificate"]["ServerCertificateMetadata"]["Arn"] == \
        f"arn:aws:iam::{ACCOUNT}:server-certificate/elb/prod-2024"
    assert _code(admin_iam.update_server_certificate, ServerCertificateName="prod-2024",
                 NewServerCertificateName="SELF-SIGNED")[:2] == ("EntityAlreadyExists", 409)
    assert _code(admin_iam.get_server_certificate, ServerCertificateName="prod") == (
        "NoSuchEntity", 404, "The Server Certificate with name prod cannot be found.")

    summary = admin_iam.get_account_summary()["SummaryMap"]
    assert summary["ServerCertificates"] == 2 and summary["ServerCertificatesQuota"] == 20

    admin_iam.delete_server_certificate(ServerCertificateName="prod-2024")
    admin_iam.delete_server_certificate(ServerCertificateName="self-signed")
    assert admin_iam.list_server_certificates()["ServerCertificateMetadataList"] == []
    assert _code(admin_iam.delete_server_certificate,
                 ServerCertificateName="prod-2024")[:2] == ("NoSuchEntity", 404)
    events = list(AuditEvent.objects.filter(resource_type="server_certificate").values())
    key_line = leaf.key_pem.split("\n")[1]
    assert len(events) == 5 and all(key_line not in str(event) for event in events)


def test_tags(admin_iam):
    _upload(admin_iam, "web", issue("www.example.com"))
    admin_iam.tag_server_certificate(ServerCertificateName="web",
                                     Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    admin_iam.untag_server_certificate(ServerCertificateName="web", TagKeys=["a"])
    assert admin_iam.list_server_certificate_tags(ServerCertificateName="web")["Tags"] == [
        {"Key": "b", "Value": "2"}]
    assert _code(admin_iam.list_server_certificate_tags,
                 ServerCertificateName="nope")[:2] == ("NoSuchEntity", 404)


def test_bad_certificates_and_keys(admin_iam):
    cert = issue("www.example.com")
    assert _code(admin_iam.upload_server_certificate, ServerCertificateName="x",
                 CertificateBody="not a certificate", PrivateKey=cert.key_pem) == (
        "MalformedCertificate", 400,
        "Unable to parse certificate. Please ensure the certificate is in PEM format.")
    code, status, _ = _code(admin_iam.upload_server_certificate, ServerCertificateName="x",
                            CertificateBody=cert.pem, PrivateKey=key_pem(new_key()))
    assert (code, status) == ("KeyPairMismatch", 400)
    code, status, message = _code(admin_iam.upload_server_certificate,
                                  ServerCertificateName="x", CertificateBody=cert.pem,
                                  PrivateKey="-----BEGIN PRIVATE KEY-----\nnope\n")
    assert (code, status) == ("MalformedCertificate", 400) and "nope" not in message
    leaf, intermediate, root = ca_chain()
    code, _, message = _code(_upload, admin_iam, "x", leaf,
                             CertificateChain=root.pem + intermediate.pem)
    assert code == "MalformedCertificate"
    assert message.startswith("Unable to validate certificate chain.")
    assert admin_iam.list_server_certificates()["ServerCertificateMetadataList"] == []


def test_an_expired_certificate(admin_iam):
    expired = issue("old.example.com", expired=True)
    meta = _upload(admin_iam, "old", expired)["ServerCertificateMetadata"]
    assert meta["Expiration"] == expired.not_after
    assert meta["Expiration"] < meta["UploadDate"]


def test_names_and_the_quota(admin_iam):
    cert = issue("www.example.com")
    _upload(admin_iam, "Web", cert)
    assert _code(_upload, admin_iam, "web", cert)[:2] == ("EntityAlreadyExists", 409)
    assert _code(_upload, admin_iam, "bad name", cert)[:2] == ("ValidationError", 400)
    for n in range(19):
        _upload(admin_iam, f"c{n}", cert)
    assert _code(_upload, admin_iam, "one-more", cert) == (
        "LimitExceeded", 409, "Cannot exceed quota for ServerCertificatesPerAccount: 20")


def test_another_account_does_not_see_it(db, aws_client):
    second_account()
    make_user("admin", policy=ADMIN_POLICY)
    with in_account(B):
        make_user("admin", policy=ADMIN_POLICY)
    iam_a = aws_client("iam", *keys_of("admin", A))
    iam_b = aws_client("iam", *keys_of("admin", B))
    _upload(iam_a, "web", issue("www.example.com"))
    assert iam_b.list_server_certificates()["ServerCertificateMetadataList"] == []
    assert _code(iam_b.get_server_certificate, ServerCertificateName="web")[:2] == (
        "NoSuchEntity", 404)
    assert _code(iam_b.delete_server_certificate, ServerCertificateName="web")[:2] == (
        "NoSuchEntity", 404)
    assert iam_b.get_account_summary()["SummaryMap"]["ServerCertificates"] == 0
    meta = _upload(iam_b, "web", issue("b.example.com"))["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{B}:server-certificate/web"
    assert len(iam_a.list_server_certificates()["ServerCertificateMetadataList"]) == 1


# (operation, its parameters beyond ServerCertificateName, the IAM action)
NAMED = [
    ("get_server_certificate", {}, "iam:GetServerCertificate"),
    ("delete_server_certificate", {}, "iam:DeleteServerCertificate"),
    ("update_server_certificate", {"NewPath": "/a/"}, "iam:UpdateServerCertificate"),
    ("tag_server_certificate", {"Tags": [{"Key": "a", "Value": "b"}]},
     "iam:TagServerCertificate"),
    ("untag_server_certificate", {"TagKeys": ["a"]}, "iam:UntagServerCertificate"),
    ("list_server_certificate_tags", {}, "iam:ListServerCertificateTags"),
]


@pytest.mark.parametrize(("operation", "extra", "action"), NAMED, ids=[r[0] for r in NAMED])
def test_permission_matrix_without_an_existence_oracle(admin_iam, aws_client, operation, extra,
                                                       action):
    _upload(admin_iam, "web", issue("www.example.com"))
    nobody = make_user("nobody")
    allowed = make_user("allowed", policy=policy_json(allow(action)))
    outsider = aws_client("iam", *keys_of(nobody.name, A))
    insider = aws_client("iam", *keys_of(allowed.name, A))
    for name in ("web", "ghost"):  # denied the same whether it exists or not
        code, status, message = _code(getattr(outsider, operation),
                                      ServerCertificateName=name, **extra)
        assert (code, status) == ("AccessDenied", 403) and action in message
    assert _code(getattr(insider, operation), ServerCertificateName="ghost",
                 **extra)[:2] == ("NoSuchEntity", 404)
    getattr(insider, operation)(ServerCertificateName="web", **extra)


def test_upload_and_list_need_their_actions(aws_client, db):
    nobody = make_user("nobody")
    outsider = aws_client("iam", *keys_of(nobody.name, A))
    cert = issue("www.example.com")
    code, status, message = _code(_upload, outsider, "web", cert)
    assert (code, status) == ("AccessDenied", 403) and "iam:UploadServerCertificate" in message
    assert "PRIVATE KEY" not in message
    code, _, message = _code(outsider.list_server_certificates)
    assert code == "AccessDenied" and "iam:ListServerCertificates" in message


def test_the_aws_cli_uploads_from_files(aws_cli, tmp_path):  # noqa: F811
    leaf, intermediate, root = ca_chain("cli.example.com")
    for name, text in (("cert.pem", leaf.pem), ("key.pem", leaf.key_pem),
                       ("chain.pem", intermediate.pem + root.pem)):
        (tmp_path / name).write_text(text)
    uploaded = json.loads(aws_cli(
        "iam", "upload-server-certificate", "--server-certificate-name", "cli",
        "--certificate-body", f"file://{tmp_path / 'cert.pem'}",
        "--private-key", f"file://{tmp_path / 'key.pem'}",
        "--certificate-chain", f"file://{tmp_path / 'chain.pem'}", "--path", "/cli/").stdout)
    assert uploaded["ServerCertificateMetadata"]["Arn"] == \
        f"arn:aws:iam::{ACCOUNT}:server-certificate/cli/cli"
    got = json.loads(aws_cli("iam", "get-server-certificate", "--server-certificate-name",
                             "cli").stdout)
    assert got["ServerCertificate"]["CertificateChain"] == (intermediate.pem + root.pem).strip()
    listed = json.loads(aws_cli("iam", "list-server-certificates").stdout)
    assert [m["ServerCertificateName"] for m in listed["ServerCertificateMetadataList"]] == ["cli"]
    mismatch = aws_cli("iam", "upload-server-certificate", "--server-certificate-name", "x",
                       "--certificate-body", f"file://{tmp_path / 'cert.pem'}",
                       "--private-key", key_pem(new_key()), check=False)
    assert mismatch.returncode != 0 and "KeyPairMismatch" in mismatch.stderr
    aws_cli("iam", "delete-server-certificate", "--server-certificate-name", "cli")

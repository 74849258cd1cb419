"""SSH public keys, signing certificates and service-specific credentials through the real aws
CLI against the live server (the `aws_cli` fixture of test_query_cli.py)."""

from __future__ import annotations

import json

from key_material import certificate, md5_fingerprint, rsa_key, ssh_public
from test_query_cli import aws_cli  # noqa: F401 - the fixture


def test_aws_cli_user_credentials_scenario(aws_cli, tmp_path):  # noqa: F811
    aws_cli("iam", "create-user", "--user-name", "cli-dev")
    key_file = tmp_path / "id_rsa.pub"
    key_file.write_text(ssh_public(rsa_key(0)) + "\n")
    key = json.loads(aws_cli("iam", "upload-ssh-public-key", "--user-name", "cli-dev",
                             "--ssh-public-key-body", f"file://{key_file}").stdout)
    key_id = key["SSHPublicKey"]["SSHPublicKeyId"]
    assert key["SSHPublicKey"]["Fingerprint"] == md5_fingerprint(ssh_public(rsa_key(0)))
    pem = json.loads(aws_cli("iam", "get-ssh-public-key", "--user-name", "cli-dev",
                             "--ssh-public-key-id", key_id, "--encoding", "PEM").stdout)
    assert pem["SSHPublicKey"]["SSHPublicKeyBody"].startswith("-----BEGIN PUBLIC KEY-----")

    cert_file = tmp_path / "cert.pem"
    cert_file.write_text(certificate(rsa_key(0)))
    cert = json.loads(aws_cli("iam", "upload-signing-certificate", "--user-name", "cli-dev",
                              "--certificate-body", f"file://{cert_file}").stdout)
    cert_id = cert["Certificate"]["CertificateId"]

    cred = json.loads(aws_cli("iam", "create-service-specific-credential", "--user-name",
                              "cli-dev", "--service-name", "codecommit.amazonaws.com").stdout)
    cred_id = cred["ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
    assert cred["ServiceSpecificCredential"]["ServiceUserName"] == "cli-dev-at-123456789012"

    conflict = aws_cli("iam", "delete-user", "--user-name", "cli-dev", check=False)
    assert conflict.returncode != 0 and "DeleteConflict" in conflict.stderr

    listed = json.loads(aws_cli("iam", "list-ssh-public-keys", "--user-name", "cli-dev").stdout)
    assert [k["SSHPublicKeyId"] for k in listed["SSHPublicKeys"]] == [key_id]
    aws_cli("iam", "delete-ssh-public-key", "--user-name", "cli-dev", "--ssh-public-key-id",
            key_id)
    aws_cli("iam", "delete-signing-certificate", "--user-name", "cli-dev", "--certificate-id",
            cert_id)
    aws_cli("iam", "delete-service-specific-credential", "--user-name", "cli-dev",
            "--service-specific-credential-id", cred_id)
    aws_cli("iam", "delete-user", "--user-name", "cli-dev")

"""Helpers and fixtures for the REST API tests: a populated account ("world") and botocore
signing. Imported by the test modules (not a conftest.py, so tests/conftest.py stays the only
module named `conftest`)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyotp
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from iamconsole.iam import clock
from iamconsole.iam.caller import Caller
from tests.conftest import ADMIN_POLICY, PASSWORD, allow, make_user, policy_json

API = "/api/v1/"
DOC = policy_json(allow("s3:GetObject", "arn:aws:s3:::bucket/*"))
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


@dataclass
class World:
    policy_id: str
    policy_arn: str
    spare_policy_id: str
    key_id: str
    serial: str
    event_id: int
    slr_task: str = ""
    ssh_key_id: str = ""
    certificate_id: str = ""
    credential_id: str = ""

    def fill(self, template: str) -> str:
        return template.format(**self.__dict__)


@pytest.fixture(name="world")
def world_fixture(db, admin, outsider) -> World:
    """alice (inline policy, attached policy, boundary, access key, login profile, MFA, SSH
    key, signing certificate, CodeCommit credential, member of devs), carol (bare), devs and
    empty groups, app and bare roles, policy Pol (v1 default, v2), an unattached policy Spare,
    instance profiles, server certificates web and spare-cert, OIDC providers idp.example.com
    and spare.example.com, an account password policy."""
    from iamconsole.iam import services as iam

    system = Caller.system("test")
    make_user("alice", policy=DOC)
    make_user("carol", password=None)
    pol = iam.create_policy(system, "Pol", DOC)
    iam.create_policy_version(system, pol.arn, policy_json(allow("s3:ListBucket", "*")))
    spare = iam.create_policy(system, "Spare", DOC)
    iam.attach_user_policy(system, "alice", pol.arn)
    iam.put_user_permissions_boundary(system, "alice", pol.arn)
    iam.tag_user(system, "alice", {"team": "blue"})
    iam.create_group(system, "devs")
    iam.create_group(system, "empty")
    iam.add_user_to_group(system, "devs", "alice")
    iam.put_group_policy(system, "devs", "inl", DOC)
    iam.attach_group_policy(system, "devs", pol.arn)
    iam.create_role(system, "app", TRUST, tags={"team": "blue"})
    iam.create_role(system, "bare", TRUST)
    iam.put_role_policy(system, "app", "inl", DOC)
    iam.attach_role_policy(system, "app", pol.arn)
    iam.put_role_permissions_boundary(system, "app", pol.arn)
    iam.create_role(system, "ec2", TRUST)
    iam.create_role(system, "ec2-spare", TRUST)
    iam.create_instance_profile(system, "web", tags={"team": "blue"})
    iam.create_instance_profile(system, "empty-profile")
    iam.add_role_to_instance_profile(system, "web", "ec2")
    from cert_fixtures import issue

    certificate = issue("www.example.com")
    iam.upload_server_certificate(system, "web", certificate.pem, certificate.key_pem,
                                  tags={"team": "blue"})
    iam.upload_server_certificate(system, "spare-cert", certificate.pem, certificate.key_pem)
    iam.create_open_id_connect_provider(system, "https://idp.example.com",
                                        client_id_list=["app"], tags={"team": "blue"})
    iam.create_open_id_connect_provider(system, "https://spare.example.com")


    from saml_fixtures import metadata

    iam.create_saml_provider(system, "idp", metadata(), tags={"team": "blue"})
    iam.create_saml_provider(system, "spare-idp", metadata())
    iam.create_service_linked_role(system, "elasticbeanstalk.amazonaws.com")
    iam.create_service_linked_role(system, "autoscaling.amazonaws.com")
    slr_task = iam.delete_service_linked_role(system, "AWSServiceRoleForAutoScaling")
    key = iam.create_access_key(system, "alice").access_key
    device = iam.create_virtual_mfa_device(system, "alice-phone")
    totp = pyotp.TOTP(device.base32_seed)
    now = clock.now().timestamp()
    iam.enable_mfa_device(system, "alice", device.device.serial_number,
                          totp.at(now - 30), totp.at(now))
    iam.update_account_password_policy(system, minimum_password_length=8)
    from key_material import certificate, rsa_key, ssh_public

    ssh_key = iam.upload_ssh_public_key(system, "alice", ssh_public(rsa_key(0)))
    cert = iam.upload_signing_certificate(system, "alice", certificate(rsa_key(0)))
    credential = iam.create_service_specific_credential(system, "alice",
                                                        "codecommit.amazonaws.com").credential
    from iamconsole.iam.models import AuditEvent

    return World(policy_id=pol.policy_id, policy_arn=pol.arn, spare_policy_id=spare.policy_id,
                 key_id=key.access_key_id, serial=device.device.serial_number,
                 event_id=AuditEvent.objects.latest("id").pk, slr_task=slr_task,
                 ssh_key_id=ssh_key.ssh_public_key_id, certificate_id=cert.certificate_id,
                 credential_id=credential.credential_id)


def sign(method: str, url: str, key_id: str, secret: str, *, body: bytes = b"",
         headers: dict | None = None, token: str | None = None, service: str = "iam",
         region: str = "us-east-1") -> dict[str, str]:
    """Sign with botocore's own SigV4Auth; returns the headers to send."""
    request = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    SigV4Auth(BotoCredentials(key_id, secret, token), service, region).add_auth(request)
    return dict(request.headers.items())


__all__ = ["ADMIN_POLICY", "API", "DOC", "PASSWORD", "TRUST", "World", "sign"]

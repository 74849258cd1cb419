"""STS AssumeRoleWithSAML against a live server, with responses of a real SAML IdP (pysaml2's
IdP server, signing with xmlsec1: tests/saml_idp.py) whose metadata made the SAML provider:
boto3 and the aws CLI get working credentials; each attack is refused with AWS's error."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess

import boto3
import pytest
import time_machine
from awsapi_helpers import ACCOUNT, error
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from cert_fixtures import key_pem, new_key
from lxml import etree
from saml_idp import CONSOLE_SP, EVIL_SP, ROLE_ATTR, XMLSEC, IdP
from test_query_cli import AWS

from iamconsole.iam import saml_federation
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, SAMLAssertionUse

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(XMLSEC is None, reason="xmlsec1 is not installed")]

ROLE = f"arn:aws:iam::{ACCOUNT}:role/saml-admin"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/corp"
ATTR = "https://aws.amazon.com/SAML/Attributes/"
SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"


def _trust(condition: dict | None = None) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": PROVIDER},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": condition or {
            "StringEquals": {"saml:aud": "https://signin.aws.amazon.com/saml"}}}]})


@pytest.fixture
def idp(tmp_path):
    provider = IdP(tmp_path)
    system = Caller.system("test")
    iam.create_saml_provider(system, "corp", provider.metadata())
    iam.create_role(system, "saml-admin", _trust())
    iam.put_role_policy(system, "saml-admin", "read", json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}))
    return provider


def _attributes(role_pair: str = f"{ROLE},{PROVIDER}", **extra) -> dict:
    return {ROLE_ATTR: [role_pair], ATTR + "RoleSessionName": ["alice@example.com"], **extra}


@pytest.fixture
def sts(live_server):
    client = boto3.client("sts", endpoint_url=f"{live_server.url}/aws/sts/",
                          region_name="us-east-1",
                          config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))
    yield client
    client.close()


def _assume(sts, assertion: str, **kwargs):
    return sts.assume_role_with_saml(RoleArn=ROLE, PrincipalArn=PROVIDER,
                                     SAMLAssertion=assertion, **kwargs)


def _refused(sts, assertion: str, **kwargs) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as exc:
        _assume(sts, assertion, **kwargs)
    return error(exc)


def _b64(xml: str | bytes) -> str:
    return base64.b64encode(xml if isinstance(xml, bytes) else xml.encode()).decode()


def test_a_signed_response_gets_working_credentials(idp, sts, aws_client):
    answer = _assume(sts, idp.response(_attributes(
        **{ATTR + "PrincipalTag:team": ["ops"], ATTR + "SessionDuration": ["1800"]})))
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/saml-admin/alice@example.com"
    assert answer["AssumedRoleUser"]["Arn"] == arn
    assert answer["Subject"] == "alice"
    assert answer["SubjectType"] == "persistent"
    assert answer["Issuer"] == idp.entity_id
    assert answer["Audience"] == "https://signin.aws.amazon.com/saml"
    assert answer["NameQualifier"] == saml_federation.base64.b64encode(
        saml_federation.hashlib.sha1(f"{idp.entity_id}{ACCOUNT}/corp".encode()).digest()
    ).decode()
    credentials = answer["Credentials"]
    lifetime = credentials["Expiration"] - dt.datetime.now(dt.UTC)
    assert lifetime <= dt.timedelta(seconds=1800)
    session = aws_client("sts", credentials["AccessKeyId"], credentials["SecretAccessKey"],
                         credentials["SessionToken"])
    assert session.get_caller_identity()["Arn"] == arn
    aws_client("iam", credentials["AccessKeyId"], credentials["SecretAccessKey"],
               credentials["SessionToken"]).list_users()
    event = AuditEvent.objects.get(action="sts:AssumeRoleWithSAML", outcome="success")
    assert event.actor == "alice"
    assert event.actor_arn == PROVIDER
    assert event.account_id == ACCOUNT


def test_a_signed_assertion_in_an_unsigned_response_is_accepted_and_either_order(idp, sts):
    answer = _assume(sts, idp.response(_attributes(f"{PROVIDER},{ROLE}"), sign_response=False))
    assert answer["Subject"] == "alice"


def test_the_aws_cli_assume_role_with_saml(idp, live_server, tmp_path):
    if AWS is None:
        pytest.skip("the aws CLI is not installed")
    (tmp_path / "config").write_text("")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "1",
           "AWS_EC2_METADATA_DISABLED": "true"}
    result = subprocess.run(
        [AWS, "sts", "assume-role-with-saml", "--role-arn", ROLE, "--principal-arn", PROVIDER,
         "--saml-assertion", idp.response(_attributes()),
         "--endpoint-url", f"{live_server.url}/aws/sts/", "--output", "json"],
        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["AssumedRoleUser"]["Arn"].endswith(":assumed-role/saml-admin/alice@example.com")


def test_signature_wrapping_is_refused(idp, sts):
    # The IdP signs an assertion for another role; the attacker adds an evil unsigned copy
    # naming saml-admin before it. Only the signed element is read: the pair is missing.
    xml = idp.response_xml(_attributes(f"arn:aws:iam::{ACCOUNT}:role/other,{PROVIDER}"),
                           sign_response=False)
    root = etree.fromstring(xml.encode())
    signed = root.find(f"{{{SAML_NS}}}Assertion")
    evil = etree.fromstring(etree.tostring(signed))
    evil.set("ID", "evil-assertion")
    for signature in evil.findall("{http://www.w3.org/2000/09/xmldsig#}Signature"):
        evil.remove(signature)
    for value in evil.iter(f"{{{SAML_NS}}}AttributeValue"):
        if value.text.startswith("arn:aws:iam::"):
            value.text = f"{ROLE},{PROVIDER}"
    signed.addprevious(evil)
    code, status, message = _refused(sts, _b64(etree.tostring(root)))
    assert (code, status) == ("InvalidIdentityToken", 400)
    assert "Role attribute does not name" in message


def test_an_unsigned_assertion_is_refused(idp, sts):
    code, _, message = _refused(sts, idp.response(_attributes(), sign_response=False,
                                                  sign_assertion=False))
    assert code == "InvalidIdentityToken"
    assert "not signed" in message


def test_a_replayed_assertion_is_refused(idp, sts):
    assertion = idp.response(_attributes())
    _assume(sts, assertion)
    assert _refused(sts, assertion)[0] == "InvalidIdentityToken"
    assert SAMLAssertionUse.objects.count() == 1


def test_a_wrong_audience_is_refused(idp, sts):
    assert _refused(sts, idp.response(_attributes(), audience=EVIL_SP)
                    )[:2] == ("InvalidIdentityToken", 400)


def test_an_expired_assertion_is_refused(idp, sts):
    assertion = idp.response(_attributes())
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2), tick=True):
        assert _refused(sts, assertion)[0] == "ExpiredTokenException"


def test_a_certificate_not_in_the_metadata_is_refused(idp, sts, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    impostor = IdP(other, entity_id=idp.entity_id)
    assert _refused(sts, impostor.response(_attributes()))[0] == "InvalidIdentityToken"


def test_an_xxe_payload_is_refused(idp, sts, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = idp.response_xml(_attributes())
    rest = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
    payload = (f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>' + rest).replace(
        "alice@example.com", "&x;", 1)
    code, _, message = _refused(sts, _b64(payload))
    assert code == "InvalidIdentityToken"
    assert "TOP-SECRET" not in message


def test_comment_injection_in_the_name_id_is_read_whole(idp, sts):
    iam.update_assume_role_policy(Caller.system("test"), "saml-admin", _trust(
        {"StringEquals": {"saml:sub": "alice"}}))
    xml = idp.response_xml(_attributes(), subject="alice.evil.example")
    injected = xml.replace(">alice.evil.example<", ">alice<!---->.evil.example<")
    assert injected != xml
    code, status, _ = _refused(sts, _b64(injected))  # read as alice.evil.example: denied
    assert (code, status) == ("AccessDenied", 403)
    assert _assume(sts, idp.response(_attributes()))["Subject"] == "alice"


def test_the_role_pair_must_be_in_the_role_attribute(idp, sts):
    attributes = _attributes(f"arn:aws:iam::{ACCOUNT}:role/other,{PROVIDER}")
    assert _refused(sts, idp.response(attributes))[0] == "InvalidIdentityToken"
    no_session = {ROLE_ATTR: [f"{ROLE},{PROVIDER}"]}
    assert _refused(sts, idp.response(no_session))[0] == "InvalidIdentityToken"


def test_a_trust_condition_on_saml_sub_must_match(idp, sts):
    iam.update_assume_role_policy(Caller.system("test"), "saml-admin", _trust(
        {"StringEquals": {"saml:sub": "bob", "saml:sub_type": "persistent"}}))
    assert _refused(sts, idp.response(_attributes()))[:2] == ("AccessDenied", 403)
    assert _assume(sts, idp.response(_attributes(), subject="bob"))["Subject"] == "bob"
    event = AuditEvent.objects.filter(action="sts:AssumeRoleWithSAML", outcome="denied").first()
    assert event.actor == "alice"


def test_duration_above_the_session_duration_attribute_is_refused(idp, sts):
    attributes = _attributes(**{ATTR + "SessionDuration": ["900"]})
    assert _refused(sts, idp.response(attributes), DurationSeconds=3600)[0] == "ValidationError"


def test_the_console_public_url_is_an_audience_too(idp, sts, settings):
    settings.IAMCONSOLE_PUBLIC_URL = CONSOLE_SP.removesuffix("/saml")
    iam.update_assume_role_policy(Caller.system("test"), "saml-admin", _trust(
        {"StringEquals": {"saml:aud": CONSOLE_SP}}))
    answer = _assume(sts, idp.response(_attributes(), audience=CONSOLE_SP))
    assert answer["Audience"] == CONSOLE_SP


def test_saml_condition_keys_tags_and_source_identity(idp, sts):
    qualifier = base64.b64encode(saml_federation.hashlib.sha1(
        f"{idp.entity_id}{ACCOUNT}/corp".encode()).digest()).decode()
    iam.update_assume_role_policy(Caller.system("test"), "saml-admin", json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": PROVIDER},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"],
            "Condition": {"StringEquals": {
                "saml:namequalifier": qualifier, "saml:iss": idp.entity_id,
                "saml:doc": f"{ACCOUNT}/corp", "saml:edupersonaffiliation": "staff",
                "aws:RequestTag/team": "ops", "sts:SourceIdentity": "alice-src"}}}]}))
    attributes = _attributes(**{
        ATTR + "PrincipalTag:team": ["ops"], ATTR + "TransitiveTagKeys": ["team"],
        ATTR + "SourceIdentity": ["alice-src"],
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": ["staff"]})
    answer = _assume(sts, idp.response(attributes))
    assert answer["SourceIdentity"] == "alice-src"
    assert answer["NameQualifier"] == qualifier
    attributes["urn:oid:1.3.6.1.4.1.5923.1.1.1.1"] = ["student"]
    assert _refused(sts, idp.response(attributes))[0] == "AccessDenied"


def test_bad_requests_answer_aws_errors(idp, sts):
    assert _refused(sts, "not base64 at all!")[0] == "InvalidIdentityToken"
    assert _refused(sts, _b64("<not-xml"))[0] == "InvalidIdentityToken"
    with pytest.raises(ClientError) as exc:
        sts.assume_role_with_saml(RoleArn=ROLE,
                                  PrincipalArn=f"arn:aws:iam::{ACCOUNT}:saml-provider/nope",
                                  SAMLAssertion=idp.response(_attributes()))
    assert error(exc)[0] == "InvalidIdentityToken"
    with pytest.raises(ClientError) as exc:
        sts.assume_role_with_saml(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/nope",
                                  PrincipalArn=PROVIDER, SAMLAssertion=idp.response(_attributes()))
    assert error(exc)[:2] == ("AccessDenied", 403)
    assert _refused(sts, idp.response(_attributes()), Policy="{not json")[0] == \
        "MalformedPolicyDocument"


def test_a_sha1_signature_is_refused(idp, sts):
    assertion = idp.response(_attributes(), sign_alg="http://www.w3.org/2000/09/xmldsig#rsa-sha1",
                             digest_alg="http://www.w3.org/2000/09/xmldsig#sha1")
    assert _refused(sts, assertion)[0] == "InvalidIdentityToken"


def test_used_assertions_are_purged_once_expired(idp, sts):
    _assume(sts, idp.response(_attributes()))
    first = SAMLAssertionUse.objects.get()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2), tick=True):
        _assume(sts, idp.response(_attributes()))
    assert not SAMLAssertionUse.objects.filter(pk=first.pk).exists()
    assert SAMLAssertionUse.objects.count() == 1


def test_a_signed_request_is_answered_too(idp, aws_client, admin_keys):
    signed = aws_client("sts", *admin_keys)
    assert _assume(signed, idp.response(_attributes()))["Subject"] == "alice"


def test_texts_are_read_without_comments_nor_the_tail():
    root = etree.fromstring(b"<r>\n  <n>alice<!-- x -->.evil<b>.example</b></n>\n  tail</r>")
    assert saml_federation.text_of(root[0]) == "alice.evil.example"
    assert saml_federation.text_of(None) == ""


def test_a_provider_requiring_encryption_refuses_plaintext_assertions(idp, sts):
    iam.update_saml_provider(Caller.system("test"), PROVIDER, assertion_encryption_mode="Required",
                             add_private_key=key_pem(new_key("rsa")))
    code, _, message = _refused(sts, idp.response(_attributes()))
    assert code == "InvalidIdentityToken"
    assert "requires encrypted assertions" in message

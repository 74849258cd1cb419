"""STS AssumeRoleWithWebIdentity against a live server, with tokens of a real HTTPS identity
provider run by the test (tests/oidc_idp.py): GitHub Actions- and Kubernetes-shaped tokens,
key rotation, a JWKS outage, each attack refused with AWS's error, session tags, session
policies, the audit trail; boto3's own web-identity credential provider and the aws CLI."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time

import boto3
import jwt
import pytest
from awsapi_helpers import ACCOUNT, error
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from cert_fixtures import new_key
from cryptography.hazmat.primitives import serialization
from oidc_idp import SigningKey, start_idp
from test_query_cli import AWS

from iamconsole.iam import oidc_tokens, web_identity
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/deployer"


@pytest.fixture
def idp(tmp_path, settings):
    provider = start_idp(tmp_path)
    settings.IAMCONSOLE_OIDC_CA_BUNDLE = str(provider.ca_file)
    settings.IAMCONSOLE_OIDC_JWKS_REFRESH_COOLDOWN = 0
    oidc_tokens.forget_keys()
    yield provider
    oidc_tokens.forget_keys()
    provider.stop()


def _trust(idp, sub: str = "repo:org/repo:ref:refs/heads/main", extra: dict | None = None,
           actions=("sts:AssumeRoleWithWebIdentity",)) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{idp.host}"},
        "Action": list(actions),
        "Condition": {"StringEquals": {f"{idp.host}:aud": "sts.amazonaws.com"},
                      "StringLike": {f"{idp.host}:sub": sub, **(extra or {})}},
    }]})


@pytest.fixture
def federation(idp):
    system = Caller.system("test")
    iam.create_open_id_connect_provider(system, idp.issuer, client_id_list=["sts.amazonaws.com"])
    iam.create_role(system, "deployer", _trust(idp))
    iam.put_role_policy(system, "deployer", "read", json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}))
    return idp


@pytest.fixture
def sts(live_server):
    client = boto3.client("sts", endpoint_url=f"{live_server.url}/aws/sts/",
                          region_name="us-east-1",
                          config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))
    yield client
    client.close()


def _assume(sts, token, **kwargs):
    return sts.assume_role_with_web_identity(RoleArn=kwargs.pop("RoleArn", ROLE),
                                             RoleSessionName=kwargs.pop("RoleSessionName",
                                                                        "gha"),
                                             WebIdentityToken=token, **kwargs)


def _refused(sts, token, **kwargs) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as exc:
        _assume(sts, token, **kwargs)
    return error(exc)


def test_a_github_actions_token_gets_an_assumed_role_session(federation, sts, aws_client):
    answer = _assume(sts, federation.github_token())
    assert answer["SubjectFromWebIdentityToken"] == "repo:org/repo:ref:refs/heads/main"
    assert answer["Audience"] == "sts.amazonaws.com"
    assert answer["Provider"] == federation.issuer
    assert answer["AssumedRoleUser"]["Arn"] == \
        f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/gha"
    assert answer["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA")
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    session = aws_client("sts", credentials["AccessKeyId"], credentials["SecretAccessKey"],
                         credentials["SessionToken"])
    assert session.get_caller_identity()["Arn"] == answer["AssumedRoleUser"]["Arn"]
    iam_session = aws_client("iam", credentials["AccessKeyId"], credentials["SecretAccessKey"],
                             credentials["SessionToken"])
    iam_session.list_users()
    event = AuditEvent.objects.get(action="sts:AssumeRoleWithWebIdentity", outcome="success")
    assert event.actor == "repo:org/repo:ref:refs/heads/main"
    assert event.actor_arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{federation.host}"
    assert event.auth_method == "web_identity"
    assert event.new_value["AssumedRoleArn"] == answer["AssumedRoleUser"]["Arn"]


def test_a_kubernetes_service_account_token_is_accepted(federation, sts):
    iam.update_assume_role_policy(Caller.system("test"), "deployer", _trust(
        federation, sub="system:serviceaccount:prod:*"))
    answer = _assume(sts, federation.kubernetes_token())
    assert answer["SubjectFromWebIdentityToken"] == "system:serviceaccount:prod:deployer"
    assert _refused(sts, federation.kubernetes_token(namespace="dev"))[:2] == \
        ("AccessDenied", 403)


def test_github_claims_are_condition_keys(federation, sts, monkeypatch):
    # The test's provider plays GitHub Actions' issuer (token.actions.githubusercontent.com).
    monkeypatch.setitem(web_identity.CLAIM_KEYS, federation.host, web_identity.GITHUB_CLAIMS)
    iam.update_assume_role_policy(Caller.system("test"), "deployer", _trust(
        federation, sub="repo:org/*", extra={f"{federation.host}:actor": "octocat"}))
    _assume(sts, federation.github_token())
    assert _refused(sts, federation.github_token(actor="mallory"))[0] == "AccessDenied"


def test_rotated_keys_are_fetched_again_for_a_new_kid(federation, sts):
    _assume(sts, federation.github_token())
    old = federation.current
    federation.rotate()
    _assume(sts, federation.github_token())  # an unknown kid: the JWKS is read again
    assert _refused(sts, federation.sign(federation.claims(), key=old))[0] == \
        "InvalidIdentityToken"


def test_a_jwks_outage_is_idp_communication_error(federation, sts):
    federation.outage = True
    code, status, _ = _refused(sts, federation.github_token())
    assert (code, status) == ("IDPCommunicationError", 400)


def test_an_idp_whose_certificate_is_not_trusted_is_idp_communication_error(federation, sts,
                                                                            settings):
    settings.IAMCONSOLE_OIDC_CA_BUNDLE = ""
    assert _refused(sts, federation.github_token())[0] == "IDPCommunicationError"


def test_alg_none_is_refused(federation, sts):
    token = jwt.encode(federation.claims(), None, algorithm="none")
    assert _refused(sts, token)[:2] == ("InvalidIdentityToken", 400)


def test_hs256_signed_with_the_public_key_is_refused(federation, sts):
    # The key confusion attack: an HMAC keyed with the provider's public key (PEM), which a
    # verifier that trusted the header's alg would accept.
    public_pem = federation.current.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = {"alg": "HS256", "typ": "JWT", "kid": federation.current.kid}

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps(header).encode())}." \
                    f"{b64(json.dumps(federation.claims()).encode())}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    assert _refused(sts, f"{signing_input}.{b64(signature)}")[0] == "InvalidIdentityToken"


def test_a_token_of_an_unregistered_issuer_is_refused(federation, sts):
    token = federation.sign(federation.claims(iss="https://evil.example.com"))
    code, _, message = _refused(sts, token)
    assert code == "InvalidIdentityToken"
    assert "No OpenIDConnect provider found" in message


def test_a_token_signed_by_another_key_is_refused(federation, sts):
    stranger = SigningKey(federation.current.kid, "ES256", new_key())
    assert _refused(sts, federation.sign(federation.claims(), key=stranger))[0] == \
        "InvalidIdentityToken"


def test_a_wrong_audience_is_refused(federation, sts):
    token = federation.sign(federation.claims(aud="someone-else"))
    code, _, message = _refused(sts, token)
    assert code == "InvalidIdentityToken" and "audience" in message


def test_an_expired_token_is_expired_token_exception(federation, sts):
    now = int(time.time())
    token = federation.sign(federation.claims(iat=now - 600, nbf=now - 600, exp=now - 120))
    assert _refused(sts, token)[:2] == ("ExpiredTokenException", 400)


def test_a_not_yet_valid_token_is_refused(federation, sts):
    now = int(time.time())
    token = federation.sign(federation.claims(nbf=now + 600, iat=now, exp=now + 900))
    assert _refused(sts, token)[0] == "InvalidIdentityToken"


def test_an_unknown_kid_is_refused(federation, sts):
    token = federation.sign(federation.claims(), headers={"kid": "no-such-key"})
    assert _refused(sts, token)[0] == "InvalidIdentityToken"


def test_a_trust_policy_whose_sub_does_not_match_is_access_denied(federation, sts):
    token = federation.github_token(sub="repo:org/other:ref:refs/heads/main")
    code, status, _ = _refused(sts, token)
    assert (code, status) == ("AccessDenied", 403)
    denied = AuditEvent.objects.get(action="sts:AssumeRoleWithWebIdentity", outcome="denied")
    assert denied.actor == "repo:org/other:ref:refs/heads/main"


def test_a_missing_role_is_access_denied(federation, sts):
    assert _refused(sts, federation.github_token(),
                    RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ghost")[:2] == ("AccessDenied", 403)


def test_duration_is_bounded_by_the_role_max_session(federation, sts):
    assert _refused(sts, federation.github_token(), DurationSeconds=43200)[0] == \
        "ValidationError"
    _assume(sts, federation.github_token(), DurationSeconds=900)


def test_session_tags_from_the_token_need_tag_session(federation, sts):
    tags = {"principal_tags": {"team": ["platform"]}, "transitive_tag_keys": ["team"]}
    token = federation.github_token(**{"https://aws.amazon.com/tags": tags})
    assert _refused(sts, token)[0] == "AccessDenied"
    iam.update_assume_role_policy(Caller.system("test"), "deployer", _trust(
        federation, actions=("sts:AssumeRoleWithWebIdentity", "sts:TagSession")))
    answer = _assume(sts, token)
    assert answer["PackedPolicySize"] >= 1


def test_source_identity_from_the_token(federation, sts):
    iam.update_assume_role_policy(Caller.system("test"), "deployer", _trust(
        federation, actions=("sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity")))
    token = federation.github_token(**{"https://aws.amazon.com/source_identity": "octocat"})
    assert _assume(sts, token)["SourceIdentity"] == "octocat"


def test_a_session_policy_narrows_and_is_checked(federation, sts):
    assert _refused(sts, federation.github_token(), Policy="{not json")[0] == \
        "MalformedPolicyDocument"
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]})
    assert _assume(sts, federation.github_token(), Policy=policy)["PackedPolicySize"] >= 1


def test_a_signed_request_is_answered_too(federation, aws_client, admin_keys):
    signed = aws_client("sts", *admin_keys)
    assert _assume(signed, federation.github_token())["Credentials"]["AccessKeyId"]


def test_other_sts_actions_still_need_a_signature(sts):
    with pytest.raises(ClientError) as exc:
        sts.get_caller_identity()
    assert error(exc)[0] == "MissingAuthenticationToken"


def _boto_env(tmp_path, live_server, token: str) -> dict:
    token_file = tmp_path / "token"
    token_file.write_text(token)
    (tmp_path / "config").write_text("")
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
            "AWS_ROLE_ARN": ROLE, "AWS_ROLE_SESSION_NAME": "from-boto",
            "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
            "AWS_ENDPOINT_URL_STS": f"{live_server.url}/aws/sts/",
            "AWS_ENDPOINT_URL_IAM": f"{live_server.url}/aws/iam/",
            "AWS_CONFIG_FILE": str(tmp_path / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "1",
            "AWS_EC2_METADATA_DISABLED": "true"}


def test_boto3_web_identity_credential_provider_end_to_end(federation, live_server, tmp_path):
    """Unmodified boto3 in a fresh process, configured only by its environment."""
    env = _boto_env(tmp_path, live_server, federation.github_token())
    script = ("import boto3, json; s = boto3.Session();"
              "print(json.dumps({'method': s.get_credentials().method,"
              " 'arn': s.client('sts').get_caller_identity()['Arn']}))")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer == {"method": "assume-role-with-web-identity",
                      "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/from-boto"}


def test_aws_cli_assume_role_with_web_identity(federation, live_server, tmp_path):
    if AWS is None:
        pytest.skip("the aws CLI is not installed")
    env = _boto_env(tmp_path, live_server, "unused")
    for name in ("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME"):
        env.pop(name)
    result = subprocess.run(
        [AWS, "sts", "assume-role-with-web-identity", "--role-arn", ROLE,
         "--role-session-name", "cli", "--web-identity-token", federation.github_token(),
         "--endpoint-url", f"{live_server.url}/aws/sts/", "--output", "json"],
        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/cli"
    assert answer["SubjectFromWebIdentityToken"] == "repo:org/repo:ref:refs/heads/main"


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512", "ES384"])
def test_each_accepted_algorithm_verifies(federation, sts, algorithm):
    federation.rotate(algorithm)
    assert _assume(sts, federation.github_token())["Credentials"]["AccessKeyId"]


def test_a_token_that_is_no_jwt_is_invalid_identity_token(federation, sts):
    assert _refused(sts, "not-a-jwt-at-all")[0] == "InvalidIdentityToken"


def test_keys_are_cached_and_outlive_an_outage(federation, sts):
    _assume(sts, federation.github_token())
    federation.outage = True
    _assume(sts, federation.github_token())  # the cached keys still verify it
    assert federation.requests.count("/keys") == 1
    assert federation.requests.count("/.well-known/openid-configuration") == 1

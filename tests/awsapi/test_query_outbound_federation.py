"""Outbound web identity federation through boto3 against the live server: the account as an
OIDC issuer whose tokens a standard JWT library (PyJWT's PyJWKClient) verifies through the
issuer's discovery document and JWKS."""

from __future__ import annotations

import json

import jwt
import pytest
import requests
from accounts_fixtures import B, in_account, second_account
from awsapi_helpers import ACCOUNT, create_keys, error
from personas import ADMIN_POLICY, allow, make_user, policy_json
from test_query_cli import aws_cli  # noqa: F401  (the fixture)

from iamconsole.iam import outbound_federation
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import ValidationError
from iamconsole.iam.models import AuditEvent, OutboundSigningKey


@pytest.fixture
def public_url(live_server, settings):
    settings.IAMCONSOLE_PUBLIC_URL = live_server.url
    return live_server.url


def _verify(token: str, issuer: str, audience: str) -> dict:
    """What a relying party does: discovery -> jwks_uri -> the key of the token's kid."""
    config = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert config["issuer"] == issuer
    signing_key = jwt.PyJWKClient(config["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(
        token)
    return jwt.decode(token, signing_key.key, algorithms=config[
        "id_token_signing_alg_values_supported"], audience=audience, issuer=issuer)


def test_enable_info_disable_and_their_errors(admin_iam, admin_sts, public_url):
    with pytest.raises(admin_iam.exceptions.ClientError) as never:
        admin_iam.get_outbound_web_identity_federation_info()
    assert error(never)[:2] == ("FeatureDisabled", 404)
    issuer = admin_iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    assert issuer == f"{public_url}/oidc/{ACCOUNT}"
    with pytest.raises(admin_iam.exceptions.ClientError) as again:
        admin_iam.enable_outbound_web_identity_federation()
    assert error(again)[:2] == ("FeatureEnabled", 409)
    info = admin_iam.get_outbound_web_identity_federation_info()
    assert (info["IssuerIdentifier"], info["JwtVendingEnabled"]) == (issuer, True)
    token = admin_sts.get_web_identity_token(Audience=["https://rp.example"],
                                             SigningAlgorithm="RS256")["WebIdentityToken"]
    admin_iam.disable_outbound_web_identity_federation()
    assert admin_iam.get_outbound_web_identity_federation_info()["JwtVendingEnabled"] is False
    with pytest.raises(admin_iam.exceptions.ClientError) as twice:
        admin_iam.disable_outbound_web_identity_federation()
    assert error(twice)[:2] == ("FeatureDisabled", 404)
    with pytest.raises(admin_sts.exceptions.ClientError) as disabled:
        admin_sts.get_web_identity_token(Audience=["https://rp.example"],
                                         SigningAlgorithm="RS256")
    assert error(disabled)[:2] == ("OutboundWebIdentityFederationDisabledException", 403)
    # Tokens issued before disabling stay verifiable.
    assert _verify(token, issuer, "https://rp.example")["sub"].endswith(":user/admin")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"iam:EnableOutboundWebIdentityFederation", "sts:GetWebIdentityToken",
            "iam:DisableOutboundWebIdentityFederation"} <= actions


@pytest.mark.parametrize("algorithm", ["RS256", "ES384"])
def test_tokens_of_a_user_and_a_role_session_verify_through_discovery(
        admin_iam, admin_sts, aws_client, public_url, algorithm):
    issuer = admin_iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    issued = admin_sts.get_web_identity_token(
        Audience=["https://rp.example", "second"], SigningAlgorithm=algorithm,
        DurationSeconds=120, Tags=[{"Key": "team", "Value": "blue"}])
    claims = _verify(issued["WebIdentityToken"], issuer, "second")
    assert jwt.get_unverified_header(issued["WebIdentityToken"])["alg"] == algorithm
    assert claims["sub"] == f"arn:aws:iam::{ACCOUNT}:user/admin"
    assert claims["aud"] == ["https://rp.example", "second"]
    assert claims["exp"] - claims["iat"] == 120 and claims["nbf"] == claims["iat"]
    assert int(issued["Expiration"].timestamp()) == claims["exp"]
    aws = claims["https://sts.amazonaws.com/"]
    assert aws["aws_account"] == ACCOUNT and aws["request_tags"] == {"team": "blue"}
    assert claims["jti"]

    admin_iam.create_role(RoleName="worker", AssumeRolePolicyDocument=policy_json(
        allow("sts:AssumeRole", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})))
    admin_iam.put_role_policy(RoleName="worker", PolicyName="jwt",
                              PolicyDocument=policy_json(allow("sts:GetWebIdentityToken")))
    creds = admin_sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/worker",
                                  RoleSessionName="job-1", DurationSeconds=900)["Credentials"]
    role_sts = aws_client("sts", creds["AccessKeyId"], creds["SecretAccessKey"],
                          creds["SessionToken"])
    token = role_sts.get_web_identity_token(Audience=["rp"], SigningAlgorithm=algorithm)
    claims = _verify(token["WebIdentityToken"], issuer, "rp")
    assert claims["sub"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/worker/job-1"
    assert claims["exp"] - claims["iat"] == 300  # AWS's default
    # A token may not outlive the session that asked for it.
    with pytest.raises(role_sts.exceptions.ClientError) as longer:
        role_sts.get_web_identity_token(Audience=["rp"], SigningAlgorithm=algorithm,
                                        DurationSeconds=3600)
    assert error(longer)[:2] == ("SessionDurationEscalationException", 403)


def test_rotation_keeps_tokens_signed_with_the_old_key_verifiable(admin_iam, admin_sts,
                                                                  public_url, db):
    issuer = admin_iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    old = admin_sts.get_web_identity_token(Audience=["rp"], SigningAlgorithm="ES384")[
        "WebIdentityToken"]
    old_kid = jwt.get_unverified_header(old)["kid"]
    from django.core.management import call_command
    call_command("rotate_web_identity_keys")
    new = admin_sts.get_web_identity_token(Audience=["rp"], SigningAlgorithm="ES384")[
        "WebIdentityToken"]
    assert jwt.get_unverified_header(new)["kid"] != old_kid
    kids = {key["kid"] for key in requests.get(
        f"{issuer}/.well-known/jwks.json", timeout=10).json()["keys"]}
    assert old_kid in kids and len(kids) == 4  # two algorithms, old and new
    assert _verify(old, issuer, "rp")["sub"] == _verify(new, issuer, "rp")["sub"]
    # Once every token of a retired key has expired, the key leaves the JWKS.
    OutboundSigningKey.objects.filter(kid=old_kid).update(published_until="2000-01-01T00:00Z")
    kids = {key["kid"] for key in requests.get(
        f"{issuer}/.well-known/jwks.json", timeout=10).json()["keys"]}
    assert old_kid not in kids
    # Private keys are stored encrypted.
    assert not OutboundSigningKey.objects.filter(
        private_key_encrypted__contains="PRIVATE KEY").exists()
    assert AuditEvent.objects.filter(
        action="iam:RotateOutboundWebIdentityFederationKeys").exists()


def test_audience_duration_and_algorithm_are_validated(admin_iam, aws_client, admin_keys,
                                                       public_url):
    admin_iam.enable_outbound_web_identity_federation()
    sts = aws_client("sts", *admin_keys, validate=False)
    for params in ({"Audience": ["rp"], "SigningAlgorithm": "HS256"},
                   {"Audience": ["rp"], "SigningAlgorithm": "RS256", "DurationSeconds": 59},
                   {"Audience": ["rp"], "SigningAlgorithm": "RS256", "DurationSeconds": 3601},
                   {"Audience": [f"a{i}" for i in range(11)], "SigningAlgorithm": "RS256"}):
        with pytest.raises(sts.exceptions.ClientError) as bad:
            sts.get_web_identity_token(**params)
        assert error(bad)[1] == 400, params
    with pytest.raises(ValidationError):
        outbound_federation.get_web_identity_token(Caller.system("test"), [], "RS256")


def test_permission_and_condition_keys(admin_iam, aws_client, public_url, db):
    admin_iam.enable_outbound_web_identity_federation()
    make_user("nobody", password=None)
    nobody = aws_client("sts", *create_keys("nobody"))
    with pytest.raises(nobody.exceptions.ClientError) as denied:
        nobody.get_web_identity_token(Audience=["rp"], SigningAlgorithm="RS256")
    assert error(denied)[:2] == ("AccessDenied", 403)
    make_user("limited", password=None, policy=policy_json(allow(
        "sts:GetWebIdentityToken", Condition={
            "ForAllValues:StringEquals": {"sts:IdentityTokenAudience": "https://api.example"},
            "NumericLessThanEquals": {"sts:DurationSeconds": "300"},
            "StringEquals": {"sts:SigningAlgorithm": "ES384"}})))
    limited = aws_client("sts", *create_keys("limited"))
    assert limited.get_web_identity_token(Audience=["https://api.example"],
                                          SigningAlgorithm="ES384")["WebIdentityToken"]
    for params in ({"Audience": ["https://api.example", "other"], "SigningAlgorithm": "ES384"},
                   {"Audience": ["https://api.example"], "SigningAlgorithm": "ES384",
                    "DurationSeconds": 600},
                   {"Audience": ["https://api.example"], "SigningAlgorithm": "RS256"}):
        with pytest.raises(limited.exceptions.ClientError) as refused:
            limited.get_web_identity_token(**params)
        assert error(refused)[:2] == ("AccessDenied", 403), params


def test_discovery_of_an_account_that_never_enabled_it_is_404(live_server, db):
    response = requests.get(f"{live_server.url}/oidc/{ACCOUNT}/.well-known/jwks.json",
                            timeout=10)
    assert response.status_code == 404


def test_the_aws_cli_enables_and_gets_a_token(aws_cli, public_url):  # noqa: F811
    issuer = json.loads(aws_cli("iam", "enable-outbound-web-identity-federation").stdout)[
        "IssuerIdentifier"]
    issued = json.loads(aws_cli("sts", "get-web-identity-token", "--audience", "rp-cli",
                                "--signing-algorithm", "ES384", "--duration-seconds",
                                "60").stdout)
    claims = _verify(issued["WebIdentityToken"], issuer, "rp-cli")
    assert claims["exp"] - claims["iat"] == 60
    refused = aws_cli("sts", "get-web-identity-token", "--audience", "rp-cli",
                      "--signing-algorithm", "PS256", check=False)
    assert refused.returncode != 0


def test_each_account_is_its_own_issuer(admin_iam, admin_sts, aws_client, public_url):
    admin_iam.enable_outbound_web_identity_federation()
    second_account()
    with in_account(B):
        make_user("badmin", password=None, policy=ADMIN_POLICY)
        other = aws_client("sts", *create_keys("badmin"))
    with pytest.raises(other.exceptions.ClientError) as disabled:
        other.get_web_identity_token(Audience=["rp"], SigningAlgorithm="RS256")
    assert error(disabled)[:2] == ("OutboundWebIdentityFederationDisabledException", 403)
    with in_account(B):
        outbound_federation.enable(Caller.system("test"))
    token = other.get_web_identity_token(Audience=["rp"], SigningAlgorithm="RS256")[
        "WebIdentityToken"]
    claims = _verify(token, f"{public_url}/oidc/{B}", "rp")
    assert claims["sub"] == f"arn:aws:iam::{B}:user/badmin"
    # A's keys do not verify B's tokens.
    a_token = admin_sts.get_web_identity_token(Audience=["rp"], SigningAlgorithm="RS256")[
        "WebIdentityToken"]
    with pytest.raises(jwt.PyJWKClientError):
        jwt.PyJWKClient(f"{public_url}/oidc/{B}/.well-known/jwks.json").get_signing_key_from_jwt(
            a_token)

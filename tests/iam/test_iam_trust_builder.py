"""Trust policies by trusted-entity type (AWS's "Create role" choices) and the trusted principals
of a trust policy in words."""

import json

import pytest

from iamconsole.iam import errors, trust

pytestmark = pytest.mark.django_db
ACCOUNT = "123456789012"


def _statement(document: str) -> dict:
    return json.loads(document)["Statement"][0]


def test_aws_service():
    statement = _statement(trust.trust_policy("service", service="ec2.amazonaws.com"))
    assert statement == {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                         "Action": "sts:AssumeRole"}
    with pytest.raises(errors.ValidationError) as exc:
        trust.trust_policy("service", service="ec2")
    assert exc.value.field == "service"


def test_another_account_with_mfa_and_external_id():
    statement = _statement(trust.trust_policy("account", account_id="210987654321",
                                              require_mfa=True, external_id="x-1"))
    assert statement["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
    assert statement["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                                      "StringEquals": {"sts:ExternalId": "x-1"}}
    with pytest.raises(errors.ValidationError):
        trust.trust_policy("account", account_id="12345")


def test_web_identity_conditions_name_the_provider_host():
    document = trust.trust_policy("web_identity", provider="token.actions.githubusercontent.com",
                                  audience="sts.amazonaws.com", subject="repo:acme/*")
    statement = _statement(document)
    host = "token.actions.githubusercontent.com"
    assert statement["Principal"] == {
        "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host}"}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {"StringEquals": {f"{host}:aud": "sts.amazonaws.com"},
                                      "StringLike": {f"{host}:sub": "repo:acme/*"}}
    with pytest.raises(errors.ValidationError) as exc:
        trust.trust_policy("web_identity", provider=f"arn:aws:iam::{ACCOUNT}:saml-provider/x",
                           audience="a")
    assert exc.value.field == "provider"


def test_saml():
    arn = f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"
    statement = _statement(trust.trust_policy("saml", provider=arn))
    assert statement["Principal"] == {"Federated": arn}
    assert statement["Condition"] == {
        "StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}


def test_custom_is_the_document_as_written():
    assert trust.trust_policy("custom", document='{"x": 1}') == '{"x": 1}'
    with pytest.raises(errors.ValidationError):
        trust.trust_policy("nonsense")


@pytest.mark.parametrize(("principal", "condition", "words"), [
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:user/eng/alice"}, None, "user/alice"),
    ({"AWS": "arn:aws:iam::210987654321:root"},
     {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, "account 210987654321 with MFA"),
    ({"AWS": "210987654321"}, None, "account 210987654321"),
    ({"AWS": "arn:aws:iam::210987654321:role/deployer"}, None,
     "role/deployer in account 210987654321"),
    ({"Service": ["ec2.amazonaws.com"]}, None, "ec2.amazonaws.com"),
    ({"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/idp.example.com"},
     {"StringEquals": {"idp.example.com:aud": "app"},
      "StringLike": {"idp.example.com:sub": "team-*"}},
     "web identity provider idp.example.com with audience app with subject matching team-*"),
    ("*", None, "anyone"),
])
def test_trusted_principals_in_words(principal, condition, words):
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    found = trust.trusted_principals(json.dumps({"Statement": [statement]}))
    assert [(p.principal + " " + " ".join(p.conditions)).strip() for p in found] == [words]
    assert found[0].sentence.endswith("may sts:AssumeRole")


def test_unparsable_document_names_nobody():
    assert trust.trusted_principals("{not json") == []

"""SAML providers through unmodified boto3 against a live server: created from IdP metadata
documents (certificates made by `cryptography`), the shapes and errors of botocore's IAM model,
private keys (ids only, never the keys), XXE refused, audit, another account's isolation."""

from __future__ import annotations

import pytest
from accounts_fixtures import B, in_account, keys_of, second_account
from awsapi_helpers import ACCOUNT, error
from botocore.exceptions import ClientError
from cert_fixtures import key_pem, new_key
from personas import ADMIN_POLICY, make_user
from saml_fixtures import IDP_ENTITY_ID, idp_certificate, metadata

from iamconsole.iam.models import AuditEvent, SAMLProvider

pytestmark = pytest.mark.django_db(transaction=True)


def _code(call, *args, **kwargs) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as exc:
        call(*args, **kwargs)
    return error(exc)


def test_create_get_list_update_delete(admin_iam):
    cert = idp_certificate()
    doc = metadata(cert)
    created = admin_iam.create_saml_provider(SAMLMetadataDocument=doc, Name="okta",
                                             Tags=[{"Key": "team", "Value": "sso"}])
    arn = f"arn:aws:iam::{ACCOUNT}:saml-provider/okta"
    assert created["SAMLProviderArn"] == arn
    assert created["Tags"] == [{"Key": "team", "Value": "sso"}]
    got = admin_iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == doc
    assert got["ValidUntil"].year == 2099 and got["Tags"] == created["Tags"]
    assert len(got["SAMLProviderUUID"]) >= 22
    stored = SAMLProvider.everywhere.get(name="okta")
    assert stored.entity_id == IDP_ENTITY_ID and len(stored.signing_certificates) == 1

    listed = admin_iam.list_saml_providers()["SAMLProviderList"]
    assert [p["Arn"] for p in listed] == [arn]

    key = key_pem(new_key("rsa"))
    admin_iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=key,
                                   AssertionEncryptionMode="Required")
    got = admin_iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["AssertionEncryptionMode"] == "Required"
    [private] = got["PrivateKeyList"]
    assert set(private) == {"KeyId", "Timestamp"}
    assert key not in SAMLProvider.everywhere.get(name="okta").private_keys[0]["Encrypted"]
    assert _code(admin_iam.update_saml_provider, SAMLProviderArn=arn,
                 RemovePrivateKey=private["KeyId"])[0] == "InvalidInput"  # Required needs one
    admin_iam.update_saml_provider(SAMLProviderArn=arn, AssertionEncryptionMode="Allowed",
                                   RemovePrivateKey=private["KeyId"])
    assert admin_iam.get_saml_provider(SAMLProviderArn=arn)["PrivateKeyList"] == []

    new_doc = metadata(idp_certificate("idp2.example.com"), entity_id="https://idp2/")
    admin_iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=new_doc)
    assert SAMLProvider.everywhere.get(name="okta").entity_id == "https://idp2/"

    admin_iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    admin_iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["team"])
    assert admin_iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [
        {"Key": "env", "Value": "prod"}]

    admin_iam.delete_saml_provider(SAMLProviderArn=arn)
    assert admin_iam.list_saml_providers()["SAMLProviderList"] == []
    assert _code(admin_iam.get_saml_provider, SAMLProviderArn=arn)[:2] == ("NoSuchEntity", 404)
    actions = list(AuditEvent.everywhere.filter(resource_type="saml_provider")
                   .order_by("id").values_list("action", flat=True))
    assert actions[0] == "iam:CreateSAMLProvider" and actions[-1] == "iam:DeleteSAMLProvider"
    assert all(key not in str(e.new_value) + str(e.old_value) for e in AuditEvent.everywhere.all())


def test_refusals(admin_iam):
    doc = metadata()
    admin_iam.create_saml_provider(SAMLMetadataDocument=doc, Name="idp")
    assert _code(admin_iam.create_saml_provider, SAMLMetadataDocument=doc,
                 Name="IDP")[:2] == ("EntityAlreadyExists", 409)
    assert _code(admin_iam.create_saml_provider, SAMLMetadataDocument=doc,
                 Name="bad name")[0] in ("ValidationError", "InvalidInput")
    junk = "<notmetadata>" + "x" * 1200 + "</notmetadata>"
    assert _code(admin_iam.create_saml_provider, SAMLMetadataDocument=junk,
                 Name="junk")[:2] == ("InvalidInput", 400)
    xxe = metadata(prolog='<?xml version="1.0"?>\n<!DOCTYPE md [<!ENTITY xxe SYSTEM '
                          '"file:///etc/passwd">]>\n').replace(IDP_ENTITY_ID, "&xxe;")
    assert _code(admin_iam.create_saml_provider, SAMLMetadataDocument=xxe,
                 Name="xxe")[:2] == ("InvalidInput", 400)
    assert _code(admin_iam.get_saml_provider,
                 SAMLProviderArn="arn:aws:iam::123:nope")[0] == "InvalidInput"
    assert _code(admin_iam.create_saml_provider, SAMLMetadataDocument=doc, Name="enc",
                 AssertionEncryptionMode="Required")[0] == "InvalidInput"
    assert SAMLProvider.everywhere.count() == 1


def test_another_account_does_not_see_it(admin_iam, aws_client):
    admin_iam.create_saml_provider(SAMLMetadataDocument=metadata(), Name="idp")
    second_account()
    with in_account(B):
        make_user("bob", policy=ADMIN_POLICY)
    other = aws_client("iam", *keys_of("bob", B))
    assert other.list_saml_providers()["SAMLProviderList"] == []
    arn = f"arn:aws:iam::{B}:saml-provider/idp"
    assert _code(other.get_saml_provider, SAMLProviderArn=arn)[0] == "NoSuchEntity"

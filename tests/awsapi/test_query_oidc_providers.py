"""OIDC identity providers through unmodified boto3 against a live server: AWS's shapes, limits
and errors (https only, 40-hex thumbprints, at most 5 of them, at most 100 client ids), tags,
the audit trail, and an account that does not see another's."""

from __future__ import annotations

import pytest
from accounts_fixtures import A, B, in_account, keys_of, second_account
from awsapi_helpers import ACCOUNT, error
from botocore.exceptions import ClientError
from personas import ADMIN_POLICY, make_user

from iamconsole.iam.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

GITHUB = "https://token.actions.githubusercontent.com"
ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
THUMB = "6938fd4d98bab03faadb97b34396831e3780aea1"


def _code(call, *args, **kwargs) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as exc:
        call(*args, **kwargs)
    return error(exc)


def test_create_get_list_update_delete(admin_iam):
    created = admin_iam.create_open_id_connect_provider(
        Url=GITHUB, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMB],
        Tags=[{"Key": "team", "Value": "ci"}])
    assert created["OpenIDConnectProviderArn"] == ARN
    assert created["Tags"] == [{"Key": "team", "Value": "ci"}]
    got = admin_iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert got["Url"] == "token.actions.githubusercontent.com"
    assert got["ClientIDList"] == ["sts.amazonaws.com"]
    assert got["ThumbprintList"] == [THUMB]
    assert got["Tags"] == [{"Key": "team", "Value": "ci"}]
    assert "CreateDate" in got

    admin_iam.create_open_id_connect_provider(Url="https://idp.example.com/tenant/a/")
    listed = admin_iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert sorted(p["Arn"] for p in listed) == sorted(
        [ARN, f"arn:aws:iam::{ACCOUNT}:oidc-provider/idp.example.com/tenant/a"])

    admin_iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=ARN,
                                                        ClientID="my-app")
    admin_iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=ARN,
                                                        ClientID="my-app")
    admin_iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=ARN,
                                                             ClientID="sts.amazonaws.com")
    new_thumb = "a" * 40
    admin_iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=ARN,
                                                         ThumbprintList=[new_thumb, THUMB])
    got = admin_iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert got["ClientIDList"] == ["my-app"]
    assert got["ThumbprintList"] == [new_thumb, THUMB]

    admin_iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=ARN,
                                           Tags=[{"Key": "env", "Value": "prod"}])
    admin_iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=ARN, TagKeys=["team"])
    tags = admin_iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=ARN)["Tags"]
    assert tags == [{"Key": "env", "Value": "prod"}]

    admin_iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert _code(admin_iam.get_open_id_connect_provider, OpenIDConnectProviderArn=ARN)[:2] == \
        ("NoSuchEntity", 404)
    actions = list(AuditEvent.objects.filter(resource_arn=ARN).order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["iam:CreateOpenIDConnectProvider",
                       "iam:AddClientIDToOpenIDConnectProvider",
                       "iam:AddClientIDToOpenIDConnectProvider",
                       "iam:RemoveClientIDFromOpenIDConnectProvider",
                       "iam:UpdateOpenIDConnectProviderThumbprint",
                       "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider",
                       "iam:DeleteOpenIDConnectProvider"]


def test_the_same_url_twice_is_entity_already_exists(admin_iam):
    admin_iam.create_open_id_connect_provider(Url=GITHUB)
    assert _code(admin_iam.create_open_id_connect_provider, Url=GITHUB + "/")[:2] == \
        ("EntityAlreadyExists", 409)


@pytest.mark.parametrize("url", ["http://idp.example.com", "idp.example.com",
                                 "https://idp.example.com/?x=1", "https://a@idp.example.com",
                                 "https://idp.example.com/#frag", "https://"])
def test_a_url_aws_refuses_is_invalid_input(admin_iam, url):
    assert _code(admin_iam.create_open_id_connect_provider, Url=url)[:2] == \
        ("InvalidInput", 400)


def test_thumbprints_are_forty_hex_digits_and_at_most_five(admin_iam):
    assert _code(admin_iam.create_open_id_connect_provider, Url=GITHUB,
                 ThumbprintList=["z" * 40])[0] == "InvalidInput"
    assert _code(admin_iam.create_open_id_connect_provider, Url=GITHUB,
                 ThumbprintList=[f"{i:040x}" for i in range(6)])[0] == "InvalidInput"


def test_at_most_a_hundred_client_ids(admin_iam):
    admin_iam.create_open_id_connect_provider(Url=GITHUB,
                                              ClientIDList=[f"c{i}" for i in range(100)])
    assert _code(admin_iam.add_client_id_to_open_id_connect_provider,
                 OpenIDConnectProviderArn=ARN, ClientID="one-more")[:2] == \
        ("LimitExceeded", 409)


def test_a_missing_provider_is_no_such_entity(admin_iam):
    for call in (admin_iam.delete_open_id_connect_provider,
                 admin_iam.list_open_id_connect_provider_tags):
        assert _code(call, OpenIDConnectProviderArn=ARN)[:2] == ("NoSuchEntity", 404)


def test_another_account_does_not_see_the_provider(aws_client):
    second_account()
    make_user("admin", policy=ADMIN_POLICY)
    with in_account(B):
        make_user("admin", policy=ADMIN_POLICY)
    iam_a = aws_client("iam", *keys_of("admin", A))
    iam_b = aws_client("iam", *keys_of("admin", B))
    iam_a.create_open_id_connect_provider(Url=GITHUB)
    assert iam_b.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    assert _code(iam_b.get_open_id_connect_provider, OpenIDConnectProviderArn=ARN)[0] in (
        "NoSuchEntity", "AccessDenied")

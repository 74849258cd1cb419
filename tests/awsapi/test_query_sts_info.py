"""STS GetAccessKeyInfo and DecodeAuthorizationMessage, and IAM's account-level STS
preferences and account properties, through boto3 against the live server."""

from __future__ import annotations

import json

import pytest
import requests
from awsapi_helpers import ACCOUNT, create_keys, error
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from personas import allow, deny, make_user, policy_json

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller


def test_get_access_key_info_answers_the_account_of_our_keys(admin_iam, admin_sts, admin_keys):
    assert admin_sts.get_access_key_info(AccessKeyId=admin_keys[0])["Account"] == ACCOUNT
    session = admin_sts.get_session_token()["Credentials"]
    assert session["AccessKeyId"].startswith("ASIA")
    assert admin_sts.get_access_key_info(AccessKeyId=session["AccessKeyId"])["Account"] == \
        ACCOUNT
    other = admin_iam.create_access_key()["AccessKey"]["AccessKeyId"]
    admin_iam.update_access_key(AccessKeyId=other, Status="Inactive")  # the state is not told
    assert admin_sts.get_access_key_info(AccessKeyId=other)["Account"] == ACCOUNT


@pytest.mark.parametrize("key_id", ["AKIAIOSFODNN7EXAMPLE", "XYZA0123456789ABCDEF",
                                    "akiaiosfodnn7example"])
def test_get_access_key_info_refuses_keys_it_did_not_issue(admin_sts, key_id):
    with pytest.raises(admin_sts.exceptions.ClientError) as bad:
        admin_sts.get_access_key_info(AccessKeyId=key_id)
    assert error(bad)[:2] == ("ValidationError", 400)


def test_get_access_key_info_needs_its_permission(aws_client, db):
    make_user("nobody", password=None)
    key_id, secret = create_keys("nobody")
    with pytest.raises(Exception) as denied:
        aws_client("sts", key_id, secret).get_access_key_info(AccessKeyId=key_id)
    assert error(denied)[:2] == ("AccessDenied", 403)


def _encoded_denial(live_server) -> tuple[str, dict]:
    """A denied REST API call of `limited` (explicitly denied iam:CreateUser) and its body."""
    make_user("limited", password=None,
              policy=policy_json(allow(["iam:List*"]), deny(["iam:CreateUser"])))
    key_id, secret = create_keys("limited")
    url = f"{live_server.url}/api/v1/users/"
    body = json.dumps({"user_name": "mallory"}).encode()
    request = AWSRequest(method="POST", url=url, data=body,
                         headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(key_id, secret), "iam", "us-east-1").add_auth(request)
    response = requests.post(url, data=body, headers=dict(request.headers.items()), timeout=10)
    assert response.status_code == 403
    return response.json()["encodedAuthorizationMessage"], response.json()


def test_decode_authorization_message_of_a_rest_denial(live_server, admin_sts):
    encoded, body = _encoded_denial(live_server)
    assert body["code"] == "AccessDenied" and "mallory" not in encoded
    answer = admin_sts.decode_authorization_message(EncodedMessage=encoded)
    assert answer["ResponseMetadata"]["HTTPHeaders"]["cache-control"] == "no-store"
    decoded = json.loads(answer["DecodedMessage"])
    assert decoded["allowed"] is False and decoded["explicitDeny"] is True
    context = decoded["context"]
    assert (context["action"], context["resource"]) == (
        "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/mallory")
    assert context["principal"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/limited"
    keys = {c["key"]: c["values"]["items"] for c in context["conditions"]["items"]}
    assert keys["aws:username"] == [{"value": "limited"}]
    assert [m["effect"] for m in decoded["matchedStatements"]["items"]] == ["DENY"]


def test_decode_authorization_message_needs_its_permission_and_our_message(
        live_server, aws_client, admin_sts):
    encoded, _ = _encoded_denial(live_server)
    limited_sts = aws_client("sts", *create_keys("limited"))
    with pytest.raises(limited_sts.exceptions.ClientError) as denied:
        limited_sts.decode_authorization_message(EncodedMessage=encoded)
    assert error(denied)[:2] == ("AccessDenied", 403)
    with pytest.raises(admin_sts.exceptions.ClientError) as forged:
        admin_sts.decode_authorization_message(EncodedMessage=encoded[:-4] + "AAAA")
    assert error(forged)[:2] == ("InvalidAuthorizationMessageException", 400)


def test_iam_query_api_access_denied_carries_no_encoded_message(aws_client, db):
    """AWS IAM does not encode its authorization failures (EC2 does): the message is plain."""
    make_user("nobody", password=None)
    client = aws_client("iam", *create_keys("nobody"))
    with pytest.raises(client.exceptions.ClientError) as denied:
        client.create_user(UserName="x")
    code, status, message = error(denied)
    assert (code, status) == ("AccessDenied", 403)
    assert "Encoded authorization failure message" not in message
    assert message.startswith(f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized")


def test_security_token_service_preferences_show_in_the_summary(admin_iam):
    assert admin_iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 1
    admin_iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert admin_iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
    admin_iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v1Token")
    assert admin_iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 1


def test_account_properties_are_empty_and_none_can_be_set(admin_iam):
    assert admin_iam.get_account_properties()["Properties"] == {}
    with pytest.raises(admin_iam.exceptions.InvalidInputException) as unsupported:
        admin_iam.put_account_properties(Properties={"RoleManager/Enabled": "true"})
    assert "not supported by iamconsole" in error(unsupported)[2]
    with pytest.raises(admin_iam.exceptions.InvalidInputException) as mixed:
        admin_iam.put_account_properties(Properties={"A/x": "1", "B/y": "2"})
    assert "same namespace" in error(mixed)[2]


def test_sts_preferences_are_audited_and_authorized(aws_client, db):
    make_user("reader", password=None, policy=policy_json(allow(["iam:Get*"])))
    client = aws_client("iam", *create_keys("reader"))
    with pytest.raises(client.exceptions.ClientError) as denied:
        client.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert error(denied)[:2] == ("AccessDenied", 403)
    iam.set_security_token_service_preferences(Caller.system("test"), "v2Token")
    assert client.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2

"""Bad input on the AWS Query API is a client error (400 with AWS's XML error envelope), never
a 500: malformed credentials, oversized or malformed forms, charsets other than UTF-8. Signed
requests are signed with botocore's own SigV4Auth and sent through the real handler."""

from __future__ import annotations

import json
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
from awsapi_helpers import create_keys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamconsole import sigv4
from iamconsole.policy import catalog

FORM = "application/x-www-form-urlencoded; charset=utf-8"
NS = {"aws": "https://iam.amazonaws.com/doc/2010-05-08/"}


def signed_post(client: Client, keys: tuple[str, str], body: bytes | str,
                content_type: str = FORM, path: str = "/aws/iam/", service: str = "iam"):
    body = body.encode() if isinstance(body, str) else body
    request = AWSRequest(method="POST", url=f"http://testserver{path}", data=body,
                         headers={"Content-Type": content_type})
    SigV4Auth(Credentials(*keys), service, "us-east-1").add_auth(request)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"}
    headers["Host"] = "testserver"  # signed by botocore from the URL
    return client.generic("POST", path, body, content_type=content_type, headers=headers)


def error_of(response) -> tuple[str, str]:
    root = ET.fromstring(response.content)
    return (root.findtext("aws:Error/aws:Code", namespaces=NS) or
            root.findtext("{*}Error/{*}Code"),
            root.findtext("{*}Error/{*}Message"))


@pytest.fixture
def keys(admin) -> tuple[str, str]:
    return create_keys("admin")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/aws/iam/", "/aws/sts/", "/api/v1/users/"])
def test_a_nul_in_a_presigned_credential_is_a_400(client, path):
    query = urllib.parse.urlencode({
        "Action": "GetCallerIdentity", "Version": "2011-06-15",
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": "AKIA\x00AAAAAAAAAAAA/20260101/us-east-1/iam/aws4_request",
        "X-Amz-Date": "20260101T000000Z", "X-Amz-SignedHeaders": "host",
        "X-Amz-Signature": "0" * 64,
    })
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_sigv4_refuses_a_credential_with_control_characters():
    request = sigv4.SignedRequest(
        method="GET", path="/aws/sts/", headers={"host": "testserver"}, body=b"",
        query_string=urllib.parse.urlencode({
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Credential": "AKIA\x00AAAAAAAAAAAA/20260101/us-east-1/sts/aws4_request",
            "X-Amz-Date": "20260101T000000Z", "X-Amz-SignedHeaders": "host",
            "X-Amz-Signature": "0" * 64,
        }),
    )
    with pytest.raises(sigv4.SigV4Error) as raised:
        sigv4.parse_credentials(request)
    assert (raised.value.code, raised.value.status) == ("IncompleteSignature", 400)
    assert "control characters" in raised.value.message


@pytest.mark.django_db
def test_more_fields_than_the_limit_is_a_400(client, keys):
    body = "Action=ListUsers&Version=2010-05-08&" + "&".join(f"F{i}=x" for i in range(10_001))
    response = signed_post(client, keys, body)
    assert response.status_code == 400
    assert error_of(response) == ("InvalidQueryParameter",
                                  "The request has more than 10000 parameters.")


@pytest.mark.django_db
def test_a_thousand_action_names_simulate_fine(client, keys):
    """Over Django's default of 1,000 form fields, a legitimate request still works."""
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]})
    known = catalog.actions_for_service("iam")
    actions = [known[i % len(known)] for i in range(1000)]
    body = urllib.parse.urlencode(
        [("Action", "SimulateCustomPolicy"), ("Version", "2010-05-08"),
         ("PolicyInputList.member.1", policy)]
        + [(f"ActionNames.member.{i}", name) for i, name in enumerate(actions, 1)]
        + [("MaxItems", "1000")]
    )
    response = signed_post(client, keys, body)
    assert response.status_code == 200, response.content[:500]
    assert response.content.count(b"<EvalActionName>") == 1000


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "x-no-such-charset"])
def test_a_charset_other_than_utf8_is_a_400(client, keys, charset):
    response = signed_post(client, keys, "Action=ListUsers&Version=2010-05-08",
                           content_type=f"application/x-www-form-urlencoded; charset={charset}")
    assert response.status_code == 400
    code, message = error_of(response)
    assert code == "InvalidQueryParameter"
    assert charset in message and "UTF-8" in message


@pytest.mark.django_db
def test_parameters_that_are_not_utf8_are_a_400(client, keys):
    response = signed_post(client, keys, b"Action=ListUsers&Version=2010-05-08&PathPrefix=%ff")
    assert response.status_code == 400
    assert error_of(response) == ("InvalidQueryParameter",
                                  "The request's parameters are not valid UTF-8.")


@pytest.mark.django_db
@pytest.mark.parametrize("content_type", ["multipart/form-data",
                                          "multipart/form-data; boundary=xyz"])
def test_a_multipart_body_is_a_400(client, keys, content_type):
    response = signed_post(client, keys, b"Action=ListUsers&Version=2010-05-08",
                           content_type=content_type)
    assert response.status_code == 400
    code, message = error_of(response)
    assert code == "InvalidQueryParameter"
    assert "multipart/form-data" in message


@pytest.mark.django_db
def test_an_index_written_twice_is_a_400(client, keys):
    body = ("Action=CreateUser&Version=2010-05-08&UserName=twice"
            "&Tags.member.1.Key=team&Tags.member.01.Value=blue")
    response = signed_post(client, keys, body)
    assert response.status_code == 400
    code, message = error_of(response)
    assert code == "InvalidQueryParameter"
    assert "Tags.member.01 and Tags.member.1 name the same list element" in message
    from iamconsole.iam.models import User

    assert not User.objects.filter(name="twice").exists()


@pytest.mark.django_db
def test_a_body_over_the_size_limit_stays_a_413(client, keys, settings):
    """Django's SuspiciousOperation family (here RequestDataTooBig from a smaller limit) keeps
    its 4xx: the broad handler of the Query view must not make it a ServiceFailure."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = signed_post(client, keys, "Action=ListUsers&Version=2010-05-08&P=" + "x" * 200)
    assert response.status_code == 413
    assert error_of(response)[0] == "RequestEntityTooLarge"


_keys = st.text(st.sampled_from("AaTgs.member01Key9_\x00%é"), min_size=1, max_size=24)
_values = st.text(max_size=16)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.lists(st.tuples(_keys, _values), max_size=8),
       content_type=st.sampled_from([FORM, "multipart/form-data", "text/plain",
                                     "application/x-www-form-urlencoded; charset=ascii",
                                     "application/x-www-form-urlencoded"]),
       raw_suffix=st.binary(max_size=8))
def test_fuzzed_query_requests_never_answer_5xx(client, keys, fields, content_type, raw_suffix):
    body = urllib.parse.urlencode([("Action", "CreateUser"), ("Version", "2010-05-08"),
                                   *fields]).encode() + raw_suffix
    response = signed_post(client, keys, body, content_type=content_type)
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"] == "text/xml"

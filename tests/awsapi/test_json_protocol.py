"""AWS JSON 1.1 protocol (Organizations): round trips through botocore's own serializer and
parser, and the model's constraints answered as Organizations answers them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from iamconsole.awsapi.json_protocol import (
    JsonError,
    parse_request,
    serialize_error,
    serialize_result,
    service_model,
)

TARGET = "AWSOrganizationsV20161128."


def botocore_request(operation: str, params: dict) -> tuple[str, bytes]:
    model = service_model("organizations").operation_model(operation)
    request = create_serializer("json").serialize_to_request(params, model)
    return request["headers"]["X-Amz-Target"], request["body"]


def botocore_parse(operation: str, body: bytes, status: int = 200) -> dict:
    model = service_model("organizations").operation_model(operation)
    return create_parser("json").parse(
        {"status_code": status, "headers": {}, "body": body}, model.output_shape)


def test_a_botocore_request_parses_back_to_its_params():
    params = {"ParentId": "r-ab12", "Name": "Prod", "Tags": [{"Key": "k", "Value": "v"}]}
    target, body = botocore_request("CreateOrganizationalUnit", params)
    assert parse_request("organizations", target, body) == ("CreateOrganizationalUnit",
                                                             params)


def test_an_operation_without_input_takes_an_empty_body():
    assert parse_request("organizations", TARGET + "DescribeOrganization", b"") == (
        "DescribeOrganization", {})


def test_timestamps_are_epoch_seconds_botocore_reads_back():
    joined = dt.datetime(2026, 12, 2, 6, 0, 0, tzinfo=dt.UTC)
    body = serialize_result("organizations", "DescribeAccount", {"Account": {
        "Id": "123456789012", "JoinedTimestamp": joined, "Email": None}})
    assert json.loads(body) == {"Account": {"Id": "123456789012",
                                            "JoinedTimestamp": joined.timestamp()}}
    parsed = botocore_parse("DescribeAccount", body)
    assert parsed["Account"]["JoinedTimestamp"] == joined


def test_unknown_result_members_are_a_programming_error():
    with pytest.raises(KeyError):
        serialize_result("organizations", "DescribeAccount", {"Nope": 1})


@pytest.mark.parametrize("operation, params, reason", [
    ("ListParents", {}, "INPUT_REQUIRED"),
    ("ListParents", {"ChildId": "bad"}, "INVALID_PATTERN_TARGET_ID"),
    ("DescribeAccount", {"AccountId": "12345"}, "INVALID_PATTERN"),
    ("ListPolicies", {"Filter": "NOPE"}, "INVALID_ENUM_POLICY_TYPE"),
    ("ListChildren", {"ParentId": "r-ab12", "ChildType": "NOPE"}, "INVALID_ENUM"),
    ("ListAccounts", {"MaxResults": 21}, "MAX_VALUE_EXCEEDED"),
    ("ListAccounts", {"MaxResults": 0}, "MIN_VALUE_EXCEEDED"),
    ("CreateOrganizationalUnit", {"ParentId": "r-ab12", "Name": ""}, "MIN_LENGTH_EXCEEDED"),
    ("CreateOrganizationalUnit", {"ParentId": "r-ab12", "Name": "x" * 129},
     "MAX_LENGTH_EXCEEDED"),
])
def test_model_constraints_are_invalid_input_with_the_reason(operation, params, reason):
    with pytest.raises(JsonError) as exc:
        parse_request("organizations", TARGET + operation, json.dumps(params).encode())
    assert (exc.value.code, exc.value.status, exc.value.reason) == (
        "InvalidInputException", 400, reason)
    assert exc.value.message == "You specified an invalid value."


@pytest.mark.parametrize("target", [None, "", "Other.ListAccounts", TARGET + "Nope",
                                    TARGET.rstrip(".")])
def test_an_unknown_target_is_an_unknown_operation(target):
    with pytest.raises(JsonError) as exc:
        parse_request("organizations", target, b"{}")
    assert exc.value.code == "UnknownOperationException"


@pytest.mark.parametrize("body", [b"{", b"[]", b"\xff", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_a_serialization_error(body):
    with pytest.raises(JsonError) as exc:
        parse_request("organizations", TARGET + "ListAccounts", body)
    assert exc.value.code == "SerializationException"


def test_a_member_of_the_wrong_type_is_a_serialization_error():
    with pytest.raises(JsonError) as exc:
        parse_request("organizations", TARGET + "ListAccounts", b'{"MaxResults": "3"}')
    assert exc.value.code == "SerializationException"


def test_an_error_is_read_by_botocore_with_its_code_and_reason():
    body = serialize_error("InvalidInputException", "You specified an invalid value.",
                           "INVALID_PATTERN")
    parsed = create_parser("json").parse(
        {"status_code": 400, "headers": {}, "body": body},
        service_model("organizations").operation_model("ListParents").output_shape)
    assert parsed["Error"] == {"Code": "InvalidInputException",
                               "Message": "You specified an invalid value."}

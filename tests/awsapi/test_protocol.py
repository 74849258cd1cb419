"""AWS Query protocol: round trips through botocore's own serializer and parser."""

from __future__ import annotations

import base64
import datetime as dt
import json
import urllib.parse
from typing import Any

import pytest
from botocore.awsrequest import AWSRequest
from botocore.handlers import json_decode_policies
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from iamconsole.awsapi.protocol import (
    QueryError,
    parse_request,
    serialize_error,
    serialize_result,
    service_model,
)

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Allow all S3 ~ reads",
            "Effect": "Allow",
            "Action": ["s3:Get*", "s3:List*"],
            "Resource": "arn:aws:s3:::bucket/a b+c?d=e&f",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        }
    ],
}
POLICY_JSON = json.dumps(POLICY, indent=2) + "\n  ünï \t"  # the model allows \u0009-\u00FF
T1 = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
T2 = dt.datetime(2025, 6, 7, 8, 9, 10, tzinfo=dt.UTC)


def wire_form(service: str, operation: str, params: dict[str, Any]) -> dict[str, list[str]]:
    """The form boto3 would POST, decoded as a server decodes it."""
    op = service_model(service).operation_model(operation)
    request = create_serializer("query").serialize_to_request(params, op)
    body = AWSRequest(method="POST", url="http://h/", data=request["body"]).prepare().body
    if isinstance(body, bytes):
        body = body.decode("ascii")
    assert body.startswith(f"Action={operation}&Version=")
    return urllib.parse.parse_qs(body, keep_blank_values=True)


def roundtrip_input(service: str, operation: str, params: dict[str, Any]) -> None:
    form = wire_form(service, operation, params)
    assert parse_request(service, form) == (operation, params)
    # A plain dict of str works too.
    assert parse_request(service, {k: v[0] for k, v in form.items()}) == (operation, params)


def parse_output(service: str, operation: str, xml: bytes) -> dict[str, Any]:
    op = service_model(service).operation_model(operation)
    parsed = create_parser("query").parse(
        {"body": xml, "headers": {}, "status_code": 200}, op.output_shape
    )
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-1"
    if service == "iam":
        json_decode_policies(parsed, op)
    return parsed


def roundtrip_output(service: str, operation: str, result: dict[str, Any]) -> dict[str, Any]:
    return parse_output(service, operation, serialize_result(service, operation, result, "req-1"))


def validation_message(service: str, form: dict[str, str]) -> str:
    with pytest.raises(QueryError) as info:
        parse_request(service, form)
    assert (info.value.code, info.value.status) == ("ValidationError", 400)
    assert info.value.sender_fault is True
    return info.value.message


# --------------------------------------------------------------------------- models


def test_service_models_are_cached():
    assert service_model("iam") is service_model("iam")
    assert service_model("iam").api_version == "2010-05-08"
    assert service_model("sts").api_version == "2011-06-15"
    with pytest.raises(ValueError):
        service_model("s3")


# --------------------------------------------------------------------------- inputs


def test_create_user_with_tags_and_boundary():
    roundtrip_input("iam", "CreateUser", {
        "Path": "/eng/",
        "UserName": "alice+dev@example.com",
        "PermissionsBoundary": "arn:aws:iam::123456789012:policy/boundary",
        "Tags": [{"Key": "team", "Value": "a b"}, {"Key": "cost:center", "Value": "Zoë 東京"},
                 {"Key": "empty", "Value": ""}],
    })


def test_simulate_principal_policy():
    roundtrip_input("iam", "SimulatePrincipalPolicy", {
        "PolicySourceArn": "arn:aws:iam::123456789012:user/alice",
        "PolicyInputList": [POLICY_JSON, json.dumps(POLICY)],
        "ActionNames": ["s3:GetObject", "s3:PutObject", "iam:CreateUser"],
        "ResourceArns": [],
        "ContextEntries": [
            {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.0.0.1", "10.0.0.2"],
             "ContextKeyType": "ipList"},
            {"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["true"],
             "ContextKeyType": "boolean"},
        ],
        "MaxItems": 50,
        "Marker": "abc",
    })


def test_put_user_policy_document_verbatim():
    roundtrip_input("iam", "PutUserPolicy", {
        "UserName": "alice", "PolicyName": "inline-1", "PolicyDocument": POLICY_JSON,
    })


def test_update_account_password_policy_ints_and_bools():
    params = {
        "MinimumPasswordLength": 14,
        "RequireSymbols": True,
        "RequireNumbers": False,
        "RequireUppercaseCharacters": True,
        "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": True,
        "MaxPasswordAge": 90,
        "PasswordReusePrevention": 24,
        "HardExpiry": False,
    }
    roundtrip_input("iam", "UpdateAccountPasswordPolicy", params)
    _, parsed = parse_request("iam", {k: v[0] for k, v in wire_form(
        "iam", "UpdateAccountPasswordPolicy", params).items()})
    assert type(parsed["MinimumPasswordLength"]) is int
    assert parsed["RequireSymbols"] is True and parsed["HardExpiry"] is False


def test_sts_assume_role_lowercase_members():
    params = {
        "RoleArn": "arn:aws:iam::123456789012:role/deploy",
        "RoleSessionName": "ci@build-42",
        "DurationSeconds": 900,
        "Policy": json.dumps(POLICY),
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                       {"arn": "arn:aws:iam::123456789012:policy/x"}],
        "Tags": [{"Key": "project", "Value": "x"}],
        "TransitiveTagKeys": ["project"],
        "ExternalId": "ext-id",
        "SourceIdentity": "alice",
    }
    form = wire_form("sts", "AssumeRole", params)
    assert "PolicyArns.member.1.arn" in form
    roundtrip_input("sts", "AssumeRole", params)


def test_get_account_authorization_details_filter():
    roundtrip_input("iam", "GetAccountAuthorizationDetails", {
        "Filter": ["User", "Role", "LocalManagedPolicy"], "MaxItems": 1000,
    })
    roundtrip_input("iam", "GetAccountAuthorizationDetails", {})


def test_no_input_operation():
    assert parse_request("sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15",
                                 "Extra": "ignored"}) == ("GetCallerIdentity", {})


def test_list_order_is_numeric_and_gaps_are_tolerated():
    form = {
        "Action": "TagUser", "Version": "2010-05-08", "UserName": "u",
        "Tags.member.10.Key": "ten", "Tags.member.10.Value": "10",
        "Tags.member.2.Key": "two", "Tags.member.2.Value": "2",
        "Tags.member.5.Key": "five", "Tags.member.5.Value": "5",
        "Tags.member.x.Key": "ignored",
    }
    _, params = parse_request("iam", form)
    assert [t["Key"] for t in params["Tags"]] == ["two", "five", "ten"]


def test_unknown_parameters_ignored_and_query_dict_like_lists():
    class QueryDictLike(dict):
        def lists(self):
            return list(self.items())

    form = QueryDictLike({"Action": ["GetUser"], "Version": ["2010-05-08"],
                          "UserName": ["first", "bob"], "Bogus.member.1": ["x"]})
    assert parse_request("iam", form) == ("GetUser", {"UserName": "bob"})


def test_missing_action():
    with pytest.raises(QueryError) as info:
        parse_request("iam", {"Version": "2010-05-08", "UserName": "a"})
    assert (info.value.code, info.value.status) == ("MissingAction", 400)


@pytest.mark.parametrize(
    ("service", "form", "message"),
    [
        ("iam", {"Action": "CreateBucket", "Version": "2010-05-08"},
         "Could not find operation CreateBucket for version 2010-05-08"),
        ("iam", {"Action": "createuser", "Version": "2010-05-08"},
         "Could not find operation createuser for version 2010-05-08"),
        ("iam", {"Action": "CreateUser", "Version": "2011-06-15"},
         "Could not find operation CreateUser for version 2011-06-15"),
        ("sts", {"Action": "GetCallerIdentity"},
         "Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED"),
        ("sts", {"Action": "CreateUser", "Version": "2011-06-15"},
         "Could not find operation CreateUser for version 2011-06-15"),
    ],
)
def test_invalid_action(service, form, message):
    with pytest.raises(QueryError) as info:
        parse_request(service, form)
    assert (info.value.code, info.value.status, info.value.message) == (
        "InvalidAction", 400, message)


IAM = {"Version": "2010-05-08"}


def test_validation_required_member():
    assert validation_message("iam", {**IAM, "Action": "CreateUser"}) == (
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_validation_pattern():
    assert validation_message("iam", {**IAM, "Action": "CreateUser", "UserName": "x y"}) == (
        "1 validation error detected: Value 'x y' at 'userName' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w+=,.@-]+"
    )


def test_validation_several_errors():
    message = validation_message("iam", {
        **IAM, "Action": "CreateUser", "UserName": "u" * 65, "Path": "eng",
        "Tags.member.1.Key": "k",
    })
    assert message == (
        "3 validation errors detected: "
        "Value 'eng' at 'path' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F); "
        f"Value '{'u' * 65}' at 'userName' failed to satisfy constraint: Member must have "
        "length less than or equal to 64; "
        "Value null at 'tags.1.member.value' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_validation_empty_string_length_and_pattern():
    assert validation_message("iam", {**IAM, "Action": "GetUser", "UserName": ""}) == (
        "2 validation errors detected: "
        "Value '' at 'userName' failed to satisfy constraint: Member must have length greater "
        "than or equal to 1; "
        "Value '' at 'userName' failed to satisfy constraint: Member must satisfy regular "
        r"expression pattern: [\w+=,.@-]+"
    )


def test_validation_tag_unicode_pattern():
    ok = {**IAM, "Action": "TagUser", "UserName": "u",
          "Tags.member.1.Key": "Zoë:東京_1", "Tags.member.1.Value": "a b+c=@ ٣"}
    assert parse_request("iam", ok)[1]["Tags"] == [{"Key": "Zoë:東京_1", "Value": "a b+c=@ ٣"}]
    bad = {**ok, "Tags.member.1.Key": "semi;colon"}
    assert validation_message("iam", bad) == (
        "1 validation error detected: Value 'semi;colon' at 'tags.1.member.key' failed to "
        r"satisfy constraint: Member must satisfy regular expression pattern: "
        r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"
    )


def test_validation_value_range_and_enum_list():
    assert validation_message("iam", {
        **IAM, "Action": "GetAccountAuthorizationDetails", "MaxItems": "0",
        "Filter.member.1": "User", "Filter.member.2": "Bucket",
    }) == (
        "2 validation errors detected: "
        "Value '[User, Bucket]' at 'filter' failed to satisfy constraint: Member must satisfy "
        "constraint: [Member must satisfy enum value set: "
        "[User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]]; "
        "Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater "
        "than or equal to 1"
    )
    assert validation_message("iam", {
        **IAM, "Action": "UpdateAccountPasswordPolicy", "MinimumPasswordLength": "129",
    }) == (
        "1 validation error detected: Value '129' at 'minimumPasswordLength' failed to "
        "satisfy constraint: Member must have value less than or equal to 128"
    )


def test_validation_bad_integer_and_boolean():
    assert validation_message("iam", {
        **IAM, "Action": "UpdateAccountPasswordPolicy", "MinimumPasswordLength": "ten",
        "RequireSymbols": "yes",
    }) == (
        "2 validation errors detected: "
        "Value 'ten' at 'minimumPasswordLength' failed to satisfy constraint: Member must be "
        "a valid integer; "
        "Value 'yes' at 'requireSymbols' failed to satisfy constraint: Member must be a valid "
        "boolean (true or false)"
    )


def test_validation_sts_nested_and_list_length():
    form = {"Action": "AssumeRole", "Version": "2011-06-15",
            "RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "x",
            "PolicyArns.member.1.arn": "short"}
    assert validation_message("sts", form) == (
        "2 validation errors detected: "
        "Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length "
        "greater than or equal to 2; "
        "Value 'short' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must "
        "have length greater than or equal to 20"
    )


def test_validation_policy_document_charset():
    message = validation_message("iam", {**IAM, "Action": "PutUserPolicy", "UserName": "u",
                                         "PolicyName": "p", "PolicyDocument": "{} 東京"})
    assert message == (
        "1 validation error detected: Value '{} 東京' at 'policyDocument' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: "
        r"[\u0009\u000A\u000D\u0020-\u00FF]+"
    )


def test_validation_does_not_echo_sensitive_values():
    message = validation_message("iam", {**IAM, "Action": "ChangePassword",
                                         "OldPassword": "old\x01secret", "NewPassword": "n"})
    assert "secret" not in message
    assert message == (
        "1 validation error detected: Value at 'oldPassword' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+"
    )


# --------------------------------------------------------------------------- outputs


USER = {
    "Path": "/eng/",
    "UserName": "alice",
    "UserId": "AIDAEXAMPLEEXAMPLE123",
    "Arn": "arn:aws:iam::123456789012:user/eng/alice",
    "CreateDate": T1,
    "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                            "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/b"},
    "Tags": [{"Key": "team", "Value": "<R&D> \"quoted\" 'x' \r\n ünï"}],
}


def test_list_users_roundtrip():
    other = {"Path": "/", "UserName": "bob", "UserId": "AIDAEXAMPLEEXAMPLE456",
             "Arn": "arn:aws:iam::123456789012:user/bob", "CreateDate": T2,
             "PasswordLastUsed": T2, "Tags": []}
    result = {"Users": [USER, other], "IsTruncated": True, "Marker": "m2"}
    parsed = roundtrip_output("iam", "ListUsers", result)
    assert parsed["Users"][0] == USER
    assert parsed["Users"][1]["Tags"] == []
    assert parsed == {"Users": [USER, other], "IsTruncated": True, "Marker": "m2"}


def test_empty_and_required_lists():
    xml = serialize_result("iam", "ListUsers", None, "req-1")
    assert b"<Users/>" in xml
    assert parse_output("iam", "ListUsers", xml) == {"Users": []}
    assert roundtrip_output("iam", "ListUsers", {"Users": [], "IsTruncated": False}) == {
        "Users": [], "IsTruncated": False}


def test_xml_shape_and_namespaces():
    xml = serialize_result("iam", "GetUser", {"User": USER}, "req-1").decode()
    assert xml.startswith(
        '<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult>'
        "<User><Path>/eng/</Path><UserName>alice</UserName>"
    )
    assert "<CreateDate>2024-01-02T03:04:05Z</CreateDate>" in xml
    assert "&lt;R&amp;D&gt;" in xml
    assert xml.endswith(
        "</GetUserResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
        "</GetUserResponse>"
    )
    sts = serialize_result("sts", "GetCallerIdentity", {
        "UserId": "AIDAEXAMPLE", "Account": "123456789012",
        "Arn": "arn:aws:iam::123456789012:user/alice"}, "req-1").decode()
    assert sts.startswith('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/'
                          '2011-06-15/"><GetCallerIdentityResult><UserId>')


def test_no_output_operation():
    xml = serialize_result("iam", "DeleteUser", None, "req-1")
    assert xml == (
        b'<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        b"<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DeleteUserResponse>"
    )
    assert parse_output("iam", "DeleteUser", xml) == {}
    with pytest.raises(KeyError):
        serialize_result("iam", "DeleteUser", {"User": USER}, "req-1")


def test_timestamps_naive_aware_and_microseconds():
    naive = dt.datetime(2024, 1, 2, 3, 4, 5, 678901)
    paris = dt.datetime(2024, 1, 2, 4, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    for value in (naive, paris):
        xml = serialize_result("iam", "GetUser", {"User": {**USER, "CreateDate": value}}, "r")
        assert b"<CreateDate>2024-01-02T03:04:05Z</CreateDate>" in xml


def test_password_policy_ints_and_bools():
    policy = {
        "MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": False,
        "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": True, "ExpirePasswords": True, "MaxPasswordAge": 90,
        "PasswordReusePrevention": 5, "HardExpiry": False,
    }
    parsed = roundtrip_output("iam", "GetAccountPasswordPolicy", {"PasswordPolicy": policy})
    assert parsed == {"PasswordPolicy": policy}
    assert parsed["PasswordPolicy"]["RequireNumbers"] is False


def test_virtual_mfa_blobs():
    seed = b"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\x00"
    device = {"SerialNumber": "arn:aws:iam::123456789012:mfa/alice", "Base32StringSeed": seed,
              "QRCodePNG": png, "EnableDate": T1, "User": USER}
    xml = serialize_result("iam", "CreateVirtualMFADevice", {"VirtualMFADevice": device}, "req-1")
    assert base64.b64encode(png) in xml
    assert roundtrip_output("iam", "CreateVirtualMFADevice", {"VirtualMFADevice": device}) == {
        "VirtualMFADevice": device}


def test_simulation_results_with_map_and_empty_lists():
    result = {
        "EvaluationResults": [
            {
                "EvalActionName": "s3:GetObject",
                "EvalResourceName": "*",
                "EvalDecision": "allowed",
                "MatchedStatements": [{
                    "SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "none",
                    "StartPosition": {"Line": 3, "Column": 19},
                    "EndPosition": {"Line": 11, "Column": 6},
                }],
                "MissingContextValues": [],
                "EvalDecisionDetails": {"PolicyInputList.1": "allowed", "boundary": "implicitDeny"},
                "PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": True},
                "ResourceSpecificResults": [{
                    "EvalResourceName": "arn:aws:s3:::b/k",
                    "EvalResourceDecision": "explicitDeny",
                    "MatchedStatements": [],
                    "MissingContextValues": ["aws:SourceIp"],
                    "EvalDecisionDetails": {},
                }],
            },
            {"EvalActionName": "iam:CreateUser", "EvalResourceName": "*",
             "EvalDecision": "implicitDeny", "MatchedStatements": [],
             "MissingContextValues": []},
        ],
        "IsTruncated": False,
    }
    parsed = roundtrip_output("iam", "SimulatePrincipalPolicy", result)
    # botocore turns an empty map element into {} only when it has children; compare the rest.
    assert parsed["EvaluationResults"][0]["ResourceSpecificResults"][0].pop(
        "EvalDecisionDetails", {}) == {}
    del result["EvaluationResults"][0]["ResourceSpecificResults"][0]["EvalDecisionDetails"]
    assert parsed == result
    xml = serialize_result("iam", "SimulatePrincipalPolicy", result, "r").decode()
    assert ("<EvalDecisionDetails><entry><key>PolicyInputList.1</key><value>allowed</value>"
            "</entry>") in xml


def test_policy_documents_are_url_encoded_and_decoded_by_boto():
    xml = serialize_result("iam", "GetUserPolicy", {
        "UserName": "alice", "PolicyName": "p", "PolicyDocument": json.dumps(POLICY)}, "req-1")
    encoded = urllib.parse.quote(json.dumps(POLICY), safe="")
    assert f"<PolicyDocument>{encoded}</PolicyDocument>".encode() in xml
    assert b"%7B%22Version%22%3A%20%222012-10-17%22" in xml
    assert b"Allow%20all%20S3%20~%20reads" in xml  # RFC 3986: '~' stays
    parsed = parse_output("iam", "GetUserPolicy", xml)
    assert parsed == {"UserName": "alice", "PolicyName": "p", "PolicyDocument": POLICY}


def test_policy_documents_nested_in_authorization_details():
    role = {
        "Path": "/", "RoleName": "deploy", "RoleId": "AROAEXAMPLEEXAMPLE123",
        "Arn": "arn:aws:iam::123456789012:role/deploy", "CreateDate": T1,
        "AssumeRolePolicyDocument": json.dumps(POLICY),
        "InstanceProfileList": [], "RolePolicyList": [
            {"PolicyName": "inline", "PolicyDocument": json.dumps(POLICY)}],
        "AttachedManagedPolicies": [], "Tags": [],
    }
    policy = {
        "PolicyName": "managed", "PolicyId": "ANPAEXAMPLEEXAMPLE123",
        "Arn": "arn:aws:iam::123456789012:policy/managed", "Path": "/",
        "DefaultVersionId": "v2", "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True, "CreateDate": T1, "UpdateDate": T2,
        "PolicyVersionList": [
            {"Document": json.dumps(POLICY), "VersionId": "v2", "IsDefaultVersion": True,
             "CreateDate": T2},
            {"Document": json.dumps({"Version": "2012-10-17", "Statement": []}),
             "VersionId": "v1", "IsDefaultVersion": False, "CreateDate": T1},
        ],
    }
    parsed = roundtrip_output("iam", "GetAccountAuthorizationDetails", {
        "UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [role],
        "Policies": [policy], "IsTruncated": False})
    got_role = parsed["RoleDetailList"][0]
    assert got_role["AssumeRolePolicyDocument"] == POLICY
    assert got_role["RolePolicyList"][0]["PolicyDocument"] == POLICY
    versions = parsed["Policies"][0]["PolicyVersionList"]
    assert versions[0]["Document"] == POLICY
    assert versions[1]["Document"] == {"Version": "2012-10-17", "Statement": []}
    assert parsed["UserDetailList"] == [] and parsed["IsTruncated"] is False


def test_sts_assume_role_output():
    result = {
        "Credentials": {"AccessKeyId": "ASIAEXAMPLEEXAMPLE12", "SecretAccessKey": "s" * 40,
                        "SessionToken": "tok/+=", "Expiration": T2},
        "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:ci",
                            "Arn": "arn:aws:sts::123456789012:assumed-role/deploy/ci"},
        "PackedPolicySize": 6,
    }
    assert roundtrip_output("sts", "AssumeRole", result) == result


@pytest.mark.parametrize(
    ("result", "exc"),
    [
        ({"User": {**USER, "Bogus": 1}}, KeyError),
        ({"User": USER, "Extra": 1}, KeyError),
        ({"User": {**USER, "CreateDate": "2024-01-02"}}, TypeError),
        ({"User": {**USER, "UserName": 5}}, TypeError),
        ({"User": {k: v for k, v in USER.items() if k != "Arn"}}, ValueError),
    ],
)
def test_programming_errors_raise(result, exc):
    with pytest.raises(exc):
        serialize_result("iam", "GetUser", result, "r")


def test_wrong_scalar_types_raise():
    with pytest.raises(TypeError):
        serialize_result("iam", "ListUsers", {"Users": [], "IsTruncated": "false"}, "r")
    with pytest.raises(TypeError):
        serialize_result("iam", "GetAccountPasswordPolicy", {
            "PasswordPolicy": {"MinimumPasswordLength": True}}, "r")


# --------------------------------------------------------------------------- errors


def parse_error(xml: bytes, status: int) -> dict[str, Any]:
    return create_parser("query").parse(
        {"body": xml, "headers": {}, "status_code": status}, None)


def test_error_document_parsed_by_botocore():
    xml = serialize_error("iam", "NoSuchEntity", "The user with name <bob> cannot be found.",
                          "req-9")
    assert xml == (
        b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>'
        b"<Type>Sender</Type><Code>NoSuchEntity</Code>"
        b"<Message>The user with name &lt;bob&gt; cannot be found.</Message></Error>"
        b"<RequestId>req-9</RequestId></ErrorResponse>"
    )
    parsed = parse_error(xml, 404)
    assert parsed["Error"]["Code"] == "NoSuchEntity"
    assert parsed["Error"]["Message"] == "The user with name <bob> cannot be found."
    assert parsed["Error"]["Type"] == "Sender"
    assert parsed["ResponseMetadata"]["RequestId"] == "req-9"


def test_error_message_with_control_characters_stays_parseable():
    parsed = parse_error(serialize_error("iam", "ValidationError", "bad \x01 value", "r"), 400)
    assert parsed["Error"]["Message"] == "bad \ufffd value"


def test_receiver_error_and_sts_namespace():
    xml = serialize_error("sts", "InternalFailure", "boom", "r", sender_fault=False)
    assert xml.startswith(b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">')
    assert parse_error(xml, 500)["Error"] == {
        "Type": "Receiver", "Code": "InternalFailure", "Message": "boom"}


def _modeled_errors() -> dict[str, tuple[int, bool]]:
    """botocore's modeled IAM and STS errors: {code: (httpStatusCode, senderFault)}."""
    table: dict[str, tuple[int, bool]] = {}
    for service in ("iam", "sts"):
        for shape in service_model(service).error_shapes:
            meta = shape.metadata.get("error") or {}
            status = int(meta.get("httpStatusCode", 400))
            table[meta.get("code", shape.name)] = (status, bool(meta.get("senderFault",
                                                                        status < 500)))
    return table


def _domain_errors() -> list[type]:
    """The concrete domain errors (each declares its own AWS code)."""
    from iamconsole.iam import errors

    return [cls for cls in vars(errors).values()
            if isinstance(cls, type) and issubclass(cls, errors.IAMError) and "code" in vars(cls)]


@pytest.mark.parametrize("error_class", _domain_errors(), ids=lambda cls: cls.__name__)
def test_domain_errors_carry_the_models_status_and_fault(error_class):
    """The one error table is the errors themselves (iam.errors: code, status, sender_fault),
    which the Query API answers with: a modeled code has AWS's status and fault side."""
    modeled = _modeled_errors().get(error_class.code)
    if modeled is None:  # AWS's common errors (AccessDenied, ValidationError): 4xx, Sender
        assert 400 <= error_class.status < 500 and error_class.sender_fault
    else:
        assert (error_class.status, error_class.sender_fault) == modeled

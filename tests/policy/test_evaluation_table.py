"""Table-driven evaluation tests. Each case id names the AWS rule it checks
("<doc page>: <rule>"), from the IAM User Guide pages on policy evaluation logic,
condition operators, policy variables, multivalued keys, permissions boundaries, session
policies and resource-based policies."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import ACCT, OTHER_ACCT, ROLE, SESSION, USER, allow, deny, doc, pol

from iamconsole.policy import Context, Request, evaluate

S3OBJ = "arn:aws:s3:::bucket/key"
A, D, I = "allowed", "explicitDeny", "implicitDeny"  # noqa: E741


def case(cid: str, expected: str, identity: list[Any] | None = None, *,
         action: str = "s3:GetObject", resource: str = S3OBJ, ctx: dict[str, Any] | None = None,
         boundary: list[Any] | None = None, session: list[Any] | None = None,
         resource_policy: list[Any] | None = None, rp_kind: str = "resource",
         principal: str | None = USER, account: str | None = None,
         version: str | None = "2012-10-17") -> Any:
    return pytest.param(identity, action, resource, ctx or {}, expected, boundary, session,
                        resource_policy, rp_kind, principal, account, version, id=cid)


def cond(cid: str, expected: str, condition: dict[str, Any], ctx: dict[str, Any],
         effect: str = "Allow", **kw: Any) -> Any:
    st = {"Effect": effect, "Action": "s3:GetObject", "Resource": "*", "Condition": condition}
    stmts = [st] if effect == "Allow" else [allow(), st]
    return case(cid, expected, stmts, ctx=ctx, **kw)


def _docs(items: list[Any] | None, version: str | None) -> list[str]:
    if items is None:
        return []
    return [x if isinstance(x, str) else doc(x, version=version) for x in items]


CASES = [
    # --- evaluation logic ------------------------------------------------------------
    case("evaluation-logic: no policies means implicit deny", I, []),
    case("evaluation-logic: matching allow grants", A, [allow()]),
    case("evaluation-logic: explicit deny overrides allow", D, [allow(), deny()]),
    case("evaluation-logic: deny in another policy overrides allow", D,
         [allow(), doc(deny("s3:*"))]),
    case("evaluation-logic: allow for another action is an implicit deny", I,
         [allow("s3:PutObject")]),
    case("evaluation-logic: deny of another action does not affect", A,
         [allow(), deny("s3:PutObject")]),
    case("evaluation-logic: statement with non-matching resource is ignored", I,
         [allow(resource="arn:aws:s3:::other/*")]),
    case("evaluation-logic: deny without allow is still explicit deny", D, [deny()]),
    case("evaluation-logic: any one of several allows suffices", A,
         [allow("s3:PutObject"), allow("s3:GetObject")]),
    # --- Action -----------------------------------------------------------------------
    case("elements-action: action names are case-insensitive", A, [allow("S3:getobject")]),
    case("elements-action: request action case-insensitive", A, [allow()],
         action="S3:GETOBJECT"),
    case("elements-action: * wildcard in action name", A, [allow("s3:Get*")]),
    case("elements-action: ? wildcard matches one character", A, [allow("s3:GetObjec?")]),
    case("elements-action: ? does not match two characters", I, [allow("s3:GetObje?")]),
    case("elements-action: service:* matches all actions of the service", A, [allow("s3:*")]),
    case("elements-action: * matches every action", A, [allow("*")]),
    case("elements-action: list of actions is OR", A, [allow(["ec2:Run*", "s3:GetObject"])]),
    case("elements-action: service prefix must match", I, [allow("s3x:GetObject")]),
    case("elements-action: wildcard is anchored at both ends", I, [allow("s3:Object*")]),
    case("elements-action: *Object* matches inside the name", A, [allow("s3:*Object*")]),
    # --- NotAction --------------------------------------------------------------------
    case("elements-notaction: allow with NotAction grants other actions", A,
         [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]),
    case("elements-notaction: allow with NotAction excludes listed action", I,
         [{"Effect": "Allow", "NotAction": "s3:Get*", "Resource": "*"}]),
    case("elements-notaction: deny with NotAction denies everything else", D,
         [allow(), {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}]),
    case("elements-notaction: deny with NotAction spares listed actions", A,
         [allow(), {"Effect": "Deny", "NotAction": ["s3:GetObject"], "Resource": "*"}]),
    # --- Resource / NotResource -------------------------------------------------------
    case("elements-resource: exact ARN", A, [allow(resource=S3OBJ)]),
    case("elements-resource: ARNs are case-sensitive", I,
         [allow(resource="arn:aws:s3:::Bucket/key")]),
    case("elements-resource: trailing * in resource path", A,
         [allow(resource="arn:aws:s3:::bucket/*")]),
    case("elements-resource: bucket ARN does not cover objects", I,
         [allow(resource="arn:aws:s3:::bucket")]),
    case("elements-resource: ? in resource", A, [allow(resource="arn:aws:s3:::bucke?/key")]),
    case("elements-resource: * within a segment (region)", A,
         [allow("ec2:StartInstances", "arn:aws:ec2:*:111122223333:instance/*")],
         action="ec2:StartInstances",
         resource="arn:aws:ec2:us-east-1:111122223333:instance/i-1"),
    case("elements-resource: * matches an empty region/account segment", A,
         [allow(resource="arn:aws:s3:*:*:bucket/*")]),
    case("elements-resource: * in resource part spans colons", A,
         [allow("logs:PutLogEvents", "arn:aws:logs:us-east-1:111122223333:log-group:*")],
         action="logs:PutLogEvents",
         resource="arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s"),
    case("elements-resource: list of resources is OR", A,
         [allow(resource=["arn:aws:s3:::x/*", "arn:aws:s3:::bucket/*"])]),
    case("elements-resource: middle wildcard", A,
         [allow(resource="arn:aws:s3:::b*t/k*")]),
    case("elements-notresource: allow on everything but listed", A,
         [{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}]),
    case("elements-notresource: listed resource is excluded", I,
         [{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::bucket/*"}]),
    case("elements-notresource: deny everything except listed", D,
         [allow(), {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::x/*"}]),
    case("elements-notresource: deny spares listed resource", A,
         [allow(), {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::bucket/*"}]),
    # --- String operators -------------------------------------------------------------
    cond("condition-operators: StringEquals exact match", A,
         {"StringEquals": {"aws:username": "alice"}}, {"aws:username": "alice"}),
    cond("condition-operators: StringEquals is case-sensitive", I,
         {"StringEquals": {"aws:username": "Alice"}}, {"aws:username": "alice"}),
    cond("condition-operators: multiple values are OR", A,
         {"StringEquals": {"aws:username": ["bob", "alice"]}}, {"aws:username": "alice"}),
    cond("condition-operators: StringEquals missing key is false", I,
         {"StringEquals": {"aws:username": "alice"}}, {}),
    cond("condition-operators: StringNotEquals different value", A,
         {"StringNotEquals": {"aws:username": "bob"}}, {"aws:username": "alice"}),
    cond("condition-operators: StringNotEquals same value", I,
         {"StringNotEquals": {"aws:username": "alice"}}, {"aws:username": "alice"}),
    cond("condition-operators: negated operator with missing key is true", A,
         {"StringNotEquals": {"aws:username": "alice"}}, {}),
    cond("condition-operators: StringEqualsIgnoreCase", A,
         {"StringEqualsIgnoreCase": {"aws:username": "ALICE"}}, {"aws:username": "alice"}),
    cond("condition-operators: StringNotEqualsIgnoreCase equal ignoring case", I,
         {"StringNotEqualsIgnoreCase": {"aws:username": "ALICE"}}, {"aws:username": "Alice"}),
    cond("condition-operators: StringNotEqualsIgnoreCase different", A,
         {"StringNotEqualsIgnoreCase": {"aws:username": "bob"}}, {"aws:username": "Alice"}),
    cond("condition-operators: StringLike supports *", A,
         {"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/alice/x"}),
    cond("condition-operators: StringLike supports ?", A,
         {"StringLike": {"s3:prefix": "a?c"}}, {"s3:prefix": "abc"}),
    cond("condition-operators: StringLike is anchored", I,
         {"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "x/home/a"}),
    cond("condition-operators: StringLike is case-sensitive", I,
         {"StringLike": {"s3:prefix": "Home/*"}}, {"s3:prefix": "home/a"}),
    cond("condition-operators: StringNotLike no match", A,
         {"StringNotLike": {"s3:prefix": "private/*"}}, {"s3:prefix": "public/a"}),
    cond("condition-operators: StringNotLike match", I,
         {"StringNotLike": {"s3:prefix": "private/*"}}, {"s3:prefix": "private/a"}),
    cond("condition-operators: StringNotLike missing key is true", A,
         {"StringNotLike": {"s3:prefix": "private/*"}}, {}),
    cond("condition-operators: condition keys are case-insensitive", A,
         {"StringEquals": {"AWS:UserName": "alice"}}, {"aws:username": "alice"}),
    cond("condition-operators: tag key in key name is case-insensitive", A,
         {"StringEquals": {"aws:PrincipalTag/Team": "red"}}, {"aws:principaltag/team": "red"}),
    cond("condition-operators: number value compared as string", A,
         {"StringEquals": {"s3:max-keys": 10}}, {"s3:max-keys": "10"}),
    # --- Numeric ----------------------------------------------------------------------
    cond("condition-operators: NumericEquals", A,
         {"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": 10}),
    cond("condition-operators: NumericEquals compares numerically", A,
         {"NumericEquals": {"s3:max-keys": "10.0"}}, {"s3:max-keys": "10"}),
    cond("condition-operators: NumericNotEquals", A,
         {"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": 11}),
    cond("condition-operators: NumericNotEquals equal", I,
         {"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": 10}),
    cond("condition-operators: NumericLessThan true", A,
         {"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": 9}),
    cond("condition-operators: NumericLessThan equal is false", I,
         {"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": 10}),
    cond("condition-operators: NumericLessThanEquals equal", A,
         {"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": 10}),
    cond("condition-operators: NumericGreaterThan", A,
         {"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": 10.5}),
    cond("condition-operators: NumericGreaterThan false", I,
         {"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": 3}),
    cond("condition-operators: NumericGreaterThanEquals", A,
         {"NumericGreaterThanEquals": {"s3:max-keys": 10}}, {"s3:max-keys": 10}),
    cond("condition-operators: numeric on non-numeric context value is false", I,
         {"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "abc"}),
    cond("condition-operators: Numeric missing key is false", I,
         {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {}),
    # --- Date -------------------------------------------------------------------------
    cond("condition-operators: DateLessThan ISO 8601", A,
         {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
         {"aws:CurrentTime": "2024-05-01T12:00:00Z"}),
    cond("condition-operators: DateLessThan false after", I,
         {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
         {"aws:CurrentTime": "2024-05-01T12:00:00Z"}),
    cond("condition-operators: DateGreaterThan epoch seconds in policy", A,
         {"DateGreaterThan": {"aws:CurrentTime": "1577836800"}},
         {"aws:CurrentTime": "2024-05-01T12:00:00Z"}),
    cond("condition-operators: Date epoch in context", A,
         {"DateGreaterThanEquals": {"aws:EpochTime": "2020-01-01T00:00:00Z"}},
         {"aws:EpochTime": "1714564800"}),
    cond("condition-operators: DateEquals same instant, different zone", A,
         {"DateEquals": {"aws:CurrentTime": "2024-05-01T14:00:00+02:00"}},
         {"aws:CurrentTime": "2024-05-01T12:00:00Z"}),
    cond("condition-operators: DateNotEquals", A,
         {"DateNotEquals": {"aws:CurrentTime": "2024-05-01"}},
         {"aws:CurrentTime": "2024-05-02T00:00:00Z"}),
    cond("condition-operators: DateLessThanEquals equal", A,
         {"DateLessThanEquals": {"aws:CurrentTime": "2024-05-01T12:00:00Z"}},
         {"aws:CurrentTime": "2024-05-01T12:00:00Z"}),
    cond("condition-operators: DateGreaterThan false when equal", I,
         {"DateGreaterThan": {"aws:CurrentTime": "2024-05-01T12:00:00Z"}},
         {"aws:CurrentTime": "2024-05-01T12:00:00Z"}),
    # --- Bool / Binary ----------------------------------------------------------------
    cond("condition-operators: Bool true", A,
         {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {"aws:MultiFactorAuthPresent": True}),
    cond("condition-operators: Bool false does not match true", I,
         {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
         {"aws:MultiFactorAuthPresent": False}),
    cond("condition-operators: Bool with JSON boolean value", A,
         {"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": "true"}),
    cond("condition-operators: Bool missing key is false", I,
         {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {}),
    cond("condition-operators: deny if Bool false", D,
         {"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": False},
         effect="Deny"),
    cond("condition-operators: BinaryEquals base64", A,
         {"BinaryEquals": {"s3:x-amz-meta-blob": "QmluYXJ5VmFsdWU="}},
         {"s3:x-amz-meta-blob": b"BinaryValue"}),
    cond("condition-operators: BinaryEquals mismatch", I,
         {"BinaryEquals": {"s3:x-amz-meta-blob": "QmluYXJ5VmFsdWU="}},
         {"s3:x-amz-meta-blob": b"Other"}),
    # --- IP -------------------------------------------------------------------------
    cond("condition-operators: IpAddress IPv4 CIDR", A,
         {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.7"}),
    cond("condition-operators: IpAddress outside CIDR", I,
         {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.114.7"}),
    cond("condition-operators: IpAddress single address", A,
         {"IpAddress": {"aws:SourceIp": "203.0.113.7"}}, {"aws:SourceIp": "203.0.113.7"}),
    cond("condition-operators: IpAddress IPv6 CIDR", A,
         {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8::1"}),
    cond("condition-operators: IPv4 address never in IPv6 range", I,
         {"IpAddress": {"aws:SourceIp": "::/0"}}, {"aws:SourceIp": "10.0.0.1"}),
    cond("condition-operators: NotIpAddress outside", A,
         {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "192.0.2.1"}),
    cond("condition-operators: NotIpAddress inside", I,
         {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.2.3.4"}),
    cond("condition-operators: deny outside corporate range", D,
         {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}},
         {"aws:SourceIp": "8.8.8.8"}, effect="Deny"),
    # --- ARN ------------------------------------------------------------------------
    cond("condition-operators: ArnEquals", A,
         {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic"}},
         {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic"}),
    cond("condition-operators: ArnLike with wildcard", A,
         {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}},
         {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic"}),
    cond("condition-operators: ArnLike wildcard stays within a segment", I,
         {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:topic"}},
         {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic"}),
    cond("condition-operators: ArnNotEquals", A,
         {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/X"}},
         {"aws:PrincipalArn": USER}),
    cond("condition-operators: ArnNotLike matching is false", I,
         {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}},
         {"aws:PrincipalArn": USER}),
    cond("condition-operators: ArnLike is case-sensitive", I,
         {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/ALICE"}},
         {"aws:PrincipalArn": USER}),
    # --- Null / IfExists ----------------------------------------------------------------
    cond("condition-operators: Null true when key absent", A,
         {"Null": {"aws:TokenIssueTime": "true"}}, {}),
    cond("condition-operators: Null true when key present is false", I,
         {"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}),
    cond("condition-operators: Null false requires key", A,
         {"Null": {"aws:TokenIssueTime": "false"}}, {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}),
    cond("condition-operators: Null false with key absent", I,
         {"Null": {"aws:TokenIssueTime": "false"}}, {}),
    cond("condition-operators: IfExists with missing key is true", A,
         {"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}, {}),
    cond("condition-operators: IfExists with present key evaluates", I,
         {"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}},
         {"ec2:InstanceType": "m5.large"}),
    cond("condition-operators: IfExists present and matching", A,
         {"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}},
         {"ec2:InstanceType": "t3.micro"}),
    cond("condition-operators: NumericLessThanIfExists missing", A,
         {"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "60"}}, {}),
    cond("condition-operators: BoolIfExists deny also applies when key is missing", D,
         {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, {}, effect="Deny"),
    cond("condition-operators: BoolIfExists deny when false", D,
         {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
         {"aws:MultiFactorAuthPresent": False}, effect="Deny"),
    cond("condition-operators: IpAddressIfExists missing", A,
         {"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}, {}),
    cond("condition-operators: negated deny with missing key denies", D,
         {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}, {}, effect="Deny"),
    # --- multiple keys / operators ----------------------------------------------------
    cond("condition: multiple keys are AND (both true)", A,
         {"StringEquals": {"aws:username": "alice", "aws:PrincipalTag/team": "red"}},
         {"aws:username": "alice", "aws:PrincipalTag/team": "red"}),
    cond("condition: multiple keys are AND (one false)", I,
         {"StringEquals": {"aws:username": "alice", "aws:PrincipalTag/team": "red"}},
         {"aws:username": "alice", "aws:PrincipalTag/team": "blue"}),
    cond("condition: multiple operators are AND", I,
         {"StringEquals": {"aws:username": "alice"}, "Bool": {"aws:SecureTransport": "true"}},
         {"aws:username": "alice", "aws:SecureTransport": False}),
    cond("condition: multiple operators all true", A,
         {"StringEquals": {"aws:username": "alice"}, "Bool": {"aws:SecureTransport": "true"}},
         {"aws:username": "alice", "aws:SecureTransport": True}),
    # --- multivalued keys -------------------------------------------------------------
    cond("multivalued: ForAnyValue one value matches", A,
         {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}},
         {"aws:TagKeys": ["owner", "team"]}),
    cond("multivalued: ForAnyValue none matches", I,
         {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, {"aws:TagKeys": ["owner"]}),
    cond("multivalued: ForAnyValue missing key is false", I,
         {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, {}),
    cond("multivalued: ForAnyValue empty set is false", I,
         {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, {"aws:TagKeys": []}),
    cond("multivalued: ForAllValues all values in set", A,
         {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
         {"aws:TagKeys": ["env", "team"]}),
    cond("multivalued: ForAllValues one value outside set", I,
         {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
         {"aws:TagKeys": ["env", "owner"]}),
    cond("multivalued: ForAllValues missing key is true", A,
         {"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, {}),
    cond("multivalued: ForAllValues empty set is true", A,
         {"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, {"aws:TagKeys": []}),
    cond("multivalued: ForAllValues StringLike", A,
         {"ForAllValues:StringLike": {"aws:TagKeys": ["cost-*", "env"]}},
         {"aws:TagKeys": ["cost-center", "env"]}),
    cond("multivalued: ForAnyValue:StringNotEquals true when one value differs", A,
         {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}},
         {"aws:TagKeys": ["env", "team"]}),
    cond("multivalued: ForAllValues:StringNotEquals false when one value is listed", I,
         {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["env"]}},
         {"aws:TagKeys": ["env", "team"]}),
    cond("multivalued: ForAnyValue IfExists missing is true", A,
         {"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["env"]}}, {}),
    cond("multivalued: single-valued operator on multivalued key matches any value", A,
         {"StringEquals": {"aws:TagKeys": "team"}}, {"aws:TagKeys": ["env", "team"]}),
    cond("multivalued: deny ForAnyValue with forbidden tag key", D,
         {"ForAnyValue:StringEquals": {"aws:TagKeys": ["admin"]}},
         {"aws:TagKeys": ["admin", "x"]}, effect="Deny"),
    # --- policy variables -------------------------------------------------------------
    case("policy-variables: ${aws:username} in Resource", A,
         [allow(resource="arn:aws:s3:::bucket/home/${aws:username}/*")],
         resource="arn:aws:s3:::bucket/home/alice/f", ctx={"aws:username": "alice"}),
    case("policy-variables: variable value differs", I,
         [allow(resource="arn:aws:s3:::bucket/home/${aws:username}/*")],
         resource="arn:aws:s3:::bucket/home/bob/f", ctx={"aws:username": "alice"}),
    case("policy-variables: missing key makes the resource not match", I,
         [allow(resource="arn:aws:s3:::bucket/home/${aws:username}/*")],
         resource="arn:aws:s3:::bucket/home//f"),
    case("policy-variables: default value used when key missing", A,
         [allow(resource="arn:aws:s3:::bucket/home/${aws:username, 'guest'}/*")],
         resource="arn:aws:s3:::bucket/home/guest/f"),
    case("policy-variables: default ignored when key present", I,
         [allow(resource="arn:aws:s3:::bucket/home/${aws:username, 'guest'}/*")],
         resource="arn:aws:s3:::bucket/home/guest/f", ctx={"aws:username": "alice"}),
    case("policy-variables: ${*} is a literal asterisk", A,
         [allow(resource="arn:aws:s3:::bucket/${*}")], resource="arn:aws:s3:::bucket/*"),
    case("policy-variables: ${*} is not a wildcard", I,
         [allow(resource="arn:aws:s3:::bucket/${*}")], resource="arn:aws:s3:::bucket/key"),
    case("policy-variables: ${?} and ${$} are literals", A,
         [allow(resource="arn:aws:s3:::bucket/a${?}b${$}")],
         resource="arn:aws:s3:::bucket/a?b$"),
    case("policy-variables: variable value with * is literal", I,
         [allow(resource="arn:aws:s3:::bucket/${aws:username}")],
         resource="arn:aws:s3:::bucket/anything", ctx={"aws:username": "*"}),
    case("policy-variables: PrincipalTag variable", A,
         [allow(resource="arn:aws:s3:::bucket-${aws:PrincipalTag/team}/*")],
         resource="arn:aws:s3:::bucket-red/x", ctx={"aws:PrincipalTag/team": "red"}),
    cond("policy-variables: variable in condition value", A,
         {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
         {"s3:prefix": "home/alice/docs", "aws:username": "alice"}),
    cond("policy-variables: variable in StringEquals condition", I,
         {"StringEquals": {"aws:PrincipalTag/team": "${aws:ResourceTag/team}"}},
         {"aws:PrincipalTag/team": "red", "aws:ResourceTag/team": "blue"}),
    cond("policy-variables: missing variable in condition does not match", I,
         {"StringEquals": {"s3:prefix": "${aws:username}"}}, {"s3:prefix": ""}),
    # AWS: a variable that cannot be resolved can make the whole statement invalid; it must
    # never widen an Allow (a role session has no aws:username).
    cond("policy-variables: missing variable never makes a negated condition allow", I,
         {"StringNotEquals": {"s3:prefix": "${aws:username}"}}, {"s3:prefix": "x"}),
    cond("policy-variables: missing variable in StringNotLike does not allow", I,
         {"StringNotLike": {"s3:prefix": "home/${aws:username}/*"}}, {"s3:prefix": "x"}),
    cond("policy-variables: missing variable in StringNotEqualsIgnoreCase does not allow", I,
         {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "${aws:username}"}},
         {"aws:PrincipalTag/team": "red"}),
    cond("policy-variables: missing variable in ArnNotLike does not allow", I,
         {"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::${aws:username}"}},
         {"aws:SourceArn": "arn:aws:s3:::x"}),
    cond("policy-variables: multivalued key as variable does not resolve", I,
         {"StringNotEquals": {"s3:prefix": "${aws:TagKeys}"}},
         {"s3:prefix": "x", "aws:TagKeys": ["a", "b"]}),
    cond("policy-variables: missing variable in a Deny still denies", D,
         {"StringNotEquals": {"s3:prefix": "${aws:username}"}}, {"s3:prefix": "x"},
         effect="Deny"),
    cond("policy-variables: resolved variable in negated condition allows", A,
         {"StringNotEquals": {"s3:prefix": "${aws:username}"}},
         {"s3:prefix": "x", "aws:username": "alice"}),
    case("policy-variables: missing variable in NotResource does not allow", I,
         [{"Effect": "Allow", "Action": "s3:*",
           "NotResource": "arn:aws:s3:::bucket/${aws:username}"}],
         resource="arn:aws:s3:::bucket/alice"),
    case("policy-variables: ${aws:userid} in resource", A,
         [allow(resource="arn:aws:s3:::bucket/${aws:userid}/*")],
         resource="arn:aws:s3:::bucket/AIDAEXAMPLE/x", ctx={"aws:userid": "AIDAEXAMPLE"}),
    case("policy-variables: variable in NotResource", I,
         [{"Effect": "Allow", "Action": "s3:*",
           "NotResource": "arn:aws:s3:::bucket/${aws:username}"}],
         resource="arn:aws:s3:::bucket/alice", ctx={"aws:username": "alice"}),
    case("policy-variables: Version 2008-10-17 treats variables as literal", I,
         [allow(resource="arn:aws:s3:::bucket/${aws:username}")],
         resource="arn:aws:s3:::bucket/alice", ctx={"aws:username": "alice"},
         version="2008-10-17"),
    case("policy-variables: 2008-10-17 literal text matches literally", A,
         [allow(resource="arn:aws:s3:::bucket/${aws:username}")],
         resource="arn:aws:s3:::bucket/${aws:username}", ctx={"aws:username": "alice"},
         version="2008-10-17"),
    case("policy-variables: missing Version treats variables as literal", I,
         [allow(resource="arn:aws:s3:::bucket/${aws:username}")],
         resource="arn:aws:s3:::bucket/alice", ctx={"aws:username": "alice"}, version=None),
    # --- permissions boundaries -------------------------------------------------------
    case("permissions-boundaries: allowed by both", A, [allow("s3:*")],
         boundary=[allow("s3:Get*")]),
    case("permissions-boundaries: boundary does not grant by itself", I, [],
         boundary=[allow("s3:*")]),
    case("permissions-boundaries: action outside boundary is denied", I, [allow("s3:*")],
         action="s3:PutObject", boundary=[allow("s3:Get*")]),
    case("permissions-boundaries: deny in boundary is explicit", D, [allow("s3:*")],
         boundary=[allow("*"), deny("s3:GetObject")]),
    case("permissions-boundaries: empty boundary list denies everything", I, [allow("*")],
         boundary=[]),
    case("permissions-boundaries: same-account resource policy naming user ARN is not "
         "limited by the boundary", A, [], boundary=[allow("ec2:*")],
         resource_policy=[allow(Principal={"AWS": USER})]),
    case("permissions-boundaries: resource policy naming role ARN is limited by the boundary",
         I, [], principal=SESSION, boundary=[allow("ec2:*")],
         resource_policy=[allow(Principal={"AWS": ROLE})]),
    case("permissions-boundaries: resource policy naming role ARN within the boundary", A,
         [], principal=SESSION, boundary=[allow("s3:*")],
         resource_policy=[allow(Principal={"AWS": ROLE})]),
    case("permissions-boundaries: resource policy naming the session ARN is not limited", A,
         [], principal=SESSION, boundary=[allow("ec2:*")],
         resource_policy=[allow(Principal={"AWS": SESSION})]),
    # --- session policies -------------------------------------------------------------
    case("session-policies: intersection with identity policies", A, [allow("s3:*")],
         principal=SESSION, session=[allow("s3:GetObject")]),
    case("session-policies: session policy cannot grant more", I, [allow("s3:PutObject")],
         principal=SESSION, session=[allow("s3:*")]),
    case("session-policies: action outside session policy denied", I, [allow("s3:*")],
         principal=SESSION, session=[allow("s3:PutObject")]),
    case("session-policies: deny in session policy", D, [allow("s3:*")], principal=SESSION,
         session=[allow("*"), deny()]),
    case("session-policies: all three must allow", I, [allow("s3:*")], principal=SESSION,
         boundary=[allow("s3:*")], session=[allow("ec2:*")]),
    case("session-policies: resource policy naming the session ARN bypasses session policy",
         A, [], principal=SESSION, session=[allow("ec2:*")],
         resource_policy=[allow(Principal={"AWS": SESSION})]),
    case("session-policies: resource policy naming the role ARN is limited", I, [],
         principal=SESSION, session=[allow("ec2:*")],
         resource_policy=[allow(Principal={"AWS": ROLE})]),
    # --- resource-based policies ------------------------------------------------------
    case("resource-policies: same account user ARN suffices without identity policy", A, [],
         resource_policy=[allow(Principal={"AWS": USER})]),
    case("resource-policies: naming only the account id is not sufficient", I, [],
         resource_policy=[allow(Principal={"AWS": ACCT})]),
    case("resource-policies: naming the account root ARN is not sufficient", I, [],
         resource_policy=[allow(Principal={"AWS": f"arn:aws:iam::{ACCT}:root"})]),
    case("resource-policies: account principal plus identity allow", A, [allow()],
         resource_policy=[allow(Principal={"AWS": ACCT})]),
    case("resource-policies: Principal * allows", A, [], resource_policy=[allow(Principal="*")]),
    case("resource-policies: Principal AWS * allows", A, [],
         resource_policy=[allow(Principal={"AWS": "*"})]),
    case("resource-policies: other principal does not apply", I, [],
         resource_policy=[allow(Principal={"AWS": f"arn:aws:iam::{ACCT}:user/bob"})]),
    case("resource-policies: deny naming the principal wins", D, [allow()],
         resource_policy=[deny(Principal={"AWS": USER})]),
    case("resource-policies: deny naming the account applies to its users", D, [allow()],
         resource_policy=[deny(Principal={"AWS": ACCT})]),
    case("resource-policies: deny for another principal does not apply", A, [allow()],
         resource_policy=[deny(Principal={"AWS": f"arn:aws:iam::{ACCT}:user/bob"})]),
    case("resource-policies: identity deny beats resource allow", D, [deny()],
         resource_policy=[allow(Principal={"AWS": USER})]),
    case("resource-policies: identity allow alone still works", A, [allow()],
         resource_policy=[allow("s3:PutObject", Principal={"AWS": USER})]),
    case("resource-policies: cross-account needs both sides (resource only)", I, [],
         resource="arn:aws:sqs:us-east-1:444455556666:q", action="sqs:SendMessage",
         resource_policy=[allow("sqs:SendMessage", Principal={"AWS": USER})]),
    case("resource-policies: cross-account with both sides", A, [allow("sqs:SendMessage")],
         resource="arn:aws:sqs:us-east-1:444455556666:q", action="sqs:SendMessage",
         resource_policy=[allow("sqs:SendMessage", Principal={"AWS": USER})]),
    case("resource-policies: cross-account identity only is not enough", I,
         [allow("sqs:SendMessage")], resource="arn:aws:sqs:us-east-1:444455556666:q",
         action="sqs:SendMessage",
         resource_policy=[allow("sqs:SendMessage", Principal={"AWS": OTHER_ACCT})]),
    case("resource-policies: NotPrincipal deny spares listed user and account", A, [allow()],
         resource_policy=[deny(NotPrincipal={"AWS": [USER, f"arn:aws:iam::{ACCT}:root"]})]),
    case("resource-policies: NotPrincipal deny hits others", D, [allow()],
         principal=f"arn:aws:iam::{ACCT}:user/bob",
         resource_policy=[deny(NotPrincipal={"AWS": [USER, f"arn:aws:iam::{ACCT}:root"]})]),
    case("resource-policies: NotPrincipal without the account still denies the user", D,
         [allow()], resource_policy=[deny(NotPrincipal={"AWS": [USER]})]),
    # --- trust policies ---------------------------------------------------------------
    case("trust-policies: service principal", A, [], action="sts:AssumeRole", resource=ROLE,
         principal="ec2.amazonaws.com", rp_kind="trust",
         resource_policy=[{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"Service": "ec2.amazonaws.com"}}]),
    case("trust-policies: other service does not match", I, [], action="sts:AssumeRole",
         resource=ROLE, principal="lambda.amazonaws.com", rp_kind="trust",
         resource_policy=[{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"Service": "ec2.amazonaws.com"}}]),
    case("trust-policies: user ARN principal", A, [], action="sts:AssumeRole", resource=ROLE,
         rp_kind="trust", resource_policy=[{"Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"AWS": USER}}]),
    case("trust-policies: account root requires identity permission", I, [],
         action="sts:AssumeRole", resource=ROLE, rp_kind="trust",
         resource_policy=[{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}}]),
    case("trust-policies: account root with identity permission", A,
         [allow("sts:AssumeRole", ROLE)], action="sts:AssumeRole", resource=ROLE,
         rp_kind="trust", resource_policy=[{"Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"AWS": ACCT}}]),
    case("trust-policies: assumed-role session matches its role ARN", A, [],
         action="sts:AssumeRole", resource=f"arn:aws:iam::{ACCT}:role/Target",
         principal=SESSION, rp_kind="trust",
         resource_policy=[{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"AWS": ROLE}}]),
    case("trust-policies: role ARN does not match another role's session", I, [],
         action="sts:AssumeRole", resource=f"arn:aws:iam::{ACCT}:role/Target",
         principal=f"arn:aws:sts::{ACCT}:assumed-role/Other/s", rp_kind="trust",
         resource_policy=[{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"AWS": ROLE}}]),
    case("trust-policies: Principal * with condition", A, [], action="sts:AssumeRole",
         resource=ROLE, rp_kind="trust", ctx={"aws:PrincipalOrgID": "o-123"},
         resource_policy=[{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*",
                           "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}}]),
    case("trust-policies: cross-account principal named and identity allows", A,
         [allow("sts:AssumeRole", ROLE)], action="sts:AssumeRole", resource=ROLE,
         principal=f"arn:aws:iam::{OTHER_ACCT}:user/carol", rp_kind="trust",
         resource_policy=[{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCT}:root"}}]),
    case("trust-policies: federated principal", A, [],
         action="sts:AssumeRoleWithWebIdentity", resource=ROLE,
         principal="cognito-identity.amazonaws.com", rp_kind="trust",
         resource_policy=[{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                           "Principal": {"Federated": "cognito-identity.amazonaws.com"}}]),
    case("trust-policies: action not in trust policy", I, [], action="sts:TagSession",
         resource=ROLE, rp_kind="trust",
         resource_policy=[{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"AWS": USER}}]),
]


@pytest.mark.parametrize(
    ("identity", "action", "resource", "ctx", "expected", "boundary", "session",
     "resource_policy", "rp_kind", "principal", "account", "version"), CASES)
def test_decision(identity: list[Any] | None, action: str, resource: str, ctx: dict[str, Any],
                  expected: str, boundary: list[Any] | None, session: list[Any] | None,
                  resource_policy: list[Any] | None, rp_kind: str, principal: str | None,
                  account: str | None, version: str | None) -> None:
    ident = [pol(t) for t in _docs(identity, version)]
    bnd = None if boundary is None else [pol(t, kind="boundary", policy_type="none")
                                         for t in _docs(boundary, version)]
    ses = None if session is None else [pol(t, kind="session", policy_type="none")
                                        for t in _docs(session, version)]
    rp = None
    if resource_policy is not None:
        rp = pol(doc(*resource_policy, version=version), kind=rp_kind, policy_type="resource")
    req = Request(action, resource, Context(ctx), principal_arn=principal,
                  principal_account=account)
    d = evaluate(req, ident, boundary_policies=bnd, session_policies=ses, resource_policy=rp)
    assert d.decision == expected, d
    assert d.allowed == (expected == "allowed")
    if expected == "implicitDeny":
        assert d.matched_statements == []
    else:
        assert d.matched_statements


def test_table_size() -> None:
    assert len(CASES) >= 150


# --- AssumeRole: the trust policy must allow the caller --------------------------------------
# AWS, "Policy evaluation logic" and "Update a role trust policy": a role trust policy is a
# resource-based policy that must explicitly allow the caller. Naming the caller's ARN is enough
# on its own (identity policies not needed), but the caller's permissions boundary must allow
# sts:AssumeRole; naming only the caller's account (root ARN or account id) delegates to the
# account's identity policies, which must then allow it (within the boundary); a trust policy
# that names neither never lets the caller in, whatever its identity policies say.
TARGET = f"arn:aws:iam::{ACCT}:role/prod-admin"
_TRUST_PRINCIPALS = {
    "principal named": {"AWS": USER},
    "account root named": {"AWS": f"arn:aws:iam::{ACCT}:root"},
    "account id named": {"AWS": ACCT},
    "not named": {"AWS": f"arn:aws:iam::{ACCT}:user/someone"},
}
_IDENTITY = {
    "identity allows": [allow("sts:AssumeRole", "*")],
    "identity allows this role": [allow("sts:AssumeRole", TARGET)],
    "no identity allow": [],
    "identity allows another role": [allow("sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/x")],
}
_BOUNDARY = {
    "no boundary": None,
    "boundary allows": [allow("sts:AssumeRole", "*")],
    "boundary without sts": [allow("s3:*", "*")],
}


def _assume_role_expected(trust: str, identity: str, boundary: str) -> str:
    boundary_ok = boundary != "boundary without sts"
    identity_ok = identity in ("identity allows", "identity allows this role") and boundary_ok
    if trust == "principal named":
        return A if boundary_ok else I
    if trust in ("account root named", "account id named"):
        return A if identity_ok else I
    return I


ASSUME_ROLE_CASES = [
    pytest.param(_TRUST_PRINCIPALS[t], _IDENTITY[i], _BOUNDARY[b], _assume_role_expected(t, i, b),
                 id=f"assume-role: {t} x {i} x {b}")
    for t in _TRUST_PRINCIPALS for i in _IDENTITY for b in _BOUNDARY
]


@pytest.mark.parametrize(("principal", "identity", "boundary", "expected"), ASSUME_ROLE_CASES)
def test_assume_role_trust(principal: dict[str, Any], identity: list[Any],
                           boundary: list[Any] | None, expected: str) -> None:
    trust = pol(doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal}),
                kind="trust", policy_type="resource")
    bnd = None if boundary is None else [pol(doc(s), kind="boundary", policy_type="none")
                                         for s in boundary]
    ident = [pol(doc(s)) for s in identity]
    d = evaluate(Request("sts:AssumeRole", TARGET, Context({}), principal_arn=USER), ident,
                 boundary_policies=bnd, resource_policy=trust)
    assert d.decision == expected, d
    if expected == A:
        assert any(m.policy_type == "resource" for m in d.matched_statements)


@pytest.mark.parametrize("principal", list(_TRUST_PRINCIPALS.values()),
                         ids=list(_TRUST_PRINCIPALS))
def test_assume_role_explicit_deny_in_identity_wins(principal: dict[str, Any]) -> None:
    trust = pol(doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal}),
                kind="trust", policy_type="resource")
    ident = [pol(doc(allow("sts:AssumeRole"), deny("sts:AssumeRole", TARGET)))]
    d = evaluate(Request("sts:AssumeRole", TARGET, Context({}), principal_arn=USER), ident,
                 resource_policy=trust)
    assert d.decision == D


def test_assume_role_deny_in_trust_policy_wins_over_identity_and_trust_allow() -> None:
    trust = pol(doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": USER}},
                    {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": ACCT}}),
                kind="trust", policy_type="resource")
    d = evaluate(Request("sts:AssumeRole", TARGET, Context({}), principal_arn=USER),
                 [pol(doc(allow("sts:AssumeRole")))], resource_policy=trust)
    assert d.decision == D


@pytest.mark.parametrize(("trusted", "session", "expected"), [
    pytest.param(SESSION, [allow("s3:*")], A, id="session ARN named: session policy no limit"),
    pytest.param(ROLE, [allow("sts:AssumeRole")], A, id="role ARN named within session policy"),
    pytest.param(ROLE, [allow("s3:*")], I, id="role ARN named: session policy limits"),
    pytest.param(f"arn:aws:iam::{ACCT}:role/Other", [allow("sts:AssumeRole")], I,
                 id="another role named"),
])
def test_assume_role_chaining(trusted: str, session: list[Any], expected: str) -> None:
    trust = pol(doc({"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Principal": {"AWS": trusted}}), kind="trust", policy_type="resource")
    d = evaluate(Request("sts:AssumeRole", TARGET, Context({}), principal_arn=SESSION),
                 [pol(doc(allow("sts:AssumeRole")))],
                 session_policies=[pol(doc(s), kind="session", policy_type="none")
                                   for s in session],
                 resource_policy=trust)
    assert d.decision == expected, d


@pytest.mark.parametrize(("identity", "resource", "expected"), [
    pytest.param([allow("sqs:SendMessage")], "arn:aws:sqs:us-east-1:444455556666:q", I,
                 id="resource in another account, no resource policy: implicit deny"),
    pytest.param([allow("sqs:SendMessage")], f"arn:aws:sqs:us-east-1:{ACCT}:q", A,
                 id="resource in the caller's account: identity policy suffices"),
    pytest.param([allow("iam:GetPolicy")], "arn:aws:iam::aws:policy/ReadOnlyAccess", A,
                 id="AWS managed policy (account 'aws') is not another account"),
    pytest.param([allow("s3:GetObject")], "arn:aws:s3:::bucket/key", A,
                 id="ARN without an account"),
])
def test_cross_account_resource_without_resource_policy(identity: list[Any], resource: str,
                                                         expected: str) -> None:
    action = identity[0]["Action"]
    d = evaluate(Request(action, resource, Context({}), principal_arn=USER),
                 [pol(doc(*identity))])
    assert d.decision == expected, d

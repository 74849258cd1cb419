"""Validation: grammar errors (AWS MalformedPolicyDocument rules) and lint warnings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from policy_helpers import allow, deny, doc

from iamconsole.policy import Finding, PolicyError, compile_policy, validate_policy


def codes(text: str, kind: str = "identity", severity: str | None = None) -> set[tuple[str, str]]:
    return {(f.code, f.path) for f in validate_policy(text, kind)
            if severity is None or f.severity == severity}


def errors(text: str, kind: str = "identity") -> set[tuple[str, str]]:
    return codes(text, kind, "error")


def warnings(text: str, kind: str = "identity") -> set[tuple[str, str]]:
    return codes(text, kind, "warning")


ERROR_CASES: list[Any] = [
    pytest.param('{"Version": "2012-10-17",', ("MalformedJSON", ""), id="json syntax"),
    pytest.param("[]", ("InvalidDocument", ""), id="top level must be an object"),
    pytest.param('{"Version": "2012-10-17"}', ("MissingStatement", ""), id="statement required"),
    pytest.param('{"Version": "2012-10-17", "Statement": []}', ("EmptyStatement", "Statement"),
                 id="statement list not empty"),
    pytest.param('{"Version": "2012-10-17", "Statement": "x"}', ("InvalidType", "Statement"),
                 id="statement type"),
    pytest.param(json.dumps({"Version": "2013-01-01", "Statement": [allow()]}),
                 ("InvalidVersion", "Version"), id="version value"),
    pytest.param(json.dumps({"Version": "2012-10-17", "Id": 5, "Statement": [allow()]}),
                 ("InvalidType", "Id"), id="id must be string"),
    pytest.param(json.dumps({"Version": "2012-10-17", "Statement": [allow()], "Foo": 1}),
                 ("UnknownElement", "Foo"), id="unknown top-level element"),
    pytest.param(doc({**allow(), "Effect": "Permit"}), ("InvalidEffect", "Statement[0].Effect"),
                 id="effect value"),
    pytest.param(doc({"Action": "s3:GetObject", "Resource": "*"}),
                 ("MissingEffect", "Statement[0]"), id="effect required"),
    pytest.param(doc({"Effect": "Allow", "Resource": "*"}), ("MissingAction", "Statement[0]"),
                 id="action required"),
    pytest.param(doc({**allow(), "NotAction": "s3:PutObject"}),
                 ("ConflictingElements", "Statement[0]"), id="action and notaction"),
    pytest.param(doc({"Effect": "Allow", "Action": "s3:GetObject"}),
                 ("MissingResource", "Statement[0]"), id="resource required"),
    pytest.param(doc({**allow(), "NotResource": "*"}), ("ConflictingElements", "Statement[0]"),
                 id="resource and notresource"),
    pytest.param(doc(allow("s3GetObject")), ("InvalidAction", "Statement[0].Action"),
                 id="action format"),
    pytest.param(doc(allow(["s3:GetObject", 5])), ("InvalidType", "Statement[0].Action[1]"),
                 id="action entry type"),
    pytest.param(doc(allow([])), ("EmptyList", "Statement[0].Action"), id="empty action list"),
    pytest.param(doc(allow(resource="bucket")), ("InvalidResource", "Statement[0].Resource"),
                 id="resource must be ARN"),
    pytest.param(doc(allow(resource="arn:aws:s3")), ("InvalidResource", "Statement[0].Resource"),
                 id="resource ARN needs six segments"),
    pytest.param(doc(allow(resource="arn:aws:s*:::b")),
                 ("InvalidResource", "Statement[0].Resource"), id="resource service no wildcard"),
    pytest.param(doc({**allow(), "Sid": "bad sid!"}), ("InvalidSid", "Statement[0].Sid"),
                 id="sid alphanumeric in identity policies"),
    pytest.param(doc({**allow(), "Sid": "A"}, {**deny(), "Sid": "A"}),
                 ("DuplicateSid", "Statement[1].Sid"), id="sid unique"),
    pytest.param(doc({**allow(), "Principal": "*"}), ("PrincipalNotAllowed",
                 "Statement[0].Principal"), id="principal not in identity policy"),
    pytest.param(doc({**allow(), "Foo": 1}), ("UnknownElement", "Statement[0].Foo"),
                 id="unknown statement element"),
    pytest.param(doc({**allow(), "action": "s3:x"}), ("UnknownElement", "Statement[0].action"),
                 id="element names are case-sensitive"),
    pytest.param(doc(allow(Condition={"StringEqualz": {"aws:username": "a"}})),
                 ("UnknownConditionOperator", "Statement[0].Condition.StringEqualz"),
                 id="unknown operator"),
    pytest.param(doc(allow(Condition={"ForSomeValues:StringEquals": {"aws:TagKeys": "a"}})),
                 ("UnknownConditionOperator", "Statement[0].Condition.ForSomeValues:StringEquals"),
                 id="unknown set operator"),
    pytest.param(doc(allow(Condition={"NullIfExists": {"aws:TagKeys": "true"}})),
                 ("UnknownConditionOperator", "Statement[0].Condition.NullIfExists"),
                 id="Null has no IfExists"),
    pytest.param(doc(allow(Condition={"NumericEquals": {"s3:max-keys": "abc"}})),
                 ("InvalidConditionValue", "Statement[0].Condition.NumericEquals.s3:max-keys"),
                 id="numeric value"),
    pytest.param(doc(allow(Condition={"Bool": {"aws:SecureTransport": "yes"}})),
                 ("InvalidConditionValue", "Statement[0].Condition.Bool.aws:SecureTransport"),
                 id="bool value"),
    pytest.param(doc(allow(Condition={"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "nope"]}})),
                 ("InvalidConditionValue", "Statement[0].Condition.IpAddress.aws:SourceIp[1]"),
                 id="ip value"),
    pytest.param(doc(allow(Condition={"DateLessThan": {"aws:CurrentTime": "2024-13-45"}})),
                 ("InvalidConditionValue",
                  "Statement[0].Condition.DateLessThan.aws:CurrentTime"), id="date value"),
    pytest.param(doc(allow(Condition={"BinaryEquals": {"s3:x": "@@@"}})),
                 ("InvalidConditionValue", "Statement[0].Condition.BinaryEquals.s3:x"),
                 id="binary value"),
    pytest.param(doc(allow(Condition={"StringEquals": {"aws:username": []}})),
                 ("EmptyList", "Statement[0].Condition.StringEquals.aws:username"),
                 id="empty condition values"),
    pytest.param(doc(allow(Condition={"StringEquals": {}})),
                 ("EmptyCondition", "Statement[0].Condition.StringEquals"),
                 id="empty operator block"),
    pytest.param(doc(allow(Condition={"StringEquals": {"aws:username": {"a": 1}}})),
                 ("InvalidType", "Statement[0].Condition.StringEquals.aws:username"),
                 id="condition value type"),
    pytest.param(doc(allow(Condition={"StringEquals": {"username": "a"}})),
                 ("InvalidConditionKey", "Statement[0].Condition.StringEquals.username"),
                 id="condition key format"),
    pytest.param('{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}',
                 ("DuplicateKey", "Version"), id="duplicate keys"),
]


@pytest.mark.parametrize(("text", "expected"), ERROR_CASES)
def test_errors(text: str, expected: tuple[str, str]) -> None:
    found = errors(text)
    assert expected in found, validate_policy(text)
    with pytest.raises(PolicyError) as exc:
        compile_policy(text, policy_id="x", policy_type="user")
    assert exc.value.findings and all(f.severity == "error" for f in exc.value.findings)
    assert exc.value.findings[0].message in str(exc.value)


def test_error_positions() -> None:
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Alow",' \
           ' "Action": "s3:GetObject", "Resource": "*"}\n  ]\n}'
    (f,) = [f for f in validate_policy(text) if f.code == "InvalidEffect"]
    assert (f.line, f.column) == (4, 16)
    bad = '{\n  "Version": "2012-10-17"\n  "Statement": []\n}'
    (j,) = validate_policy(bad)
    assert j.code == "MalformedJSON" and j.line == 3 and j.column == 3


WARNING_CASES: list[Any] = [
    pytest.param(doc(allow("*", "*")), ("OverlyPermissive", "Statement[0]"), id="admin"),
    pytest.param(doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
                 ("NotActionWithAllow", "Statement[0].NotAction"), id="notaction allow"),
    pytest.param(doc(allow(), {**allow(), "Sid": "Again"}),
                 ("DuplicateStatement", "Statement[1]"), id="duplicate statement"),
    pytest.param(doc(allow("s3:GetObject"), allow("s3:Get*")),
                 ("RedundantStatement", "Statement[0]"), id="redundant statement"),
    pytest.param(doc(allow("s3:GetObjekt")), ("UnknownAction", "Statement[0].Action"),
                 id="unknown action"),
    pytest.param(doc(allow("nosuchservice:Get")), ("UnknownService", "Statement[0].Action"),
                 id="unknown service"),
    pytest.param(doc(allow(Condition={"StringEquals": {"aws:CurrentTime": "x"}})),
                 ("KeyTypeMismatch", "Statement[0].Condition.StringEquals.aws:CurrentTime"),
                 id="date key with string operator"),
    pytest.param(doc(allow(Condition={"StringEquals": {"aws:SourceIp": "1.2.3.4"}})),
                 ("KeyTypeMismatch", "Statement[0].Condition.StringEquals.aws:SourceIp"),
                 id="ip key with string operator"),
    pytest.param(doc(allow(Condition={"NumericEquals": {"aws:MultiFactorAuthPresent": 1}})),
                 ("KeyTypeMismatch",
                  "Statement[0].Condition.NumericEquals.aws:MultiFactorAuthPresent"),
                 id="bool key with numeric operator"),
    pytest.param(doc(allow(), version=None), ("MissingVersion", ""), id="missing version"),
    pytest.param(doc(allow(resource="arn:aws:s3:::b/${aws:username}"), version="2008-10-17"),
                 ("VariableInOldVersion", "Statement[0].Resource"), id="variables in 2008"),
    pytest.param(doc(allow(Condition={"ForAnyValue:StringEquals": {"aws:username": "a"}})),
                 ("SetOperatorOnSingleValuedKey",
                  "Statement[0].Condition.ForAnyValue:StringEquals.aws:username"),
                 id="set operator on single-valued key"),
]


@pytest.mark.parametrize(("text", "expected"), WARNING_CASES)
def test_warnings(text: str, expected: tuple[str, str]) -> None:
    assert expected in warnings(text), validate_policy(text)
    assert not errors(text), validate_policy(text)
    compile_policy(text, policy_id="w", policy_type="user")  # warnings never block


REALISTIC = [
    # S3 home folders (AWS example)
    doc({"Sid": "ListHome", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::corp-home",
         "Condition": {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}},
        {"Sid": "RwHome", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": "arn:aws:s3:::corp-home/home/${aws:username}/*"}),
    # deny without MFA
    doc({"Sid": "DenyNoMfa", "Effect": "Deny", "NotAction": ["iam:ChangePassword",
         "iam:GetUser", "sts:GetSessionToken"], "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}),
    # EC2 tags
    doc({"Effect": "Allow", "Action": ["ec2:StartInstances", "ec2:StopInstances"],
         "Resource": "arn:aws:ec2:*:*:instance/*",
         "Condition": {"StringEquals": {"aws:ResourceTag/Owner": "${aws:username}"},
                       "ForAllValues:StringEquals": {"aws:TagKeys": ["Owner", "Env"]}}}),
    # IP and time window
    doc({"Effect": "Allow", "Action": "dynamodb:GetItem",
         "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Books",
         "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]},
                       "DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"},
                       "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}}),
]


@pytest.mark.parametrize("text", REALISTIC)
def test_realistic_policies_are_clean(text: str) -> None:
    assert validate_policy(text) == []


def test_trust_policy_rules() -> None:
    good = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"]}, version="2012-10-17")
    assert validate_policy(good, "trust") == []
    assert ("MissingPrincipal", "Statement[0]") in errors(
        doc({"Effect": "Allow", "Action": "sts:AssumeRole"}), "trust")
    assert ("InvalidTrustAction", "Statement[0].Action") in errors(
        doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}), "trust")
    assert ("InvalidTrustAction", "Statement[0].Action") in errors(
        doc({"Effect": "Allow", "Principal": "*", "Action": "*"}), "trust")
    assert not errors(doc({"Effect": "Allow", "Principal": {"AWS": "111122223333"},
                           "Action": "sts:AssumeRole*"}), "trust")
    assert ("InvalidPrincipal", "Statement[0].Principal.AWS") in errors(
        doc({"Effect": "Allow", "Principal": {"AWS": "alice"}, "Action": "sts:AssumeRole"}),
        "trust")
    assert ("InvalidPrincipal", "Statement[0].Principal.Group") in errors(
        doc({"Effect": "Allow", "Principal": {"Group": "x"}, "Action": "sts:AssumeRole"}),
        "trust")
    assert ("InvalidPrincipal", "Statement[0].Principal") in errors(
        doc({"Effect": "Allow", "Principal": "me", "Action": "sts:AssumeRole"}), "trust")


def test_resource_policy_rules() -> None:
    ok = doc(allow(Principal={"AWS": ["arn:aws:iam::111122223333:user/a", "111122223333"]},
                   resource="arn:aws:s3:::b/*"))
    assert not errors(ok, "resource")
    assert ("MissingPrincipal", "Statement[0]") in errors(doc(allow()), "resource")
    assert ("MissingResource", "Statement[0]") in errors(
        doc({"Effect": "Allow", "Action": "s3:*", "Principal": "*"}), "resource")
    # AWS supports NotPrincipal only with Deny: an Allow with NotPrincipal is refused.
    assert ("NotPrincipalWithAllow", "Statement[0].NotPrincipal") in errors(
        doc(allow(NotPrincipal={"AWS": "111122223333"})), "resource")
    assert not errors(doc(deny(NotPrincipal={"AWS": "111122223333"})), "resource")
    # resource policies may use any Sid text
    assert not errors(doc({**allow(Principal="*"), "Sid": "Allow public read"}), "resource")


def test_boundary_and_session_use_identity_grammar() -> None:
    for kind in ("boundary", "session"):
        assert ("PrincipalNotAllowed", "Statement[0].Principal") in errors(
            doc(allow(Principal="*")), kind)
        assert validate_policy(doc(allow("s3:GetObject")), kind) == []


@pytest.mark.parametrize("junk", [None, 5, b"{}", "", "   ", "null", "1", '"s"', "{}", "[1,2]",
                                  '{"Statement": {}}', "{" * 5000, '{"a": "\\ud800"}',
                                  '{"Statement": [{"Effect": "Allow", "Action": {}}]}'])
def test_validate_never_raises(junk: Any) -> None:
    out = validate_policy(junk)
    assert all(isinstance(f, Finding) for f in out)
    assert any(f.severity == "error" for f in out)


def test_unknown_kind() -> None:
    (f,) = validate_policy(doc(allow()), "nope")
    assert f.code == "InvalidKind"


def test_findings_are_frozen() -> None:
    (f,) = validate_policy("[")
    with pytest.raises(AttributeError):
        f.code = "x"  # type: ignore[misc]


def test_allow_with_not_principal_cannot_be_compiled_so_it_never_grants() -> None:
    # AWS supports NotPrincipal only with Deny; the engine refuses to compile an Allow with
    # NotPrincipal, so no stored resource policy can grant "everyone but" the listed principal.
    with pytest.raises(PolicyError) as exc:
        compile_policy(doc(allow(NotPrincipal={"AWS": "arn:aws:iam::111122223333:user/a"})),
                       policy_id="p", policy_type="resource", kind="resource")
    assert any(f.code == "NotPrincipalWithAllow" for f in exc.value.findings)

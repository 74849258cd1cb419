"""condition_values: what the statements covering an action compare a condition key with (the
console offers a delegated administrator the permissions boundaries its policy names)."""

from __future__ import annotations

from policy_helpers import ACCT, allow, deny, pol

from iamconsole.policy import Context, Request, condition_values, evaluate

KEY = "iam:PermissionsBoundary"
DEV = f"arn:aws:iam::{ACCT}:policy/DeveloperBoundary"
OPS = f"arn:aws:iam::{ACCT}:policy/boundaries/*"


def test_values_of_statements_covering_the_action_in_order_without_duplicates() -> None:
    policies = [
        pol(allow(["iam:CreateUser", "iam:PutUserPermissionsBoundary"], "*",
                  Condition={"StringEquals": {KEY: DEV}})),
        pol(deny("iam:CreateUser", "*", Condition={"ArnNotLike": {KEY: [DEV, OPS]}})),
        pol(allow("iam:CreateRole", "*", Condition={"StringEquals": {KEY: "other"}})),
        pol(allow("iam:*", "*", Condition={"StringEquals": {"aws:RequestedRegion": "x"}})),
    ]
    assert condition_values(policies, "iam:CreateUser", KEY) == [DEV, OPS]
    assert condition_values(policies, "IAM:createuser", KEY.upper()) == [DEV, OPS]
    assert condition_values(policies, "iam:CreateRole", KEY) == ["other"]
    assert condition_values(policies, "iam:DeleteUser", KEY) == []
    assert condition_values(None, "iam:CreateUser", KEY) == []


def test_policy_variables_are_resolved_or_left_out() -> None:
    p = pol(allow("iam:CreateUser", "*", Condition={"StringEquals": {
        KEY: [f"arn:aws:iam::{ACCT}:policy/${{aws:username}}-boundary", DEV]}}))
    assert condition_values(p, "iam:CreateUser", KEY, Context({"aws:username": "alice"})) == [
        f"arn:aws:iam::{ACCT}:policy/alice-boundary", DEV]
    assert condition_values(p, "iam:CreateUser", KEY) == [DEV]


def test_a_pattern_matches_itself() -> None:
    p = pol(allow("iam:CreateUser", "*", Condition={"ArnLike": {KEY: OPS}}))
    (value,) = condition_values(p, "iam:CreateUser", KEY)
    decision = evaluate(Request("iam:CreateUser", "*", Context({KEY: value})), [p])
    assert decision.allowed

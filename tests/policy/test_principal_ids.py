"""Unique principal ids (AIDA… users, AROA… roles) in Principal.AWS: what a stored policy shows
for a deleted principal. Valid grammar, matching no caller, rewritable in place."""

from __future__ import annotations

import pytest
from policy_helpers import ACCT, ROLE, SESSION, USER, doc, pol

from iamconsole.policy import Context, Request, evaluate, validate_policy
from iamconsole.policy.principals import aws_principals, replace_aws_principals

USER_ID = "AIDAJQABLZS4A3QDU576Q"
ROLE_ID = "AROAKSCDLFT9R5DQP782U"


def trust(*principals: str) -> str:
    return doc({"Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"AWS": list(principals)}})


def principal_errors(text: str, kind: str = "trust") -> list[str]:
    return [f.message for f in validate_policy(text, kind)
            if f.severity == "error" and f.code == "InvalidPrincipal"]


@pytest.mark.parametrize("kind", ["trust", "resource"])
def test_user_and_role_unique_ids_are_valid_principals(kind: str) -> None:
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": [USER_ID, ROLE_ID]}}
    if kind == "resource":
        statement["Resource"] = "*"
    assert principal_errors(doc(statement), kind) == []


@pytest.mark.parametrize("value", ["AGPAJQABLZS4A3QDU576Q", "aidajqablzs4a3qdu576q", "AIDA",
                                   "AIDA-JQABLZS4A3QDU576Q"])
def test_other_id_like_strings_are_not_principals(value: str) -> None:
    assert principal_errors(trust(value)) == [
        f"'{value}' is not a valid AWS principal; use an account ID, an IAM/STS ARN, a user or "
        "role unique ID or \"*\"."]


@pytest.mark.parametrize("principal", [USER, SESSION, ROLE, f"arn:aws:iam::{ACCT}:root"])
def test_a_unique_id_matches_no_caller(principal: str) -> None:
    compiled = pol(trust(USER_ID, ROLE_ID), kind="trust", policy_type="resource")
    request = Request("sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/Target", Context({}),
                      principal_arn=principal, principal_account=ACCT)
    assert evaluate(request, [], resource_policy=compiled).decision == "implicitDeny"


def test_replace_rewrites_only_the_named_aws_principals() -> None:
    text = ('{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",\n'
            f'   "Principal": {{"AWS": ["{USER}", "{ACCT}"], "Service": "{USER}"}}}}]}}')
    new = replace_aws_principals(text, {USER: USER_ID}.get)
    assert new == text.replace(f'["{USER}"', f'["{USER_ID}"')
    assert aws_principals(new) == [USER_ID, ACCT]
    assert replace_aws_principals("not json", {USER: USER_ID}.get) == "not json"

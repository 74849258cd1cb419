"""Grammar of AWS Organizations policies (validate kinds "scp" and "rcp"), per the
Organizations User Guide pages "SCP syntax", "RCP syntax" and "Quotas" (5,120 characters)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from policy_helpers import allow, deny, doc

from iamconsole.policy import KINDS, PolicyError, validate_policy
from iamconsole.policy import organizations as orgs


def errors(text: str, kind: str) -> set[tuple[str, str]]:
    return {(f.code, f.path) for f in validate_policy(text, kind) if f.severity == "error"}


def rdeny(**changes: Any) -> dict[str, Any]:
    """An RCP statement (Deny, Principal "*"); a change to None removes the element."""
    st = {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", **changes}
    return {k: v for k, v in st.items() if v is not None}


def test_kinds_include_scp_and_rcp() -> None:
    assert {"scp", "rcp"} <= set(KINDS)


VALID = [
    pytest.param(orgs.FULL_AWS_ACCESS_DOCUMENT, "scp", id="scp: FullAWSAccess"),
    pytest.param(doc(deny("*", Condition={"StringNotEquals": {
        "aws:RequestedRegion": ["us-east-1"]}})), "scp", id="scp: region deny with a condition"),
    pytest.param(doc({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}), "scp",
                 id="scp: NotAction"),
    pytest.param(doc(allow("s3:*", "arn:aws:s3:::bucket/*", Condition={
        "StringEquals": {"aws:PrincipalTag/team": "red"}})), "scp",
                 id="scp: Allow with a resource ARN and a condition (full IAM language)"),
    pytest.param(json.dumps({"Statement": [deny()]}), "scp", id="scp: Version optional"),
    pytest.param(doc(rdeny(Condition={"StringNotEqualsIfExists": {
        "aws:PrincipalOrgID": "o-a1b2c3d4e5"}})), "rcp", id="rcp: organization perimeter"),
    pytest.param(doc(rdeny(Condition={"ForAllValues:StringNotLike": {
        "aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}})), "rcp",
                 id="rcp: aws:PrincipalOrgPaths with a set operator"),
    pytest.param(doc(rdeny(Action=["s3:*", "sqs:*", "kms:Decrypt", "sts:AssumeRole"])),
                 "rcp", id="rcp: actions of supported services"),
    pytest.param(doc(rdeny(Resource=None, NotResource="arn:aws:s3:::b/*")), "rcp",
                 id="rcp: NotResource"),
]


@pytest.mark.parametrize(("text", "kind"), VALID)
def test_valid_organizations_policies(text: str, kind: str) -> None:
    assert errors(text, kind) == set()


INVALID = [
    pytest.param(doc({**deny(), "Principal": "*"}), "scp",
                 ("PrincipalNotAllowed", "Statement[0].Principal"),
                 id="scp-syntax: Principal is not supported"),
    pytest.param(doc({**deny(), "NotPrincipal": {"AWS": "111122223333"}}), "scp",
                 ("PrincipalNotAllowed", "Statement[0].NotPrincipal"),
                 id="scp-syntax: NotPrincipal is not supported"),
    pytest.param(doc(allow("s3:*")) + " " * 5120, "scp", ("PolicySizeExceeded", ""),
                 id="scp-quota: 5,120 characters, white space included"),
    pytest.param(doc(rdeny(Effect="Allow")), "rcp",
                 ("AllowNotSupportedInRcp", "Statement[0].Effect"),
                 id="rcp-syntax: Allow only in RCPFullAWSAccess"),
    pytest.param(doc(rdeny(Principal=None)), "rcp",
                 ("MissingPrincipal", "Statement[0]"), id="rcp-syntax: Principal required"),
    pytest.param(doc(rdeny(Principal={"AWS": "111122223333"})), "rcp",
                 ("InvalidPrincipal", "Statement[0].Principal"),
                 id="rcp-syntax: Principal must be *"),
    pytest.param(doc(rdeny(Principal=None, NotPrincipal={"AWS": "111122223333"})),
                 "rcp", ("NotPrincipalNotAllowed", "Statement[0].NotPrincipal"),
                 id="rcp-syntax: NotPrincipal is not supported"),
    pytest.param(doc(rdeny(Action=None, NotAction="s3:GetObject")), "rcp",
                 ("NotActionNotSupportedInRcp", "Statement[0].NotAction"),
                 id="rcp-syntax: NotAction is not supported"),
    pytest.param(doc(rdeny(Action="*")), "rcp", ("InvalidRcpAction", "Statement[0].Action"),
                 id="rcp-syntax: * alone is not an RCP action"),
    pytest.param(doc(rdeny(Action=["s3:GetObject", "iam:CreateUser"])), "rcp",
                 ("UnsupportedRcpService", "Statement[0].Action[1]"),
                 id="rcp-services: iam does not support RCPs"),
    pytest.param(json.dumps({"Statement": [rdeny()]}), "rcp", ("MissingVersion", ""),
                 id="rcp-syntax: Version required"),
    pytest.param(json.dumps({"Version": "2008-10-17", "Statement": [rdeny()]}), "rcp",
                 ("InvalidVersion", "Version"), id="rcp-syntax: Version must be 2012-10-17"),
    pytest.param(doc(rdeny(Resource=None)), "rcp", ("MissingResource", "Statement[0]"),
                 id="rcp-syntax: Resource required"),
    pytest.param(doc(rdeny()) + " " * 5120, "rcp", ("PolicySizeExceeded", ""),
                 id="rcp-quota: 5,120 characters"),
]


@pytest.mark.parametrize(("text", "kind", "expected"), INVALID)
def test_invalid_organizations_policies(text: str, kind: str, expected: tuple[str, str]) -> None:
    assert expected in errors(text, kind), validate_policy(text, kind)


def test_size_limit_counts_characters_up_to_5120() -> None:
    base = doc(deny())
    exact = base + " " * (orgs.ORGANIZATIONS_MAX_CHARS - len(base))
    assert len(exact) == 5120
    assert errors(exact, "scp") == set()
    assert ("PolicySizeExceeded", "") in errors(exact + " ", "scp")
    assert errors(exact + " ", "identity") == set()  # only Organizations policies have it


def test_full_aws_access_is_not_flagged_overly_permissive_as_an_scp() -> None:
    codes = {f.code for f in validate_policy(orgs.FULL_AWS_ACCESS_DOCUMENT, "scp")}
    assert "OverlyPermissive" not in codes
    assert "OverlyPermissive" in {f.code for f in validate_policy(orgs.FULL_AWS_ACCESS_DOCUMENT)}


def test_compile_rejects_a_customer_rcp_with_allow() -> None:
    with pytest.raises(PolicyError) as exc:
        orgs.compile_rcp(orgs.RCP_FULL_AWS_ACCESS_DOCUMENT, policy_id="p-mine")
    assert {f.code for f in exc.value.findings} >= {"AllowNotSupportedInRcp", "InvalidRcpAction"}


def test_compile_scp_rejects_principal() -> None:
    with pytest.raises(PolicyError):
        orgs.compile_scp(doc({**deny(), "Principal": "*"}), policy_id="p-bad")

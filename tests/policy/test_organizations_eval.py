"""AWS Organizations guardrails in the engine: service control policies (SCPs) and resource
control policies (RCPs). Each case id names the AWS rule it checks, from the Organizations
User Guide pages "SCP evaluation", "SCP syntax", "Resource control policies (RCPs)", "RCP
syntax" and the IAM User Guide's "Policy evaluation logic" (its flowchart: explicit deny of any
policy type first, then RCPs, then SCPs, then resource-based, identity, boundary and session
policies) and "Cross-account policy evaluation logic"."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from policy_helpers import ACCT, OTHER_ACCT, SESSION, USER, allow, deny, doc, pol
from test_properties import CONDITIONS, SETTINGS, _compile, policy_lists, requests, statements

from iamconsole.policy import Context, Request, evaluate
from iamconsole.policy import organizations as orgs

S3OBJ = "arn:aws:s3:::bucket/key"
A, D, I = "allowed", "explicitDeny", "implicitDeny"  # noqa: E741
FULL = "FULL"  # the AWS managed FullAWSAccess (SCP) / RCPFullAWSAccess (RCP) at a level
ORG = "o-a1b2c3d4e5"
OTHER_ORG = "o-zz99zz99zz"
OU_PATH = f"{ORG}/r-ab12/ou-ab12-11111111/"
THIRD_ACCT = "777788889999"
OTHER_USER = f"arn:aws:iam::{OTHER_ACCT}:user/bob"
TARGET_ROLE = f"arn:aws:iam::{ACCT}:role/Target"
_ids = iter(range(10**6))


def _level_policies(level: list[Any], kind: str) -> list[Any]:
    """A level's spec: FULL, a statement dict (one policy) or a tuple of statements."""
    out = []
    for item in level:
        if item == FULL:
            out.append(orgs.full_aws_access() if kind == "scp" else orgs.rcp_full_aws_access())
            continue
        stmts = item if isinstance(item, tuple) else (item,)
        text = doc(*stmts)
        pid = f"p-{kind}{next(_ids)}"
        out.append(orgs.compile_scp(text, policy_id=pid) if kind == "scp"
                   else orgs.compile_rcp(text, policy_id=pid))
    return out


def levels(spec: list[list[Any]] | None, kind: str) -> list[list[Any]] | None:
    return None if spec is None else [_level_policies(lv, kind) for lv in spec]


def rdeny(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    """An RCP statement: Deny with Principal "*"."""
    return {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": resource, **extra}


def case(cid: str, expected: str, identity: list[Any] | None = None, *,
         scps: list[list[Any]] | None = None, rcps: list[list[Any]] | None = None,
         action: str = "s3:GetObject", resource: str = S3OBJ, ctx: dict[str, Any] | None = None,
         resource_policy: list[Any] | None = None, rp_kind: str = "resource",
         boundary: list[Any] | None = None, session: list[Any] | None = None,
         principal: str | None = USER, org: tuple[Any, ...] | None = None) -> Any:
    """``org``: the expected (allowed_by_organizations, denied_by, denied_level, explicit)."""
    return pytest.param(identity, scps, rcps, action, resource, ctx or {}, resource_policy,
                        rp_kind, boundary, session, principal, expected, org, id=cid)


THREE = [[FULL], [FULL], [FULL]]  # root, OU, account: the default attachments
IDENT = [allow()]
REGION_GUARD = {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}}}
RED_ONLY = allow("s3:*", Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}})
ROOT_ARN = f"arn:aws:iam::{ACCT}:root"
NO_ROOT = deny("*", Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}})
ONLY_ADMIN = deny("*", Condition={"ArnNotLike": {"aws:PrincipalArn":
                                                 "arn:aws:iam::*:role/Admin"}})
ORG_PERIMETER = rdeny("s3:*", Condition={
    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}})
BUCKET_GRANTS_OTHER = [{"Effect": "Allow", "Principal": {"AWS": OTHER_ACCT},
                        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}]
BUCKET_GRANTS_USER = [{"Effect": "Allow", "Principal": {"AWS": USER},
                       "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}]
TRUST_USER = [{"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "sts:AssumeRole"}]
TRUST_OTHER = [{"Effect": "Allow", "Principal": {"AWS": OTHER_ACCT}, "Action": "sts:AssumeRole"}]
OUTSIDE_CTX = {"aws:PrincipalOrgID": OTHER_ORG, "aws:PrincipalAccount": OTHER_ACCT,
               "aws:PrincipalIsAWSService": False}
INSIDE_CTX = {"aws:PrincipalOrgID": ORG, "aws:PrincipalAccount": ACCT,
              "aws:PrincipalOrgPaths": [OU_PATH], "aws:PrincipalIsAWSService": False}

SCP_CASES = [
    case("scp-full-aws-access-at-every-level-changes-nothing", A, IDENT, scps=THREE,
         org=(True, None, None, False)),
    case("scp-does-not-grant: FullAWSAccess everywhere, no identity policy", I, [], scps=THREE,
         org=(True, None, None, False)),
    case("scp-does-not-grant: an allow-list SCP at every level without identity policy", I, [],
         scps=[[allow()], [allow()], [allow()]]),
    case("scp-every-level-must-allow: the OU allows only ec2", I, IDENT,
         scps=[[FULL], [allow("ec2:*")], [FULL]], org=(False, "scp", 1, False)),
    case("scp-every-level-must-allow: the account allows only ec2", I, IDENT,
         scps=[[FULL], [FULL], [allow("ec2:*")]], org=(False, "scp", 2, False)),
    case("scp-every-level-must-allow: the root replaced FullAWSAccess with ec2 only", I, IDENT,
         scps=[[allow("ec2:*")], [FULL], [FULL]], org=(False, "scp", 0, False)),
    case("scp-every-level-must-allow: a level with no SCP allows nothing", I, IDENT,
         scps=[[FULL], [], [FULL]], org=(False, "scp", 1, False)),
    case("scp-every-level-must-allow: the first level without an allow is reported", I, IDENT,
         scps=[[FULL], [allow("ec2:*")], [allow("sqs:*")]], org=(False, "scp", 1, False)),
    case("scp-every-level-must-allow: one allowing SCP among several at a level suffices", A,
         IDENT, scps=[[FULL], [allow("ec2:*"), allow("s3:Get*")], [FULL]]),
    case("scp-allow-list: allow-lists at every level that all cover the action", A, IDENT,
         scps=[[allow("s3:*")], [allow("s3:GetObject")], [allow(["s3:Get*", "ec2:*"])]]),
    case("scp-allow-list: the effective SCP permissions are the intersection of the levels", I,
         [allow("s3:*")], action="s3:PutObject",
         scps=[[allow("s3:*")], [allow("s3:GetObject")], [FULL]]),
    case("scp-explicit-deny-wins-over-identity-allow", D, IDENT,
         scps=[[FULL], [FULL, deny()], [FULL]], org=(False, "scp", 1, True)),
    case("scp-explicit-deny-at-the-root-applies-to-every-account below", D, IDENT,
         scps=[[FULL, deny("s3:*")], [FULL], [FULL]], org=(False, "scp", 0, True)),
    case("scp-explicit-deny-at-the-account-level", D, IDENT,
         scps=[[FULL], [FULL], [(allow("*"), deny("s3:GetObject"))]], org=(False, "scp", 2, True)),
    case("scp-explicit-deny-overrides-the-allow-of-the-same-level", D, IDENT,
         scps=[[FULL], [(allow("s3:*"), deny("s3:Get*"))], [FULL]]),
    case("scp-deny-of-another-action-does-not-affect", A, IDENT,
         scps=[[FULL, deny("s3:PutObject")], [FULL], [FULL]]),
    case("scp-deny-of-another-resource-does-not-affect", A, IDENT,
         scps=[[FULL, deny("s3:*", "arn:aws:s3:::secret/*")], [FULL], [FULL]]),
    case("scp-deny-with-NotResource spares the listed resource", A, IDENT,
         scps=[[FULL, {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::bucket/*"}],
               [FULL], [FULL]]),
    case("scp-deny-with-NotResource denies every other resource", D, IDENT,
         resource="arn:aws:s3:::elsewhere/key",
         scps=[[FULL, {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::bucket/*"}],
               [FULL], [FULL]]),
    case("scp-region-guardrail: Deny NotAction outside the approved Region", D, IDENT,
         ctx={"aws:RequestedRegion": "eu-west-1"}, scps=[[FULL, REGION_GUARD], [FULL], [FULL]]),
    case("scp-region-guardrail: the approved Region passes", A, IDENT,
         ctx={"aws:RequestedRegion": "us-east-1"}, scps=[[FULL, REGION_GUARD], [FULL], [FULL]]),
    case("scp-region-guardrail: NotAction exempts global services", A, [allow("iam:GetUser")],
         action="iam:GetUser", resource=USER, ctx={"aws:RequestedRegion": "eu-west-1"},
         scps=[[FULL, REGION_GUARD], [FULL], [FULL]]),
    case("scp-condition-on-allow: the allow applies only when its condition is met", I, IDENT,
         ctx={"aws:PrincipalTag/team": "blue"},
         scps=[[FULL], [RED_ONLY], [FULL]], org=(False, "scp", 1, False)),
    case("scp-condition-on-allow: met", A, IDENT, ctx={"aws:PrincipalTag/team": "red"},
         scps=[[FULL], [RED_ONLY], [FULL]]),
    case("scp-resource-arn-in-allow: the SCP allows only one bucket", I, IDENT,
         resource="arn:aws:s3:::other/key",
         scps=[[FULL], [allow("s3:*", "arn:aws:s3:::bucket/*")], [FULL]]),
    case("scp-exempt-a-role-with-aws:PrincipalArn: another principal is denied", D, IDENT,
         ctx={"aws:PrincipalArn": USER}, scps=[[FULL, ONLY_ADMIN], [FULL], [FULL]]),
    case("scp-exempt-a-role-with-aws:PrincipalArn: the exempted role passes", A, IDENT,
         principal=f"arn:aws:sts::{ACCT}:assumed-role/Admin/s",
         ctx={"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:role/Admin"},
         scps=[[FULL, ONLY_ADMIN], [FULL], [FULL]]),
    case("scp-applies-to-the-member-account-root-user", D, IDENT,
         principal=ROOT_ARN, ctx={"aws:PrincipalArn": ROOT_ARN},
         scps=[[FULL, NO_ROOT], [FULL], [FULL]]),
    case("scp-resource-perimeter: aws:ResourceOrgID outside the organization is denied", D, IDENT,
         ctx={"aws:ResourceOrgID": OTHER_ORG},
         scps=[[FULL, deny("s3:*", Condition={"StringNotEqualsIfExists":
                                              {"aws:ResourceOrgID": ORG}})], [FULL], [FULL]]),
    case("scp-resource-perimeter: a resource of the organization passes", A, IDENT,
         ctx={"aws:ResourceOrgID": ORG},
         scps=[[FULL, deny("s3:*", Condition={"StringNotEqualsIfExists":
                                              {"aws:ResourceOrgID": ORG}})], [FULL], [FULL]]),
    case("scp-limits-resource-based-policy-grants within the account", I, [],
         resource_policy=BUCKET_GRANTS_USER, scps=[[FULL], [allow("ec2:*")], [FULL]]),
    case("scp-explicit-deny-wins-over-a-resource-based-policy grant", D, [],
         resource_policy=BUCKET_GRANTS_USER, scps=[[FULL, deny()], [FULL], [FULL]]),
    case("scp-allows: a resource-based policy grant still suffices within the account", A, [],
         resource_policy=BUCKET_GRANTS_USER, scps=THREE),
    case("scp-limits-sts:AssumeRole even when the trust policy names the caller", I, [],
         action="sts:AssumeRole", resource=TARGET_ROLE, resource_policy=TRUST_USER,
         rp_kind="trust", scps=[[FULL], [allow("s3:*")], [FULL]]),
    case("scp-deny-of-sts:AssumeRole wins over the trust policy", D, [allow("sts:AssumeRole")],
         action="sts:AssumeRole", resource=TARGET_ROLE, resource_policy=TRUST_USER,
         rp_kind="trust", scps=[[FULL, deny("sts:AssumeRole")], [FULL], [FULL]]),
    case("scp-applies-to-role-sessions within their session policy", D, [allow("s3:*")],
         principal=SESSION, session=[allow("s3:*")], scps=[[FULL, deny()], [FULL], [FULL]]),
    case("scp-and-boundary: both must allow", I, [allow("s3:*")], boundary=[allow("s3:*")],
         scps=[[FULL], [allow("ec2:*")], [FULL]]),
    case("scp-allowed-by-organizations while the boundary denies", I, [allow("s3:*")],
         boundary=[allow("ec2:*")], scps=THREE, org=(True, None, None, False)),
    case("scp-implicit-deny-does-not-hide-an-identity-explicit-deny", D, [allow(), deny()],
         scps=[[FULL], [], [FULL]], org=(False, "scp", 1, False)),
    case("scp-variable: a policy variable in an SCP resolves from the request", D, IDENT,
         ctx={"aws:PrincipalTag/team": "red"},
         scps=[[FULL, {"Effect": "Deny", "Action": "s3:*",
                       "NotResource": "arn:aws:s3:::${aws:PrincipalTag/team}-*"}], [FULL], [FULL]]),
    case("management-account-unaffected: no scp_levels for the management account", A, IDENT,
         scps=None, org=None),
    case("management-account-unaffected: its identity policies alone decide", I, [],
         scps=None, org=None),
    case("scp-every-level-must-allow: an account directly under the root has two levels", A,
         IDENT, scps=[[FULL], [FULL]]),
]

RCP_CASES = [
    case("rcp-full-aws-access-at-every-level-changes-nothing", A, IDENT, rcps=THREE,
         org=(True, None, None, False)),
    case("rcp-does-not-grant: RCPFullAWSAccess everywhere, no identity policy", I, [],
         rcps=THREE, org=(True, None, None, False)),
    case("rcp-denies-cross-org-principal despite the bucket policy granting its account", D,
         IDENT, principal=OTHER_USER, ctx=OUTSIDE_CTX, resource_policy=BUCKET_GRANTS_OTHER,
         rcps=[[FULL, ORG_PERIMETER], [FULL], [FULL]], org=(False, "rcp", 0, True)),
    case("rcp-allows-a-principal-of-the-organization", A, IDENT, ctx=INSIDE_CTX,
         rcps=[[FULL, ORG_PERIMETER], [FULL], [FULL]], org=(True, None, None, False)),
    case("rcp-exempts-AWS-service-principals with aws:PrincipalIsAWSService", A, IDENT,
         ctx={"aws:PrincipalIsAWSService": True}, rcps=[[FULL, ORG_PERIMETER], [FULL], [FULL]]),
    case("rcp-applies-to-principals-of-the-same-account: TLS required", D, IDENT,
         ctx={"aws:SecureTransport": False},
         rcps=[[FULL], [FULL, rdeny("s3:*", Condition={"BoolIfExists":
                                                       {"aws:SecureTransport": "false"}})],
               [FULL]], org=(False, "rcp", 1, True)),
    case("rcp-every-level-must-allow: a level without RCPFullAWSAccess", I, IDENT,
         rcps=[[FULL], [], [FULL]], org=(False, "rcp", 1, False)),
    case("rcp-explicit-deny-wins-over-a-resource-based-policy grant", D, [],
         resource_policy=BUCKET_GRANTS_USER, rcps=[[FULL, rdeny()], [FULL], [FULL]]),
    case("rcp-PrincipalOrgPaths: ForAllValues:StringNotLike on the multivalued key, inside", A,
         IDENT, ctx=INSIDE_CTX,
         rcps=[[FULL, rdeny("s3:*", Condition={"ForAllValues:StringNotLike": {
             "aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/ou-ab12-11111111/*"]}})], [FULL], [FULL]]),
    case("rcp-PrincipalOrgPaths: a principal of another OU is denied", D, IDENT,
         ctx={**INSIDE_CTX, "aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/ou-ab12-22222222/"]},
         rcps=[[FULL, rdeny("s3:*", Condition={"ForAllValues:StringNotLike": {
             "aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/ou-ab12-11111111/*"]}})], [FULL], [FULL]]),
    case("rcp-PrincipalAccount: a trusted third account passes", A, IDENT,
         principal=f"arn:aws:iam::{THIRD_ACCT}:user/carol",
         ctx={"aws:PrincipalAccount": THIRD_ACCT},
         resource_policy=[{"Effect": "Allow", "Principal": {"AWS": THIRD_ACCT},
                           "Action": "s3:GetObject", "Resource": "*"}],
         rcps=[[FULL, rdeny("s3:*", Condition={"StringNotEquals": {
             "aws:PrincipalAccount": [ACCT, THIRD_ACCT]}})], [FULL], [FULL]]),
    case("rcp-only-applies-to-supported-services: iam is not one", A, [allow("iam:GetUser")],
         action="iam:GetUser", resource=USER, rcps=[[FULL], [], [FULL]],
         org=(True, None, None, False)),
    case("rcp-limits-sts:AssumeRole of a role by a principal outside the organization", D,
         [allow("sts:AssumeRole")], principal=OTHER_USER, action="sts:AssumeRole",
         resource=TARGET_ROLE, ctx=OUTSIDE_CTX, resource_policy=TRUST_OTHER, rp_kind="trust",
         rcps=[[FULL, rdeny("sts:AssumeRole", Condition={
             "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}})], [FULL], [FULL]]),
    case("rcp-checked-before-scp: both without an allow, the RCP is reported", I, IDENT,
         scps=[[FULL], [], [FULL]], rcps=[[], [FULL], [FULL]], org=(False, "rcp", 0, False)),
    case("rcp-and-scp explicit denies are both matched", D, IDENT,
         scps=[[FULL, deny()], [FULL], [FULL]], rcps=[[FULL, rdeny()], [FULL], [FULL]],
         org=(False, "rcp", 0, True)),
    case("explicit-deny-first: an RCP deny beats an SCP level without allow", D, IDENT,
         scps=[[FULL], [], [FULL]], rcps=[[FULL, rdeny()], [FULL], [FULL]],
         org=(False, "rcp", 0, True)),
]

QUEUE = f"arn:aws:sqs:us-east-1:{ACCT}:q"  # the resource's ARN names its owner account
SEND = "sqs:SendMessage"
QUEUE_GRANTS_OTHER = [{"Effect": "Allow", "Principal": {"AWS": OTHER_ACCT}, "Action": SEND,
                       "Resource": QUEUE}]
QUEUE_GRANTS_OU = [{"Effect": "Allow", "Principal": "*", "Action": SEND, "Resource": QUEUE,
                    "Condition": {"ForAnyValue:StringLike": {
                        "aws:PrincipalOrgPaths": [f"{OU_PATH}*"]}}}]
SQS_PERIMETER = rdeny("sqs:*", Condition={
    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}})
MEMBER_CTX = {**INSIDE_CTX, "aws:PrincipalAccount": OTHER_ACCT}


def xcase(cid: str, expected: str, identity: list[Any] | None = None, **kw: Any) -> Any:
    """A call by OTHER_USER (account 444455556666) to the queue of account 111122223333."""
    kw.setdefault("principal", OTHER_USER)
    return case(cid, expected, identity, action=SEND, resource=QUEUE, **kw)


XIDENT = [allow(SEND)]
CROSS_ACCOUNT_CASES = [
    xcase("cross-account: both sides allow and both guardrails pass", A, XIDENT, ctx=MEMBER_CTX,
          resource_policy=QUEUE_GRANTS_OTHER, scps=THREE,
          rcps=[[FULL, SQS_PERIMETER], [FULL], [FULL]], org=(True, None, None, False)),
    xcase("cross-account: a queue policy granting an OU with ForAnyValue:StringLike "
          "aws:PrincipalOrgPaths", A, XIDENT,
          ctx={**MEMBER_CTX, "aws:PrincipalOrgPaths": [f"{OU_PATH}ou-ab12-33333333/"]},
          resource_policy=QUEUE_GRANTS_OU, scps=THREE, rcps=THREE),
    xcase("cross-account: the OU grant does not cover a principal of another OU", I, XIDENT,
          ctx={**MEMBER_CTX, "aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/ou-ab12-22222222/"]},
          resource_policy=QUEUE_GRANTS_OU, scps=THREE, rcps=THREE),
    xcase("cross-account: the principal account's SCPs limit the request", I, XIDENT,
          resource_policy=QUEUE_GRANTS_OTHER, scps=[[FULL], [allow("ec2:*")], [FULL]],
          rcps=THREE, org=(False, "scp", 1, False)),
    xcase("cross-account: an SCP deny of the principal's account wins over the queue policy", D,
          XIDENT, resource_policy=QUEUE_GRANTS_OTHER,
          scps=[[FULL, deny("sqs:*")], [FULL], [FULL]], rcps=THREE),
    xcase("cross-account: the resource account's RCP denies a principal outside the "
          "organization", D, XIDENT, ctx=OUTSIDE_CTX, resource_policy=QUEUE_GRANTS_OTHER,
          scps=None, rcps=[[FULL, SQS_PERIMETER], [FULL], [FULL]], org=(False, "rcp", 0, True)),
    xcase("cross-account: a principal outside any organization has no SCPs (scp_levels None)", A,
          XIDENT, ctx={"aws:PrincipalIsAWSService": False}, resource_policy=QUEUE_GRANTS_OTHER,
          scps=None, rcps=THREE, org=(True, None, None, False)),
    xcase("cross-account: guardrails that pass do not replace the missing resource policy", I,
          XIDENT, scps=THREE, rcps=THREE, org=(True, None, None, False)),
    xcase("cross-account: the identity side must still allow with the guardrails passing", I, [],
          resource_policy=QUEUE_GRANTS_OTHER, scps=THREE, rcps=THREE),
    xcase("cross-account: the resource account's RCP level without an allow", I, XIDENT,
          resource_policy=QUEUE_GRANTS_OTHER, scps=THREE, rcps=[[FULL], [FULL], []],
          org=(False, "rcp", 2, False)),
    case("cross-account: assume a role of the organization from another member account", A,
         [allow("sts:AssumeRole")], principal=OTHER_USER, action="sts:AssumeRole",
         resource=TARGET_ROLE, ctx=MEMBER_CTX, resource_policy=TRUST_OTHER, rp_kind="trust",
         scps=THREE, rcps=[[FULL, rdeny("sts:AssumeRole", Condition={
             "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}})], [FULL], [FULL]]),
    case("cross-account: the caller's SCP limits assuming a role of another account", I,
         [allow("sts:AssumeRole")], principal=OTHER_USER, action="sts:AssumeRole",
         resource=TARGET_ROLE, ctx=MEMBER_CTX, resource_policy=TRUST_OTHER, rp_kind="trust",
         scps=[[FULL], [allow("s3:*")], [FULL]], rcps=THREE),
]


@pytest.mark.parametrize(
    ("identity", "scps", "rcps", "action", "resource", "ctx", "resource_policy", "rp_kind",
     "boundary", "session", "principal", "expected", "org"),
    SCP_CASES + RCP_CASES + CROSS_ACCOUNT_CASES)
def test_organizations_table(identity: list[Any] | None, scps: list[list[Any]] | None,
                             rcps: list[list[Any]] | None, action: str, resource: str,
                             ctx: dict[str, Any], resource_policy: list[Any] | None, rp_kind: str,
                             boundary: list[Any] | None, session: list[Any] | None,
                             principal: str | None, expected: str,
                             org: tuple[Any, ...] | None) -> None:
    ident = [pol(doc(s)) for s in identity or []]
    rp = None if resource_policy is None else pol(doc(*resource_policy), kind=rp_kind,
                                                  policy_type="resource")
    bnd = None if boundary is None else [pol(doc(*boundary), kind="boundary", policy_type="none")]
    sess = None if session is None else [pol(doc(*session), kind="session", policy_type="none")]
    req = Request(action, resource, Context(ctx), principal_arn=principal)
    scp_levels, rcp_levels = levels(scps, "scp"), levels(rcps, "rcp")
    d = evaluate(req, ident, boundary_policies=bnd, session_policies=sess, resource_policy=rp,
                 scp_levels=scp_levels, rcp_levels=rcp_levels)
    assert d.decision == expected, d
    detail = d.organizations_decision_detail
    if scps is None and rcps is None:
        assert detail is None
        assert d.allowed_by_organizations is None
    else:
        assert detail is not None
        assert d.allowed_by_organizations == detail.allowed_by_organizations
        if d.allowed:
            assert detail.allowed_by_organizations
    if org is not None:
        assert detail is not None
        assert (detail.allowed_by_organizations, detail.denied_by, detail.denied_level,
                detail.explicit_deny) == org, detail
    # SCP/RCP statements are reported only when they deny explicitly (never as grants)
    org_matched = [m for m in d.matched_statements if m.policy_type in ("scp", "rcp")]
    if d.decision != D:
        assert not org_matched
    elif detail is not None and detail.explicit_deny:
        assert any(m.policy_type == detail.denied_by for m in org_matched)
    # without the guardrails the request is allowed at least as often (they never grant)
    plain = evaluate(req, ident, boundary_policies=bnd, session_policies=sess, resource_policy=rp)
    if d.allowed:
        assert plain.allowed


def test_scp_explicit_deny_lists_every_denying_statement_with_its_position() -> None:
    root_deny = orgs.compile_scp(doc(allow("*"), {**deny("s3:*"), "Sid": "NoS3"}),
                                 policy_id="p-root")
    ou_deny = orgs.compile_scp(doc(deny("s3:GetObject")), policy_id="p-ou")
    req = Request("s3:GetObject", S3OBJ, Context({}), principal_arn=USER)
    d = evaluate(req, [pol(doc(allow(), deny()))],
                 scp_levels=[[root_deny], [orgs.full_aws_access(), ou_deny],
                             [orgs.full_aws_access()]])
    assert d.decision == D
    by_type = [(m.policy_type, m.policy_id, m.statement_index, m.sid) for m in d.matched_statements]
    # identity denies first (as without SCPs), then the SCP denies, root level first
    assert by_type[0][0] == "user"
    assert by_type[1:] == [("scp", "p-root", 1, "NoS3"), ("scp", "p-ou", 0, None)]
    assert d.matched_statements[1].start_line > 1
    assert d.organizations_decision_detail is not None
    assert d.organizations_decision_detail.denied_level == 0


def test_rcp_explicit_deny_reports_rcp_policy_type() -> None:
    perimeter = orgs.compile_rcp(doc(ORG_PERIMETER), policy_id="p-perimeter")
    req = Request("s3:GetObject", S3OBJ, Context(OUTSIDE_CTX), principal_arn=OTHER_USER)
    d = evaluate(req, [pol(doc(allow()))], resource_policy=pol(doc(*BUCKET_GRANTS_OTHER),
                                                                 kind="resource",
                                                                 policy_type="resource"),
                 rcp_levels=[[orgs.rcp_full_aws_access(), perimeter]])
    assert d.decision == D
    assert [(m.policy_type, m.policy_id) for m in d.matched_statements] == [
        ("rcp", "p-perimeter")]
    detail = d.organizations_decision_detail
    assert detail is not None
    assert (detail.allowed_by_rcp, detail.allowed_by_scp) == (False, None)


def test_missing_context_values_include_the_guardrails_condition_keys() -> None:
    req = Request("s3:GetObject", S3OBJ, Context({}), principal_arn=USER)
    d = evaluate(req, [pol(doc(allow()))],
                 scp_levels=[[orgs.full_aws_access(), orgs.compile_scp(doc(REGION_GUARD),
                                                                       policy_id="p-region")]],
                 rcp_levels=[[orgs.rcp_full_aws_access(),
                              orgs.compile_rcp(doc(ORG_PERIMETER), policy_id="p-perim")]])
    assert {"aws:RequestedRegion", "aws:PrincipalOrgID",
            "aws:PrincipalIsAWSService"} <= set(d.missing_context_values)


def test_empty_chain_limits_nothing_and_levels_may_be_any_iterables() -> None:
    req = Request("s3:GetObject", S3OBJ, Context({}), principal_arn=USER)
    ident = [pol(doc(allow()))]
    assert evaluate(req, ident, scp_levels=[]).allowed
    gen_levels = ((p for p in [orgs.full_aws_access()]) for _ in range(3))
    assert evaluate(req, ident, scp_levels=gen_levels).allowed  # type: ignore[arg-type]


def test_managed_policies_are_what_aws_attaches() -> None:
    full, rfull = orgs.full_aws_access(), orgs.rcp_full_aws_access()
    assert (full.policy_id, full.policy_type, full.kind) == ("p-FullAWSAccess", "scp", "scp")
    assert (rfull.policy_id, rfull.policy_type, rfull.kind) == ("p-RCPFullAWSAccess", "rcp", "rcp")
    assert orgs.compile_rcp("ignored", policy_id=orgs.RCP_FULL_AWS_ACCESS_ID) is rfull
    assert orgs.full_aws_access() is full


# --- properties ---------------------------------------------------------------------------
scp_chains = st.lists(st.lists(st.lists(statements(), min_size=1, max_size=3), max_size=2),
                      min_size=1, max_size=3)


def _scp_levels(chain: list[list[list[dict[str, Any]]]], full: list[bool]) -> list[list[Any]]:
    out = []
    for i, level in enumerate(chain):
        ps = [orgs.compile_scp(doc(*sts), policy_id=f"prop{next(_ids)}") for sts in level]
        if full[i % len(full)]:
            ps.append(orgs.full_aws_access())
        out.append(ps)
    return out


@SETTINGS
@given(policy_lists, scp_chains, st.lists(st.booleans(), min_size=1, max_size=3), requests)
def test_scps_only_remove_permissions(stmt_lists: list[list[dict[str, Any]]],
                                      chain: list[list[list[dict[str, Any]]]], full: list[bool],
                                      req: Request) -> None:
    """scp-does-not-grant: adding scp_levels never turns a deny into an allow, and an explicit
    deny stays one."""
    ident = _compile(stmt_lists)
    without = evaluate(req, ident)
    with_scp = evaluate(req, ident, scp_levels=_scp_levels(chain, full))
    if with_scp.allowed:
        assert without.allowed
    if without.decision == D:
        assert with_scp.decision == D


@SETTINGS
@given(policy_lists, st.integers(1, 4), requests)
def test_full_aws_access_at_every_level_is_transparent(stmt_lists: list[list[dict[str, Any]]],
                                                       depth: int, req: Request) -> None:
    """scp-full-aws-access: the default attachments change no decision and no statement."""
    ident = _compile(stmt_lists)
    without = evaluate(req, ident)
    with_full = evaluate(req, ident, scp_levels=[[orgs.full_aws_access()]] * depth,
                         rcp_levels=[[orgs.rcp_full_aws_access()]] * depth)
    assert with_full.decision == without.decision
    assert with_full.matched_statements == without.matched_statements
    assert with_full.allowed_by_organizations is True


rcp_statements = st.builds(
    lambda acts, cond: {"Effect": "Deny", "Principal": "*", "Action": acts, "Resource": "*",
                        **({"Condition": cond} if cond else {})},
    st.lists(st.sampled_from(["s3:GetObject", "s3:*", "s3:Get*", "s3:Put*", "sqs:*",
                              "sqs:SendMessage"]), min_size=1, max_size=3),
    st.none() | st.sampled_from(CONDITIONS))


@SETTINGS
@given(policy_lists, st.lists(st.tuples(st.lists(rcp_statements, max_size=2), st.booleans()),
                              min_size=1, max_size=3), requests)
def test_rcps_only_remove_permissions(stmt_lists: list[list[dict[str, Any]]],
                                      chain: list[tuple[list[dict[str, Any]], bool]],
                                      req: Request) -> None:
    """rcp-does-not-grant: adding rcp_levels never turns a deny into an allow."""
    ident = _compile(stmt_lists)
    rcp_levels = []
    for sts, full in chain:
        level = [orgs.compile_rcp(doc(s), policy_id=f"prop{next(_ids)}") for s in sts]
        if full:
            level.append(orgs.rcp_full_aws_access())
        rcp_levels.append(level)
    without = evaluate(req, ident)
    with_rcp = evaluate(req, ident, rcp_levels=rcp_levels)
    if with_rcp.allowed:
        assert without.allowed
    if without.decision == D:
        assert with_rcp.decision == D

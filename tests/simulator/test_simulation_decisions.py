"""iamconsole.iam.simulation: its decisions are the policy engine's, case by case.

Each case builds principals and policies through the real domain layer, runs the simulation,
and compares it with `evaluate()` called directly on the same documents and the same request
context — and with the decision written in the table (so a broken engine cannot hide)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from personas import allow, deny, make_user, policy_json

from iamconsole.iam import services as iam
from iamconsole.iam import simulation
from iamconsole.iam.caller import Caller
from iamconsole.policy import Context, Request, compile_policy, evaluate

ACCOUNT = "123456789012"
BUCKET = "arn:aws:s3:::reports"
OBJECT = "arn:aws:s3:::reports/2024/q1.csv"
TRUST = policy_json({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                     "Action": "sts:AssumeRole"})
SYSTEM = Caller.system("test")


@dataclass
class Engine:
    """What the engine is given for the same question."""

    identity: list[str]
    boundary: list[str] | None = None
    resource_policy: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    entries: list[dict] = field(default_factory=list)
    principal_arn: str | None = None


@dataclass
class Case:
    name: str
    build: Callable[[], tuple[Callable[..., list], dict, Engine]]
    action: str
    resource: str
    expected: str


def _user_keys(name: str, **tags: str) -> dict[str, Any]:
    from iamconsole.iam.models import User

    user = User.objects.get(name=name)
    keys = {"aws:username": name, "aws:userid": user.user_id, "aws:PrincipalType": "User",
            "aws:PrincipalArn": user.arn, "aws:PrincipalAccount": ACCOUNT}
    keys.update({f"aws:PrincipalTag/{k}": v for k, v in tags.items()})
    return keys


def _principal(arn: str, **kwargs) -> tuple[Callable[..., list], dict]:
    def run(caller, action, resource):
        return simulation.simulate_principal_policy(
            caller, arn, [action], resource_arns=[resource], **kwargs)
    return run, {}


def _custom(policies: list[str], **kwargs) -> tuple[Callable[..., list], dict]:
    def run(caller, action, resource):
        return simulation.simulate_custom_policy(
            caller, policies, [action], resource_arns=[resource], **kwargs)
    return run, {}


def user_with(name: str, *docs: str, groups: dict[str, str] | None = None,
              managed: str | None = None, boundary: str | None = None,
              tags: dict[str, str] | None = None) -> str:
    user = make_user(name, password=None)
    for n, doc in enumerate(docs):
        iam.put_user_policy(SYSTEM, name, f"{name}-inline-{n}", doc)
    for group, doc in (groups or {}).items():
        iam.create_group(SYSTEM, group)
        iam.put_group_policy(SYSTEM, group, f"{group}-policy", doc)
        iam.add_user_to_group(SYSTEM, group, name)
    if managed:
        policy = iam.create_policy(SYSTEM, f"{name}-managed", managed)
        iam.attach_user_policy(SYSTEM, name, policy.arn)
    if boundary:
        policy = iam.create_policy(SYSTEM, f"{name}-boundary", boundary)
        iam.put_user_permissions_boundary(SYSTEM, name, policy.arn)
    if tags:
        iam.tag_user(SYSTEM, name, [{"Key": k, "Value": v} for k, v in tags.items()])
    return user.arn


READ_OBJECTS = policy_json(allow("s3:GetObject", f"{BUCKET}/*", Sid="ReadObjects"))
ALL_S3 = policy_json(allow("s3:*", "*"))
DENY_DELETE = policy_json(deny("s3:DeleteObject", "*", Sid="NoDeletes"))
FROM_OFFICE = policy_json(allow("s3:GetObject", "*", Condition={
    "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
OWN_HOME = policy_json(allow("s3:PutObject", "arn:aws:s3:::home/${aws:username}/*"))
RED_TEAM = policy_json(allow("s3:GetObject", "*", Condition={
    "StringEquals": {"aws:PrincipalTag/team": "red"}}))
SMALL_UPLOADS = policy_json(allow("s3:PutObject", "*", Condition={
    "NumericLessThanEquals": {"s3:max-keys": "100"}}))


def _c(name, build, action, resource, expected):
    return Case(name, build, action, resource, expected)


def case_user_inline():
    arn = user_with("alice", READ_OBJECTS)
    return (*_principal(arn), Engine([READ_OBJECTS], context=_user_keys("alice"),
                                     principal_arn=arn))


def case_no_policies():
    arn = user_with("nobody")
    return (*_principal(arn), Engine([], context=_user_keys("nobody"), principal_arn=arn))


def case_group_policy():
    arn = user_with("gina", groups={"readers": READ_OBJECTS})
    return (*_principal(arn), Engine([READ_OBJECTS], context=_user_keys("gina"),
                                     principal_arn=arn))


def case_group_deny_beats_user_allow():
    arn = user_with("dora", ALL_S3, groups={"careful": DENY_DELETE})
    return (*_principal(arn), Engine([ALL_S3, DENY_DELETE], context=_user_keys("dora"),
                                     principal_arn=arn))


def case_attached_managed():
    arn = user_with("mona", managed=READ_OBJECTS)
    return (*_principal(arn), Engine([READ_OBJECTS], context=_user_keys("mona"),
                                     principal_arn=arn))


def case_boundary_blocks():
    arn = user_with("bea", ALL_S3, boundary=READ_OBJECTS)
    return (*_principal(arn), Engine([ALL_S3], boundary=[READ_OBJECTS],
                                     context=_user_keys("bea"), principal_arn=arn))


def case_boundary_permits():
    arn = user_with("ben", ALL_S3, boundary=READ_OBJECTS)
    return (*_principal(arn), Engine([ALL_S3], boundary=[READ_OBJECTS],
                                     context=_user_keys("ben"), principal_arn=arn))


IP_ENTRY = [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"],
             "ContextKeyType": "ip"}]


def case_condition_with_context():
    arn = user_with("ivy", FROM_OFFICE)
    run, _ = _principal(arn, context_entries=IP_ENTRY)
    return run, {}, Engine([FROM_OFFICE], context=_user_keys("ivy"), entries=IP_ENTRY,
                           principal_arn=arn)


def case_condition_without_context():
    arn = user_with("ian", FROM_OFFICE)
    return (*_principal(arn), Engine([FROM_OFFICE], context=_user_keys("ian"),
                                     principal_arn=arn))


def case_username_variable():
    arn = user_with("hank", OWN_HOME)
    return (*_principal(arn), Engine([OWN_HOME], context=_user_keys("hank"),
                                     principal_arn=arn))


def case_principal_tag():
    arn = user_with("tess", RED_TEAM, tags={"team": "red"})
    return (*_principal(arn), Engine([RED_TEAM], context=_user_keys("tess", team="red"),
                                     principal_arn=arn))


def _bucket_policy(effect: str, principal_arn: str) -> str:
    return policy_json({"Effect": effect, "Principal": {"AWS": principal_arn},
                        "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"})


def case_resource_policy_allows():
    arn = user_with("rita")
    rp = _bucket_policy("Allow", arn)
    run, _ = _principal(arn, resource_policy=rp)
    return run, {}, Engine([], resource_policy=rp, context=_user_keys("rita"),
                           principal_arn=arn)


def case_resource_policy_denies():
    arn = user_with("rob", READ_OBJECTS)
    rp = _bucket_policy("Deny", arn)
    run, _ = _principal(arn, resource_policy=rp)
    return run, {}, Engine([READ_OBJECTS], resource_policy=rp, context=_user_keys("rob"),
                           principal_arn=arn)


def case_custom_policy():
    run, _ = _custom([READ_OBJECTS])
    return run, {}, Engine([READ_OBJECTS])


def case_custom_two_policies_deny():
    run, _ = _custom([ALL_S3, DENY_DELETE])
    return run, {}, Engine([ALL_S3, DENY_DELETE])


def case_custom_numeric_context():
    entries = [{"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["50"],
                "ContextKeyType": "numeric"}]
    run, _ = _custom([SMALL_UPLOADS], context_entries=entries)
    return run, {}, Engine([SMALL_UPLOADS], entries=entries)


def case_exclusion_list():
    arn = user_with("erin", READ_OBJECTS, groups={"more": READ_OBJECTS})
    run, _ = _principal(arn, policy_exclusion_list=["erin-inline-0", "more-policy"])
    return run, {}, Engine([], context=_user_keys("erin"), principal_arn=arn)


def case_role():
    role = iam.create_role(SYSTEM, "app", TRUST)
    iam.put_role_policy(SYSTEM, "app", "read", READ_OBJECTS)
    keys = {"aws:PrincipalArn": role.arn, "aws:PrincipalAccount": ACCOUNT,
            "aws:userid": role.role_id, "aws:PrincipalType": "AssumedRole"}
    return (*_principal(role.arn), Engine([READ_OBJECTS], context=keys,
                                          principal_arn=role.arn))


def case_group_source():
    group = iam.create_group(SYSTEM, "auditors")
    iam.put_group_policy(SYSTEM, "auditors", "audit", DENY_DELETE)
    iam.put_group_policy(SYSTEM, "auditors", "read", ALL_S3)
    return (*_principal(group.arn), Engine([DENY_DELETE, ALL_S3]))


def case_policy_input_list():
    arn = user_with("paul")
    run, _ = _principal(arn, policy_input_list=[READ_OBJECTS])
    return run, {}, Engine([READ_OBJECTS], context=_user_keys("paul"), principal_arn=arn)


def case_boundary_input_replaces_own():
    arn = user_with("bob", ALL_S3, boundary=DENY_DELETE)
    run, _ = _principal(arn, permissions_boundary_policy_input_list=[ALL_S3])
    return run, {}, Engine([ALL_S3], boundary=[ALL_S3], context=_user_keys("bob"),
                           principal_arn=arn)


CASES = [
    _c("user inline policy", case_user_inline, "s3:GetObject", OBJECT, "allowed"),
    _c("no policies", case_no_policies, "s3:GetObject", OBJECT, "implicitDeny"),
    _c("group policy", case_group_policy, "s3:GetObject", OBJECT, "allowed"),
    _c("group deny beats user allow", case_group_deny_beats_user_allow, "s3:DeleteObject",
       OBJECT, "explicitDeny"),
    _c("attached managed policy", case_attached_managed, "s3:GetObject", OBJECT, "allowed"),
    _c("boundary blocks", case_boundary_blocks, "s3:PutObject", OBJECT, "implicitDeny"),
    _c("boundary permits", case_boundary_permits, "s3:GetObject", OBJECT, "allowed"),
    _c("condition met by context entry", case_condition_with_context, "s3:GetObject", OBJECT,
       "allowed"),
    _c("condition without context", case_condition_without_context, "s3:GetObject", OBJECT,
       "implicitDeny"),
    _c("${aws:username} filled from the user", case_username_variable, "s3:PutObject",
       "arn:aws:s3:::home/hank/notes.txt", "allowed"),
    _c("${aws:username} of another user", case_username_variable, "s3:PutObject",
       "arn:aws:s3:::home/other/notes.txt", "implicitDeny"),
    _c("principal tag filled from the user", case_principal_tag, "s3:GetObject", OBJECT,
       "allowed"),
    _c("resource policy naming the user", case_resource_policy_allows, "s3:GetObject", OBJECT,
       "allowed"),
    _c("resource policy deny", case_resource_policy_denies, "s3:GetObject", OBJECT,
       "explicitDeny"),
    _c("custom policy", case_custom_policy, "s3:GetObject", OBJECT, "allowed"),
    _c("custom policy, other action", case_custom_policy, "s3:PutObject", OBJECT,
       "implicitDeny"),
    _c("custom policies with a deny", case_custom_two_policies_deny, "s3:DeleteObject", OBJECT,
       "explicitDeny"),
    _c("numeric context entry", case_custom_numeric_context, "s3:PutObject", OBJECT, "allowed"),
    _c("exclusion list", case_exclusion_list, "s3:GetObject", OBJECT, "implicitDeny"),
    _c("role source", case_role, "s3:GetObject", OBJECT, "allowed"),
    _c("group source", case_group_source, "s3:DeleteObject", OBJECT, "explicitDeny"),
    _c("policy input list", case_policy_input_list, "s3:GetObject", OBJECT, "allowed"),
    _c("boundary input replaces the user's", case_boundary_input_replaces_own,
       "s3:DeleteObject", OBJECT, "allowed"),
]


def _engine_decision(engine: Engine, action: str, resource: str):
    identity = [compile_policy(doc, policy_id=f"t{n}", policy_type="none")
                for n, doc in enumerate(engine.identity)]
    boundary = None if engine.boundary is None else [
        compile_policy(doc, policy_id=f"b{n}", policy_type="none", kind="boundary")
        for n, doc in enumerate(engine.boundary)]
    rp = None if engine.resource_policy is None else compile_policy(
        engine.resource_policy, policy_id="rp", policy_type="resource", kind="resource")
    context = Context(engine.context).merged(Context.from_entries(engine.entries))
    request = Request(action, resource, context, principal_arn=engine.principal_arn,
                      principal_account=ACCOUNT)
    return evaluate(request, identity, boundary_policies=boundary, resource_policy=rp)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_simulation_decision_equals_the_engine(db, case: Case, reader_caller):
    run, _, engine = case.build()
    [result] = run(reader_caller, case.action, case.resource)
    expected = _engine_decision(engine, case.action, case.resource)

    assert result.eval_decision == case.expected
    assert result.eval_decision == expected.decision
    assert result.eval_action_name == case.action
    assert result.eval_resource_name == case.resource
    assert len(result.matched_statements) == len(expected.matched_statements)
    assert [(s.start_position, s.end_position, s.sid) for s in result.matched_statements] == [
        ((m.start_line, m.start_column), (m.end_line, m.end_column), m.sid)
        for m in expected.matched_statements]
    assert result.missing_context_values == expected.missing_context_values
    assert result.permissions_boundary_decision_detail == expected.allowed_by_boundary

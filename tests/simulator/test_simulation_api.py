"""iamconsole.iam.simulation as the REST and Query APIs use it: AWS's result shape, its
errors, its authorization, the context-key operations and "who can"."""

from __future__ import annotations

import pytest
from personas import allow, deny, make_user, policy_json

from iamconsole.iam import identifiers as ids
from iamconsole.iam import services as iam
from iamconsole.iam import simulation
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import AccessDenied, InvalidInput, MalformedPolicyDocument, NoSuchEntity

SYSTEM = Caller.system("test")
OBJECT = "arn:aws:s3:::reports/q1.csv"
READ = policy_json(allow("s3:GetObject", "arn:aws:s3:::reports/*", Sid="Read"))
TRUST = policy_json({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                     "Action": "sts:AssumeRole"})


@pytest.fixture
def alice(db):
    user = make_user("alice", policy=READ, password=None)
    iam.create_group(SYSTEM, "devs")
    iam.put_group_policy(SYSTEM, "devs", "NoDelete", policy_json(deny("s3:DeleteObject")))
    iam.add_user_to_group(SYSTEM, "devs", "alice")
    managed = iam.create_policy(SYSTEM, "ListBuckets", policy_json(allow("s3:ListBucket")))
    iam.attach_user_policy(SYSTEM, "alice", managed.arn)
    iam.attach_group_policy(SYSTEM, "devs", managed.arn)  # reached twice: evaluated once
    return user


def test_result_has_aws_wire_shape(alice, reader_caller):
    [result] = simulation.simulate_principal_policy(
        reader_caller, alice.arn, ["s3:GetObject"], resource_arns=[OBJECT])
    assert result.as_aws_dict() == {
        "EvalActionName": "s3:GetObject",
        "EvalResourceName": OBJECT,
        "EvalDecision": "allowed",
        "MatchedStatements": [{
            "SourcePolicyId": "inline",
            "SourcePolicyType": "user",
            "StartPosition": {"Line": 4, "Column": 5},
            "EndPosition": {"Line": 9, "Column": 5},
        }],
        "MissingContextValues": [],
        "EvalDecisionDetails": {},
        "ResourceSpecificResults": [{
            "EvalResourceName": OBJECT,
            "EvalResourceDecision": "allowed",
            "MatchedStatements": [{
                "SourcePolicyId": "inline",
                "SourcePolicyType": "user",
                "StartPosition": {"Line": 4, "Column": 5},
                "EndPosition": {"Line": 9, "Column": 5},
            }],
            "MissingContextValues": [],
            "EvalDecisionDetails": {},
        }],
    }
    statement = result.matched_statements[0]
    assert statement.sid == "Read"
    assert statement.owner == "user/alice"
    assert statement.statement_lines[0] == (4, "    {")


def test_without_resources_the_resource_is_star_and_no_specific_results(alice, reader_caller):
    [result] = simulation.simulate_principal_policy(reader_caller, alice.arn, ["s3:ListBucket"])
    wire = result.as_aws_dict()
    assert wire["EvalResourceName"] == "*"
    assert "ResourceSpecificResults" not in wire
    assert "EvalDecisionDetails" not in wire
    # The policy attached to the user and to its group is reported once.
    assert [(s.source_policy_id, s.source_policy_type, s.version_id)
            for s in result.matched_statements] == [("ListBuckets", "user-managed", "v1")]
    assert result.matched_statements[0].policy_arn.endswith(":policy/ListBuckets")


def test_one_result_per_action_and_resource_in_order(alice, reader_caller):
    resources = ["arn:aws:s3:::reports/a", "arn:aws:s3:::other/b"]
    results = simulation.simulate_principal_policy(
        reader_caller, alice.arn, ["s3:GetObject", "s3:DeleteObject"], resource_arns=resources)
    assert [(r.eval_action_name, r.eval_resource_name, r.eval_decision) for r in results] == [
        ("s3:GetObject", resources[0], "allowed"),
        ("s3:GetObject", resources[1], "implicitDeny"),
        ("s3:DeleteObject", resources[0], "explicitDeny"),
        ("s3:DeleteObject", resources[1], "explicitDeny"),
    ]
    deny_statement = results[2].matched_statements[0]
    assert (deny_statement.source_policy_id, deny_statement.source_policy_type,
            deny_statement.owner) == ("NoDelete", "group", "group/devs")


def test_custom_policy_ids_and_types(db, reader_caller):
    rp = policy_json({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/x"},
                      "Action": "s3:GetObject", "Resource": "*"})
    [result] = simulation.simulate_custom_policy(
        reader_caller, [policy_json(allow("s3:PutObject")), READ], ["s3:GetObject"],
        resource_arns=[OBJECT], resource_policy=rp,
        caller_arn="arn:aws:iam::123456789012:user/x")
    assert [(s.source_policy_id, s.source_policy_type) for s in result.matched_statements] == [
        ("PolicyInputList.2", "none"), ("ResourcePolicy", "resource")]


def test_missing_context_values_are_reported(db, reader_caller):
    policy = policy_json(allow("s3:GetObject", "*", Condition={
        "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
        "Bool": {"aws:SecureTransport": "true"}}))
    [result] = simulation.simulate_custom_policy(reader_caller, [policy], ["s3:GetObject"])
    assert result.eval_decision == "implicitDeny"
    assert result.missing_context_values == ["aws:SecureTransport", "aws:SourceIp"]

    [result] = simulation.simulate_custom_policy(
        reader_caller, [policy], ["s3:GetObject"], context_entries=[
            {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.9.9.9"],
             "ContextKeyType": "ip"},
            {"ContextKeyName": "aws:SecureTransport", "ContextKeyValues": ["true"],
             "ContextKeyType": "boolean"}])
    assert result.eval_decision == "allowed"
    assert result.missing_context_values == []


def test_given_context_entries_override_the_principal_keys(alice, reader_caller):
    policy = policy_json(allow("s3:GetObject", "*", Condition={
        "StringEquals": {"aws:username": "bob"}}))
    runs = [simulation.simulate_principal_policy(
        reader_caller, alice.arn, ["s3:GetObject"], policy_input_list=[policy],
        policy_exclusion_list=["inline"], context_entries=entries)[0].eval_decision
        for entries in (None, [{"ContextKeyName": "aws:username", "ContextKeyValues": ["bob"],
                                "ContextKeyType": "string"}])]
    assert runs == ["implicitDeny", "allowed"]


def test_boundary_detail_and_exclusion_of_the_boundary(db, reader_caller):
    user = make_user("bea", policy=policy_json(allow("s3:*")), password=None)
    boundary = iam.create_policy(SYSTEM, "OnlyRead", READ)
    iam.put_user_permissions_boundary(SYSTEM, "bea", boundary.arn)
    [limited] = simulation.simulate_principal_policy(reader_caller, user.arn, ["s3:PutObject"])
    assert limited.eval_decision == "implicitDeny"
    assert limited.as_aws_dict()["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": False}
    [free] = simulation.simulate_principal_policy(
        reader_caller, user.arn, ["s3:PutObject"],
        policy_exclusion_list=[simulation.BOUNDARY_KEY])
    assert free.eval_decision == "allowed"
    assert free.permissions_boundary_decision_detail is None


def test_resource_handling_option_judges_resources_together(alice, reader_caller):
    [result] = simulation.simulate_principal_policy(
        reader_caller, alice.arn, ["s3:GetObject"],
        resource_arns=["arn:aws:s3:::reports/a", "arn:aws:s3:::other/b"],
        resource_handling_option="EC2-VPC-EBS")
    assert result.eval_decision == "implicitDeny"
    assert [(r.eval_resource_name, r.eval_resource_decision)
            for r in result.resource_specific_results] == [
        ("arn:aws:s3:::reports/a", "allowed"), ("arn:aws:s3:::other/b", "implicitDeny")]


def test_cross_account_resource_owner_needs_both_sides(db, reader_caller):
    caller_arn = "arn:aws:iam::123456789012:user/x"
    rp = policy_json({"Effect": "Allow", "Principal": {"AWS": caller_arn},
                      "Action": "s3:GetObject", "Resource": "*"})
    [result] = simulation.simulate_custom_policy(
        reader_caller, [policy_json(allow("s3:PutObject"))], ["s3:GetObject"],
        resource_arns=[OBJECT], resource_policy=rp, caller_arn=caller_arn,
        resource_owner="210987654321")
    assert result.eval_decision == "implicitDeny"
    assert result.eval_decision_details == {"IAM Policy": "implicitDeny",
                                            "Resource Policy": "allowed"}


@pytest.mark.parametrize(("kwargs", "error", "field"), [
    ({"resource_arns": ["not-an-arn"]}, InvalidInput, "resource_arns"),
    ({"action_names": ["s3:GetObjekt"]}, InvalidInput, "action_names"),
    ({"action_names": ["s3:Get*"]}, InvalidInput, "action_names"),
    ({"action_names": ["GetObject"]}, InvalidInput, "action_names"),
    ({"context_entries": [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["nope"],
                           "ContextKeyType": "ip"}]}, InvalidInput, "context_entries"),
    ({"context_entries": [{"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["1"],
                           "ContextKeyType": "integer"}]}, InvalidInput, "context_entries"),
    ({"policy_input_list": ['{"Version": "2012-10-17", "Statement": ']},
     MalformedPolicyDocument, "policy_input_list"),
    ({"permissions_boundary_policy_input_list": ["{}"]}, MalformedPolicyDocument,
     "permissions_boundary_policy_input_list"),
    ({"resource_policy": policy_json(allow())}, MalformedPolicyDocument, "resource_policy"),
    ({"resource_owner": "12"}, InvalidInput, "resource_owner"),
    ({"caller_arn": "arn:aws:s3:::bucket"}, InvalidInput, "caller_arn"),
    ({"resource_handling_option": "EC2-Classic"}, InvalidInput, "resource_handling_option"),
])
def test_bad_input_raises_typed_errors_with_the_field(alice, reader_caller, kwargs, error, field):
    args = {"action_names": ["s3:GetObject"], **kwargs}
    with pytest.raises(error) as info:
        simulation.simulate_principal_policy(reader_caller, alice.arn, args.pop("action_names"),
                                             **args)
    assert info.value.field == field


def test_bad_and_unknown_principals(db, reader_caller):
    with pytest.raises(InvalidInput) as info:
        simulation.simulate_principal_policy(reader_caller, "arn:aws:iam::123:user/x",
                                             ["s3:GetObject"])
    assert info.value.field == "policy_source_arn"
    with pytest.raises(NoSuchEntity):
        simulation.simulate_principal_policy(
            reader_caller, "arn:aws:iam::123456789012:user/ghost", ["s3:GetObject"])
    with pytest.raises(NoSuchEntity):  # the path is part of the ARN
        simulation.simulate_principal_policy(
            reader_caller, "arn:aws:iam::123456789012:user/team/reader", ["s3:GetObject"])


def test_resource_policy_on_a_group_needs_a_caller_arn(db, reader_caller):
    group = iam.create_group(SYSTEM, "ops")
    rp = policy_json({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                      "Resource": "*"})
    with pytest.raises(InvalidInput) as info:
        simulation.simulate_principal_policy(reader_caller, group.arn, ["s3:GetObject"],
                                             resource_policy=rp)
    assert info.value.field == "caller_arn"


def test_outsider_may_not_simulate(alice, outsider_caller):
    with pytest.raises(AccessDenied) as info:
        simulation.simulate_principal_policy(outsider_caller, alice.arn, ["s3:GetObject"])
    assert info.value.action == "iam:SimulatePrincipalPolicy"
    assert info.value.resource == alice.arn
    with pytest.raises(AccessDenied):
        simulation.simulate_custom_policy(outsider_caller, [READ], ["s3:GetObject"])
    with pytest.raises(AccessDenied):
        simulation.who_can(outsider_caller, "s3:GetObject", OBJECT)
    # Not even whether a principal exists is disclosed.
    with pytest.raises(AccessDenied):
        simulation.simulate_principal_policy(
            outsider_caller, "arn:aws:iam::123456789012:user/ghost", ["s3:GetObject"])


def test_simulation_of_one_principal_can_be_granted_alone(alice):
    scoped = make_user("scoped", password=None, policy=policy_json(
        allow("iam:SimulatePrincipalPolicy", alice.arn)))
    caller = Caller(user=scoped)
    assert simulation.simulate_principal_policy(caller, alice.arn, ["s3:GetObject"])
    with pytest.raises(AccessDenied):
        simulation.simulate_principal_policy(caller, scoped.arn, ["s3:GetObject"])


def test_context_keys_for_principal_and_custom_policies(alice, reader_caller):
    policy = policy_json(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*",
                               Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    iam.put_group_policy(SYSTEM, "devs", "Home", policy)
    assert simulation.get_context_keys_for_principal_policy(reader_caller, alice.arn) == [
        "aws:SourceIp", "aws:username"]
    extra = policy_json(allow("s3:*", "*", Condition={"Bool": {"aws:SecureTransport": "true"}}))
    assert simulation.get_context_keys_for_principal_policy(
        reader_caller, alice.arn, [extra]) == ["aws:SecureTransport", "aws:SourceIp",
                                               "aws:username"]
    assert simulation.get_context_keys_for_custom_policy(reader_caller, [extra]) == [
        "aws:SecureTransport"]


def test_principal_policies_lists_identity_policies_then_the_boundary(alice, reader_caller):
    boundary = iam.create_policy(SYSTEM, "Edge", policy_json(allow("s3:*")))
    iam.put_user_permissions_boundary(SYSTEM, "alice", boundary.arn)
    listed = simulation.principal_policies(reader_caller, alice.arn)
    assert [(p.name, p.policy_type, p.kind) for p in listed] == [
        ("inline", "user", "identity"), ("ListBuckets", "user-managed", "identity"),
        ("NoDelete", "group", "identity"), ("Edge", "user-managed", "boundary")]
    assert listed[-1].key == simulation.BOUNDARY_KEY


def test_expand_action_patterns(db):
    expanded = simulation.expand_action_patterns(["s3:GetObject", "s3:GetObjectAcl*"])
    assert expanded[0] == "s3:GetObject"
    assert "s3:GetObjectAcl" in expanded
    assert len(expanded) == len(set(expanded))
    with pytest.raises(InvalidInput):
        simulation.expand_action_patterns(["s3:Nothing*Here"])


# Who can --------------------------------------------------------------------------------

@pytest.fixture
def crowd(alice):
    make_user("bob", password=None, policy=policy_json(allow("s3:*")))
    make_user("carol", password=None)  # nothing
    make_user("dave", password=None, policy=policy_json(
        allow("s3:*"), deny("s3:GetObject", "arn:aws:s3:::reports/*")))
    erin = make_user("erin", password=None, policy=policy_json(allow("s3:*")))
    tight = iam.create_policy(SYSTEM, "NoS3", policy_json(allow("ec2:*")))
    iam.put_user_permissions_boundary(SYSTEM, erin.name, tight.arn)
    make_user("fay", password=None, policy=policy_json(allow("s3:GetObject", "*", Condition={
        "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    make_user("gus", password=None, policy=policy_json(
        allow("s3:GetObject", "arn:aws:s3:::reports/${aws:username}.csv")))
    iam.create_group(SYSTEM, "readers")
    iam.put_group_policy(SYSTEM, "readers", "Read", READ)
    make_user("hal", password=None)
    iam.add_user_to_group(SYSTEM, "readers", "hal")
    iam.create_role(SYSTEM, "app", TRUST)
    iam.put_role_policy(SYSTEM, "app", "read", READ)
    iam.create_role(SYSTEM, "idle", TRUST)


def test_who_can_lists_allowed_users_and_roles_with_the_statements(crowd, reader_caller):
    rows = simulation.who_can(reader_caller, "s3:GetObject", OBJECT)
    assert [(r.principal_type, r.name) for r in rows] == [
        ("user", "alice"), ("user", "bob"), ("user", "hal"), ("role", "app")]
    hal = rows[2]
    assert hal.arn == "arn:aws:iam::123456789012:user/hal"
    assert [(s.source_policy_id, s.source_policy_type, s.owner, s.sid)
            for s in hal.matched_statements] == [("Read", "group", "group/readers", "Read")]


def test_who_can_uses_context_and_each_principals_own_keys(crowd, admin, reader_caller):
    entries = [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.0.0.1"],
                "ContextKeyType": "ip"}]
    names = [r.name for r in simulation.who_can(reader_caller, "s3:GetObject", OBJECT, entries)]
    assert "fay" in names
    names = [r.name for r in simulation.who_can(reader_caller, "s3:GetObject",
                                                "arn:aws:s3:::reports/gus.csv")]
    assert "gus" in names and "fay" not in names


def test_who_can_agrees_with_simulate_principal_policy(crowd, reader_caller):
    from iamconsole.iam.models import Role, User

    rows = {r.arn for r in simulation.who_can(reader_caller, "s3:GetObject", OBJECT)}
    for principal in [*User.objects.filter(is_root=False), *Role.objects.all()]:
        [result] = simulation.simulate_principal_policy(
            reader_caller, principal.arn, ["s3:GetObject"], resource_arns=[OBJECT])
        assert result.allowed == (principal.arn in rows), principal.name


def test_who_can_rejects_bad_input(db, reader_caller):
    with pytest.raises(InvalidInput) as info:
        simulation.who_can(reader_caller, "s3:Nope", OBJECT)
    assert info.value.field == "action_names"
    with pytest.raises(InvalidInput) as info:
        simulation.who_can(reader_caller, "s3:GetObject", "bucket")
    assert info.value.field == "resource_arns"


@pytest.mark.parametrize(("action", "resource", "owner"), [
    pytest.param("sqs:SendMessage", "arn:aws:sqs:us-east-1:444455556666:jobs", None,
                 id="account in the ARN"),
    pytest.param("s3:GetObject", "arn:aws:s3:::their-bucket/key", "444455556666",
                 id="ResourceOwner"),
])
def test_another_accounts_resource_without_resource_policy_is_denied(reader_caller, action,
                                                                     resource, owner):
    # AWS: across accounts both sides must allow; with no resource policy the other account
    # never did, however broad the identity policy.
    [result] = simulation.simulate_custom_policy(
        reader_caller, [policy_json(allow("*", "*"))], [action], resource_arns=[resource],
        resource_owner=owner, caller_arn=f"arn:aws:iam::{ids.account_id()}:user/reader")
    assert result.eval_decision == "implicitDeny"
    assert result.eval_decision_details == {"IAM Policy": "allowed"}


def test_get_caller_identity_is_allowed_even_under_an_explicit_deny(reader_caller):
    [result] = simulation.simulate_custom_policy(
        reader_caller, [policy_json(deny("*", "*"))], ["sts:GetCallerIdentity"])
    assert result.eval_decision == "allowed"


def test_who_can_get_caller_identity_is_everyone(reader_caller, alice):
    rows = simulation.who_can(reader_caller, "sts:GetCallerIdentity", "*")
    assert {"alice", "reader"} <= {r.name for r in rows}

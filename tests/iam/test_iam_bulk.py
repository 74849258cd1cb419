"""Bulk actions over users, groups, roles and customer managed policies (iam/services/bulk.py):
each item authorized for its own resource and condition keys, checked and audited as the single
operation is; one item failing leaves the others done; unknown names reported; a bounded number
of queries however many items."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from personas import ADMIN_POLICY, allow, caller_for, deny, make_user, policy_json

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import ValidationError
from iamconsole.iam.models import AuditEvent, Group, ManagedPolicy, Role, User
from iamconsole.iam.services.bulk import Target, bulk_action

SYSTEM = Caller.system("test")
TRUST = policy_json({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                     "Action": "sts:AssumeRole"})


def _outcomes(result) -> dict[str, str]:
    return {item.name: "ok" if item.ok else item.code for item in result.items}


def _admin() -> Caller:
    return caller_for(make_user("boss", policy=ADMIN_POLICY, password=None))


def _policy(name: str, path: str = "/") -> ManagedPolicy:
    return iam.create_policy(SYSTEM, name, policy_json(allow("s3:GetObject")), path=path)


def _attached(kind: str, name: str) -> set[str]:
    return {p.name for p in iam.list_attached_policies(SYSTEM, kind, name)}


# --- groups -----------------------------------------------------------------------------------

def test_groups_attach_and_detach_a_policy_each_audited(db):
    admin = _admin()
    for name in ("dev", "ops"):
        iam.create_group(SYSTEM, name)
    policy = _policy("ReadS3")
    result = bulk_action(admin, "group", "attach_policy", ["ops", "dev", "ghost"],
                         Target(policy_arn=policy.arn))
    assert _outcomes(result) == {"dev": "ok", "ghost": "NoSuchEntity", "ops": "ok"}
    assert [i.name for i in result.items] == ["dev", "ghost", "ops"]
    assert _attached("group", "dev") == _attached("group", "ops") == {"ReadS3"}
    events = AuditEvent.objects.filter(action="iam:AttachGroupPolicy", outcome="success")
    assert sorted(events.values_list("resource_name", flat=True)) == ["dev", "ops"]
    assert events.first().new_value == {"PolicyArn": policy.arn}
    again = bulk_action(admin, "group", "attach_policy", ["dev"], Target(policy_arn=policy.arn))
    assert _outcomes(again) == {"dev": "ok"}  # AWS: attached already, nothing changes
    assert events.count() == 2
    result = bulk_action(admin, "group", "detach_policy", ["dev", "ops"],
                         Target(policy_arn=policy.arn))
    assert _outcomes(result) == {"dev": "ok", "ops": "ok"}
    assert _attached("group", "dev") == set()
    result = bulk_action(admin, "group", "detach_policy", ["dev"], Target(policy_arn=policy.arn))
    assert _outcomes(result) == {"dev": "NoSuchEntity"}
    assert AuditEvent.objects.filter(action="iam:DetachGroupPolicy").count() == 2


def test_group_attachment_denied_per_item_by_path_and_policy_arn_condition(db):
    """May attach only under /team/ and only policies under /approved/: each group and the
    policy's ARN are the engine's inputs, each denial audited."""
    approved = _policy("Approved", "/approved/")
    other = _policy("Other")
    caller = caller_for(make_user("lead", password=None, policy=policy_json(allow(
        "iam:AttachGroupPolicy", "arn:aws:iam::*:group/team/*",
        Condition={"ArnLike": {"iam:PolicyARN": "arn:aws:iam::*:policy/approved/*"}}))))
    iam.create_group(SYSTEM, "alpha", path="/team/")
    iam.create_group(SYSTEM, "beta")
    result = bulk_action(caller, "group", "attach_policy", ["alpha", "beta"],
                         Target(policy_arn=approved.arn))
    assert _outcomes(result) == {"alpha": "ok", "beta": "AccessDenied"}
    assert "group/beta" in result.failed[0].message
    result = bulk_action(caller, "group", "attach_policy", ["alpha"],
                         Target(policy_arn=other.arn))
    assert _outcomes(result) == {"alpha": "AccessDenied"}
    assert _attached("group", "alpha") == {"Approved"}
    assert AuditEvent.objects.filter(action="iam:AttachGroupPolicy", outcome="denied").count() \
        == 2


def test_group_delete_reports_members_and_policies_as_conflicts(db):
    admin = _admin()
    for name in ("empty", "members", "policies"):
        iam.create_group(SYSTEM, name)
    make_user("carol", password=None)
    iam.add_user_to_group(SYSTEM, "members", "carol")
    iam.attach_policy(SYSTEM, "group", "policies", _policy("P").arn)
    result = bulk_action(admin, "group", "delete", ["empty", "members", "policies", "gone"])
    assert _outcomes(result) == {"empty": "ok", "members": "DeleteConflict",
                                 "policies": "DeleteConflict", "gone": "NoSuchEntity"}
    messages = {i.name: i.message for i in result.items}
    assert messages["members"] == "Cannot delete entity, must remove users first."
    assert messages["policies"] == "Cannot delete entity, must remove attached policies first."
    assert set(Group.objects.values_list("name", flat=True)) == {"members", "policies"}
    event = AuditEvent.objects.get(action="iam:DeleteGroup")
    assert event.resource_name == "empty" and event.old_value["GroupName"] == "empty"


def test_attach_beyond_the_quota_fails_only_the_item_over_it(db):
    admin = _admin()
    iam.create_group(SYSTEM, "full")
    iam.create_group(SYSTEM, "roomy")
    for i in range(10):
        iam.attach_policy(SYSTEM, "group", "full", _policy(f"P{i}").arn)
    extra = _policy("Extra")
    result = bulk_action(admin, "group", "attach_policy", ["full", "roomy"],
                         Target(policy_arn=extra.arn))
    assert _outcomes(result) == {"full": "LimitExceeded", "roomy": "ok"}


# --- roles ------------------------------------------------------------------------------------

def test_roles_attach_detach_and_a_service_linked_role_is_refused(db):
    admin = _admin()
    iam.create_role(SYSTEM, "web", TRUST)
    linked = iam.create_service_linked_role(SYSTEM, "elasticbeanstalk.amazonaws.com")
    policy = _policy("ReadS3")
    result = bulk_action(admin, "role", "attach_policy", ["web", linked.name],
                         Target(policy_arn=policy.arn))
    assert _outcomes(result) == {"web": "ok", linked.name: "UnmodifiableEntity"}
    assert _attached("role", "web") == {"ReadS3"}
    result = bulk_action(admin, "role", "detach_policy", ["web"], Target(policy_arn=policy.arn))
    assert _outcomes(result) == {"web": "ok"} and _attached("role", "web") == set()


def test_role_delete_denied_blocked_and_trust_naming_it_rewritten(db):
    caller = caller_for(make_user("ops", password=None, policy=policy_json(
        allow("iam:DeleteRole"), deny("iam:DeleteRole", "arn:aws:iam::*:role/keep"))))
    for name in ("a", "b", "keep", "profiled"):
        iam.create_role(SYSTEM, name, TRUST)
    a = Role.objects.get(name="a")
    trusting = policy_json({"Effect": "Allow", "Principal": {"AWS": a.arn},
                            "Action": "sts:AssumeRole"})
    iam.create_role(SYSTEM, "trusts-a", trusting)
    iam.create_instance_profile(SYSTEM, "web")
    iam.add_role_to_instance_profile(SYSTEM, "web", "profiled")
    result = bulk_action(caller, "role", "delete", ["a", "b", "keep", "profiled"])
    assert _outcomes(result) == {"a": "ok", "b": "ok", "keep": "AccessDenied",
                                 "profiled": "DeleteConflict"}
    assert set(Role.objects.values_list("name", flat=True)) == {"keep", "profiled", "trusts-a"}
    document = json.loads(Role.objects.get(name="trusts-a").assume_role_policy_document)
    assert document["Statement"][0]["Principal"]["AWS"] == a.role_id
    assert AuditEvent.objects.filter(action="iam:UpdateAssumeRolePolicy").count() == 1
    assert AuditEvent.objects.filter(action="iam:DeleteRole", outcome="success").count() == 2
    assert AuditEvent.objects.filter(action="iam:DeleteRole", outcome="denied").count() == 1


# --- users ------------------------------------------------------------------------------------

def test_user_delete_reports_each_blocker_and_deletes_the_others(db):
    admin = _admin()
    for name in ("free", "keyed", "grouped", "passworded"):
        make_user(name, password=None)
    iam.create_access_key(SYSTEM, "keyed")
    iam.create_group(SYSTEM, "g")
    iam.add_user_to_group(SYSTEM, "g", "grouped")
    iam.create_login_profile(SYSTEM, "passworded", "Correct-Horse-9!")
    result = bulk_action(admin, "user", "delete", ["free", "keyed", "grouped", "passworded"])
    assert {i.name: i.message for i in result.failed} == {
        "grouped": "Cannot delete entity, must remove group memberships first.",
        "keyed": "Cannot delete entity, must remove access keys first.",
        "passworded": "Cannot delete entity, must remove login profile first."}
    assert not User.objects.filter(name="free").exists()


def test_add_to_group_denied_for_all_is_audited_per_user(db):
    caller = caller_for(make_user("viewer", password=None, policy=policy_json(
        allow("iam:ListUsers"))))
    iam.create_group(SYSTEM, "g")
    names = [make_user(f"u{i}", password=None).name for i in range(3)]
    result = bulk_action(caller, "user", "add_to_group", names, Target(group="g"))
    assert set(_outcomes(result).values()) == {"AccessDenied"}
    assert AuditEvent.objects.filter(action="iam:AddUserToGroup", outcome="denied").count() == 3
    assert Group.objects.get(name="g").members.count() == 0


def test_unknown_group_or_policy_is_each_items_error(db):
    admin = _admin()
    make_user("u", password=None)
    result = bulk_action(admin, "user", "add_to_group", ["u"], Target(group="nope"))
    assert _outcomes(result) == {"u": "NoSuchEntity"}
    arn = "arn:aws:iam::123456789012:policy/Nope"
    result = bulk_action(admin, "user", "attach_policy", ["u"], Target(policy_arn=arn))
    assert _outcomes(result) == {"u": "NoSuchEntity"}


# --- policies ---------------------------------------------------------------------------------

def test_policies_attach_to_and_detach_from_a_role(db):
    admin = _admin()
    iam.create_role(SYSTEM, "web", TRUST)
    first, second = _policy("First"), _policy("Second")
    ghost = "arn:aws:iam::123456789012:policy/Ghost"
    result = bulk_action(admin, "policy", "attach_policy", [first.arn, second.arn, ghost],
                         Target(identity_kind="role", identity_name="web"))
    assert _outcomes(result) == {"First": "ok", "Second": "ok", ghost: "NoSuchEntity"}
    assert _attached("role", "web") == {"First", "Second"}
    assert AuditEvent.objects.filter(action="iam:AttachRolePolicy", resource_name="web").count() \
        == 2
    result = bulk_action(admin, "policy", "detach_policy", [first.arn],
                         Target(identity_kind="role", identity_name="web"))
    assert _outcomes(result) == {"First": "ok"} and _attached("role", "web") == {"Second"}


def test_policies_attached_to_a_user_denied_per_policy_arn(db):
    allowed_policy, other = _policy("Allowed"), _policy("Other")
    caller = caller_for(make_user("lead", password=None, policy=policy_json(allow(
        "iam:AttachUserPolicy", "*",
        Condition={"ArnEquals": {"iam:PolicyARN": allowed_policy.arn}}))))
    make_user("dev", password=None)
    result = bulk_action(caller, "policy", "attach_policy", [allowed_policy.arn, other.arn],
                         Target(identity_kind="user", identity_name="dev"))
    assert _outcomes(result) == {"Allowed": "ok", "Other": "AccessDenied"}
    assert _attached("user", "dev") == {"Allowed"}


def test_policy_delete_reports_attached_and_versioned_policies(db):
    admin = _admin()
    free, attached, versioned = _policy("Free"), _policy("Attached"), _policy("Versioned")
    iam.create_group(SYSTEM, "g")
    iam.attach_policy(SYSTEM, "group", "g", attached.arn)
    iam.create_policy_version(SYSTEM, versioned.arn, policy_json(allow("s3:*")),
                              set_as_default=True)
    result = bulk_action(admin, "policy", "delete", [free.arn, attached.arn, versioned.arn])
    assert _outcomes(result) == {"Free": "ok", "Attached": "DeleteConflict",
                                 "Versioned": "DeleteConflict"}
    assert set(ManagedPolicy.objects.filter(is_aws_managed=False)
               .values_list("name", flat=True)) == {"Attached", "Versioned"}


def test_aws_managed_policies_are_not_selectable_and_bad_input_is_refused(db):
    admin = _admin()
    aws = ManagedPolicy.objects.filter(is_aws_managed=True).first()
    if aws is not None:
        result = bulk_action(admin, "policy", "delete", [aws.arn])
        assert _outcomes(result) == {aws.arn: "NoSuchEntity"}
        assert ManagedPolicy.objects.filter(pk=aws.pk).exists()
    for kind, action, names, target in (
            ("group", "add_to_group", ["g"], Target(group="g")),  # not a group action
            ("user", "delete", [], Target()),
            ("group", "attach_policy", ["g"], Target()),
            ("policy", "attach_policy", ["x"], Target(identity_kind="mfa", identity_name="m")),
            ("audit", "delete", ["x"], Target())):
        with pytest.raises(ValidationError):
            bulk_action(admin, kind, action, names, target)


# --- queries ----------------------------------------------------------------------------------

def _queries(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


@pytest.mark.parametrize("action", ["add_to_group", "attach_policy", "detach_policy",
                                    "deactivate_access_keys", "delete"])
def test_user_bulk_queries_do_not_grow_with_the_number_of_users(db, action):
    admin = _admin()
    iam.create_group(SYSTEM, "g")
    policy = _policy("P")
    target = Target(group="g", policy_arn=policy.arn)
    counts = []
    for size in (2, 5, 40):  # the first warms the caller's caches
        names = [make_user(f"s{size}-{i:02d}", password=None).name for i in range(size)]
        for name in names:
            iam.create_access_key(SYSTEM, name)
            if action == "detach_policy":
                iam.attach_policy(SYSTEM, "user", name, policy.arn)
            if action == "delete":
                iam.delete_access_key(SYSTEM, iam.list_access_keys(SYSTEM, name)[0]
                                      .access_key_id, name)
        bulk_action(admin, "user", "attach_policy", [names[0]], target)  # warm caches
        bulk_action(admin, "user", "detach_policy", [names[0]], target)
        if action == "detach_policy":
            iam.attach_policy(SYSTEM, "user", names[0], policy.arn)
        counts.append(_queries(lambda n=names: bulk_action(admin, "user", action, n, target)))
    assert counts[1] == counts[2], counts
    assert counts[2] <= 30, counts  # user deletion asks each of its 8 blockers once


@pytest.mark.parametrize("kind", ["group", "role"])
def test_group_and_role_bulk_queries_do_not_grow_with_the_number_of_items(db, kind):
    admin = _admin()
    policy = _policy("P")
    counts = []
    for size in (2, 5, 40):  # the first warms the caller's caches
        names = [f"{kind}{size}-{i:02d}" for i in range(size)]
        for name in names:
            if kind == "group":
                iam.create_group(SYSTEM, name)
            else:
                iam.create_role(SYSTEM, name, TRUST)
        for action in ("attach_policy", "detach_policy", "delete"):
            counts.append((action, size, _queries(lambda n=names, a=action: bulk_action(
                admin, kind, a, n, Target(policy_arn=policy.arn)))))
    by_action: dict[str, list[int]] = {}
    for action, _, count in counts:
        by_action.setdefault(action, []).append(count)
    assert all(small == large and large <= 20 for _, small, large in by_action.values()), \
        by_action

"""Denied calls are audited, as CloudTrail records them: actor, action, resource, source IP,
request id, errorCode AccessDenied and the reason; the rollback of the denied operation keeps the
record; the shared lookup filters for failures."""

from __future__ import annotations

import pytest
from personas import caller_for, deny, make_user, policy_json

from iamconsole.iam import arns, audit, errors
from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def _denied():
    return list(AuditEvent.objects.filter(outcome="denied").order_by("id"))


def test_a_denied_mutation_is_rolled_back_but_recorded_with_its_reason(outsider):
    caller = caller_for(outsider, source_ip="203.0.113.7", auth_method="query")
    with pytest.raises(errors.AccessDenied):
        iam.create_user(caller, "mallory")
    assert not User.objects.filter(name="mallory").exists()
    [event] = _denied()
    assert event.actor == "outsider" and event.actor_arn == outsider.arn
    assert event.action == "iam:CreateUser"
    assert event.resource_arn == arns.of_resource("user/mallory")
    assert (event.resource_type, event.resource_name) == ("user", "mallory")
    assert event.source_ip == "203.0.113.7" and event.auth_method == "query"
    assert event.request_id == caller.request_id
    assert event.error_code == "AccessDenied"
    assert "because no identity-based policy allows the iam:CreateUser action" in event.detail


def test_a_denied_read_is_recorded_and_an_explicit_deny_named(system):
    user = make_user("dana", policy=policy_json(deny("iam:GetUser", "*")))
    make_user("target", password=None)
    with pytest.raises(errors.AccessDenied):
        iam.get_user(caller_for(user), "target")
    [event] = _denied()
    assert event.action == "iam:GetUser" and event.resource_name == "target"
    assert "with an explicit deny" in event.detail


def test_a_denial_caught_by_an_enclosing_block_is_written_once(outsider, system):
    caller = caller_for(outsider)
    for name in ("a1", "a2"):
        iam.create_user(system, name)
    with audit.atomic():
        for name in ("a1", "a2"):
            with pytest.raises(errors.AccessDenied):
                iam.delete_user(caller, name)
        assert _denied() == []  # kept aside until the outermost block ends
    assert [e.resource_name for e in _denied()] == ["a1", "a2"]


def test_hostile_resource_text_is_stored_not_a_server_error(outsider):
    caller = caller_for(outsider)
    with pytest.raises(errors.AccessDenied):
        iam.get_policy(caller, arns.of_resource("policy/" + "p" * 3000))
    [event] = _denied()
    assert len(event.resource_arn) == 2048 and event.resource_type == "policy"


def test_allowed_calls_and_ui_probes_write_no_denial(admin_caller, outsider_caller):
    from iamconsole.iam import authz

    iam.create_user(admin_caller, "bob")
    assert not authz.is_allowed(outsider_caller, "iam:DeleteUser", "*")
    assert _denied() == []


def test_lookup_filters_failures_and_error_code(system, outsider_caller):
    iam.create_user(system, "bob")
    with pytest.raises(errors.AccessDenied):
        iam.delete_user(outsider_caller, "bob")
    audit.record(system, "console:SignIn", outcome="failure", detail="wrong password")
    failed = audit.lookup_events(system, failed=True)
    assert [(e.action, e.outcome) for e in failed] == [
        ("console:SignIn", "failure"), ("iam:DeleteUser", "denied")]
    assert [e.action for e in audit.lookup_events(system, error_code="AccessDenied")] == [
        "iam:DeleteUser"]
    assert [e.action for e in audit.lookup_events(system, outcome="denied")] == [
        "iam:DeleteUser"]
    assert {e.outcome for e in audit.lookup_events(system)} == {"success", "failure", "denied"}

"""Groups, roles (trust policy editor) and the read-only audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import time_machine

from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, Group, Role
from tests.conftest import allow, policy_json
from tests.console.console_support import LAMBDA_TRUST, TRUST, client_for, htmx


def test_create_group_and_bad_name(world, admin):
    client = client_for(admin)
    assert client.post("/groups/create/", {"group_name": "ops"}).status_code == 302
    assert Group.objects.filter(name="ops").exists()
    response = client.post("/groups/create/", {"group_name": "o p s"})
    assert response.status_code == 400 and "id_group_name_error" in response.content.decode()


def test_group_members_added_and_removed_in_place(world, admin):
    client = client_for(admin)
    response = client.post("/groups/team/members/add/", {"user_name": "target"},
                           **htmx("tab-panel"))
    assert response.status_code == 200 and b'href="/users/target/"' in response.content
    response = client.post("/groups/team/members/target/remove/", **htmx("tab-panel"))
    assert b"No users in this group." in response.content
    assert not Group.objects.get(name="team").members.exists()


def test_group_stale_edit(world, admin, system):
    group = Group.objects.get(name="team")
    iam.update_group(system, "team", new_path="/moved/")
    response = client_for(admin).post("/groups/team/edit/", {
        "new_group_name": "team", "new_path": "/mine/", "revision": group.revision})
    assert response.status_code == 409
    assert Group.objects.get(name="team").path == "/moved/"


def test_group_inline_policy_added(world, admin):
    response = client_for(admin).post("/groups/team/inline/new/", {
        "policy_name": "ro", "policy_document": policy_json(allow("s3:Get*", "*"))})
    assert response.status_code == 302
    assert response["Location"] == "/groups/team/?tab=permissions"
    assert Group.objects.get(name="team").inline_policies.filter(name="ro").exists()


def test_create_role_with_invalid_trust_policy_is_not_saved(world, admin):
    response = client_for(admin).post("/roles/create/", {
        "role_name": "broken", "assume_role_policy_document": policy_json(allow("sts:*")),
        "max_session_duration": 3600})
    assert response.status_code == 400
    assert "id_assume_role_policy_document_error" in response.content.decode()
    assert not Role.objects.filter(name="broken").exists()


def test_create_role_session_duration_error_next_to_field(world, admin):
    response = client_for(admin).post("/roles/create/", {
        "role_name": "r2", "assume_role_policy_document": TRUST, "max_session_duration": 60})
    assert response.status_code == 400
    assert "id_max_session_duration_error" in response.content.decode()


def test_create_role(world, admin):
    response = client_for(admin).post("/roles/create/", {
        "role_name": "worker", "assume_role_policy_document": TRUST,
        "max_session_duration": 7200, "description": "Batch", "tags": "env=dev"})
    assert response.status_code == 302
    role = Role.objects.get(name="worker")
    assert role.max_session_duration == 7200 and role.tags == {"env": "dev"}


def test_trust_policy_editor_saves_and_detects_stale_edits(world, admin, system):
    client = client_for(admin)
    page = client.get("/roles/app/trust/").content.decode()
    assert "ec2.amazonaws.com" in page and 'hx-post="/policies/validate/"' in page
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    response = client.post("/roles/app/trust/", {"policy_document": LAMBDA_TRUST,
                                                 "revision": revision})
    assert response.status_code == 302
    response = client.post("/roles/app/trust/", {"policy_document": TRUST,
                                                 "revision": revision})
    assert response.status_code == 409
    assert "lambda.amazonaws.com" in Role.objects.get(name="app").assume_role_policy_document


def test_role_trust_tab_summary(world, admin):
    body = client_for(admin).get("/roles/app/?tab=trust").content.decode()
    assert "Allows 1 action in sts on all resources" in body


def test_tab_switch_under_htmx_returns_tabs_and_panel(world, admin):
    response = client_for(admin).get("/roles/app/?tab=tags", **htmx("tabbed"))
    body = response.content.decode()
    assert "<html" not in body and 'id="tab-panel"' in body
    assert re.search(r'id="tab-tags"[^>]*aria-selected="true"', body)


def test_audit_log_records_console_changes_with_old_and_new_values(world, admin):
    client = client_for(admin)
    user = world.values()["rev"]
    client.post("/users/target/edit/", {"new_user_name": "target", "new_path": "/new/",
                                        "revision": user}, REMOTE_ADDR="203.0.113.9")
    event = AuditEvent.objects.filter(action="iam:UpdateUser").get()
    assert event.source_ip == "203.0.113.9"
    page = client.get(f"/audit/{event.pk}/").content.decode()
    assert "203.0.113.9" in page and "&quot;Path&quot;: &quot;/&quot;" in page
    assert "&quot;Path&quot;: &quot;/new/&quot;" in page


def test_audit_log_filters(world, admin, system):
    with time_machine.travel(datetime(2025, 3, 1, tzinfo=UTC), tick=False):
        iam.create_group(system, "old-group")
    client = client_for(admin)
    body = client.get("/audit/?action=CreateGroup").content.decode()
    assert "old-group" in body and "iam:CreateUser" not in body
    body = client.get("/audit/?resource_type=user&resource_name=spare").content.decode()
    assert "spare" in body and "old-group" not in body
    body = client.get("/audit/?since=2025-02-01&until=2025-03-31").content.decode()
    assert "1 event" in body and "old-group" in body
    body = client.get("/audit/?actor=admin").content.decode()
    assert "No events match." in body
    response = client.get("/audit/?since=2025-04-01&until=2025-03-01")
    assert "The end date must not be before the start date." in response.content.decode()


def test_audit_log_is_read_only(world, admin):
    event = AuditEvent.objects.first()
    client = client_for(admin)
    assert client.post(f"/audit/{event.pk}/").status_code == 405
    assert client.post("/audit/").status_code == 405
    for suffix in ("edit/", "delete/"):
        assert client.post(f"/audit/{event.pk}/{suffix}").status_code == 404
    assert AuditEvent.objects.filter(pk=event.pk).exists()

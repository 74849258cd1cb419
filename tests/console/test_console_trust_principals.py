"""The console's role trust view and editor with principals bound by identity: a deleted user
shows as its unique id, and a trust policy naming no existing user is refused at the field."""

from __future__ import annotations

import html
import json

from iamconsole.iam import services as iam
from iamconsole.iam.models import Role
from tests.console.console_support import client_for

ACCOUNT = "123456789012"
GHOST_ARN = f"arn:aws:iam::{ACCOUNT}:user/ghost"


def trust(principal: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})


def test_trust_tab_shows_the_unique_id_of_a_deleted_user(world, admin, system):
    iam.create_user(system, "ghost")
    ghost_id = iam.find_user("ghost").user_id
    iam.update_assume_role_policy(system, "app", trust(GHOST_ARN))
    client = client_for(admin)
    assert GHOST_ARN in html.unescape(client.get("/roles/app/?tab=trust").content.decode())
    assert client.post("/users/ghost/delete/").status_code in (200, 302)
    body = html.unescape(client.get("/roles/app/?tab=trust").content.decode())
    assert ghost_id in body and GHOST_ARN not in body


def test_create_role_naming_a_missing_user_shows_the_error_at_the_field(world, admin):
    response = client_for(admin).post("/roles/create/", {
        "role_name": "haunted", "assume_role_policy_document": trust(GHOST_ARN),
        "max_session_duration": 3600})
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "id_assume_role_policy_document_error" in body
    assert f'Invalid principal in policy: "AWS":"{GHOST_ARN}"' in body
    assert not Role.objects.filter(name="haunted").exists()


def test_trust_editor_refuses_to_save_a_deleted_users_id(world, admin, system):
    iam.create_user(system, "ghost")
    ghost_id = iam.find_user("ghost").user_id
    iam.update_assume_role_policy(system, "app", trust(GHOST_ARN))
    iam.delete_user(system, "ghost")
    role = Role.objects.get(name="app")
    response = client_for(admin).post("/roles/app/trust/", {
        "policy_document": role.assume_role_policy_document, "revision": role.revision})
    assert response.status_code == 400
    assert f'Invalid principal in policy: "AWS":"{ghost_id}"' in html.unescape(
        response.content.decode())

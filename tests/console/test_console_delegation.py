"""The demo's delegated administrator: may create users only with the DeveloperBoundary
permissions boundary, and cannot escalate (edit the boundary, remove it, join Admins)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from iamconsole.iam.models import ManagedPolicy, User
from iamconsole.iam.services.policies import policy_arn
from tests.conftest import allow, policy_json
from tests.console.console_support import client_for

BOUNDARY = policy_arn("DeveloperBoundary")


@pytest.fixture
def delegated(db):
    call_command("seed_demo")
    return client_for(User.objects.get(name="delegated-admin"))


def test_create_form_offers_only_the_required_boundary(delegated):
    response = delegated.get("/users/create/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{BOUNDARY}"' in body
    assert "No permissions boundary" not in body
    assert 'value="arn:aws:iam::aws:policy/IAMFullAccess"' not in body


def test_users_page_shows_the_create_button(delegated):
    assert 'href="/users/create/"' in delegated.get("/users/").content.decode()


def test_creates_a_user_with_the_boundary(delegated):
    response = delegated.post("/users/create/", {"user_name": "newdev",
                                                 "permissions_boundary": BOUNDARY})
    assert response.status_code == 302
    assert User.objects.get(name="newdev").permissions_boundary.arn == BOUNDARY


def test_cannot_create_a_user_without_the_boundary(delegated):
    response = delegated.post("/users/create/", {"user_name": "escapee",
                                                 "permissions_boundary": ""})
    # The form does not offer "no boundary"; a forged request is refused by the domain and the
    # refusal is shown on the form (403), nothing is created.
    assert response.status_code == 403
    body = response.content.decode()
    assert 'id="id_user_name"' in body
    assert "is not authorized to perform: iam:CreateUser" in body
    assert not User.objects.filter(name="escapee").exists()


def test_cannot_edit_or_delete_the_boundary_policy(delegated):
    boundary = ManagedPolicy.objects.get(name="DeveloperBoundary")
    response = delegated.post("/policies/local/DeveloperBoundary/versions/new/", {
        "policy_document": policy_json(allow("*", "*")), "revision": boundary.revision,
        "set_as_default": "on"})
    assert response.status_code == 403
    assert boundary.versions.count() == 1
    assert delegated.post("/policies/local/DeveloperBoundary/delete/").status_code == 403
    page = delegated.get("/policies/local/DeveloperBoundary/").content.decode()
    assert "Edit policy" not in page


def test_cannot_remove_a_boundary_or_join_admins(delegated):
    delegated.post("/users/create/", {"user_name": "newdev", "permissions_boundary": BOUNDARY})
    assert delegated.post("/users/newdev/boundary/remove/").status_code == 403
    assert User.objects.get(name="newdev").permissions_boundary.arn == BOUNDARY
    response = delegated.post("/users/delegated-admin/groups/add/", {"group_name": "Admins"})
    assert response.status_code == 403
    assert not User.objects.get(name="delegated-admin").iam_groups.filter(name="Admins").exists()
    response = delegated.post("/users/newdev/groups/add/", {"group_name": "Developers"})
    assert response.status_code == 302


def test_cannot_attach_policies(delegated):
    response = delegated.post("/users/delegated-admin/policies/attach/",
                              {"policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
    assert response.status_code == 403

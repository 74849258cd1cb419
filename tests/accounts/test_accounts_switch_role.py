"""The console's "Switch role": a signed-in user acts as a role of another account (trust
policy + the user's own permission), sees that account only, and switches back."""

import pytest
from accounts_fixtures import A, B, in_account, second_account, trust
from accounts_helpers import page_text, sign_in
from django.test import Client
from personas import PASSWORD, allow, make_user, policy_json

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, User

pytestmark = pytest.mark.django_db

SWITCH = "/accounts/switch-role/"


@pytest.fixture
def alice(db):
    second_account()
    with in_account(B):
        make_user("bob")
        system = Caller.system("test")
        iam.create_role(system, "Admin", trust(f"arn:aws:iam::{A}:root"))
        iam.put_role_policy(system, "Admin", "all", policy_json(allow("*", "*")))
    make_user("carol")
    return make_user("alice", policy=policy_json(
        allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/Admin"),
        allow(["iam:ListUsers", "iam:GetUser"], "*")))


def switched_client(account=B, role="Admin") -> Client:
    client = Client()
    sign_in(client, "alice", PASSWORD)
    response = client.post(SWITCH, {"account": account, "role": role})
    assert response.status_code == 302, page_text(response)
    return client


def test_switching_role_acts_in_the_roles_account(alice):
    client = switched_client()
    page = page_text(client.get("/users/"))
    assert "bob" in page and "carol" not in page
    assert f"Admin @ {B}" in page


def test_the_switched_role_may_do_what_its_policies_allow_in_its_account(alice):
    client = switched_client()
    response = client.post("/users/create/", {"user_name": "made-in-b", "path": "/"})
    assert response.status_code in (200, 302)
    with in_account(B):
        assert User.objects.filter(name="made-in-b").exists()
        event = AuditEvent.objects.get(action="iam:CreateUser", resource_name="made-in-b")
    assert event.actor_arn == f"arn:aws:sts::{B}:assumed-role/Admin/alice"
    assert not User.objects.filter(name="made-in-b").exists()


def test_switching_back_returns_to_the_users_own_account(alice):
    client = switched_client()
    client.post("/accounts/switch-back/")
    page = page_text(client.get("/users/"))
    assert "carol" in page and "bob" not in page


@pytest.mark.parametrize("account,role", [
    (B, "Missing"), ("999999999999", "Admin"), (A, "Admin"), ("no-such-alias", "Admin")])
def test_a_refused_switch_answers_the_same_for_every_reason(alice, account, role):
    client = Client()
    sign_in(client, "alice", PASSWORD)
    response = client.post(SWITCH, {"account": account, "role": role})
    assert response.status_code == 200
    assert "Invalid information in one or more fields" in page_text(response)
    assert "carol" in page_text(client.get("/users/"))


def test_a_user_without_permission_cannot_switch_even_if_the_role_trusts_the_account(alice):
    make_user("dave")
    client = Client()
    sign_in(client, "dave", PASSWORD)
    response = client.post(SWITCH, {"account": B, "role": "Admin"})
    assert "Invalid information" in page_text(response)


def test_switch_role_needs_a_signed_in_user(db):
    response = Client().post(SWITCH, {"account": B, "role": "Admin"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_demo_lets_dave_switch_into_the_sandbox_account(db):
    from iamconsole.iam import demo
    from iamconsole.orgs import demo as organization_demo

    demo.seed()
    sandbox = organization_demo.seed()
    client = Client()
    response = client.post("/accounts/login/", {"username": "dave",
                                                "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    response = client.post(SWITCH, {"account": sandbox,
                                    "role": "OrganizationAccountAccessRole"})
    assert response.status_code == 302, page_text(response)
    assert f"OrganizationAccountAccessRole @ {sandbox}" in page_text(client.get("/users/"))
    assert organization_demo.seed() == sandbox  # idempotent

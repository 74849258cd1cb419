"""Console sign-in names the account (12-digit id or alias) as AWS's sign-in page does; a
session then acts in its own account only, through every door that accepts it."""

import json

import pytest
from accounts_fixtures import A, B, in_account, second_account
from accounts_helpers import LOGIN, page_text
from django.test import Client
from personas import ADMIN_POLICY, PASSWORD, make_user

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(db):
    second_account()
    make_user("alice", policy=ADMIN_POLICY, password="Alice-in-A-123!")
    make_user("carol", policy=ADMIN_POLICY)
    with in_account(B):
        make_user("alice", policy=ADMIN_POLICY)  # the same name, another account
        make_user("bob")
        iam.create_account_alias(Caller.system("test"), "team-b")


def sign_in(client: Client, account: str, name: str, password: str = PASSWORD):
    return client.post(LOGIN, {"account": account, "username": name, "password": password})


@pytest.mark.parametrize("account", [B, "team-b", "TEAM-B"])
def test_signing_in_to_an_account_by_id_or_alias_reaches_that_accounts_user(two, account):
    client = Client()
    assert sign_in(client, account, "alice").status_code == 302
    page = page_text(client.get("/users/"))
    assert "bob" in page and "carol" not in page


def test_a_blank_account_is_the_default_account(two):
    client = Client()
    assert sign_in(client, "", "alice", "Alice-in-A-123!").status_code == 302
    page = page_text(client.get("/users/"))
    assert "carol" in page and "bob" not in page


def test_the_password_of_one_accounts_user_does_not_open_the_namesake_in_another(two):
    response = sign_in(Client(), A, "alice")  # B's alice's password, A's alice
    assert response.status_code == 200
    assert "incorrect" in page_text(response)


def test_an_unknown_account_answers_like_a_wrong_password(two):
    unknown = sign_in(Client(), "999999999999", "alice")
    wrong = sign_in(Client(), B, "alice", "Wrong-Password-1!")
    assert unknown.status_code == wrong.status_code == 200
    assert "Your user name or password is incorrect." in page_text(unknown)
    assert "Your user name or password is incorrect." in page_text(wrong)


def test_the_sign_in_link_may_name_the_account(db):
    page = page_text(Client().get(f"{LOGIN}?account=team-b"))
    assert 'value="team-b"' in page


def test_a_session_cannot_open_another_accounts_entities_by_name(two):
    client = Client()
    sign_in(client, "", "carol")
    assert client.get("/users/bob/").status_code == 404
    api = client.get("/api/v1/users/bob/")
    assert api.status_code == 404, api.content


def test_sign_in_is_recorded_in_the_users_own_account(two):
    sign_in(Client(), B, "bob")
    assert not AuditEvent.objects.filter(actor="bob").exists()
    with in_account(B):
        event = AuditEvent.objects.get(actor="bob", action="signin:ConsoleLogin")
    assert event.resource_arn == f"arn:aws:iam::{B}:user/bob"


def test_rest_sessions_of_two_accounts_list_their_own_users(two):
    client_a, client_b = Client(), Client()
    sign_in(client_a, "", "carol")
    sign_in(client_b, B, "alice")
    names_a = [u["user_name"] for u in client_a.get("/api/v1/users/").json()["results"]]
    names_b = [u["user_name"] for u in client_b.get("/api/v1/users/").json()["results"]]
    assert names_a == ["alice", "carol"]
    assert names_b == ["alice", "bob"]
    assert json.dumps(names_b)

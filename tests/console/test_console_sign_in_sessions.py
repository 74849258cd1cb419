"""Sign-in security in the console (issue #19): the "Locked-out users" page with Unlock, a
user's "Sessions" tab (lock, console sessions, STS sessions) and a role's (Revoke active
sessions), each governed by IAM policy, CSRF-protected, htmx in place."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from personas import ADMIN_POLICY, PASSWORD, READ_ONLY_POLICY, allow, make_user, policy_json

from iamconsole.iam import lockout, sts
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, ConsoleSession, RoleInlinePolicy
from iamconsole.iam.services import sign_in_sessions as sessions
from tests.console.console_support import TRUST, client_for, htmx

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


@pytest.fixture
def admin(db):
    return make_user("boss", policy=ADMIN_POLICY)


@pytest.fixture
def reader(db):
    return make_user("auditor", policy=READ_ONLY_POLICY)


@pytest.fixture
def alice(db):
    user = make_user("alice", policy=policy_json(allow("sts:GetSessionToken")))
    client = Client()
    for _ in range(lockout.limits().user_failures):
        client.post(LOGIN, {"username": "alice", "password": "Wrong-Password-1!"})
    return user


def _signed_in(name: str) -> Client:
    client = Client()
    client.post(LOGIN, {"username": name, "password": PASSWORD})
    assert client.session.get("_auth_user_id")
    return client


@pytest.mark.parametrize(("method", "url", "who", "status"), [
    ("get", "/locked-users/", "admin", 200),
    ("get", "/locked-users/", "reader", 200),
    ("get", "/locked-users/", "outsider", 403),
    ("post", "/locked-users/alice/unlock/", "admin", 302),
    ("post", "/locked-users/alice/unlock/", "reader", 403),
    ("post", "/users/alice/unlock/", "reader", 403),
    ("get", "/users/alice/?tab=sessions", "reader", 200),
    ("get", "/users/alice/?tab=sessions", "outsider", 403),
    ("post", "/users/alice/console-sessions/revoke/", "reader", 403),
    ("post", "/users/alice/console-sessions/revoke/", "admin", 302),
    ("get", "/roles/app/?tab=sessions", "reader", 200),
    ("post", "/roles/app/sessions/revoke/", "reader", 403),
    ("post", "/roles/app/sessions/revoke/", "admin", 302),
])
def test_permissions(method, url, who, status, admin, reader, alice):
    from iamconsole.iam import services as iam

    iam.create_role(Caller.system("test"), "app", TRUST)
    users = {"admin": admin, "reader": reader, "outsider": make_user("outsider")}
    response = getattr(client_for(users[who]), method)(url)
    assert response.status_code == status


def test_locked_users_page_lists_the_user_and_unlocks_it_in_place(admin, alice):
    client = client_for(admin)
    page = client.get("/locked-users/").content.decode()
    assert "alice" in page and "Locked until" in page and "password" in page
    response = client.post("/locked-users/alice/unlock/", **htmx("locked-users"))
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "Unlocked alice." in fragment and "No user is locked out." in fragment
    assert sessions.lock_of(alice) is None
    assert AuditEvent.objects.filter(action=sessions.UNLOCK, actor="boss",
                                     resource_name="alice").exists()
    assert _signed_in("alice")


def test_unlock_needs_the_csrf_token(admin, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post("/locked-users/alice/unlock/").status_code == 403
    assert sessions.lock_of(alice) is not None


def test_a_reader_sees_the_unlock_button_disabled(reader, alice):
    page = client_for(reader).get("/locked-users/").content.decode()
    assert "Not allowed: iam:UpdateLoginProfile" in page


def test_user_detail_shows_locked_until_and_unlocks_from_the_sessions_tab(admin, alice):
    client = client_for(admin)
    page = client.get("/users/alice/").content.decode()
    assert 'id="locked-until"' in page
    tab = client.get("/users/alice/?tab=sessions").content.decode()
    assert 'id="sign-in-lock"' in tab
    response = client.post("/users/alice/unlock/", **htmx("tab-panel"))
    assert "Unlocked alice." in response.content.decode()
    assert "Not locked out." in response.content.decode()
    assert 'id="locked-until"' not in client.get("/users/alice/").content.decode()


def test_sessions_tab_lists_and_revokes_a_console_session(admin):
    make_user("carol")
    carol = _signed_in("carol")
    [row] = ConsoleSession.everywhere.filter(user__name="carol")
    client = client_for(admin)
    tab = client.get("/users/carol/?tab=sessions").content.decode()
    assert "127.0.0.1" in tab and f"/users/carol/console-sessions/{row.pk}/revoke/" in tab
    response = client.post(f"/users/carol/console-sessions/{row.pk}/revoke/",
                           **htmx("tab-panel"))
    assert response.status_code == 200
    assert "Signed carol out of that console session." in response.content.decode()
    assert carol.get("/").status_code == 302
    assert not ConsoleSession.everywhere.filter(pk=row.pk).exists()


def test_revoking_an_unknown_console_session_is_a_clear_error(admin):
    make_user("carol")
    response = client_for(admin).post("/users/carol/console-sessions/12345/revoke/",
                                      **htmx("tab-panel"))
    assert response.status_code == 404
    assert "does not exist" in response.content.decode()


def test_sessions_tab_lists_and_revokes_an_sts_session(admin, alice):
    token = sts.get_session_token(Caller(user=alice))
    client = client_for(admin)
    tab = client.get("/users/alice/?tab=sessions").content.decode()
    assert token.access_key_id in tab and "GetSessionToken" in tab
    response = client.post(f"/users/alice/sts-sessions/{token.access_key_id}/revoke/",
                           **htmx("tab-panel"))
    assert f"Revoked the session {token.access_key_id}." in response.content.decode()
    assert token.access_key_id not in response.content.decode().replace(
        f"Revoked the session {token.access_key_id}.", "")


def test_role_sessions_tab_and_revoke_active_sessions(admin):
    from iamconsole.iam import services as iam

    system = Caller.system("test")
    iam.create_role(system, "app", json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "sts:AssumeRole"}]}))
    dev = make_user("dev", policy=policy_json(allow("sts:AssumeRole")))
    sts.assume_role(Caller(user=dev), "arn:aws:iam::123456789012:role/app", "deploy-1",
                    source_identity="dev-person")
    client = client_for(admin)
    tab = client.get("/roles/app/?tab=sessions").content.decode()
    assert "deploy-1" in tab and "dev-person" in tab and "Revoke active sessions" in tab
    response = client.post("/roles/app/sessions/revoke/", **htmx("tab-panel"))
    assert response.status_code == 200
    assert "AWSRevokeOlderSessions" in response.content.decode()
    policy = RoleInlinePolicy.objects.get(role__name="app", name="AWSRevokeOlderSessions")
    statement = json.loads(policy.document)["Statement"][0]
    assert statement["Effect"] == "Deny" and "aws:TokenIssueTime" in \
        statement["Condition"]["DateLessThan"]


def test_a_locked_root_user_cannot_be_unlocked_by_an_iam_administrator(admin):
    from iamconsole.iam.models import User

    User.objects.create_superuser("rooty", PASSWORD)
    client = Client()
    for _ in range(lockout.limits().user_failures):
        client.post(LOGIN, {"username": "rooty", "password": "Wrong-Password-1!"})
    page = client_for(admin).get("/locked-users/").content.decode()
    assert "rooty" in page and "Only the root user can unlock itself" in page
    response = client_for(admin).post("/locked-users/rooty/unlock/", **htmx("locked-users"))
    assert response.status_code == 403

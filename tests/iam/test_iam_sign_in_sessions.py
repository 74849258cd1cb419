"""Sign-in security for administrators (issue #19), domain layer: locked-out users listed and
unlocked, console sessions tracked and revoked, STS sessions listed and revoked, a role's
"Revoke active sessions", and aws:TokenIssueTime for temporary credentials only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from personas import ADMIN_POLICY, PASSWORD, READ_ONLY_POLICY, allow, caller_for, make_user
from personas import policy_json as policy

from iamconsole.iam import authz, clock, lockout, sts
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import AccessDenied, NoSuchEntity, UnmodifiableEntity
from iamconsole.iam.models import (
    AuditEvent,
    ConsoleSession,
    SignInLock,
    TemporaryCredential,
    User,
)
from iamconsole.iam.services import sign_in_sessions as sessions

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime(2025, 3, 3, 12, 0, 0, tzinfo=UTC), tick=False)
    return time_machine


@pytest.fixture
def admin(db):
    return caller_for(make_user("boss", policy=ADMIN_POLICY))


@pytest.fixture
def reader(db):
    return caller_for(make_user("auditor", policy=READ_ONLY_POLICY))


def _lock(name: str) -> None:
    client = Client()
    for _ in range(lockout.limits().user_failures):
        client.post(LOGIN, {"username": name, "password": "Wrong-Password-1!"})


def make_user_named(name: str):
    return User.objects.get(name=name)


def _signs_in(name: str) -> bool:
    client = Client()
    client.post(LOGIN, {"username": name, "password": PASSWORD})
    return client.session.get("_auth_user_id") is not None


# --- locked-out users -----------------------------------------------------------------------

def test_a_locked_user_is_listed_with_the_end_of_its_lock(frozen, admin):
    alice = make_user("alice")
    make_user("bob")
    _lock("alice")
    locked = sessions.list_locked_users(admin)
    assert [(lock.user.pk, lock.kinds) for lock in locked] == [(alice.pk, ("password",))]
    assert locked[0].locked_until == clock.now() + timedelta(minutes=15)
    assert sessions.lock_of(alice).locked_until == locked[0].locked_until


def test_an_unknown_name_locked_leaves_no_row(frozen, admin):
    _lock("nobody")
    assert sessions.list_locked_users(admin) == []
    assert not SignInLock.everywhere.exists()


def test_a_lock_that_ended_is_no_longer_listed(frozen, admin):
    make_user("alice")
    _lock("alice")
    frozen.shift(timedelta(minutes=15, seconds=1))
    assert sessions.list_locked_users(admin) == []
    assert not SignInLock.everywhere.exists()


def test_unlock_clears_the_lock_so_the_user_signs_in_and_is_audited(frozen, admin):
    make_user("alice")
    _lock("alice")
    assert not _signs_in("alice")
    sessions.unlock_user(admin, "ALICE")
    assert sessions.list_locked_users(admin) == []
    assert _signs_in("alice")
    event = AuditEvent.objects.get(action=sessions.UNLOCK)
    assert (event.actor, event.resource_name, event.outcome) == ("boss", "alice", "success")
    assert event.old_value == {"password": (clock.now() + timedelta(minutes=15)).isoformat()}


def test_unlock_also_clears_the_failure_counter(frozen, admin):
    make_user("alice")
    client = Client()
    for _ in range(lockout.limits().user_failures - 1):
        client.post(LOGIN, {"username": "alice", "password": "Wrong-Password-1!"})
    sessions.unlock_user(admin, "alice")
    client.post(LOGIN, {"username": "alice", "password": "Wrong-Password-1!"})
    assert sessions.lock_of(make_user_named("alice")) is None  # the count started again


def test_listing_needs_list_users_and_unlocking_needs_update_login_profile(frozen, reader,
                                                                          admin):
    make_user("alice")
    _lock("alice")
    assert [lock.user.name for lock in sessions.list_locked_users(reader)] == ["alice"]
    with pytest.raises(AccessDenied) as denied:
        sessions.unlock_user(reader, "alice")
    assert denied.value.action == "iam:UpdateLoginProfile"
    assert sessions.lock_of(make_user_named("alice")) is not None
    outsider = caller_for(make_user("outsider"))
    with pytest.raises(AccessDenied):
        sessions.list_locked_users(outsider)
    with pytest.raises(AccessDenied):  # no existence oracle for an unknown name either
        sessions.unlock_user(outsider, "ghost")
    with pytest.raises(NoSuchEntity):
        sessions.unlock_user(admin, "ghost")


def test_a_lock_in_another_account_is_not_listed(frozen, admin):
    from iamconsole.iam import tenancy
    from iamconsole.iam.services.accounts import create_account

    other = create_account(Caller.system("test"), name="other").id
    with tenancy.acting_in(other):
        make_user("alice")
    client = Client()
    for _ in range(lockout.limits().user_failures):
        client.post(LOGIN, {"account": other, "username": "alice",
                            "password": "Wrong-Password-1!"})
    assert SignInLock.everywhere.filter(account_id=other).count() == 1
    assert sessions.list_locked_users(admin) == []


# --- console sessions -----------------------------------------------------------------------

def _signed_in_client(name: str, **extra) -> Client:
    client = Client(**extra)
    client.post(LOGIN, {"username": name, "password": PASSWORD})
    assert client.session.get("_auth_user_id")
    return client


def test_signing_in_tracks_the_console_session(frozen, admin):
    make_user("alice")
    client = _signed_in_client("alice", HTTP_USER_AGENT="Firefox/140")
    [row] = sessions.list_console_sessions(admin, "alice")
    assert row.session_key == client.session.session_key
    assert (row.client_address, row.user_agent) == ("127.0.0.1", "Firefox/140")
    assert row.created_at == row.last_seen_at == clock.now()


def test_revoking_a_console_session_signs_it_out_at_its_next_request(frozen, admin):
    make_user("alice", policy=ADMIN_POLICY)
    first, second = _signed_in_client("alice"), _signed_in_client("alice")
    rows = sessions.list_console_sessions(admin, "alice")
    assert len(rows) == 2
    target = next(r for r in rows if r.session_key == first.session.session_key)
    assert sessions.revoke_console_sessions(admin, "alice", target.pk) == 1
    assert first.get("/users/").status_code == 302  # to the sign-in page
    assert second.get("/users/").status_code == 200
    event = AuditEvent.objects.get(action=sessions.REVOKE_CONSOLE_SESSION)
    assert (event.actor, event.resource_name, event.old_value["SessionId"]) == \
        ("boss", "alice", target.pk)


def test_revoking_all_console_sessions(frozen, admin):
    make_user("alice", policy=ADMIN_POLICY)
    clients = [_signed_in_client("alice") for _ in range(3)]
    assert sessions.revoke_console_sessions(admin, "alice") == 3
    assert all(c.get("/users/").status_code == 302 for c in clients)
    assert sessions.list_console_sessions(admin, "alice") == []


def test_revoking_an_unknown_session_is_no_such_entity(frozen, admin):
    make_user("alice")
    with pytest.raises(NoSuchEntity):
        sessions.revoke_console_sessions(admin, "alice", 999)
    with pytest.raises(NoSuchEntity):
        sessions.revoke_console_sessions(admin, "alice", "not-a-number")


def test_signing_out_ends_the_tracked_session(frozen, admin):
    make_user("alice")
    client = _signed_in_client("alice")
    client.post("/accounts/logout/")
    assert sessions.list_console_sessions(admin, "alice") == []
    assert not ConsoleSession.everywhere.exists()


def test_last_seen_is_refreshed_at_most_once_a_minute(frozen, admin):
    make_user("alice", policy=ADMIN_POLICY)
    client = _signed_in_client("alice")
    start = clock.now()
    frozen.shift(timedelta(seconds=30))
    client.get("/users/")
    assert ConsoleSession.everywhere.get().last_seen_at == start
    frozen.shift(timedelta(seconds=31))
    client.get("/users/")
    assert ConsoleSession.everywhere.get().last_seen_at == clock.now()


def test_a_cycled_session_key_is_followed(frozen, admin):
    make_user("alice", policy=ADMIN_POLICY)
    client = _signed_in_client("alice")
    before = client.session.session_key
    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "Another-Horse-7!",
        "new_password2": "Another-Horse-7!"})
    assert response.status_code == 302
    assert client.session.session_key != before  # update_session_auth_hash cycled it
    assert client.get("/users/").status_code == 200
    row = ConsoleSession.everywhere.get()
    assert row.session_key == client.session.session_key
    sessions.revoke_console_sessions(admin, "alice")
    assert client.get("/users/").status_code == 302


def test_a_session_from_before_tracking_is_tracked_at_its_next_request(frozen, admin):
    make_user("alice", policy=ADMIN_POLICY)
    client = _signed_in_client("alice")
    ConsoleSession.everywhere.all().delete()
    session = client.session
    session.pop("accounts.console_session")
    session.save()
    client.get("/users/")
    assert [r.session_key for r in sessions.list_console_sessions(admin, "alice")] == \
        [client.session.session_key]


def test_console_sessions_need_get_and_update_login_profile(frozen, reader):
    make_user("alice")
    _signed_in_client("alice")
    assert len(sessions.list_console_sessions(reader, "alice")) == 1
    with pytest.raises(AccessDenied) as denied:
        sessions.revoke_console_sessions(reader, "alice")
    assert denied.value.action == "iam:UpdateLoginProfile"
    assert len(sessions.list_console_sessions(reader, "alice")) == 1


# --- STS sessions -----------------------------------------------------------------------------

def test_a_users_sts_sessions_are_listed_and_revoked(frozen, admin):
    alice = make_user("alice", policy=policy(allow(["sts:GetSessionToken",
                                                    "sts:GetFederationToken"])))
    token = sts.get_session_token(caller_for(alice))
    federation = sts.get_federation_token(caller_for(alice), "partner")
    listed = sessions.list_user_sts_sessions(admin, "alice")
    assert {c.access_key_id for c in listed} == {token.access_key_id,
                                                 federation.credentials.access_key_id}
    sessions.revoke_user_sts_session(admin, "alice", token.access_key_id)
    assert not TemporaryCredential.objects.filter(
        access_key_id=token.access_key_id).exists()
    assert [c.session_name for c in sessions.list_user_sts_sessions(admin, "alice")] == \
        ["partner"]
    event = AuditEvent.objects.get(action=sessions.REVOKE_STS_SESSION)
    assert event.old_value["AccessKeyId"] == token.access_key_id
    with pytest.raises(NoSuchEntity):
        sessions.revoke_user_sts_session(admin, "alice", token.access_key_id)


def test_expired_sts_sessions_are_not_listed(frozen, admin):
    alice = make_user("alice", policy=policy(allow("sts:GetSessionToken")))
    sts.get_session_token(caller_for(alice), duration_seconds=900)
    frozen.shift(timedelta(seconds=901))
    assert sessions.list_user_sts_sessions(admin, "alice") == []


ROLE_TRUST = policy({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                     "Action": "sts:AssumeRole"})


@pytest.fixture
def deployer(db):
    system = Caller.system("test")
    iam.create_role(system, "deployer", ROLE_TRUST)
    iam.put_role_policy(system, "deployer", "permissions", policy(allow("s3:GetObject")))
    return make_user("dev", policy=policy(allow("sts:AssumeRole")))


def _session_caller(assumed) -> Caller:
    credential = TemporaryCredential.objects.select_related("role").get(
        access_key_id=assumed.credentials.access_key_id)
    return Caller(role=credential.role, credential=credential)


def test_role_sessions_are_listed_with_name_and_source_identity(frozen, admin, deployer):
    sts.assume_role(caller_for(deployer), "arn:aws:iam::123456789012:role/deployer", "one",
                    source_identity="dev-person")
    [listed] = sessions.list_role_sessions(admin, "deployer")
    assert (listed.session_name, listed.source_identity) == ("one", "dev-person")


def test_revoke_active_sessions_denies_older_sessions_only(frozen, admin, deployer):
    arn = "arn:aws:iam::123456789012:role/deployer"
    old = _session_caller(sts.assume_role(caller_for(deployer), arn, "old"))
    assert authz.is_allowed(old, "s3:GetObject", "arn:aws:s3:::b/k")
    frozen.shift(timedelta(milliseconds=1))
    revoked_at = sessions.revoke_role_sessions(admin, "deployer")
    assert revoked_at == "2025-03-03T12:00:00.001Z"
    old = Caller(role=old.role, credential=old.credential)  # its policies gathered again
    assert not authz.is_allowed(old, "s3:GetObject", "arn:aws:s3:::b/k")
    frozen.shift(timedelta(milliseconds=1))
    new = _session_caller(sts.assume_role(caller_for(deployer), arn, "new"))
    assert authz.is_allowed(new, "s3:GetObject", "arn:aws:s3:::b/k")


def test_revoking_needs_put_role_policy(frozen, reader, deployer):
    with pytest.raises(AccessDenied) as denied:
        sessions.revoke_role_sessions(reader, "deployer")
    assert denied.value.action == "iam:PutRolePolicy"


def test_a_service_linked_roles_sessions_cannot_be_revoked(frozen, admin):
    role = iam.create_service_linked_role(Caller.system("test"), "elasticbeanstalk.amazonaws.com")
    with pytest.raises(UnmodifiableEntity):
        sessions.revoke_role_sessions(admin, role.name)


def test_revoke_time_rounds_up_to_the_millisecond():
    assert sessions.revoke_time(datetime(2025, 1, 1, 0, 0, 0, 1500, tzinfo=UTC)) == \
        "2025-01-01T00:00:00.002Z"
    assert sessions.revoke_time(datetime(2025, 1, 1, 0, 0, 0, 999_999, tzinfo=UTC)) == \
        "2025-01-01T00:00:01.000Z"


# --- aws:TokenIssueTime -----------------------------------------------------------------------

def test_token_issue_time_is_set_for_temporary_credentials_only(frozen, admin, deployer):
    session = _session_caller(sts.assume_role(
        caller_for(deployer), "arn:aws:iam::123456789012:role/deployer", "sess"))
    assert authz.request_context(session)["aws:TokenIssueTime"] == \
        "2025-03-03T12:00:00.000000Z"
    assert "aws:TokenIssueTime" not in authz.request_context(admin)


def test_the_simulator_takes_token_issue_time_as_a_context_entry(frozen, admin):
    from iamconsole.iam.simulation import simulate_custom_policy

    revoke = sessions.revoke_policy_document(clock.now())
    allowing = policy(allow("s3:GetObject"))

    def decision(issued: str | None) -> str:
        entries = [] if issued is None else [{"ContextKeyName": "aws:TokenIssueTime",
                                              "ContextKeyValues": [issued],
                                              "ContextKeyType": "date"}]
        return simulate_custom_policy(admin, [allowing, revoke], ["s3:GetObject"],
                                      context_entries=entries)[0].eval_decision

    assert decision("2025-03-03T11:59:59Z") == "explicitDeny"
    assert decision("2025-03-03T12:00:01.5Z") == "allowed"
    assert decision(None) == "allowed"  # absent (long-term credentials): the deny does not apply


def test_only_the_root_user_unlocks_the_root_user(frozen, admin):
    from iamconsole.iam.models import User

    root = User.objects.create_superuser("rooty", PASSWORD)
    _lock("rooty")
    assert [lock.user.pk for lock in sessions.list_locked_users(admin)] == [root.pk]
    with pytest.raises(AccessDenied):  # an IAM administrator's policies do not reach root
        sessions.unlock_user(admin, "rooty")
    with pytest.raises(AccessDenied):
        sessions.revoke_console_sessions(admin, "rooty")
    sessions.unlock_user(Caller(user=root), "rooty")
    assert sessions.lock_of(root) is None

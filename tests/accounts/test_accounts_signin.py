"""Console sign-in: password step, MFA step with real TOTP codes at frozen times, replay and
drift, lockout per user and per address, audit log, session MFA markers."""

import re
from datetime import timedelta

import pytest
from accounts_helpers import (
    LOGIN_MFA,
    STEP,
    T0,
    code_at_offset,
    enroll_device,
    enter_code,
    page_text,
    sign_in,
    signed_in_user_id,
    url,
)
from django.test import Client
from personas import PASSWORD, make_user

from iamconsole.accounts import flows
from iamconsole.accounts.session import MFA_AT, PENDING_MFA
from iamconsole.iam import lockout
from iamconsole.iam.models import AuditEvent, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def alice(db, frozen):
    return make_user("alice")


def test_sign_in_with_password_signs_in_and_records_it(client, alice):
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(alice.pk)
    assert MFA_AT not in client.session
    alice.refresh_from_db()
    assert alice.password_last_used == T0
    event = AuditEvent.objects.filter(action=flows.SIGN_IN).get()
    assert (event.actor, event.outcome, event.new_value) == ("alice", "success", {"MFAUsed": "No"})


def test_user_name_is_case_insensitive(client, alice):
    sign_in(client, "ALICE", PASSWORD)
    assert signed_in_user_id(client) == str(alice.pk)


def test_next_parameter_is_followed_only_within_the_site(client, alice):
    response = client.post(url("login") + "?next=/users/", {"username": "alice",
                                                            "password": PASSWORD})
    assert response["Location"] == "/users/"
    other = Client()
    response = other.post(url("login") + "?next=https://evil.example/", {
        "username": "alice", "password": PASSWORD})
    assert "evil.example" not in response["Location"]


@pytest.mark.parametrize("name,password", [("alice", "wrong-Password-1!"), ("nobody", PASSWORD)],
                         ids=["wrong-password", "unknown-user"])
def test_failed_sign_in_says_the_same_for_unknown_users_and_wrong_passwords(
    client, alice, name, password
):
    response = sign_in(client, name, password)
    assert response.status_code == 200
    assert flows.INVALID_CREDENTIALS in page_text(response)
    assert signed_in_user_id(client) is None
    event = AuditEvent.objects.get(action=flows.SIGN_IN)
    assert (event.outcome, event.resource_name) == ("failure", name)


def test_unknown_user_failure_is_audited_as_the_attempted_name(client, alice):
    sign_in(client, "mallory", "x", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action=flows.SIGN_IN)
    assert (event.actor_arn, event.resource_name, event.source_ip) == ("", "mallory", "10.1.2.3")


def test_root_user_signs_in(client, root_user):
    sign_in(client, "root", PASSWORD)
    assert signed_in_user_id(client) == str(root_user.pk)


def test_user_without_login_profile_cannot_sign_in(client, frozen):
    make_user("keyonly", password=None)
    response = sign_in(client, "keyonly", "")
    assert signed_in_user_id(client) is None
    assert response.status_code == 200


def test_logout_is_post_only_and_records_it(client, alice):
    sign_in(client, "alice", PASSWORD)
    assert client.get(url("logout")).status_code == 405
    assert signed_in_user_id(client) == str(alice.pk)
    response = client.post(url("logout"))
    assert response.status_code == 302 and response["Location"] == url("login")
    assert signed_in_user_id(client) is None
    assert AuditEvent.objects.filter(action=flows.SIGN_OUT, actor="alice").exists()


def test_login_form_requires_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    assert sign_in(client, "alice", PASSWORD).status_code == 403


# --- MFA step ---------------------------------------------------------------------------

@pytest.fixture
def alice_totp(alice, frozen):
    totp = enroll_device(alice)  # uses the codes of steps T0-30s and T0
    frozen.shift(STEP)  # the next code is fresh
    return totp


def test_password_step_leaves_the_session_signed_out_until_the_code(client, alice, alice_totp):
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302 and response["Location"] == LOGIN_MFA
    assert signed_in_user_id(client) is None
    assert client.session[PENDING_MFA]["user_id"] == alice.pk
    response = enter_code(client, alice_totp.now())
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(alice.pk)
    assert PENDING_MFA not in client.session
    assert client.session[MFA_AT] == (T0 + timedelta(seconds=STEP)).isoformat()
    event = AuditEvent.objects.filter(action=flows.SIGN_IN, outcome="success").get()
    assert event.new_value == {"MFAUsed": "Yes"}


def test_a_code_is_accepted_once_only(client, alice, alice_totp):
    code = alice_totp.now()
    sign_in(client, "alice", PASSWORD)
    enter_code(client, code)
    assert signed_in_user_id(client) == str(alice.pk)
    replay = Client()
    sign_in(replay, "alice", PASSWORD)
    response = enter_code(replay, code)
    assert signed_in_user_id(replay) is None
    assert flows.INVALID_CODE in page_text(response)


def test_the_enrollment_codes_cannot_sign_in(client, alice, frozen):
    totp = enroll_device(alice)  # no shift: the current code was used to enable the device
    sign_in(client, "alice", PASSWORD)
    enter_code(client, totp.now())
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_codes_within_one_step_of_now_are_accepted(client, alice, alice_totp, frozen, offset):
    frozen.shift(5 * STEP)
    sign_in(client, "alice", PASSWORD)
    enter_code(client, code_at_offset(alice_totp, offset))
    assert signed_in_user_id(client) == str(alice.pk)


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_codes_two_or_more_steps_away_are_rejected(client, alice, alice_totp, frozen, offset):
    frozen.shift(5 * STEP)
    code = code_at_offset(alice_totp, offset)
    if code in {code_at_offset(alice_totp, o) for o in (-1, 0, 1)}:
        pytest.skip("pyotp produced the same 6 digits for two steps")
    sign_in(client, "alice", PASSWORD)
    enter_code(client, code)
    assert signed_in_user_id(client) is None


def test_after_a_code_is_used_an_older_one_is_rejected(client, alice, alice_totp):
    older, newer = code_at_offset(alice_totp, -1), code_at_offset(alice_totp, 1)
    sign_in(client, "alice", PASSWORD)
    enter_code(client, newer)
    other = Client()
    sign_in(other, "alice", PASSWORD)
    enter_code(other, older)
    assert signed_in_user_id(other) is None


def test_mfa_step_expires_after_five_minutes(client, alice, alice_totp, frozen):
    sign_in(client, "alice", PASSWORD)
    frozen.shift(timedelta(minutes=6))
    response = enter_code(client, alice_totp.now())
    assert response.status_code == 302 and response["Location"] == url("login")
    assert signed_in_user_id(client) is None


def test_mfa_page_without_password_step_goes_back_to_sign_in(client, alice):
    response = client.get(LOGIN_MFA)
    assert response.status_code == 302 and response["Location"] == url("login")


def test_pending_mfa_session_reaches_only_the_code_page(client, alice, alice_totp):
    sign_in(client, "alice", PASSWORD)
    response = client.get(url("password_policy"))
    assert response.status_code == 302 and response["Location"] == LOGIN_MFA
    assert client.get(LOGIN_MFA).status_code == 200
    api = client.get("/api/v1/users/")
    assert api.status_code == 403 and api.json()["code"] == "MFARequired"
    assert client.get(url("login")).status_code == 200  # may start over


def test_malformed_code_is_a_form_error(client, alice, alice_totp):
    sign_in(client, "alice", PASSWORD)
    response = enter_code(client, "12ab")
    assert "Enter the 6-digit code" in page_text(response)
    assert signed_in_user_id(client) is None


# --- lockout ----------------------------------------------------------------------------

def _fail_passwords(client, name, times, **extra):
    response = None
    for _ in range(times):
        response = sign_in(client, name, "Not-The-Password-1!", **extra)
    return response


def test_five_wrong_passwords_lock_the_user_for_fifteen_minutes(client, alice, frozen):
    limit = lockout.limits().user_failures
    response = _fail_passwords(client, "alice", limit)
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in page_text(response)
    assert AuditEvent.objects.filter(action=flows.LOCKOUT, actor="alice").count() == 1
    response = sign_in(client, "alice", PASSWORD)  # even the right password
    assert signed_in_user_id(client) is None
    assert "Too many failed sign-in attempts" in page_text(response)
    frozen.shift(timedelta(minutes=14, seconds=59))
    sign_in(client, "alice", PASSWORD)
    assert signed_in_user_id(client) is None
    frozen.shift(timedelta(seconds=2))
    sign_in(client, "alice", PASSWORD)
    assert signed_in_user_id(client) == str(alice.pk)


def test_fewer_failures_than_the_limit_do_not_lock(client, alice):
    _fail_passwords(client, "alice", lockout.limits().user_failures - 1)
    sign_in(client, "alice", PASSWORD)
    assert signed_in_user_id(client) == str(alice.pk)


def test_failures_older_than_the_window_are_forgotten(client, alice, frozen):
    limit = lockout.limits().user_failures
    _fail_passwords(client, "alice", limit - 1)
    frozen.shift(timedelta(minutes=16))
    _fail_passwords(client, "alice", limit - 1)
    sign_in(client, "alice", PASSWORD)
    assert signed_in_user_id(client) == str(alice.pk)


def test_success_resets_the_user_counter(client, alice):
    limit = lockout.limits().user_failures
    _fail_passwords(client, "alice", limit - 1)
    sign_in(client, "alice", PASSWORD)
    client.post(url("logout"))
    _fail_passwords(client, "alice", limit - 1)
    sign_in(client, "alice", PASSWORD)
    assert signed_in_user_id(client) == str(alice.pk)


def test_lockout_of_an_unknown_name_looks_the_same_as_of_a_real_user(alice):
    limit = lockout.limits().user_failures
    real = _fail_passwords(Client(), "alice", limit + 1, REMOTE_ADDR="10.0.0.1")
    fake = _fail_passwords(Client(), "no-such-user", limit + 1, REMOTE_ADDR="10.0.0.2")

    def normalized(response, name):
        token = r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"'
        return re.sub(token, "", page_text(response)).replace(name, "X")

    assert normalized(real, "alice") == normalized(fake, "no-such-user")


def test_many_failures_from_one_address_lock_that_address(alice, frozen, settings):
    settings.SIGNIN_RATE_LIMIT = "off"  # the address lock is under test, not the attempt limit
    limit = lockout.limits().address_failures
    attacker = Client(REMOTE_ADDR="192.0.2.66")
    for i in range(limit):
        sign_in(attacker, f"guess{i}", "Not-The-Password-1!")
    sign_in(attacker, "alice", PASSWORD)
    assert signed_in_user_id(attacker) is None
    assert AuditEvent.objects.filter(action=flows.LOCKOUT).exists()
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    sign_in(elsewhere, "alice", PASSWORD)
    assert signed_in_user_id(elsewhere) == str(alice.pk)
    frozen.shift(timedelta(minutes=15, seconds=1))
    sign_in(attacker, "alice", PASSWORD)
    assert signed_in_user_id(attacker) == str(alice.pk)


def test_wrong_mfa_codes_lock_the_mfa_step(client, alice, alice_totp, frozen):
    limit = lockout.limits().user_failures
    sign_in(client, "alice", PASSWORD)
    wrong = "000000" if alice_totp.now() != "000000" else "111111"
    for _ in range(limit):
        response = enter_code(client, wrong)
    assert "Too many failed sign-in attempts" in page_text(response)
    response = enter_code(client, alice_totp.now())
    assert signed_in_user_id(client) is None
    assert AuditEvent.objects.filter(action=flows.LOCKOUT, actor="alice").exists()
    frozen.shift(timedelta(minutes=15, seconds=STEP))
    sign_in(client, "alice", PASSWORD)
    enter_code(client, alice_totp.now())
    assert signed_in_user_id(client) == str(alice.pk)


def test_each_failure_is_audited(client, alice):
    _fail_passwords(client, "alice", 3)
    failures = AuditEvent.objects.filter(action=flows.SIGN_IN, outcome="failure")
    assert failures.count() == 3
    assert {e.actor_arn for e in failures} == {User.objects.get(name="alice").arn}


def test_password_step_gives_the_session_a_new_key(client, alice, alice_totp):
    client.get(url("login"))
    client.session.save()
    before = client.session.session_key
    sign_in(client, "alice", PASSWORD)
    assert client.session.session_key != before
    assert client.session[PENDING_MFA]["user_id"] == alice.pk


def test_htmx_request_in_a_required_step_gets_a_client_redirect(client, alice, alice_totp):
    sign_in(client, "alice", PASSWORD)
    response = client.get(url("password_policy"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == LOGIN_MFA

"""Sign-in security in a real browser (issue #19), in production and debug modes: a user locked
out by failed sign-ins is unlocked from "Locked-out users" and then signs in; an administrator
revokes another person's console session, whose next page load lands on the sign-in page."""

from __future__ import annotations

import pytest
from browser_helpers import sign_in
from playwright.sync_api import expect

from iamconsole.iam import lockout
from iamconsole.iam.models import AuditEvent
from iamconsole.iam.services import sign_in_sessions
from tests.conftest import ADMIN_POLICY, PASSWORD, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["production", "debug"])
def admin_page(request, page, live_server, settings):
    settings.DEBUG = request.param == "debug"
    settings.SIGNIN_RATE_LIMIT = "off"  # the failed attempts below come from one address
    make_user("boss", policy=ADMIN_POLICY, password=PASSWORD)
    sign_in(page, live_server.url, "boss", PASSWORD)
    return page


def test_unlock_a_locked_out_user(admin_page, browser, live_server):
    page, base = admin_page, live_server.url
    make_user("alice", password=PASSWORD)
    other = browser.new_context().new_page()
    for _ in range(lockout.limits().user_failures):
        other.goto(f"{base}/accounts/login/")
        other.get_by_label("User name").fill("alice")
        other.get_by_label("Password").fill("Wrong-Password-1!")
        other.get_by_role("button", name="Sign in").click()
        other.wait_for_load_state()
    expect(other.get_by_text("Too many failed sign-in attempts")).to_be_visible()

    page.goto(f"{base}/users/")
    page.get_by_role("link", name="Locked-out users").click()
    row = page.locator("#locked-users tr", has_text="alice")
    expect(row).to_contain_text("password")
    expect(row).to_contain_text(" UTC")
    page.get_by_role("button", name="Unlock alice").click()
    expect(page.locator("#locked-users")).to_contain_text("Unlocked alice.")
    expect(page.locator("#locked-users")).to_contain_text("No user is locked out.")
    assert AuditEvent.objects.filter(action=sign_in_sessions.UNLOCK,
                                     resource_name="alice").exists()

    sign_in(other, base, "alice", PASSWORD)
    assert "/accounts/login/" not in other.url
    other.context.close()


def test_revoke_another_users_console_session(admin_page, browser, live_server):
    page, base = admin_page, live_server.url
    make_user("carol", policy=ADMIN_POLICY, password=PASSWORD)
    carol = browser.new_context().new_page()
    sign_in(carol, base, "carol", PASSWORD)
    carol.goto(f"{base}/users/")
    assert "/accounts/login/" not in carol.url

    page.goto(f"{base}/users/carol/")
    page.get_by_role("tab", name="Sessions").click()
    sessions_table = page.locator("#console-sessions")
    expect(sessions_table).to_contain_text("127.0.0.1")
    sessions_table.get_by_role("button", name="Revoke").click()
    expect(page.locator("#tab-panel")).to_contain_text("Signed carol out of that console "
                                                       "session.")
    expect(page.locator("#console-sessions")).to_contain_text("No console session.")

    carol.goto(f"{base}/users/")
    assert "/accounts/login/" in carol.url
    carol.context.close()

"""Issue #19 in a real browser (Playwright + Debian chromium, live server), with DEBUG off
(production) and on: copying a secret shown once, summary cards refreshed after an action in a
tab, and the users without MFA reached from the dashboard."""

from __future__ import annotations

import time

import pyotp
import pytest
from browser_helpers import open_console

from iamconsole.iam import crypto
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AccessKey
from tests.conftest import ADMIN_POLICY, PASSWORD, make_user
from tests.console.console_support import DOC

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["production", "debug"])
def console(request, browser, live_server, settings):
    settings.DEBUG = request.param == "debug"
    make_user("boss", policy=ADMIN_POLICY)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = open_console(page, live_server.url, "boss", PASSWORD)
    yield page
    context.close()
    assert errors == []  # no script error, no CSP violation


def test_copy_the_new_secret_access_key(console, live_server):
    from playwright.sync_api import expect

    page = console
    make_user("carol")
    page.goto(f"{live_server.url}/users/carol/?tab=credentials")
    page.get_by_role("button", name="Create access key").click()
    secret = page.locator("#new-key-secret")
    expect(secret).to_be_visible()
    button = page.get_by_role("button", name="Copy secret access key to the clipboard")
    expect(button).to_be_visible()  # revealed by copy.js after the htmx swap
    button.click()
    expect(page.locator("#new-key-secret-copy-status")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == secret.inner_text().strip()
    assert crypto.decrypt(AccessKey.objects.get(user__name="carol").secret_encrypted) == copied


def test_copy_the_generated_console_password(console, live_server):
    from playwright.sync_api import expect

    page = console
    page.goto(f"{live_server.url}/users/create/guided/")
    page.get_by_label("User name").fill("erin")
    page.get_by_label("Console access, generated password").check()
    page.get_by_role("button", name="Create user").click()
    password = page.locator("#new-password")
    expect(password).to_be_visible()
    page.get_by_role("button", name="Copy console password to the clipboard").click()
    expect(page.locator("#new-password-copy-status")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == password.inner_text().strip()
    from iamconsole.iam.models import User

    assert User.objects.get(name="erin").check_password(copied)


def test_summary_cards_refresh_after_attaching_a_policy_in_the_tab(console, live_server):
    from playwright.sync_api import expect

    page = console
    make_user("dave")
    iam.create_policy(Caller.system("test"), "Readers", DOC)
    page.goto(f"{live_server.url}/users/dave/?tab=permissions")
    policies = page.get_by_test_id("summary-policy_count").locator(".stat")
    expect(policies).to_have_text("0")
    page.locator("#attach-policy").select_option(label="Readers")
    page.get_by_role("button", name="Attach policy").click()
    expect(page.locator("#tab-panel")).to_contain_text("Attached Readers")
    expect(policies).to_have_text("1")
    # Another tab's action refreshes them too: a new access key.
    page.get_by_role("tab", name="Security credentials").click()
    page.get_by_role("button", name="Create access key").click()
    expect(page.get_by_test_id("summary-key_count").locator(".stat")).to_have_text("1")


def test_users_without_mfa_from_the_dashboard(console, live_server):
    from playwright.sync_api import expect

    page = console
    system = Caller.system("test")
    make_user("nomfa")
    iam.create_access_key(system, "nomfa")
    make_user("secured")
    new = iam.create_virtual_mfa_device(system, "secured-phone")
    totp, now = pyotp.TOTP(new.base32_seed), time.time()
    iam.enable_mfa_device(system, "secured", new.device.serial_number, totp.at(now - 30),
                          totp.at(now))
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="See all users without MFA").click()
    expect(page.get_by_test_id("without-mfa-notice")).to_contain_text("2 users")
    expect(page.get_by_label("Select nomfa")).to_be_visible()
    expect(page.get_by_label("Select secured")).to_have_count(0)
    # Back to every user with the filter's select (htmx), then to the filter again.
    page.get_by_label("MFA", exact=True).select_option("")
    expect(page.get_by_label("Select secured")).to_be_visible()
    page.get_by_label("MFA", exact=True).select_option("without")
    expect(page.get_by_label("Select secured")).to_have_count(0)
    assert "mfa=without" in page.url

"""A real browser (Playwright + Debian chromium) against a live server: a user the account
requires to use MFA signs in, enrolls an authenticator by reading the secret from the page,
signs out, and signs in again with a code computed by pyotp."""

import os
import time
from pathlib import Path

import pyotp
import pytest
from personas import PASSWORD, make_user

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, User

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
                       reason="Debian chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def browser_page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are still
    # synchronous. Set for this test only (a process-wide setting would leak into subprocesses
    # such as `manage.py check --deploy`).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("User name").fill("mfa-user")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_enroll_mfa_in_the_browser_then_sign_in_with_a_code(live_server, browser_page):
    page, base = browser_page, live_server.url
    make_user("mfa-user")
    iam.update_account_settings(Caller.system("test"), require_mfa=True)

    # First sign-in: the account requires MFA, so the user lands on enrollment.
    sign_in(page, base)
    assert "/accounts/mfa/" in page.url
    page.get_by_role("button", name="Create device").click()
    page.wait_for_load_state()
    assert page.locator("figure.qr svg").count() == 1  # the QR code, inline
    qr = page.get_by_role("img", name="QR code for device")  # its accessible name
    assert "scan it with your authenticator app" in qr.get_attribute("aria-label")
    secret = page.locator("#mfa-secret").inner_text().strip()
    totp = pyotp.TOTP(secret)
    now = time.time()
    page.get_by_label("MFA code 1").fill(totp.at(now - 30))
    page.get_by_label("MFA code 2").fill(totp.at(now))
    page.get_by_role("button", name="Enable MFA").click()
    page.wait_for_load_state()
    user = User.objects.get(name="mfa-user")
    assert user.mfa_devices.count() == 1

    # Sign out from a console page.
    page.goto(f"{base}/accounts/mfa/")
    assert page.get_by_role("heading", name="Your MFA devices").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url

    # Second sign-in: password, then a fresh code (the next step's, within the ±1 window; the
    # enrollment's codes are used up).
    sign_in(page, base)
    assert "/accounts/login/mfa/" in page.url
    page.get_by_label("MFA code").fill(totp.at(now + 30))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()
    assert "/accounts/login" not in page.url
    page.goto(f"{base}/accounts/mfa/")
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert AuditEvent.objects.filter(action="signin:ConsoleLogin", actor="mfa-user",
                                     new_value={"MFAUsed": "Yes"}).exists()

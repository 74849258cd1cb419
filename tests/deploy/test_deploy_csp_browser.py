"""The Content Security Policy in a real browser: signing in and browsing the console raises no
CSP violation (no inline script or style slipped into a template; htmx's injected indicator
style matches the hash the policy allows)."""

import os
from pathlib import Path

import pytest
from personas import ADMIN_POLICY, PASSWORD, make_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
                       reason="Debian chromium is not installed (apt-get install chromium)"),
]

PAGES = ["/", "/users/", "/users/csp-admin/", "/groups/", "/roles/", "/policies/", "/audit/",
         "/accounts/password/"]


def test_console_pages_raise_no_content_security_policy_violation(live_server):
    from playwright.sync_api import sync_playwright

    make_user("csp-admin", policy=ADMIN_POLICY)
    violations: list[str] = []
    visited: list[tuple[str, int]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("User name").fill("csp-admin")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        for path in PAGES:
            response = page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            visited.append((path, response.status))
        htmx_loaded = page.evaluate("typeof window.htmx !== 'undefined'")
        indicator_style = page.evaluate(
            "getComputedStyle(Object.assign(document.body.appendChild("
            "document.createElement('span')), {className: 'htmx-indicator'})).opacity")
        browser.close()
    assert violations == []
    assert all(status < 500 for _, status in visited), visited
    assert htmx_loaded
    assert indicator_style == "0"  # htmx's inline <style> was applied, not blocked

"""Shared Playwright fixtures for browser tests (anyone may use them).

`page` is a fresh Chromium page (Debian's /usr/bin/chromium, headless) for one test; `browser`
is started for each test: Playwright's sync API allows one running instance per thread, and the
other browser tests of the suite (accounts, simulator, deploy) start their own.
Without /usr/bin/chromium the tests are skipped, unless CI=true (then
a missing browser is a failure). Use with pytest-django's `live_server`, and sign in with
`browser_helpers.sign_in(page, live_server.url, name, password)`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's async-safety check would
# refuse the ORM calls tests make next to it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).parent / "screenshots"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or os.environ.get("CI", "").lower() == "true":
        return
    skip = pytest.mark.skip(reason="Debian chromium is not installed (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords and str(item.fspath).startswith(str(Path(__file__).parent)):
            item.add_marker(skip)


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists() and os.environ.get("CI", "").lower() != "true":
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """screenshot("name") saves tests/e2e/screenshots/name.png (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str, target=None) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        (target or page).screenshot(path=str(path), full_page=True)
        return path

    return take

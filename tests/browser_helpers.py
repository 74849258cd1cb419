"""Helpers for browser tests (importable from any test module)."""

from __future__ import annotations


def sign_in(page, base_url: str, name: str, password: str) -> None:
    """Sign in through the real sign-in page."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def page_errors(page) -> list[str]:
    """The page's script errors and console errors from now on (a missing favicon and the
    browser's note of a 4xx answer aside): a browser test asserts the list stays empty."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "favicon" not in (msg.location or {}).get("url", "")
            and "the server responded with a status of 4" not in msg.text else None)
    return errors


def open_console(page, base_url: str, name: str, password: str) -> list[str]:
    """Watch the page for errors (page_errors), then sign in: the errors seen from now on."""
    errors = page_errors(page)
    sign_in(page, base_url, name, password)
    return errors

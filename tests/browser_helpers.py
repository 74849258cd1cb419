"""Helpers for browser tests (importable from any test module)."""

from __future__ import annotations


def sign_in(page, base_url: str, name: str, password: str) -> None:
    """Sign in through the real sign-in page."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

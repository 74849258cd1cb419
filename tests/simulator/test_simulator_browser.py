"""The simulator in a real browser (Playwright + Debian chromium): choose a principal (its
policies load by htmx), run a simulation, read the results table, reload the shared URL."""

from __future__ import annotations

import os
import shutil

import pytest
from personas import allow, deny, make_user, policy_json

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which(CHROMIUM) and os.environ.get("CI") != "true",
                       reason="Debian chromium is not installed"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser_page(live_server, reader):
    from django.test import Client
    from playwright.sync_api import sync_playwright

    client = Client()
    client.force_login(reader)
    session = client.cookies["sessionid"].value
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text)
                if msg.type == "error" and "favicon" not in (msg.location or {}).get("url", "")
                else None)
        yield page
        browser.close()
        assert errors == []  # no script error, no CSP violation


def test_run_a_simulation_and_read_the_results(browser_page, live_server):
    from playwright.sync_api import expect

    system = Caller.system("test")
    alice = make_user("alice", password=None, policy=policy_json(
        allow("s3:GetObject", "arn:aws:s3:::reports/*", Sid="ReadReports")))
    iam.create_group(system, "devs")
    iam.put_group_policy(system, "devs", "NoDelete", policy_json(deny("s3:DeleteObject")))
    iam.add_user_to_group(system, "devs", "alice")
    page = browser_page

    page.goto(f"{live_server.url}/simulator/")
    page.select_option("#id_principal", alice.arn)
    page.wait_for_selector('input[name="policy"][value="group/devs/NoDelete"]')
    assert page.is_checked('input[name="policy"][value="user/alice/inline"]')
    page.fill("#id_actions", "s3:GetObject\ns3:DeleteObject\ns3:PutObject")
    page.fill("#id_resources", "arn:aws:s3:::reports/q1.csv")
    page.click("button:has-text('Run simulation')")
    page.wait_for_selector("#results-table tbody tr")

    rows = page.locator("#results-table tbody tr")
    table = [[rows.nth(i).locator("td").nth(c).inner_text().strip() for c in range(3)]
             for i in range(rows.count())]
    assert table == [
        ["s3:GetObject", "arn:aws:s3:::reports/q1.csv", "allowed"],
        ["s3:DeleteObject", "arn:aws:s3:::reports/q1.csv", "explicitDeny"],
        ["s3:PutObject", "arn:aws:s3:::reports/q1.csv", "implicitDeny"],
    ]
    assert "ReadReports" in rows.nth(0).inner_text()
    assert "NoDelete" in rows.nth(1).inner_text()

    # The URL is the simulation: reloading it shows the same results.
    assert "run=1" in page.url
    page.reload()
    page.wait_for_selector("#results-table tbody tr")
    assert page.locator("#results-table tbody tr").count() == 3

    # Untick the user's own policy: GetObject is no longer allowed.
    page.uncheck('input[name="policy"][value="user/alice/inline"]')
    page.click("button:has-text('Run simulation')")
    expect(page.locator("#results-table tbody tr").first.locator("td").nth(2)).to_have_text(
        "implicitDeny")


def test_action_autocomplete_adds_the_action(browser_page, live_server):
    page = browser_page
    page.goto(f"{live_server.url}/simulator/")
    page.fill("#id_action_search", "s3:GetObjectAc")
    page.wait_for_selector('#action-options option[value="s3:GetObjectAcl"]', state="attached")
    page.fill("#id_action_search", "s3:GetObjectAcl")
    page.dispatch_event("#id_action_search", "change")
    assert page.input_value("#id_actions") == "s3:GetObjectAcl"

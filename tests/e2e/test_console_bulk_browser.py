"""The Users list's bulk actions and the credential report's CSV in a real browser (Playwright +
Debian chromium, live server), with DEBUG off (production) and on."""

from __future__ import annotations

import pytest
from browser_helpers import sign_in

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import Group
from tests.conftest import ADMIN_POLICY, PASSWORD, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["production", "debug"])
def console(request, page, live_server, settings):
    settings.DEBUG = request.param == "debug"
    system = Caller.system("test")
    make_user("boss", policy=ADMIN_POLICY)
    for i in range(5):
        iam.create_user(system, f"dev{i}")
    iam.create_group(system, "engineers")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "favicon" not in (msg.location or {}).get("url", "")
            and "the server responded with a status of 4" not in msg.text else None)
    sign_in(page, live_server.url, "boss", PASSWORD)
    yield page
    assert errors == []


def test_select_all_then_add_to_group_and_download_the_report(console, live_server, tmp_path):
    from playwright.sync_api import expect

    page = console
    page.goto(f"{live_server.url}/users/")
    page.get_by_label("Select all users on this page").check()
    expect(page.get_by_label("Select dev3")).to_be_checked()
    page.get_by_label("Select boss").uncheck()
    page.get_by_label("Action", exact=True).select_option("add_to_group")
    page.get_by_label("Group name").fill("engineers")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator("#bulk-summary")).to_have_text("5 succeeded, 0 failed of 5.")
    assert set(Group.objects.get(name="engineers").members.values_list("name", flat=True)) == {
        f"dev{i}" for i in range(5)}

    page.goto(f"{live_server.url}/credential-report/")
    page.get_by_role("button", name="Generate report").click()
    page.get_by_label("Without MFA").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#credential-report")).to_contain_text("dev4")
    with page.expect_download() as info:
        page.locator("#credential-report-csv").click()
    target = tmp_path / "report.csv"
    info.value.save_as(target)
    lines = target.read_text().splitlines()
    assert lines[0].startswith("user,arn,user_creation_time,password_enabled,")
    assert [line.split(",")[0] for line in lines[1:]] == [
        "boss", "dev0", "dev1", "dev2", "dev3", "dev4"]


def test_bulk_delete_asks_first_and_reports_blocked_users(console, live_server):
    from playwright.sync_api import expect

    from iamconsole.iam.models import User

    page = console
    iam.add_user_to_group(Caller.system("test"), "engineers", "dev1")
    page.goto(f"{live_server.url}/users/")
    page.get_by_label("Select dev0").check()
    page.get_by_label("Select dev1").check()
    page.get_by_label("Action", exact=True).select_option("delete")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Apply to selected").click()
    assert User.objects.filter(name="dev0").exists()  # dismissed: nothing happened
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator("#bulk-summary")).to_have_text("1 succeeded, 1 failed of 2.")
    expect(page.locator("#bulk-results")).to_contain_text("DeleteConflict")
    assert not User.objects.filter(name="dev0").exists()
    assert User.objects.filter(name="dev1").exists()

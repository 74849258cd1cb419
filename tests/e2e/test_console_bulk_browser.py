"""The Users and Groups lists' bulk actions (with their searchable pickers) and the credential
report's CSV in a real browser (Playwright +
Debian chromium, live server), with DEBUG off (production) and on."""

from __future__ import annotations

import pytest
from browser_helpers import open_console

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
    errors = open_console(page, live_server.url, "boss", PASSWORD)
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
    page.get_by_label("Group", exact=True).select_option("engineers")
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


def test_groups_bulk_attach_a_policy_found_with_the_picker_search(console, live_server):
    """More policies than the picker lists: the admin searches, picks the match, and attaches
    it to the checked groups; nothing is chosen before."""
    from playwright.sync_api import expect

    system = Caller.system("test")
    document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",' \
               '"Resource":"*"}]}'
    for i in range(101):
        iam.create_policy(system, f"Filler{i:03d}", document)
    iam.create_policy(system, "TeamRead", document)
    iam.create_group(system, "ops")
    iam.create_group(system, "qa")
    page = console
    page.goto(f"{live_server.url}/groups/")
    picker = page.get_by_label("Policy", exact=True)
    expect(picker).to_have_value("")  # "Choose a policy…": no policy preselected
    page.get_by_label("Select engineers").check()
    page.get_by_label("Select ops").check()
    page.get_by_label("Action", exact=True).select_option("attach_policy")
    page.get_by_role("searchbox", name="Search policies by name").fill("teamr")
    expect(picker.locator("option")).to_have_count(1)
    expect(picker).to_have_value(iam.list_policies(system, counts=False)
                                 .get(name="TeamRead").arn)
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator("#bulk-summary")).to_have_text("2 succeeded, 0 failed of 2.")
    expect(page.locator("#bulk-results")).to_contain_text("ops")
    for name, attached in (("engineers", ["TeamRead"]), ("ops", ["TeamRead"]), ("qa", [])):
        assert [p.name for p in iam.list_attached_policies(system, "group", name)] == attached
    page.get_by_role("link", name="Back to groups").click()
    expect(page.get_by_label("Select qa")).to_be_visible()
    # The list's own name filter still searches as one types (only its own search box does).
    page.get_by_placeholder("Name contains…").fill("qa")
    expect(page.get_by_label("Select ops")).to_have_count(0)
    expect(page.get_by_label("Select qa")).to_be_visible()

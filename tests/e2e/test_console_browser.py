"""The console in a real browser (Playwright + Debian chromium, live server): sign in, create a
user, add it to a group, attach a policy — each an htmx action updating the page in place — and
check the result in the simulator. Screenshots go to tests/e2e/screenshots/ (git-ignored)."""

from __future__ import annotations

import pytest
from browser_helpers import open_console

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import User
from tests.conftest import ADMIN_POLICY, PASSWORD, allow, make_user, policy_json

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["production", "debug"])
def console(request, page, live_server, settings):
    """Signed in as an IAM administrator; fails the test on any script error or CSP report.
    Each test runs with DEBUG off (production) and on (what `make run` uses)."""
    settings.DEBUG = request.param == "debug"
    system = Caller.system("test")
    make_user("boss", policy=ADMIN_POLICY)
    iam.create_group(system, "engineers")
    iam.create_policy(system, "S3Read", policy_json(
        allow(["s3:GetObject", "s3:ListBucket"], "*", Sid="ReadBuckets")),
        description="Read every bucket")
    errors = open_console(page, live_server.url, "boss", PASSWORD)
    yield page
    assert errors == []


def test_create_user_add_to_group_attach_policy_then_simulate(console, live_server,
                                                               screenshot):
    from playwright.sync_api import expect

    page = console
    page.goto(f"{live_server.url}/users/")
    page.get_by_role("link", name="Create user").click()
    page.get_by_label("User name").fill("erin")
    page.get_by_label("Tags").fill("team=web")
    screenshot("01-create-user-form")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("erin")
    assert page.url.endswith("/users/erin/")
    assert User.objects.get(name="erin").tags == {"team": "web"}

    # Groups tab: add to a group in place (htmx), no page load.
    page.get_by_role("tab", name="Groups").click()
    expect(page.get_by_role("tab", name="Groups")).to_have_attribute("aria-selected", "true")
    page.get_by_label("Add to group").select_option("engineers")
    page.get_by_role("button", name="Add to group").click()
    expect(page.locator("#tab-panel .notice")).to_have_text("Added erin to engineers.")
    expect(page.locator("#tab-panel table")).to_contain_text("engineers")
    screenshot("02-user-groups-tab")
    assert User.objects.get(name="erin").iam_groups.filter(name="engineers").exists()

    # Permissions tab: attach a managed policy in place.
    page.get_by_role("tab", name="Permissions").click()
    page.get_by_label("Attach policies").select_option(label="S3Read")
    page.get_by_role("button", name="Attach policy").click()
    expect(page.locator("#tab-panel .notice")).to_have_text("Attached S3Read.")
    expect(page.locator("#tab-panel table").first).to_contain_text("S3Read")
    screenshot("03-user-permissions-tab")

    # The simulator confirms the new permission.
    page.get_by_role("link", name="Check in the simulator").click()
    page.wait_for_url("**/simulator/**")
    page.wait_for_selector('input[name="policy"]')
    page.fill("#id_actions", "s3:GetObject\ns3:PutObject")
    page.fill("#id_resources", "arn:aws:s3:::reports/q1.csv")
    page.click("button:has-text('Run simulation')")
    rows = page.locator("#results-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("allowed")
    expect(rows.nth(1)).to_contain_text("implicitDeny")
    screenshot("04-simulator")


def test_policy_editor_validates_as_you_type(console, live_server, screenshot):
    from playwright.sync_api import expect

    page = console
    page.goto(f"{live_server.url}/policies/create/")
    page.get_by_label("Policy name").fill("Typed")
    editor = page.locator("#id_policy_document")
    expect(page.locator(".editor .gutter")).to_be_visible()  # line numbers
    editor.fill('{\n  "Version": "2012-10-17",\n  "Statement": [{\n    "Effect": "Alow",\n'
                '    "Action": "s3:GetObject",\n    "Resource": "*"\n  }]\n}')
    editor.press("End")  # a keystroke: the validator runs on input
    expect(page.locator("#findings")).to_contain_text("Statement[0].Effect")
    expect(page.locator("#findings .goto-line").first).to_have_text("Line 4:15")
    screenshot("05-policy-editor-error")
    editor.fill(policy_json(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::b/*")))
    editor.press("End")
    expect(page.locator("#findings")).to_contain_text("Allows 2 actions in s3 on 1 resource")
    screenshot("06-policy-editor-summary")
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Typed")


def test_stale_edit_in_two_tabs_is_reported(console, live_server):
    from playwright.sync_api import expect

    page = console
    iam.create_user(Caller.system("test"), "frank")
    first = page.context.new_page()
    page.goto(f"{live_server.url}/users/frank/edit/")
    first.goto(f"{live_server.url}/users/frank/edit/")
    first.get_by_label("Path").fill("/one/")
    first.get_by_role("button", name="Save changes").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("frank")
    page.get_by_label("Path").fill("/two/")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#form-errors")).to_contain_text("changed by someone else")
    assert User.objects.get(name="frank").path == "/one/"


def test_phone_width_layout(console, live_server, screenshot):
    page = console
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/users/boss/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no horizontal scrolling of the page itself
    screenshot("07-phone-user-detail")


def test_policy_pickers_search_beyond_the_first_policies(console, live_server, screenshot):
    """With more policies than a picker shows, its search box (htmx) finds the others: attach
    one in place, then create a user with a boundary found the same way."""
    from playwright.sync_api import expect

    from iamconsole.console.pickers import PICKER_LIMIT
    from iamconsole.iam.services.policies import policy_arn

    system = Caller.system("test")
    for i in range(PICKER_LIMIT + 5):
        iam.create_policy(system, f"Bulk{i:03d}", policy_json(allow("s3:GetObject", "*")))
    iam.create_user(system, "gina")
    page = console
    page.goto(f"{live_server.url}/users/gina/")
    picker = page.get_by_label("Attach policies")
    expect(picker.locator("option")).to_have_count(PICKER_LIMIT)  # a multi-select, none chosen
    hint = page.locator("#attach-policy-hint")
    expect(hint).to_have_text(f"Showing {PICKER_LIMIT} of {PICKER_LIMIT + 6} policies — type "
                              "to narrow")
    picker.select_option(label="Bulk000")
    search = page.locator(".inline-form:has(#attach-policy) input[type=search]")
    search.fill("bulk104")
    # the chosen policy stays chosen (and first) while the search shows the match
    expect(picker.locator("option")).to_have_count(2)
    expect(hint).to_have_text("1 chosen · 1 policy whose name contains “bulk104”.")
    search.press("Enter")  # searches again; does not submit the attach form
    expect(picker.locator("option")).to_have_count(2)
    expect(page.locator("#tab-panel .notice")).to_have_count(0)
    screenshot("08-policy-picker-search")
    picker.select_option(label=["Bulk000", "Bulk104"])
    page.get_by_role("button", name="Attach policy").click()
    expect(page.locator("#tab-panel .notice")).to_have_text("Attached Bulk000, Bulk104.")
    assert {a.policy.name for a in User.objects.get(name="gina").policy_attachments.all()} == {
        "Bulk000", "Bulk104"}

    page.goto(f"{live_server.url}/users/create/")
    page.get_by_label("User name").fill("hank")
    page.locator(".field:has(#id_permissions_boundary) input[type=search]").fill("Bulk103")
    boundary = page.get_by_label("Permissions boundary")
    expect(boundary.locator("option")).to_have_count(2)  # no boundary, Bulk103
    boundary.select_option(label=f"Bulk103 ({policy_arn('Bulk103')})")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("hank")
    assert User.objects.get(name="hank").permissions_boundary.name == "Bulk103"


def test_group_member_picker_searches_thousands_of_users(console, live_server, screenshot):
    """A group's Users tab offers the first users by name in a multi-select with none chosen;
    its search box finds the others, and the one found is added in place."""
    from playwright.sync_api import expect

    from iamconsole.console.pickers import PICKER_LIMIT

    system = Caller.system("test")
    for i in range(PICKER_LIMIT + 5):
        iam.create_user(system, f"bulk{i:03d}")
    iam.create_group(system, "crowd")
    page = console
    page.goto(f"{live_server.url}/groups/crowd/")
    picker = page.get_by_label("Add users")
    expect(picker).to_have_value("")  # nothing preselected
    page.get_by_role("button", name="Add user").click()  # required: the browser refuses
    expect(page.locator("#tab-panel .notice")).to_have_count(0)
    page.get_by_label("Search users by name").fill("bulk104")
    expect(picker.locator("option")).to_have_count(1)
    expect(page.locator("#add-user-hint")).to_have_text("1 user whose name contains “bulk104”.")
    screenshot("09-member-picker-search")
    picker.select_option("bulk104")
    page.get_by_role("button", name="Add user").click()
    expect(page.locator("#tab-panel .notice")).to_have_text("Added bulk104 to crowd.")
    assert User.objects.get(name="bulk104").iam_groups.filter(name="crowd").exists()


def test_form_errors_are_shown_in_place_in_both_modes(console, live_server, screenshot):
    """A weak password, an unknown group and an invalid policy each answer 400: the page keeps
    its navigation and shows the error next to the field (django-htmx's debug helper used to
    replace the whole document under `make run`)."""
    from playwright.sync_api import expect

    page = console
    make_user("frank", password=None)
    page.goto(f"{live_server.url}/users/frank/?tab=credentials")
    page.get_by_label("Enable console access: password").fill("short")
    page.get_by_role("button", name="Enable console access").click()
    expect(page.locator("#id_password_error")).to_be_visible()
    expect(page.get_by_role("navigation").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("frank")
    screenshot("05-weak-password-in-place")

    page.goto(f"{live_server.url}/policies/create/")
    page.get_by_label("Policy name").fill("Broken")
    page.get_by_label("Policy document").fill('{"Version": "2012-10-17", "Statement": []')
    page.get_by_role("button", name="Create policy").click()
    expect(page.locator(".errorlist, .field-error").first).to_be_visible()
    expect(page.get_by_role("navigation").first).to_be_visible()
    page.get_by_label("Policy document").fill(policy_json(allow("s3:GetObject", "*")))
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Broken")
    assert "/policies/local/Broken/" in page.url

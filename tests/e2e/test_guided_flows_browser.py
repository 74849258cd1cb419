"""Guided flows in a real browser (Playwright + Debian chromium, live server), DEBUG off and
on: delete a user with its dependencies after a typed confirmation, create a role by
trusted-entity type, create a user as one flow, assign an MFA device to another user. A
failing test leaves a screenshot in tests/e2e/screenshots/ (git-ignored)."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from browser_helpers import open_console

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, User
from tests.conftest import ADMIN_POLICY, PASSWORD, allow, make_user, policy_json

pytestmark = pytest.mark.e2e


@contextmanager
def screenshot_on_failure(screenshot, name: str):
    try:
        yield
    except BaseException:
        screenshot(f"failed-{name}")
        raise


@pytest.fixture(params=["production", "debug"])
def console(request, page, live_server, settings):
    """Signed in as an administrator; fails on any script error."""
    settings.DEBUG = request.param == "debug"
    make_user("boss", policy=ADMIN_POLICY)
    errors = open_console(page, live_server.url, "boss", PASSWORD)
    yield page
    assert errors == []


def test_delete_user_removes_its_dependencies_after_typed_confirmation(
        console, live_server, screenshot, request):
    from playwright.sync_api import expect

    system = Caller.system("test")
    make_user("alice", policy=policy_json(allow("s3:GetObject")))
    iam.create_access_key(system, "alice")
    iam.create_group(system, "devs")
    iam.add_user_to_group(system, "devs", "alice")
    page = console
    with screenshot_on_failure(screenshot, request.node.name):
        page.goto(f"{live_server.url}/users/alice/")
        page.get_by_role("link", name="Delete").click()
        dialog = page.get_by_role("alertdialog")
        expect(dialog).to_contain_text("membership of group devs")
        expect(dialog).to_contain_text("access key AKIA")
        expect(dialog).to_contain_text("login profile (console password)")
        page.get_by_label("Type alice to remove these 4").fill("alic")
        dialog.get_by_role("button", name="Remove 4 and delete alice").click()
        expect(page.get_by_role("alertdialog").get_by_role("alert")).to_have_text(
            "Type alice to confirm.")
        assert User.objects.filter(name="alice").exists()
        page.get_by_label("Type alice to remove these 4").fill("alice")
        page.get_by_role("button", name="Remove 4 and delete alice").click()
        page.wait_for_url("**/users/")
        expect(page.get_by_text("Deleted user alice and removed 4 dependencies.")).to_be_visible()
        assert not User.objects.filter(name="alice").exists()
        assert AuditEvent.objects.filter(action="iam:RemoveUserFromGroup").exists()


def test_create_role_by_trusted_entity_then_trust_tab_in_words(console, live_server, screenshot,
                                                               request):
    from playwright.sync_api import expect

    from iamconsole.iam.models import Role

    system = Caller.system("test")
    iam.create_policy(system, "S3Read", policy_json(allow("s3:GetObject")))
    page = console
    with screenshot_on_failure(screenshot, request.node.name):
        page.goto(f"{live_server.url}/roles/")
        page.get_by_role("link", name="Create role by trusted entity").click()
        page.get_by_label("AWS account", exact=True).check()
        page.get_by_label("AWS account: account ID").fill("210987654321")
        page.get_by_label("AWS account: require MFA").check()
        page.get_by_role("button", name="Show trust policy").click()
        expect(page.get_by_role("list", name="Trusted entities")).to_have_text(
            "account 210987654321 with MFA may sts:AssumeRole")
        page.get_by_label("Role name").fill("auditor")
        page.get_by_label("Permissions policies").select_option(label="S3Read")
        page.get_by_role("button", name="Create role").click()
        page.wait_for_url("**/roles/auditor/?tab=trust")
        expect(page.get_by_role("list", name="Trusted principals")).to_contain_text(
            "account 210987654321 with MFA")
        assert Role.objects.get(name="auditor").policy_attachments.count() == 1


def test_create_user_flow_with_review_password_and_access_key(console, live_server, screenshot,
                                                              request):
    from playwright.sync_api import expect

    system = Caller.system("test")
    iam.create_group(system, "devs")
    iam.create_policy(system, "S3Read", policy_json(allow("s3:GetObject")))
    page = console
    with screenshot_on_failure(screenshot, request.node.name):
        page.goto(f"{live_server.url}/users/")
        page.get_by_role("link", name="Add user step by step").click()
        page.get_by_label("User name").fill("erin")
        page.get_by_label("Console access, generated password").check()
        page.get_by_label("Groups", exact=True).select_option("devs")
        page.get_by_label("Attach policies").select_option(label="S3Read")
        page.get_by_label("Create an access key").check()
        page.get_by_role("button", name="Review").click()
        expect(page.locator("#review")).to_contain_text("must be changed at next sign-in")
        page.get_by_role("button", name="Create user").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Created user erin")
        password = page.locator("#new-password").inner_text()
        assert User.objects.get(name="erin").check_password(password)
        with page.expect_download() as download:
            page.get_by_role("link", name="Download .csv file").click()
        assert download.value.suggested_filename == "erin_accessKeys.csv"


def test_create_user_chooses_groups_by_search_without_losing_choices(console, live_server,
                                                                    screenshot, request):
    from playwright.sync_api import expect

    from iamconsole.iam.models import Group

    Group.objects.bulk_create(Group(account_id="123456789012", name=f"team-{n:04d}")
                              for n in range(150))
    page = console
    with screenshot_on_failure(screenshot, request.node.name):
        page.goto(f"{live_server.url}/users/create/guided/")
        # the typed password is asked for only when console access with a typed one is chosen
        expect(page.get_by_label("Custom password")).to_be_hidden()
        page.get_by_label("Console access, password typed here").check()
        expect(page.get_by_label("Custom password")).to_be_visible()
        page.get_by_label("No console access").check()
        expect(page.get_by_label("User must create a new password at next sign-in")).to_be_hidden()
        groups = page.get_by_label("Groups", exact=True)
        groups.select_option("team-0003")
        expect(page.locator("#id_groups option[value='team-0149']")).to_have_count(0)
        with page.expect_response("**/users/create/guided/options/**"):
            page.get_by_label("Search groups by name").fill("0149")
        expect(page.locator("#id_groups option[value='team-0149']")).to_have_count(1)
        expect(page.locator("#id-groups-hint, #id_groups-hint")).to_contain_text("1 chosen")
        assert groups.evaluate("s => [...s.selectedOptions].map(o => o.value)") == ["team-0003"]
        groups.select_option(["team-0003", "team-0149"])
        page.get_by_label("User name").fill("far")
        page.get_by_role("button", name="Review").click()
        expect(page.locator("#review")).to_contain_text("team-0003, team-0149")
        page.get_by_role("button", name="Create user").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Created user far")
        assert set(User.objects.get(name="far").iam_groups.values_list("name", flat=True)) == {
            "team-0003", "team-0149"}


def test_admin_assigns_mfa_to_a_user(console, live_server, screenshot, request):
    import pyotp
    from playwright.sync_api import expect

    make_user("alice")
    page = console
    with screenshot_on_failure(screenshot, request.node.name):
        page.goto(f"{live_server.url}/users/alice/?tab=credentials")
        page.get_by_role("link", name="Assign MFA device").click()
        page.get_by_role("button", name="Create virtual MFA device").click()
        expect(page.locator("figure.qr svg")).to_be_visible()
        totp = pyotp.TOTP(page.get_by_test_id("mfa-secret").inner_text())
        now = time.time()
        if now % 30 > 25:  # keep both codes in one window pair
            time.sleep(31 - now % 30)
            now = time.time()
        page.get_by_label("MFA code 1").fill(totp.at(now - 30))
        page.get_by_label("MFA code 2").fill(totp.at(now))
        page.get_by_role("button", name="Assign MFA").click()
        page.wait_for_url("**/users/alice/?tab=credentials")
        expect(page.locator("#tab-panel")).to_contain_text("arn:aws:iam::123456789012:mfa/alice")
        assert User.objects.get(name="alice").mfa_devices.count() == 1

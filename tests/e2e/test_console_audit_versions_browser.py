"""The console in a real browser: at the five-version limit the policy editor asks which version
to delete, the new version replaces it; the audit log shows the change as a coloured diff; two
versions compare as a diff. Run with DEBUG off (production) and on."""

from __future__ import annotations

import pytest
from browser_helpers import open_console

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import ManagedPolicy
from tests.conftest import ADMIN_POLICY, PASSWORD, allow, make_user, policy_json

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["production", "debug"])
def console(request, page, live_server, settings):
    """Signed in as an administrator, policy S3Read at its five versions; fails the test on any
    script error or CSP report."""
    settings.DEBUG = request.param == "debug"
    system = Caller.system("test")
    make_user("boss", policy=ADMIN_POLICY)
    policy = iam.create_policy(system, "S3Read", policy_json(allow("s3:GetObject", "*")))
    for number in range(2, 6):
        iam.create_policy_version(system, policy.arn,
                                  policy_json(allow(f"s3:Action{number}", "*")))
    errors = open_console(page, live_server.url, "boss", PASSWORD)
    yield page
    assert errors == []


def test_version_limit_prompt_then_audit_diff_and_compare(console, live_server, screenshot):
    from playwright.sync_api import expect

    page = console
    page.goto(f"{live_server.url}/policies/local/S3Read/?tab=versions")
    expect(page.locator("#tab-panel")).to_contain_text("saving a new one asks which to delete")
    page.get_by_role("link", name="Create a new version").click()
    choice = page.get_by_label("Version to delete")
    expect(choice).to_be_visible()
    expect(choice.locator("option")).to_have_count(5)  # "Choose a version", v2..v5
    editor = page.locator("#id_policy_document")
    editor.fill(policy_json(allow("s3:PutObject", "*")))
    editor.press("End")
    choice.select_option("v3")
    screenshot("audit-01-version-limit-prompt")
    page.get_by_role("button", name="Save new version").click()
    expect(page.locator("body")).to_contain_text("Created version v6 of S3Read and deleted v3.")
    policy = ManagedPolicy.objects.get(name="S3Read")
    assert sorted(policy.versions.values_list("number", flat=True)) == [1, 2, 4, 5, 6]

    # The audit log: the new version's event shows the document's change as a diff.
    page.goto(f"{live_server.url}/audit/?action=CreatePolicyVersion&resource_name=S3Read")
    page.locator("#results tbody tr a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("iam:CreatePolicyVersion")
    added = page.locator("pre.diff .diff-add")
    expect(added.filter(has_text="s3:PutObject")).to_have_count(1)
    expect(page.locator("pre.diff .diff-del").filter(has_text="s3:GetObject")).to_have_count(1)
    colour = added.first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    screenshot("audit-02-event-diff")

    # Compare two versions from the Versions tab.
    page.goto(f"{live_server.url}/policies/local/S3Read/?tab=versions")
    page.locator("#compare-from").select_option("v2")
    page.locator("#compare-to").select_option("v6")
    page.get_by_role("button", name="Compare versions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("S3Read: v2 → v6")
    expect(page.locator("pre.diff .diff-add").filter(has_text="s3:PutObject")).to_have_count(1)
    screenshot("audit-03-version-compare")

    # The policy's Activity tab (htmx) lists its events, the replaced version's delete too.
    page.goto(f"{live_server.url}/policies/local/S3Read/")
    page.get_by_role("tab", name="Activity").click()
    expect(page.get_by_role("tab", name="Activity")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#tab-panel table")).to_contain_text("iam:DeletePolicyVersion")
    expect(page.locator("#tab-panel table")).to_contain_text("iam:CreatePolicy")
    screenshot("audit-04-policy-activity")

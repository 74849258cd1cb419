"""The SCP editor in a real browser (Playwright + Debian chromium, live server): the
management account's administrator types an SCP with a Principal, the editor reports the error
as it does for IAM policies, and the corrected SCP is created."""

from __future__ import annotations

import json

import pytest
from browser_helpers import sign_in

from iamconsole.iam.caller import Caller
from iamconsole.orgs import services as orgs
from iamconsole.orgs.models import Policy
from tests.conftest import ADMIN_POLICY, PASSWORD, make_user

pytestmark = pytest.mark.e2e


def test_scp_editor_validates_as_you_type(page, live_server, screenshot):
    from playwright.sync_api import expect

    make_user("boss", policy=ADMIN_POLICY)
    system = Caller.system("test")
    org = orgs.create_organization(system)
    unit = orgs.create_organizational_unit(system, org.root.id, "Workloads")
    member = orgs.create_account(system, email="w@example.com", account_name="workload")
    orgs.move_account(system, member.account_id, org.root.id, unit.id)
    orgs.enable_policy_type(system, org.root.id, "SERVICE_CONTROL_POLICY")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server.url, "boss", PASSWORD)
    page.goto(f"{live_server.url}/organization/")
    screenshot("org-01-tree")
    page.goto(f"{live_server.url}/organization/policies/create/?type=scp")
    page.get_by_label("Policy name").fill("DenyS3")
    editor = page.locator("#id_policy_document")
    editor.fill(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}, indent=2))
    editor.press("End")  # a keystroke: the validator runs on input
    expect(page.locator("#findings")).to_contain_text("Principal is not supported")
    screenshot("org-02-scp-editor-error")
    editor.fill(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}, indent=2))
    editor.press("End")
    expect(page.locator("#findings")).not_to_contain_text("Principal is not supported")
    expect(page.locator("#findings .badge").first).to_have_text("Valid")
    page.get_by_role("button", name="Create SCP").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("DenyS3")
    screenshot("org-03-scp-detail")
    assert Policy.objects.filter(name="DenyS3").exists()
    page.goto(f"{live_server.url}/account/")
    expect(page.locator("#account-id")).to_have_text("123456789012")
    screenshot("org-04-account-settings")
    assert errors == []

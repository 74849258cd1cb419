"""Console: the credential report page (iam/reports.py's report), its filters and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from personas import ADMIN_POLICY, allow, make_user, policy_json

from iamconsole.iam import reports
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AccessKey, AuditEvent, User, VirtualMFADevice


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _world():
    """boss: admin with MFA, recent password; old-key: a 100-day-old active key, no password;
    stale: password last used 120 days ago; never: password never used."""
    system = Caller.system("test")
    boss = make_user("boss", policy=ADMIN_POLICY)
    device = iam.create_virtual_mfa_device(system, "boss-phone").device
    VirtualMFADevice.everywhere.filter(pk=device.pk).update(user=boss, enabled_at=timezone.now())
    User.everywhere.filter(pk=boss.pk).update(password_last_used=timezone.now())
    make_user("old-key", password=None)
    iam.create_access_key(system, "old-key")
    AccessKey.objects.filter(user__name="old-key").update(
        created_at=timezone.now() - timedelta(days=100))
    stale = make_user("stale")
    User.everywhere.filter(pk=stale.pk).update(
        password_last_used=timezone.now() - timedelta(days=120))
    make_user("never")
    return boss


def _names(page: str) -> list[str]:
    return [n for n in ("boss", "old-key", "stale", "never") if f"<td>{n}</td>" in page]


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode())))


def test_generate_then_filter_the_report(db):
    admin = _client(_world())
    page = admin.get("/credential-report/").content.decode()
    assert 'id="credential-report-missing"' in page and "Generate report" in page
    assert "Generate one to see every user's credentials." in page
    assert admin.post("/credential-report/generate/").status_code == 302
    assert AuditEvent.objects.filter(action="iam:GenerateCredentialReport").exists()
    page = admin.get("/credential-report/").content.decode()
    assert _names(page) == ["boss", "old-key", "stale", "never"]
    assert _names(admin.get("/credential-report/?no_mfa=on").content.decode()) == [
        "old-key", "stale", "never"]
    assert _names(admin.get("/credential-report/?key_older_than_days=90").content.decode()) == [
        "old-key"]
    assert _names(admin.get("/credential-report/?key_older_than_days=200").content.decode()) == []
    assert _names(admin.get("/credential-report/?password_unused_days=90").content.decode()) == [
        "stale", "never"]
    assert _names(admin.get("/credential-report/?password_never_used=on").content.decode()) == [
        "never"]
    # bad input is a form error, not a 500; the report is then unfiltered
    response = admin.get("/credential-report/?key_older_than_days=-3")
    assert response.status_code == 200 and "has-error" in response.content.decode()


def test_csv_download_is_aws_format_and_filtered(db):
    admin = _client(_world())
    admin.post("/credential-report/generate/")
    response = admin.get("/credential-report/csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().splitlines()[0] == ",".join(
        reports.CREDENTIAL_REPORT_COLUMNS)
    full = _csv(response)
    assert [r["user"] for r in full] == ["boss", "never", "old-key", "stale"]
    assert full[0]["mfa_active"] == "true" and full[1]["password_last_used"] == "no_information"
    filtered = _csv(admin.get("/credential-report/csv/?no_mfa=on&password_unused_days=90"))
    assert [r["user"] for r in filtered] == ["never", "stale"]
    assert list(filtered[0]) == list(reports.CREDENTIAL_REPORT_COLUMNS)


def test_csv_before_generating_says_why(db):
    admin = _client(_world())
    response = admin.get("/credential-report/csv/")
    assert response.status_code == 302  # back to the page with the ReportNotPresent message


def test_permissions_follow_aws_actions(db):
    _world()
    reader = _client(make_user("reader", policy=policy_json(allow(["iam:GetCredentialReport"]))))
    nobody = _client(make_user("nobody", policy=policy_json(allow(["iam:ListUsers"]))))
    page = reader.get("/credential-report/").content.decode()
    assert "Generate report" not in page
    assert reader.post("/credential-report/generate/").status_code == 403
    assert nobody.get("/credential-report/").status_code == 403
    assert nobody.get("/credential-report/csv/").status_code == 403
    assert 'href="/credential-report/"' not in nobody.get("/").content.decode()
    assert 'href="/credential-report/"' in reader.get("/").content.decode()


def test_the_report_page_is_paged_and_keeps_its_filters(db):
    admin = _client(_world())
    for n in range(30):
        make_user(f"z-user-{n:02d}")  # a password, no MFA
    assert admin.post("/credential-report/generate/").status_code == 302
    first = admin.get("/credential-report/?no_mfa=on").content.decode()
    assert first.count("<td>z-user-") == 22  # 25 per page: old-key, stale, never, 22 of them
    assert "page 1 of 2" in first and "?no_mfa=on&amp;page=2" in first
    second = admin.get("/credential-report/?no_mfa=on&page=2", HTTP_HX_REQUEST="true",
                       HTTP_HX_TARGET="results").content.decode()
    assert second.count("<td>z-user-") == 8 and "<html" not in second
    wide = admin.get("/credential-report/?per_page=100").content.decode()
    assert wide.count("<td>z-user-") == 30
    # the CSV link carries the filters, not the page, and the CSV has every matching row
    assert 'href="/credential-report/csv/?no_mfa=on"' in first
    assert len(_csv(admin.get("/credential-report/csv/?no_mfa=on"))) == 33

"""Console: the account page's outbound identity federation toggle."""

from __future__ import annotations

from django.test import Client
from personas import ADMIN_POLICY, allow, make_user, policy_json

from iamconsole.iam.models import AuditEvent


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admin_enables_and_disables_from_the_account_page(db, settings):
    settings.IAMCONSOLE_PUBLIC_URL = "https://iam.example"
    admin = _client(make_user("boss", policy=ADMIN_POLICY))
    page = admin.get("/account/").content.decode()
    assert "Enable outbound identity federation" in page
    response = admin.post("/account/outbound-federation/enable/")
    assert response.status_code == 302
    page = admin.get("/account/").content.decode()
    assert "https://iam.example/oidc/123456789012" in page
    assert "Disable outbound identity federation" in page
    assert admin.post("/account/outbound-federation/disable/").status_code == 302
    assert "Enable outbound identity federation" in admin.get("/account/").content.decode()
    assert AuditEvent.objects.filter(action="iam:EnableOutboundWebIdentityFederation",
                                     auth_method="console").exists()


def test_reader_sees_no_toggle_and_may_not_post(db):
    reader = _client(make_user("reader", policy=policy_json(allow(
        ["iam:ListAccountAliases", "iam:GetOutboundWebIdentityFederationInfo"]))))
    page = reader.get("/account/").content.decode()
    assert "Outbound identity federation" in page
    assert "Enable outbound identity federation" not in page
    assert reader.post("/account/outbound-federation/enable/").status_code == 403

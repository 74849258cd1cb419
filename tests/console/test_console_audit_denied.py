"""Console: a denied page or form is in the audit log, and the audit page's Result filter shows
the failures."""

from __future__ import annotations

from iamconsole.iam.models import AuditEvent, User
from tests.console.console_support import client_for


def test_a_denied_console_post_is_audited(world, outsider):
    response = client_for(outsider).post("/users/spare/delete/", REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 403
    assert User.objects.filter(name="spare").exists()
    event = AuditEvent.objects.get(outcome="denied")
    assert (event.actor, event.auth_method, event.action) == (
        "outsider", "console", "iam:DeleteUser")
    assert event.resource_name == "spare" and event.error_code == "AccessDenied"
    assert event.source_ip == "198.51.100.4" and event.request_id
    assert "is not authorized to perform: iam:DeleteUser" in event.detail


def test_the_audit_page_filters_failures(world, admin, outsider):
    client_for(outsider).get("/users/target/")
    client = client_for(admin)
    page = client.get("/audit/").content.decode()
    assert 'name="result"' in page and "Failed or denied" in page
    failed = client.get("/audit/?result=failed").content.decode()
    assert "iam:GetUser" in failed and "<code>AccessDenied</code>" in failed
    assert "iam:CreateUser" not in failed  # the world's successful changes are left out
    assert "1 event" in failed
    succeeded = client.get("/audit/?result=success").content.decode()
    assert "iam:CreateUser" in succeeded and "<code>AccessDenied</code>" not in succeeded

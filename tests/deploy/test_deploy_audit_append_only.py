"""The audit log is append-only in the database itself on PostgreSQL: raw SQL, which bypasses the
ORM's refusal, cannot rewrite or remove an event (a trigger created by migration 0004)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's (run with DATABASE_URL=postgres://…)")


@pytest.mark.parametrize("statement", [
    "UPDATE iam_auditevent SET actor = 'someone else'",
    "UPDATE iam_auditevent SET outcome = 'success', detail = '' WHERE id = %s",
    "DELETE FROM iam_auditevent",
    "DELETE FROM iam_auditevent WHERE id = %s",
])
def test_raw_sql_cannot_update_or_delete_an_audit_event(system, statement):
    iam.create_user(system, "alice")
    event = AuditEvent.objects.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(statement, [event.pk] if "%s" in statement else None)
    kept = AuditEvent.objects.get()
    assert (kept.pk, kept.actor, kept.action) == (event.pk, "[test]", "iam:CreateUser")


def test_raw_sql_can_still_append_events(system):
    iam.create_user(system, "alice")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO iam_auditevent (account_id, created_at, actor, actor_arn, "
                       "auth_method, request_id, action, resource_type, resource_name, "
                       "resource_arn, outcome, error_code, detail) VALUES (%s, now(), 'x', '', "
                       "'system', '', 'iam:Test', '', '', '', 'success', '', '')",
                       [system.account])
    assert AuditEvent.objects.count() == 2

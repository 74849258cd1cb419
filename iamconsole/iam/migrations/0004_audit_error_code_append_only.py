"""The audit log's errorCode (CloudTrail's field: AccessDenied for a denied call), and the log
made append-only in the database itself on PostgreSQL: a trigger refuses every UPDATE and DELETE
of an audit event, whatever the client (the ORM refuses them too, see AuditEvent). SQLite has no
such protection worth the name (anyone who can write the file can rewrite it): a no-op there.

TRUNCATE is not refused: it is the table owner's operation (Django's test flush uses it); an
installation that wants it closed too runs the application as a role without TRUNCATE."""

from django.db import migrations, models

TABLE = "iam_auditevent"
FUNCTION = "iam_auditevent_append_only"

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = 'audit events are append-only: ' || TG_OP || ' refused';
END
$$;
DROP TRIGGER IF EXISTS {FUNCTION} ON {TABLE};
CREATE TRIGGER {FUNCTION} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {FUNCTION} ON {TABLE};
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("iam", "0003_counter")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="error_code",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]

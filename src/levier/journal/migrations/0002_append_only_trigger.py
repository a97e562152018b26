"""On PostgreSQL, a trigger refuses UPDATE and DELETE on journal events.

The model layer already refuses them; the trigger also stops raw SQL and other
programs sharing the database. On SQLite, triggers do the same job.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION journal_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'journal events are append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER journal_event_no_update BEFORE UPDATE OR DELETE ON journal_event
    FOR EACH ROW EXECUTE FUNCTION journal_event_append_only();
CREATE TRIGGER journal_event_no_truncate BEFORE TRUNCATE ON journal_event
    FOR EACH STATEMENT EXECUTE FUNCTION journal_event_append_only();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS journal_event_no_update ON journal_event;
DROP TRIGGER IF EXISTS journal_event_no_truncate ON journal_event;
DROP FUNCTION IF EXISTS journal_event_append_only();
"""
SQLITE_FORWARD = [
    "CREATE TRIGGER journal_event_no_update BEFORE UPDATE ON journal_event "
    "BEGIN SELECT RAISE(ABORT, 'journal events are append-only (UPDATE refused)'); END;",
    "CREATE TRIGGER journal_event_no_delete BEFORE DELETE ON journal_event "
    "BEGIN SELECT RAISE(ABORT, 'journal events are append-only (DELETE refused)'); END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS journal_event_no_update;",
    "DROP TRIGGER IF EXISTS journal_event_no_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("journal", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

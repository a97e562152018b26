"""The subjects of list reads are journal too: triggers refuse UPDATE and DELETE (and
TRUNCATE on PostgreSQL) on them, as on events."""

from django.db import migrations

from levier.journal.triggers import SUBJECT_TABLE, create_triggers, drop_triggers


def forward(apps, schema_editor):
    create_triggers(schema_editor.execute, schema_editor.connection.vendor, (SUBJECT_TABLE,))


def backward(apps, schema_editor):
    drop_triggers(schema_editor.execute, schema_editor.connection.vendor, (SUBJECT_TABLE,))


class Migration(migrations.Migration):
    dependencies = [("journal", "0006_event_subjects")]
    operations = [migrations.RunPython(forward, backward)]

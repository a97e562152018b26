"""Triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on journal events.

The model layer already refuses them; the triggers also stop raw SQL and other
programs sharing the database.
"""

from django.db import migrations

from levier.journal.triggers import create_triggers, drop_triggers


def forward(apps, schema_editor):
    create_triggers(schema_editor.execute, schema_editor.connection.vendor)


def backward(apps, schema_editor):
    drop_triggers(schema_editor.execute, schema_editor.connection.vendor)


class Migration(migrations.Migration):
    dependencies = [("journal", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

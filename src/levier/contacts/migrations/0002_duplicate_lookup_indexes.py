"""Indexes for duplicate detection: lower-cased email, birth date, IBAN.

Built concurrently on PostgreSQL so that a large contact table stays writable.
"""

from django.db import migrations, models
from django.db.models.functions import Lower

INDEXES = [
    models.Index(Lower("email"), name="contact_email_lower"),
    models.Index(fields=["birth_date"], name="contact_birth_date"),
    models.Index(fields=["iban"], name="contact_iban"),
]


def _options(schema_editor) -> dict:
    return {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}


def forward(apps, schema_editor):
    contact = apps.get_model("contacts", "Contact")
    for index in INDEXES:
        schema_editor.add_index(contact, index, **_options(schema_editor))


def backward(apps, schema_editor):
    contact = apps.get_model("contacts", "Contact")
    for index in INDEXES:
        schema_editor.remove_index(contact, index, **_options(schema_editor))


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction.

    dependencies = [("contacts", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name="contact", index=index) for index in INDEXES
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        )
    ]

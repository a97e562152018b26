"""The table of the shared cache (settings.CACHES): counters every web worker sees
(rate limits, follow-code attempts). Django creates it with `createcachetable`; doing it
in a migration means `levier migrate` is the only set-up step."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_organisation_logo")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]

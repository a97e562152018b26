"""`flush` empties the whole database, the journal included.

The journal's append-only triggers refuse DELETE and TRUNCATE; wiping the whole
database (a fresh demo, the test runner between transactional tests) is the one
operation allowed to bypass them, inside the same transaction, and they are back in
place when it commits.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections, transaction

from levier.journal.triggers import append_only_triggers_removed


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        with transaction.atomic(using=connection.alias), append_only_triggers_removed(connection):
            return super().handle(**options)

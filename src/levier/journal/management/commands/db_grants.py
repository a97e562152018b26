"""`levier db_grants --role levier_app [--apply]`: the application role's rights.

Run by the owner role (the one that runs `levier migrate`), after each migration: it
prints, or applies with --apply, the grants that let the application read and append
to the journal and nothing more (see journal.database_roles and docs/deployment.md).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.utils.translation import gettext as _

from levier.journal.database_roles import ROLE_NAME, grants_sql


class Command(BaseCommand):
    help = "Print or apply the PostgreSQL grants of the application's least-privileged role."

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, help="role the web servers and workers use")
        parser.add_argument("--apply", action="store_true", help="run the statements")
        parser.add_argument("--database", default="default")

    def handle(self, *, role, apply, database, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(
                _(
                    "Database roles and grants exist only on PostgreSQL; this database is %(vendor)s."
                )
                % {"vendor": connection.vendor}
            )
        if not ROLE_NAME.match(role):
            raise CommandError(
                _(
                    "“%(role)s” is not a valid PostgreSQL role name: use letters, digits and underscores."
                )
                % {"role": role}
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            owner = cursor.fetchone()[0]
        if owner == role:
            raise CommandError(
                _(
                    "Run this command as the owner role that runs the migrations, not as the application role “%(role)s”."
                )
                % {"role": role}
            )
        statements = grants_sql(app_role=role, owner_role=owner)
        if not apply:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(using=database), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            _(
                "Rights of role “%(role)s” applied: it reads and appends to the journal, nothing more."
            )
            % {"role": role}
        )

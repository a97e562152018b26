"""The two PostgreSQL roles a deployment uses, so the journal's triggers hold.

The triggers (journal.triggers) refuse UPDATE, DELETE and TRUNCATE, but a role that
owns the table or the trigger function, or a superuser, can switch them off
(`ALTER TABLE … DISABLE TRIGGER`, `DROP FUNCTION … CASCADE`,
`SET session_replication_role = replica`). So migrations run as the owner role and
the application as a second role that owns nothing and may only read and append to
the journal. `levier db_grants` prints or applies the grants below; the deploy check
(journal.checks) warns when the application's role could bypass the triggers.
"""

import re
from dataclasses import dataclass

JOURNAL_TABLE = "journal_event"
TRIGGER_FUNCTION = "journal_event_append_only"
# Django's record of applied migrations: the application reads it, only `migrate` writes it.
READ_ONLY_TABLES = ("django_migrations",)
ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def quoted_role(name: str) -> str:
    if not ROLE_NAME.match(name):
        raise ValueError(f"invalid PostgreSQL role name: {name!r}")
    return f'"{name}"'


def grants_sql(*, app_role: str, owner_role: str, schema: str = "public") -> list[str]:
    """Statements the owner role runs after each `levier migrate` (idempotent)."""
    app, owner, schema_name = quoted_role(app_role), quoted_role(owner_role), quoted_role(schema)
    return [
        f"GRANT USAGE ON SCHEMA {schema_name} TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema_name} TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema_name} TO {app}",
        # The journal: read and append, nothing else.
        f"REVOKE ALL ON {JOURNAL_TABLE} FROM {app}",
        f"GRANT SELECT, INSERT ON {JOURNAL_TABLE} TO {app}",
        *(f"REVOKE ALL ON {table} FROM {app}" for table in READ_ONLY_TABLES),
        *(f"GRANT SELECT ON {table} TO {app}" for table in READ_ONLY_TABLES),
        # Tables and sequences that later migrations create get the same usual rights.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema_name} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema_name} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]


@dataclass(frozen=True)
class JournalRoleRights:
    role: str
    superuser: bool
    owns_journal: bool  # owner of the table or of the trigger function, or a member of its owner
    may_set_replication_role: bool
    may_change_journal: bool  # UPDATE, DELETE or TRUNCATE granted (the triggers still refuse)


def journal_role_rights(cursor) -> JournalRoleRights | None:
    """What the role of this connection may do to the journal; None before migrations."""
    cursor.execute(
        """
        SELECT r.rolname,
               r.rolsuper,
               pg_has_role(current_user, c.relowner, 'MEMBER')
                 OR coalesce(bool_or(pg_has_role(current_user, p.proowner, 'MEMBER')), false),
               has_parameter_privilege('session_replication_role', 'SET'),
               has_table_privilege(c.oid, 'UPDATE, DELETE, TRUNCATE')
          FROM pg_roles r
          JOIN pg_class c ON c.oid = to_regclass(%s)
          LEFT JOIN pg_proc p ON p.proname = %s
         WHERE r.rolname = current_user
         GROUP BY r.rolname, r.rolsuper, c.oid, c.relowner
        """,
        [JOURNAL_TABLE, TRIGGER_FUNCTION],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return JournalRoleRights(*row)

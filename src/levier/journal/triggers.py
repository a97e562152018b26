"""Database triggers that keep journal events append-only (PostgreSQL and SQLite)."""

from contextlib import contextmanager

POSTGRES_CREATE = """
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
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS journal_event_no_update ON journal_event;
DROP TRIGGER IF EXISTS journal_event_no_truncate ON journal_event;
DROP FUNCTION IF EXISTS journal_event_append_only();
"""
SQLITE_CREATE = [
    "CREATE TRIGGER journal_event_no_update BEFORE UPDATE ON journal_event "
    "BEGIN SELECT RAISE(ABORT, 'journal events are append-only (UPDATE refused)'); END;",
    "CREATE TRIGGER journal_event_no_delete BEFORE DELETE ON journal_event "
    "BEGIN SELECT RAISE(ABORT, 'journal events are append-only (DELETE refused)'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS journal_event_no_update;",
    "DROP TRIGGER IF EXISTS journal_event_no_delete;",
]


def create_triggers(execute, vendor: str) -> None:
    if vendor == "postgresql":
        execute(POSTGRES_CREATE)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            execute(statement)


def drop_triggers(execute, vendor: str) -> None:
    if vendor == "postgresql":
        execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            execute(statement)


@contextmanager
def append_only_triggers_removed(connection):
    """Drop the triggers for the enclosing transaction only (DDL is transactional on both)."""
    with connection.cursor() as cursor:
        run = lambda sql: cursor.execute(sql.replace("%%", "%"))  # noqa: E731 - no parameters here
        drop_triggers(run, connection.vendor)
        yield
        create_triggers(run, connection.vendor)

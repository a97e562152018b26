"""Database triggers that keep the journal append-only (PostgreSQL and SQLite).

Two tables: the events, and the subjects of list reads (`journal_eventsubject`, added
later, hence triggers created per table).
"""

from contextlib import contextmanager

EVENT_TABLE = "journal_event"
SUBJECT_TABLE = "journal_eventsubject"
JOURNAL_TABLES = (EVENT_TABLE, SUBJECT_TABLE)

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION journal_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'journal events are append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def _postgres_create(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION journal_event_append_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION journal_event_append_only();
"""


def _postgres_drop(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_no_update ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
"""


def _sqlite_create(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'journal events are append-only (UPDATE refused)'); END;",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'journal events are append-only (DELETE refused)'); END;",
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update;",
        f"DROP TRIGGER IF EXISTS {table}_no_delete;",
    ]


def create_triggers(execute, vendor: str, tables=(EVENT_TABLE,)) -> None:
    if vendor == "postgresql":
        execute(POSTGRES_FUNCTION + "".join(_postgres_create(table) for table in tables))
    elif vendor == "sqlite":
        for table in tables:
            for statement in _sqlite_create(table):
                execute(statement)


def drop_triggers(execute, vendor: str, tables=(EVENT_TABLE,)) -> None:
    if vendor == "postgresql":
        execute("".join(_postgres_drop(table) for table in tables))
        if EVENT_TABLE in tables:
            execute("DROP FUNCTION IF EXISTS journal_event_append_only();")
    elif vendor == "sqlite":
        for table in tables:
            for statement in _sqlite_drop(table):
                execute(statement)


@contextmanager
def append_only_triggers_removed(connection):
    """Drop the triggers for the enclosing transaction only (DDL is transactional on both)."""
    tables = [table for table in JOURNAL_TABLES if table in connection.introspection.table_names()]
    with connection.cursor() as cursor:
        run = lambda sql: cursor.execute(sql.replace("%%", "%"))  # noqa: E731 - no parameters here
        drop_triggers(run, connection.vendor, tables)
        yield
        create_triggers(run, connection.vendor, tables)

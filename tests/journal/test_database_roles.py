"""The application's PostgreSQL role cannot switch the journal's triggers off (issue 10, 3).

Real roles on the test cluster, real connections as each of them (psycopg). The owner
role and the superuser can bypass the triggers (what the finding showed); the
least-privileged role that `levier db_grants` sets up cannot, and the deploy check
tells the two apart.
"""

import secrets

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from levier.journal.checks import journal_role_warnings
from levier.journal.database_roles import JOURNAL_TABLE, TRIGGER_FUNCTION, journal_role_rights
from levier.journal.models import Event
from levier.journal.services import record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BYPASSES = {
    "replication role": "SET session_replication_role = replica",
    "disable trigger": f"ALTER TABLE {JOURNAL_TABLE} DISABLE TRIGGER USER",
    "drop function": f"DROP FUNCTION {TRIGGER_FUNCTION}() CASCADE",
    "replace function": f"CREATE OR REPLACE FUNCTION {TRIGGER_FUNCTION}() RETURNS trigger "
                        "AS $$ BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql",
}  # fmt: skip


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("database roles are a PostgreSQL matter")


def connect_as(role):
    params = connection.get_connection_params()
    return psycopg.connect(
        host=params.get("host"), port=params.get("port"), dbname=params["dbname"], user=role
    )


@pytest.fixture
def roles(postgres):
    """An application role given its rights by `levier db_grants`, and a table-owner role."""
    suffix = secrets.token_hex(4)
    app, owner = f"levier_app_{suffix}", f"levier_owner_{suffix}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        migrator = cursor.fetchone()[0]
        cursor.execute(f'CREATE ROLE "{app}" LOGIN')
        cursor.execute(f'CREATE ROLE "{owner}" LOGIN')
    call_command("db_grants", role=app, apply=True)
    try:
        yield {"app": app, "owner": owner, "superuser": migrator}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE {JOURNAL_TABLE} OWNER TO "{migrator}"')
            cursor.execute(f'ALTER FUNCTION {TRIGGER_FUNCTION}() OWNER TO "{migrator}"')
            for role in (app, owner):
                cursor.execute(f'DROP OWNED BY "{role}"')
                cursor.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def event(agent):
    return record(actor=agent, verb="read", target=agent, activity="consult-personal-data")


def bypass_then_delete(role, bypass, event_id):
    """Try one bypass then a DELETE, as `role`, in a transaction rolled back; the error or None."""
    with connect_as(role) as conn:
        try:
            with conn.transaction(force_rollback=True), conn.cursor() as cursor:
                cursor.execute(bypass)
                cursor.execute(f"DELETE FROM {JOURNAL_TABLE} WHERE id = %s", [event_id])
                assert cursor.rowcount == 1
        except psycopg.Error as error:
            return error
    return None


def test_owner_and_superuser_can_switch_the_triggers_off(roles, event):
    """The finding: a role that owns the journal, or a superuser, erases events at will."""
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE {JOURNAL_TABLE} OWNER TO "{roles["owner"]}"')
    assert bypass_then_delete(roles["owner"], BYPASSES["disable trigger"], event.pk) is None
    assert bypass_then_delete(roles["superuser"], BYPASSES["replication role"], event.pk) is None
    assert Event.objects.filter(pk=event.pk).exists()  # rolled back


@pytest.mark.parametrize("bypass", BYPASSES, ids=list(BYPASSES))
def test_the_application_role_cannot_switch_the_triggers_off(roles, event, bypass):
    error = bypass_then_delete(roles["app"], BYPASSES[bypass], event.pk)
    assert isinstance(error, psycopg.errors.InsufficientPrivilege), error
    assert Event.objects.filter(pk=event.pk).exists()


def test_the_application_role_reads_and_appends_and_nothing_else(roles, event):
    columns = ", ".join(
        field.column for field in Event._meta.concrete_fields if not field.primary_key
    )
    with connect_as(roles["app"]) as conn, conn.cursor() as cursor:
        cursor.execute(f"SELECT verb FROM {JOURNAL_TABLE} WHERE id = %s", [event.pk])
        assert cursor.fetchone() == ("read",)
        cursor.execute(
            f"INSERT INTO {JOURNAL_TABLE} ({columns}) "
            f"SELECT {columns} FROM {JOURNAL_TABLE} WHERE id = %s RETURNING id",
            [event.pk],
        )
        appended = cursor.fetchone()[0]
        conn.commit()
        for statement in (
            f"UPDATE {JOURNAL_TABLE} SET verb = 'tampered' WHERE id = {event.pk}",
            f"DELETE FROM {JOURNAL_TABLE} WHERE id = {event.pk}",
            f"TRUNCATE {JOURNAL_TABLE}",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cursor.execute(statement)
            conn.rollback()
        # The rest of the application's tables keep their usual rights.
        cursor.execute("UPDATE core_agent SET last_name = last_name")
    assert Event.objects.filter(pk__in=[event.pk, appended]).count() == 2


def warning_ids(role):
    with connect_as(role) as conn, conn.cursor() as cursor:
        rights = journal_role_rights(cursor)
    return [warning.id for warning in journal_role_warnings(rights)]


def test_the_deploy_check_warns_for_the_owner_and_the_superuser_only(roles, event):
    assert warning_ids(roles["superuser"]) == ["levier.W002"]
    assert warning_ids(roles["app"]) == []
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE {JOURNAL_TABLE} OWNER TO "{roles["owner"]}"')
    assert warning_ids(roles["owner"]) == ["levier.W003"]
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE {JOURNAL_TABLE} OWNER TO "{roles["superuser"]}"')
        cursor.execute(f'GRANT UPDATE ON {JOURNAL_TABLE} TO "{roles["app"]}"')
    assert warning_ids(roles["app"]) == ["levier.W004"]


def test_db_grants_prints_the_statements_for_a_human_to_review(postgres, capsys):
    call_command("db_grants", role="levier_app")
    printed = capsys.readouterr().out
    assert f'GRANT SELECT, INSERT ON {JOURNAL_TABLE} TO "levier_app";' in printed
    assert f'REVOKE ALL ON {JOURNAL_TABLE} FROM "levier_app";' in printed


def test_db_grants_explains_what_it_cannot_do():
    from django.core.management.base import CommandError

    expected = "PostgreSQL" if connection.vendor != "postgresql" else "nom de rôle"
    with pytest.raises(CommandError, match=expected):
        call_command("db_grants", role="levier-app; DROP TABLE journal_event")

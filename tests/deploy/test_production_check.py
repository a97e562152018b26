"""`levier check --deploy` is clean in the documented production configuration (issue 10, 3 and 9).

Run as a deployment runs it: a separate process, configured by environment variables only.
"""

import re
import secrets

import pytest
from django.core.management import call_command
from django.db import connection

from tests.deploy.test_secret_key import levier_env, run

PRODUCTION = {
    "LEVIER_SECRET_KEY": secrets.token_urlsafe(50),
    "LEVIER_HTTPS": "true",
    "LEVIER_ALLOWED_HOSTS": "levier.example.gouv.fr",
    "LEVIER_BASE_URL": "https://levier.example.gouv.fr",
    "LEVIER_CSRF_TRUSTED_ORIGINS": "https://levier.example.gouv.fr",
}


def issues(output: str) -> list[str]:
    return re.findall(r"\(([a-z_]+\.[EW]\d{3})\)", output)


def check_deploy(tmp_path, **variables):
    result = run(
        ["-m", "levier", "check", "--deploy"], levier_env(tmp_path, **{**PRODUCTION, **variables})
    )
    return result.stdout + result.stderr


def test_demo_configuration_is_reported(tmp_path):
    found = issues(
        check_deploy(
            tmp_path,
            LEVIER_SECRET_KEY="",
            LEVIER_HTTPS="false",
            DATABASE_URL=f"sqlite:///{tmp_path}/levier.sqlite3",
        )
    )
    assert {"levier.E001", "security.W004", "security.W008", "security.W012"} <= set(found)


def test_on_sqlite_only_the_database_itself_is_reported(tmp_path):
    output = check_deploy(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/levier.sqlite3")
    assert issues(output) == ["levier.W005"], output


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_with_the_application_role_nothing_is_reported(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("database roles are a PostgreSQL matter")
    role = f"levier_app_{secrets.token_hex(4)}"
    params = connection.get_connection_params()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        call_command("db_grants", role=role, apply=True)
        url = f"postgres://{role}@{params.get('host')}:{params.get('port') or 5432}/{params['dbname']}"
        output = check_deploy(tmp_path, DATABASE_URL=url)
        assert "System check identified no issues" in output, output
        # The same configuration as the migrating superuser: the journal is not protected.
        owner_url = f"postgres://{params['user']}@{params.get('host')}:{params.get('port') or 5432}/{params['dbname']}"
        assert issues(check_deploy(tmp_path, DATABASE_URL=owner_url)) == ["levier.W002"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')

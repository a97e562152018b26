"""What the benchmarks share: printing figures and a PostgreSQL database of their own."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def emit(name: str, value: str) -> None:
    print(f"{name}: {value}", flush=True)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def recreate_database(server_url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def median_seconds(action, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def setup_django_on_own_database(script: str, database: str) -> tuple[str, str]:
    """Create a fresh PostgreSQL database for the benchmark, point Django at it, set it up.

    Returns (server URL, psycopg URL of the new database). Exits with a clear message
    when DATABASE_URL does not name a PostgreSQL server.
    """
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            f"bench/{script} needs PostgreSQL: set DATABASE_URL=postgres://user@host/any-database"
        )
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))
    bench_url = with_database(server_url, database)
    recreate_database(server_url, database)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("LEVIER_VAR_DIR", tempfile.mkdtemp(prefix="levier-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "levier.settings"
    import django

    django.setup()
    return server_url, bench_url.replace("postgres://", "postgresql://", 1)


@contextmanager
def own_database(script: str, database: str, *, keep: bool) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for the benchmark; yields its psycopg URL.

    Dropped at the end unless `keep`.
    """
    server_url, psycopg_url = setup_django_on_own_database(script, database)
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        yield psycopg_url
    finally:
        connections.close_all()
        if not keep:
            recreate_database(server_url, database, drop_only=True)

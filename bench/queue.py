"""Benchmark: loading cases, and the team-queue page, against bare PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1/postgres python bench/queue.py [--quick]

Needs PostgreSQL: DATABASE_URL names the server (any database on it). The script
creates its own database (`levier_bench` by default), drops it first if it exists,
migrates it, and drops it at the end unless `--keep`.

(a) Loading. levier's seed path (`levier.demo.seeding.Seeder`, cases only: plan,
    declared data, search text, verification digest, write) against a bare COPY of
    the very same rows, read back from the table and streamed with psycopg into the
    emptied `cases_case`. Both run against the same indexes (the trigram index on
    search_text included). Printed as rows per second and `seed_vs_bare_insert`.

(b) Queue page. Median server time of GET /dossiers/?status=open&assignee=none, and
    of the home page, through Django's test client logged in as an agent, against
    the bare SQL the page needs: every statement the page sent (session, agent,
    teams, filter choices, the list, the notification count), captured once and
    replayed with psycopg on one connection. Printed last as `queue_page_vs_bare_sql`.
    For reference, `queue_page_vs_list_select` compares the page with the list's
    own SELECT alone (joins, filters, order and LIMIT 26), as the page sent it.

One figure per line, `name: value`. Benchmarks assert nothing about time.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named queue.py: keep its folder off sys.path, or it would shadow the
# standard library's `queue` for every module imported after this point.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]

import argparse  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from bench.common import emit, median_seconds, own_database  # noqa: E402

QUEUE_URL = "/dossiers/?status=open&assignee=none"
HOME_URL = "/"
AGENT = "agent.entreprises"


def bench_loading(args, psycopg_url: str) -> None:
    import psycopg

    from levier.demo.seeding import Seeder, SeedOptions

    seeder = Seeder(
        SeedOptions(
            cases=args.cases,
            enquiries=0,
            documents=False,
            comments=False,
            journal=False,
            progress=not args.quiet,
            chunk_size=args.chunk_size,
        )
    )
    seeder.prepare()
    seeder.create_contacts()
    started = time.perf_counter()
    seeder.create_cases()
    seed_seconds = time.perf_counter() - started
    seed_rate = args.cases / seed_seconds

    with psycopg.connect(psycopg_url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_case_rows")
        connection.execute("CREATE UNLOGGED TABLE bench_case_rows AS SELECT * FROM cases_case")
        connection.execute("ALTER TABLE bench_case_rows ADD PRIMARY KEY (id)")
        described = connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'cases_case' "
            "ORDER BY ordinal_position"
        ).fetchall()
        connection.execute("TRUNCATE cases_case CASCADE")
        column_list = ", ".join(name for name, _type in described)
        # JSON is read back as text: the bare insert gets it serialised already.
        select_list = ", ".join(
            f"{name}::text" if kind == "jsonb" else name for name, kind in described
        )
        bare_seconds, last_id = 0.0, 0
        with connection.cursor() as reader, connection.cursor() as writer:
            while True:
                # Reading the pre-generated rows is not timed; only the insert is.
                reader.execute(
                    f"SELECT {select_list} FROM bench_case_rows WHERE id > %s ORDER BY id LIMIT %s",
                    [last_id, args.chunk_size],
                )
                rows = reader.fetchall()
                if not rows:
                    break
                last_id = rows[-1][0]
                started = time.perf_counter()
                with connection.transaction():
                    with writer.copy(f"COPY cases_case ({column_list}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                bare_seconds += time.perf_counter() - started
        connection.execute("DROP TABLE bench_case_rows")
        connection.execute("VACUUM ANALYZE cases_case")
    bare_rate = args.cases / bare_seconds
    emit("cases", f"{args.cases}")
    emit("seed_seconds", f"{seed_seconds:.1f}")
    emit("seed_rows_per_s", f"{seed_rate:.0f}")
    emit("bare_insert_seconds", f"{bare_seconds:.1f}")
    emit("bare_insert_rows_per_s", f"{bare_rate:.0f}")
    emit("seed_vs_bare_insert", f"{seed_rate / bare_rate:.2f}x (goal >= 0.5x)")


def bench_queue(args, psycopg_url: str) -> None:
    import psycopg
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from levier.core.models import Agent

    agent = Agent.objects.get(username=AGENT)
    client = Client()
    client.force_login(agent)

    def get(url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(
                f"GET {url} answered {response.status_code}; is the cases list view wired?"
            )

    for url in (QUEUE_URL, HOME_URL):
        get(url)  # warm up: templates, caches, connection
    with CaptureQueriesContext(connection) as captured:
        get(QUEUE_URL)
    queries = list(captured.captured_queries)  # read now: the next request empties the log
    queue_seconds = median_seconds(lambda: get(QUEUE_URL), args.requests)
    home_seconds = median_seconds(lambda: get(HOME_URL), args.requests)

    with psycopg.connect(psycopg_url, autocommit=True) as bare:
        statements = [query["sql"] for query in queries]

        def run_page_sql() -> None:
            for statement in statements:
                bare.execute(statement).fetchall()

        # The list's own statement, as the page sent it (literal values, as Django binds them).
        list_select = next(
            statement for statement in statements if 'FROM "cases_case"' in statement
        )
        rows = bare.execute(list_select).fetchall()
        run_page_sql()  # warm up

        def run_list_select() -> None:
            bare.execute(list_select).fetchall()

        page_sql_seconds = median_seconds(run_page_sql, args.requests)
        select_seconds = median_seconds(run_list_select, args.requests)
    emit("queue_rows", f"{len(rows)}")
    emit("queue_page_queries", f"{len(queries)}")
    emit("queue_page_sql_ms", f"{sum(float(query['time']) for query in queries) * 1000:.1f}")
    emit("home_page_ms", f"{home_seconds * 1000:.1f}")
    emit("queue_page_ms", f"{queue_seconds * 1000:.1f}")
    emit("bare_list_select_ms", f"{select_seconds * 1000:.2f}")
    emit("queue_page_vs_list_select", f"{queue_seconds / select_seconds:.1f}x")
    emit("bare_page_sql_ms", f"{page_sql_seconds * 1000:.2f}")
    emit("queue_page_vs_bare_sql", f"{queue_seconds / page_sql_seconds:.1f}x (goal <= 3x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="a small run, under a minute (20,000 cases)"
    )
    parser.add_argument(
        "--cases", type=int, default=None, help="cases to load (default 1,000,000; 20,000 quick)"
    )
    parser.add_argument(
        "--requests", type=int, default=None, help="requests per page for the medians"
    )
    parser.add_argument("--chunk-size", type=int, default=5_000, help="rows per transaction")
    parser.add_argument("--database", default="levier_bench", help="name of the database to create")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args()
    args.cases = args.cases or (20_000 if args.quick else 1_000_000)
    args.requests = args.requests or (30 if args.quick else 100)

    with own_database("queue.py", args.database, keep=args.keep) as psycopg_url:
        bench_loading(args, psycopg_url)
        bench_queue(args, psycopg_url)


if __name__ == "__main__":
    main()

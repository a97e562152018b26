"""A large journal for the insights benchmarks: N cases and about 10 events per case.

    DATABASE_URL=postgres://postgres@127.0.0.1/postgres python bench/insights_data.py [--quick]

PostgreSQL only. Creates (or reuses) a database of its own — `levier_bench_insights` at
full size, `levier_bench_insights_quick` with `--quick`, never the test database —
migrated by Django, then:

- the demo's organisation, teams, agents, procedures and a usager pool
  (`levier.demo.seeding.Seeder.prepare` and `create_contacts`);
- N cases written by the Seeder (`create_cases`, COPY on PostgreSQL), over two years
  (`window_days=730`), journal off;
- the cases' journal, written here with one `COPY ... FROM STDIN` into `journal_event`
  (its secondary indexes dropped during the load and built again after): the verbs and
  activity codes the seeded demo writes (submit/register-case by the usager,
  check-document/check-supporting-document by the document robot, assign/assign-case,
  transition/change-case-status to in_review and waiting_for_usager — returns to the
  usager happen once or twice in a third of the cases —, transition/decide-case for the
  decided cases, read/consult-personal-data and comment/comment-case), timestamps after
  each case's submission, some events at the same microsecond (ties ordered by id).

A marker table (`bench_insights_marker`) records the size and seed; a database whose
marker matches is reused as it is, since 10,000,000 events take minutes to write.
`--force` generates again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))
from bench.common import emit, recreate_database, with_database  # noqa: E402

DATABASE = "levier_bench_insights"
FULL_CASES = 1_000_000
QUICK_CASES = 20_000
MARKER = "bench_insights_marker"
SEED = 2026
# Events of a chunk of cases are generated in Python then sent in one COPY write.
CASE_CHUNK = 20_000
FINAL = ("accepted", "refused", "closed_without_follow_up")
ROBOT = "Contrôle des pièces"  # levier.automation's document checker, as the demo labels it


def database_for(cases: int) -> str:
    """One database per size, so that a quick run never replaces the full-size data."""
    if cases == FULL_CASES:
        return DATABASE
    return f"{DATABASE}_quick" if cases == QUICK_CASES else f"{DATABASE}_{cases}"


def _server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "bench/insights_data.py needs PostgreSQL: set "
            "DATABASE_URL=postgres://user@host/any-database"
        )
    return url


def _marker(psycopg_url: str) -> tuple[int, int, int] | None:
    import psycopg

    try:
        with psycopg.connect(psycopg_url) as connection:
            row = connection.execute(f"SELECT cases, events, seed FROM {MARKER}").fetchone()
            return (int(row[0]), int(row[1]), int(row[2])) if row else None
    except psycopg.Error:
        return None


def _django(psycopg_url: str) -> None:
    os.environ["DATABASE_URL"] = psycopg_url
    os.environ.setdefault("LEVIER_VAR_DIR", tempfile.mkdtemp(prefix="levier-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "levier.settings"
    import django

    django.setup()


def ensure_database(
    cases: int, *, database: str = DATABASE, force: bool = False, quiet: bool = False
) -> str:
    """A migrated database with `cases` cases and their journal; returns its psycopg URL.

    Django is set up on it (settings read DATABASE_URL)."""
    server_url = _server_url()
    psycopg_url = with_database(server_url, database).replace("postgres://", "postgresql://", 1)
    marker = None if force else _marker(psycopg_url)
    if marker is not None and marker[0] == cases and marker[2] == SEED:
        _django(psycopg_url)
        emit("data", f"reused {database} ({marker[0]:,} cases, {marker[1]:,} events)")
        return psycopg_url
    recreate_database(server_url, database)
    _django(psycopg_url)
    from django.core.management import call_command
    from django.db import connections

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    from levier.demo.seeding import Seeder, SeedOptions

    seeder = Seeder(
        SeedOptions(
            cases=cases,
            enquiries=0,
            documents=False,
            comments=False,
            controls=False,
            journal=False,
            progress=not quiet,
            window_days=730,
            seed=SEED,
        )
    )
    seeder.prepare()
    seeder.create_contacts()
    seeder.create_cases()
    connections.close_all()
    emit("data_cases_s", f"{time.perf_counter() - started:.1f}")
    started = time.perf_counter()
    events = write_journal(psycopg_url, quiet=quiet)
    emit("data_events_s", f"{time.perf_counter() - started:.1f}")
    import psycopg

    with psycopg.connect(psycopg_url, autocommit=True) as connection:
        connection.execute(f"CREATE TABLE {MARKER} (cases integer, events bigint, seed integer)")
        connection.execute(f"INSERT INTO {MARKER} VALUES (%s, %s, %s)", (cases, events, SEED))
    emit("data", f"generated {database} ({cases:,} cases, {events:,} events)")
    return psycopg_url


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat()


def case_events(rng: random.Random, case: tuple, team_agents: dict) -> list[str]:
    """The journal rows (COPY text lines) of one submitted case."""
    case_id, submitted_at, status, decided_at, assignee_id, team_id, contact_id = case
    target = str(case_id)
    agents = team_agents.get(team_id) or [(0, "agent")]
    agent_id, agent_label = (
        next((a for a in agents if a[0] == assignee_id), agents[0])
        if assignee_id
        else rng.choice(agents)
    )
    lines: list[str] = []

    def add(
        moment: dt.datetime,
        kind: str,
        actor: str,
        label: str,
        verb: str,
        code: str,
        payload: dict,
    ) -> None:
        lines.append(
            "\t".join(
                (
                    _stamp(moment),
                    kind,
                    actor,
                    label,
                    verb,
                    "cases.case",
                    target,
                    code,
                    "t" if kind == "robot" else "f",
                    "\\N",
                    json.dumps(payload),
                )
            )
        )

    moment = submitted_at
    add(moment, "usager", str(contact_id), "Usager", "submit", "register-case", {"case": target})
    for number in range(rng.choice((0, 1, 2, 2, 3, 3))):
        # The robot checks within the same second, sometimes at the very same microsecond.
        if rng.random() < 0.7:
            moment += dt.timedelta(microseconds=rng.randrange(1, 900_000))
        add(moment, "robot", "document-checker", ROBOT, "check-document",
            "check-supporting-document", {"document": number})  # fmt: skip

    def later(hours: float) -> dt.datetime:
        return moment + dt.timedelta(seconds=rng.expovariate(1 / (hours * 3600)))

    for _ in range(rng.choice((2, 2, 3, 3, 4))):
        add(later(30), "agent", str(agent_id), agent_label, "read", "consult-personal-data",
            {"what": "case"})  # fmt: skip
    if status == "submitted":
        return lines
    moment = later(20)
    add(moment, "agent", str(agent_id), agent_label, "assign", "assign-case",
        {"from": None, "to": agent_id})  # fmt: skip
    moment = later(40)
    add(moment, "agent", str(agent_id), agent_label, "transition", "change-case-status",
        {"from": "submitted", "to": "in_review"})  # fmt: skip
    returns = 0
    while rng.random() < (0.33 if returns == 0 else 0.2):
        returns += 1
        moment = later(48)
        add(moment, "agent", str(agent_id), agent_label, "transition", "change-case-status",
            {"from": "in_review", "to": "waiting_for_usager"})  # fmt: skip
        if status == "waiting_for_usager" and rng.random() < 0.5:
            return lines
        moment = later(120)
        add(moment, "agent", str(agent_id), agent_label, "transition", "change-case-status",
            {"from": "waiting_for_usager", "to": "in_review"})  # fmt: skip
    for _ in range(rng.choice((0, 1, 1, 2, 2))):
        moment = later(24)
        add(moment, "agent", str(agent_id), agent_label, "comment", "comment-case",
            {"mentions": []})  # fmt: skip
    if status in FINAL:
        moment = max(decided_at or moment, moment)
        add(moment, "agent", str(agent_id), agent_label, "transition", "decide-case",
            {"from": "in_review", "to": status})  # fmt: skip
    return lines


COLUMNS = (
    "occurred_at, actor_kind, actor_id, actor_label, verb, target_type, target_id, "
    "activity_code, automated, duration_seconds, payload"
)


def write_journal(psycopg_url: str, *, quiet: bool = False) -> int:
    """The journal of every submitted case, in one COPY; returns the number of events."""
    import psycopg

    rng = random.Random(SEED)
    with psycopg.connect(psycopg_url) as reader, psycopg.connect(psycopg_url) as writer:
        team_agents: dict = {}
        for team_id, agent_id, first, last in reader.execute(
            "SELECT m.team_id, a.id, a.first_name, a.last_name FROM core_agent_teams m "
            "JOIN core_agent a ON a.id = m.agent_id ORDER BY m.team_id, a.id"
        ):
            team_agents.setdefault(team_id, []).append((agent_id, f"{first} {last}".strip()))
        indexes = writer.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'journal_event' "
            "AND indexdef NOT LIKE '%%UNIQUE%%'"
        ).fetchall()
        for name, _definition in indexes:
            writer.execute(f'DROP INDEX "{name}"')
        total = reader.execute("SELECT count(*) FROM cases_case").fetchone()[0]
        written = events = 0
        with (
            reader.cursor(name="bench_cases") as cases,
            writer.cursor().copy(f"COPY journal_event ({COLUMNS}) FROM STDIN") as copy,
        ):
            cases.execute(
                "SELECT id, submitted_at, status, decided_at, assignee_id, team_id, contact_id "
                "FROM cases_case WHERE status <> 'draft' AND submitted_at IS NOT NULL ORDER BY id"
            )
            while chunk := cases.fetchmany(CASE_CHUNK):
                lines: list[str] = []
                for case in chunk:
                    lines.extend(case_events(rng, case, team_agents))
                copy.write("\n".join(lines) + "\n")
                events += len(lines)
                written += len(chunk)
                if not quiet:
                    print(f"\r  journal: {written:,} / {total:,} cases, {events:,} events", end="",
                          file=sys.stderr, flush=True)  # fmt: skip
        if not quiet:
            print(file=sys.stderr)
        for _name, definition in indexes:
            writer.execute(definition)
        writer.commit()
    with psycopg.connect(psycopg_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE journal_event")
        connection.execute("ANALYZE cases_case")
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CASES:,} cases")
    parser.add_argument("--cases", type=int, help=f"default {FULL_CASES:,}")
    parser.add_argument(
        "--database", help=f"default {DATABASE} (full size), {DATABASE}_quick, {DATABASE}_N"
    )
    parser.add_argument("--force", action="store_true", help="generate again even if it matches")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    cases = args.cases or (QUICK_CASES if args.quick else FULL_CASES)
    args.database = args.database or database_for(cases)
    ensure_database(cases, database=args.database, force=args.force, quiet=args.quiet)


if __name__ == "__main__":
    main()

"""Benchmark: insights at scale — the journal's directly-follows graph against DuckDB.

    DATABASE_URL=postgres://postgres@127.0.0.1/postgres python bench/insights.py [--quick]

PostgreSQL only. The data is bench/insights_data.py's: 1,000,000 cases and about
10,000,000 journal events (`--quick`: 20,000 cases, about 200,000 events) in a database of
their own (`levier_bench_insights`, `_quick` with `--quick`), generated once and reused
while its size matches.

`dfg_vs_duckdb` (goal <= 2x): the directly-follows graph of every submitted case of the
organisation (what a manager's process page reads, without its cap on cases): per arc, its
count and the median waiting time in seconds.

- **levier**: `insights.mining.fast.journal_directly_follows` — one binary COPY of four
  integers per event out of PostgreSQL (case, time, event id, hash of the activity name
  computed in SQL, with the journal's filters: submitted cases of the teams, reads of
  personal data left out, status reached in the name of a status change), then numpy:
  one sort, arcs as integers, counts and medians per group.
- **DuckDB**: the same events (case, activity name, time in microseconds, event id)
  exported once to Parquet, sorted as levier's exports are (export not timed), then
  `read_parquet` + `LEAD() OVER (PARTITION BY case ORDER BY time, id)`, grouped by arc with
  `count(*)` and `median(wait)`.

Both results are compared (same arcs, counts equal, medians within 1e-6 s):
`dfg_agree`. With `--python` (default with `--quick`), the Python path the process page
used before (`log.journal_log` fed to `analysis.Miner`) is timed too: `dfg_python_s`.
Best of `--runs` (3 quick, 1 full). Benchmarks assert nothing about time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))
from bench.common import emit  # noqa: E402
from bench.insights_data import (  # noqa: E402
    DATABASE,
    FULL_CASES,
    QUICK_CASES,
    database_for,
    ensure_database,
)

DUCKDB_DFG = """
SELECT activity, next_activity, count(*) AS n,
       median((next_micros - micros) / 1e6) AS median_seconds
FROM (
    SELECT activity, micros,
           LEAD(activity) OVER w AS next_activity,
           LEAD(micros) OVER w AS next_micros
    FROM read_parquet('{path}')
    WINDOW w AS (PARTITION BY case_id ORDER BY micros, position)
)
WHERE next_activity IS NOT NULL
GROUP BY ALL
"""


def export_parquet(psycopg_url: str, team_ids: list[int], folder: Path) -> tuple[Path, int, int]:
    """The events levier's graph reads, as Parquet for DuckDB; returns (path, events, cases)."""
    import duckdb
    import psycopg

    from levier.insights.mining.fast import _activity_sql, _journal_query

    events, params = _journal_query("case", team_ids, None, None, None, None)
    query = (
        "SELECT e.target_id::int8 AS case_id, " + _activity_sql() + " AS activity, "
        "(EXTRACT(EPOCH FROM e.occurred_at) * 1000000)::int8 AS micros, e.id AS position " + events
    )
    csv_path, parquet = folder / "events.csv", folder / "events.parquet"
    with psycopg.connect(psycopg_url) as connection, open(csv_path, "wb") as out:
        cursor = connection.cursor()
        with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT CSV, HEADER)", params) as copy:
            for block in copy:
                out.write(block)
    database = duckdb.connect()
    database.execute(
        f"COPY (SELECT * FROM read_csv('{csv_path}', header = true, columns = "
        "{'case_id': 'BIGINT', 'activity': 'VARCHAR', 'micros': 'BIGINT', 'position': 'BIGINT'})"
        f" ORDER BY case_id, micros, position) TO '{parquet}' (FORMAT PARQUET)"
    )
    csv_path.unlink()
    count, cases = database.execute(
        f"SELECT count(*), count(DISTINCT case_id) FROM read_parquet('{parquet}')"
    ).fetchone()
    return parquet, count, cases


def duckdb_dfg(path: Path) -> dict[tuple[str, str], tuple[int, float]]:
    import duckdb

    rows = duckdb.connect().execute(DUCKDB_DFG.format(path=path)).fetchall()
    return {(a, b): (n, float(median)) for a, b, n, median in rows}


def best(function, runs: int):
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def agree(expected, got) -> bool:
    return expected.keys() == got.keys() and all(
        expected[arc][0] == got[arc][0] and abs(expected[arc][1] - got[arc][1]) < 1e-6
        for arc in expected
    )


def bench_dfg(args, psycopg_url: str) -> None:
    from levier.core.models import Team
    from levier.insights.mining.analysis import Miner
    from levier.insights.mining.fast import journal_directly_follows
    from levier.insights.mining.log import journal_log

    team_ids = sorted(Team.objects.values_list("pk", flat=True))
    with tempfile.TemporaryDirectory(prefix="levier-bench-insights-") as folder:
        path, events, cases = export_parquet(psycopg_url, team_ids, Path(folder))
        emit("events", f"{events:,}")
        emit("cases", f"{cases:,}")
        emit("parquet_mb", f"{path.stat().st_size / 1e6:.1f}")
        duckdb_seconds, expected = best(lambda: duckdb_dfg(path), args.runs)

    def levier():
        arcs = journal_directly_follows(team_ids=team_ids)
        return {(arc.source, arc.target): (arc.count, arc.median_seconds) for arc in arcs}

    levier_seconds, got = best(levier, args.runs)
    emit("dfg_arcs", f"{len(got)}")
    emit("dfg_levier_s", f"{levier_seconds:.2f}")
    emit("dfg_levier_events_per_s", f"{events / levier_seconds:,.0f}")
    emit("dfg_duckdb_s", f"{duckdb_seconds:.2f}")
    if args.python:
        # The process page's former path: the whole organisation, team by team, in Python.
        def python():
            miner = Miner()
            for team in Team.objects.filter(pk__in=team_ids).order_by("pk"):
                for trace in journal_log(team=team):
                    miner.add(trace)
            return miner.result().arcs

        python_seconds, _python_arcs = best(python, 1)
        emit("dfg_python_s", f"{python_seconds:.2f}")
        emit("dfg_python_vs_duckdb", f"{python_seconds / duckdb_seconds:.1f}x")
    emit("dfg_agree", "yes" if agree(expected, got) else "NO")
    emit("dfg_vs_duckdb", f"{levier_seconds / duckdb_seconds:.1f}x (goal <= 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CASES:,} cases")
    parser.add_argument("--cases", type=int, help=f"default {FULL_CASES:,}")
    parser.add_argument(
        "--database", help=f"default {DATABASE} (full size), {DATABASE}_quick, {DATABASE}_N"
    )
    parser.add_argument("--force", action="store_true", help="generate the data again")
    parser.add_argument("--runs", type=int, help="best of N (default 3 quick, 1 full)")
    parser.add_argument(
        "--python", action=argparse.BooleanOptionalAction, help="time the Python path too"
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    cases = args.cases or (QUICK_CASES if args.quick else FULL_CASES)
    args.database = args.database or database_for(cases)
    args.runs = args.runs or (3 if args.quick else 1)
    if args.python is None:
        args.python = args.quick
    psycopg_url = ensure_database(cases, database=args.database, force=args.force, quiet=args.quiet)
    bench_dfg(args, psycopg_url)


if __name__ == "__main__":
    main()

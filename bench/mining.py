"""Benchmark: levier's directly-follows graph against DuckDB on the same Parquet export.

    python bench/mining.py [--quick] [--events N]

No database. A synthetic event log (N events, 8 per case on average, 14 activities, a
process with loops so that arcs and variants vary) is written to Parquet by DuckDB, sorted
by case, time and position, as levier's exports are. Then, in the same run:

(a) DuckDB: `read_parquet` + `LEAD() OVER (PARTITION BY case ORDER BY time, position)`,
    grouped by arc: count and median waiting time (best of 3 with --quick, 1 otherwise);
(b) levier: the same file read row by row (DuckDB's scan, in batches), turned into traces
    (`levier.insights.mining.log.Trace`) and fed to `analysis.mine`, which computes the
    arcs and their median waiting times, and also the variants, start and end activities,
    throughput times and rework in the same pass.

Both results are compared (arcs, counts and medians must be equal). Printed: events,
seconds of each, `dfg_agree`, and last `dfg_vs_duckdb` (levier's seconds / DuckDB's,
goal <= 2x). Benchmarks assert nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))
from bench.common import emit  # noqa: E402

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# A case's next activity: a deterministic function of the event's position and its
# activity, so the log has a few dominant paths, loops and rare arcs.
GENERATE = """
COPY (
    WITH raw AS (
        SELECT i,
               i // 8 AS case_number,
               hash(i) AS h
        FROM range(?) AS r(i)
    )
    SELECT 'case-' || lpad(case_number::VARCHAR, 9, '0') AS case_id,
           i AS position,
           'A' || lpad((((i % 8) * 2 + (h % 3)::BIGINT) % 14)::VARCHAR, 2, '0') AS activity,
           -- 2024-01-01 + the case's start + growing waits (equal times happen: ties by position)
           1704067200000000 + case_number * 60000000
             + (i % 8) * (h % 86400000000)::BIGINT // 4 AS micros
    FROM raw
    ORDER BY case_id, micros, position
) TO '{path}' (FORMAT PARQUET)
"""

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


def duckdb_dfg(path: Path) -> dict[tuple[str, str], tuple[int, float]]:
    import duckdb

    rows = duckdb.connect().execute(DUCKDB_DFG.format(path=path)).fetchall()
    return {(a, b): (n, float(median)) for a, b, n, median in rows}


def levier_dfg(path: Path) -> dict[tuple[str, str], tuple[int, float]]:
    import duckdb

    from levier.insights.mining.analysis import mine
    from levier.insights.mining.log import LogEvent, Trace

    cursor = duckdb.connect().execute(
        f"SELECT case_id, activity, micros FROM read_parquet('{path}')"
    )

    def traces():
        current, events = None, []
        while batch := cursor.fetchmany(100_000):
            for case, activity, micros in batch:
                if case != current:
                    if events:
                        yield Trace(current, events)
                    current, events = case, []
                events.append(LogEvent(activity, EPOCH + dt.timedelta(microseconds=micros)))
        if events:
            yield Trace(current, events)

    result = mine(traces())
    return {(arc.source, arc.target): (arc.count, arc.median_seconds) for arc in result.arcs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200,000 events, under a minute")
    parser.add_argument("--events", type=int, help="default 10,000,000 (200,000 with --quick)")
    args = parser.parse_args()
    events = args.events or (200_000 if args.quick else 10_000_000)
    runs = 3 if args.quick else 1
    import duckdb

    with tempfile.TemporaryDirectory(prefix="levier-bench-mining-") as folder:
        path = Path(folder) / "log.parquet"
        duckdb.connect().execute(GENERATE.format(path=path), [events])
        emit("events", f"{events:,}")
        emit("parquet_mb", f"{path.stat().st_size / 1e6:.1f}")

        def best(function):
            timings, result = [], None
            for _ in range(runs):
                started = time.perf_counter()
                result = function(path)
                timings.append(time.perf_counter() - started)
            return min(timings), result

        duckdb_seconds, expected = best(duckdb_dfg)
        emit("duckdb_dfg_seconds", f"{duckdb_seconds:.2f}")
        levier_seconds, got = best(levier_dfg)
        emit("levier_dfg_seconds", f"{levier_seconds:.2f}")
        emit("levier_events_per_s", f"{events / levier_seconds:,.0f}")
        agree = expected.keys() == got.keys() and all(
            expected[arc][0] == got[arc][0] and abs(expected[arc][1] - got[arc][1]) < 1e-6
            for arc in expected
        )
        emit("dfg_arcs", f"{len(got)}")
        emit("dfg_agree", "yes" if agree else "NO")
        emit("dfg_vs_duckdb", f"{levier_seconds / duckdb_seconds:.1f}x (goal <= 2x)")


if __name__ == "__main__":
    main()

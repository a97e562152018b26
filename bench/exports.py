"""Benchmark: exporting the case list against the bare writer of each format.

    DATABASE_URL=postgres://postgres@127.0.0.1/postgres python bench/exports.py [--quick]

Needs PostgreSQL (own database `levier_bench_exports`, dropped at the end unless --keep).
N cases are loaded with the demo's seeder (cases only), then, for CSV, XLSX and ODS:

- **levier**: `insights.exports.services.export_to_file`, the code behind the export
  button and `levier export`, as the manager (who sees every team): the list's form
  parses the filters (none), the list's selector reads the cases through the ORM with
  its joins (procedure, usager, team, assignee), each row becomes the list's cells
  (French status labels, local times, deadline state), the writer writes the file.
- **baseline** ("raw"): the very SQL the selector sends (same joins, same columns), run on
  a plain psycopg server-side cursor, its tuples (datetimes made naive, as a spreadsheet needs) fed
  straight to the bare writer: `csv.writer`; openpyxl's write-only workbook; for ODS,
  levier's own streaming ODS writer alone (no library streams ODS: odfpy builds the
  whole document in memory).

Printed: rows, seconds of each, then `export_peak_mb` (Python's peak allocation,
tracemalloc, while exporting N/5 and N rows as CSV, XLSX and ODS: flat in the row count
means bounded memory; the floor is about two fetches of CHUNK_ROWS = 2,000 rows, so
compare sizes above that), and last the three ratios `export_<fmt>_vs_raw` = raw seconds /
levier seconds (goal >= 0.5x). Benchmarks assert nothing about time.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
from bench.common import emit, own_database  # noqa: E402

FORMATS = ("csv", "xlsx", "ods")
VIEWER = "manager"


def load(args) -> None:
    from levier.demo.seeding import Seeder, SeedOptions

    seeder = Seeder(
        SeedOptions(
            cases=args.cases,
            enquiries=0,
            documents=False,
            comments=False,
            journal=False,
            progress=not args.quiet,
            chunk_size=5_000,
        )
    )
    seeder.prepare()
    seeder.create_contacts()
    seeder.create_cases()


def levier_export(fmt: str, path: Path, limit: int | None = None) -> int:
    from django.http import QueryDict

    from levier.core.models import Agent
    from levier.insights.exports import services

    agent = Agent.objects.get(username=VIEWER)
    prepared = services.export_prepare(
        agent=agent, list_name="cases", format=fmt, params=QueryDict()
    )
    if limit is not None:  # the N/5 run of the memory figure: the same path, fewer rows
        rows_of = prepared.export_list.rows
        original = prepared.export_list
        import dataclasses

        limited = dataclasses.replace(
            original, rows=lambda agent, filters: rows_of(agent, filters)[:limit]
        )
        prepared = dataclasses.replace(prepared, export_list=limited)
    return services.export_to_file(prepared, path)


def selector_sql() -> tuple[str, list[object]]:
    from django.db import connection

    from levier.core.models import Agent
    from levier.insights.exports.lists import CASES

    agent = Agent.objects.get(username=VIEWER)
    query = CASES.rows(agent, {}).values_list(*CASES.fields).query  # the columns levier reads
    sql, params = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def naive(row: tuple) -> list:
    return [v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v for v in row]


def raw_export(fmt: str, path: Path, psycopg_url: str, sql: str, params: list) -> int:
    import psycopg

    from levier.insights.exports import writers

    count = 0
    with psycopg.connect(psycopg_url) as connection:
        with connection.cursor(name="bench_raw") as cursor:
            cursor.itersize = 2000
            cursor.execute(sql, params)
            headers = [column.name for column in cursor.description]
            if fmt == "csv":
                with open(path, "w", newline="", encoding="utf-8") as out:
                    writer = csv.writer(out, delimiter=";")
                    writer.writerow(headers)
                    for row in cursor:
                        writer.writerow(row)
                        count += 1
            elif fmt == "xlsx":
                openpyxl = importlib.import_module("openpyxl")
                workbook = openpyxl.Workbook(write_only=True)
                sheet = workbook.create_sheet("raw")
                sheet.append(headers)
                for row in cursor:
                    sheet.append(naive(row))
                    count += 1
                workbook.save(path)
            else:
                with open(path, "wb") as out:

                    def rows():
                        nonlocal count
                        for row in cursor:
                            count += 1
                            yield naive(row)

                    for piece in writers.iter_ods(headers, rows()):
                        out.write(piece)
    return count


def timed(action) -> tuple[float, int]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def peak_mb(action) -> float:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run (20,000 cases)")
    parser.add_argument("--cases", type=int, default=None, help="default 1,000,000; quick 20,000")
    parser.add_argument("--database", default="levier_bench_exports")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args()
    args.cases = args.cases or (20_000 if args.quick else 1_000_000)

    with own_database("exports.py", args.database, keep=args.keep) as psycopg_url:
        load(args)
        sql, params = selector_sql()
        ratios, peaks = {}, []
        with tempfile.TemporaryDirectory(prefix="levier-bench-exports-") as folder:
            for fmt in FORMATS:
                path = Path(folder) / f"export.{fmt}"
                raw_seconds, raw_rows = timed(
                    lambda fmt=fmt, path=path: raw_export(fmt, path, psycopg_url, sql, params)
                )
                levier_seconds, rows = timed(lambda fmt=fmt, path=path: levier_export(fmt, path))
                emit(f"export_{fmt}_rows", f"{rows} (raw {raw_rows})")
                emit(f"export_{fmt}_seconds", f"{levier_seconds:.2f}")
                emit(f"raw_{fmt}_seconds", f"{raw_seconds:.2f}")
                ratios[fmt] = raw_seconds / levier_seconds
            small = max(args.cases // 5, 1)
            for fmt in FORMATS:
                path = Path(folder) / f"peak.{fmt}"
                low = peak_mb(lambda fmt=fmt, path=path: levier_export(fmt, path, limit=small))
                high = peak_mb(lambda fmt=fmt, path=path: levier_export(fmt, path))
                peaks.append(f"{fmt} {low:.1f} MB at {small} rows, {high:.1f} MB at {args.cases}")
        emit("export_peak_mb", "; ".join(peaks) + " (goal: flat in the row count)")
        for fmt in FORMATS:
            emit(f"export_{fmt}_vs_raw", f"{ratios[fmt]:.2f}x (goal >= 0.5x)")


if __name__ == "__main__":
    main()

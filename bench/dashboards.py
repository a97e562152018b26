"""Benchmark: the team dashboard at scale against the bare SQL of its aggregates.

    DATABASE_URL=postgres://postgres@127.0.0.1/postgres python bench/dashboards.py [--quick]

PostgreSQL only. The data is bench/insights_data.py's (1,000,000 cases and about
10,000,000 journal events; `--quick`: 20,000 cases), reused while its size matches. The
database is migrated (the insights tables may postdate the data), enquiries are added once
when it has none (`--enquiries`, default a fifth of the cases: the demo's Seeder, with their
messages, without journal) and the daily roll-ups of the two periods read are built once and
reused (`rollup_build_s`; `--rebuild` builds them again). The enquiries go to the reception
team: its dashboard is compared first (`reception_*`, as the manager), the lead's last.

`dashboard_vs_bare_sql` (goal <= 3x):

- **levier**: `insights.dashboards.selectors.team_dashboard(agent, team, period)` for the
  team lead (`cheffe.equipe`) and her team, the last complete quarter (and the previous
  one, which the dashboard compares with): incoming cases per week and procedure, incoming
  enquiries per week and channel and topic, case and enquiry backlogs by age, processing
  median and 90th percentile per procedure, deadlines met, enquiry rates, gestes and time
  saved from the roll-ups, with every figure's list link.
- **bare SQL**: the same aggregates written by hand, one statement per family, run with a
  plain psycopg cursor (weeks grouped by the database, `percentile_disc` for the
  nearest-rank median and 90th percentile), rows fetched.

Median of `--runs` (default 5) after one warm-up. Both results are compared figure by
figure (`dashboard_agree`); a mismatch stops the benchmark with the differences: it is a
bug, not noise. Benchmarks assert nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))
from bench.common import emit  # noqa: E402
from bench.insights_data import (  # noqa: E402
    DATABASE,
    FULL_CASES,
    QUICK_CASES,
    SEED,
    database_for,
    ensure_database,
)

LEAD = "cheffe.equipe"
OPEN_CASES = ("submitted", "in_review", "waiting_for_usager")
# (first, last) day of age, as levier.insights.dashboards.selectors.AGE_BUCKETS.
AGES = [(0, 7), (8, 30), (31, 90), (91, None)]

# --- the bare SQL -----------------------------------------------------------------------
# Parameters: team, tz, since/until (both periods, [)), current (start of the period),
# current_day (its first day), today, now, previous_day/last_day (roll-up days).

TEAM_SIZE = """
SELECT count(*) FROM core_agent_teams m JOIN core_agent a ON a.id = m.agent_id
WHERE m.team_id = %(team)s AND a.is_active
"""

WEEK = (
    "CASE WHEN {day} >= %(current_day)s "
    "THEN greatest(date_trunc('week', {day})::date, %(current_day)s) END"
)

INCOMING_CASES = f"""
SELECT procedure_id, {WEEK.format(day="d")} AS week, count(*)
FROM (SELECT procedure_id, (submitted_at AT TIME ZONE %(tz)s)::date AS d FROM cases_case
      WHERE team_id = %(team)s AND status <> 'draft'
        AND submitted_at >= %(since)s AND submitted_at < %(until)s) AS c
GROUP BY 1, 2
"""

INCOMING_ENQUIRIES = f"""
SELECT channel, topic_id, {WEEK.format(day="d")} AS week, count(*)
FROM (SELECT channel, topic_id, (created_at AT TIME ZONE %(tz)s)::date AS d
      FROM enquiries_enquiry
      WHERE team_id = %(team)s AND created_at >= %(since)s AND created_at < %(until)s) AS e
GROUP BY 1, 2, 3
"""

AGE_COUNTS = ", ".join(
    f"count(*) FILTER (WHERE age >= {first}" + (f" AND age <= {last})" if last is not None else ")")
    for first, last in AGES
)

CASE_BACKLOG = f"""
SELECT count(*), {AGE_COUNTS}
FROM (SELECT %(today)s - (submitted_at AT TIME ZONE %(tz)s)::date AS age FROM cases_case
      WHERE team_id = %(team)s AND status IN {OPEN_CASES}) AS c
"""

ENQUIRY_BACKLOG = f"""
SELECT count(*), {AGE_COUNTS}
FROM (SELECT %(today)s - (created_at AT TIME ZONE %(tz)s)::date AS age FROM enquiries_enquiry
      WHERE team_id = %(team)s AND status <> 'closed') AS e
"""

PROCESSING = """
SELECT procedure_id, decided_at >= %(current)s AS current, count(*),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY decided_at - submitted_at),
       percentile_disc(0.9) WITHIN GROUP (ORDER BY decided_at - submitted_at)
FROM cases_case
WHERE team_id = %(team)s AND status <> 'draft' AND submitted_at IS NOT NULL
  AND decided_at >= %(since)s AND decided_at < %(until)s
GROUP BY 1, 2
"""

DEADLINES = """
SELECT count(*) FILTER (WHERE decided_at >= %(current)s AND decided_at <= due_at),
       count(*) FILTER (WHERE decided_at >= %(current)s),
       count(*) FILTER (WHERE decided_at < %(current)s AND decided_at <= due_at),
       count(*) FILTER (WHERE decided_at < %(current)s)
FROM cases_case
WHERE team_id = %(team)s AND status <> 'draft'
  AND decided_at >= %(since)s AND decided_at < %(until)s
"""

_RATES = ", ".join(
    f"count(*) FILTER (WHERE r{p} AND met), count(*) FILTER (WHERE r{p} AND (met OR late)), "
    f"count(*) FILTER (WHERE c{p} AND status = 'closed' AND NOT wrote_again "
    "AND (answers = 1 OR (answers = 0 AND channel IN ('phone', 'counter')))), "
    f"count(*) FILTER (WHERE c{p}), "
    f"count(*) FILTER (WHERE r{p} AND reopened), count(*) FILTER (WHERE r{p})"
    for p in ("c", "p")
)

ENQUIRY_RATES = f"""
SELECT {_RATES}
FROM (
  SELECT *, sla_due_at < %(now)s AND NOT met AS late
  FROM (
    SELECT e.status, e.channel,
      e.created_at >= %(current)s AND e.created_at < %(until)s AS rc,
      e.created_at >= %(since)s AND e.created_at < %(current)s AS rp,
      coalesce(e.closed_at >= %(current)s AND e.closed_at < %(until)s, false) AS cc,
      coalesce(e.closed_at >= %(since)s AND e.closed_at < %(current)s, false) AS cp,
      e.sla_due_at,
      e.sla_due_at IS NOT NULL AND (
        EXISTS (SELECT 1 FROM enquiries_message m WHERE m.enquiry_id = e.id
                AND m.direction = 'out' AND m.created_at <= e.sla_due_at)
        OR coalesce(e.closed_at <= e.sla_due_at, false)) AS met,
      (SELECT count(*) FROM enquiries_message m
       WHERE m.enquiry_id = e.id AND m.direction = 'out') AS answers,
      EXISTS (SELECT 1 FROM journal_event j WHERE j.target_type = 'enquiries.enquiry'
              AND j.target_id = e.id::text AND j.verb = 'usager-message') AS wrote_again,
      EXISTS (SELECT 1 FROM journal_event j WHERE j.target_type = 'enquiries.enquiry'
              AND j.target_id = e.id::text AND j.verb = 'usager-message'
              AND j.payload ->> 'from' = 'closed') AS reopened
    FROM enquiries_enquiry e
    WHERE e.team_id = %(team)s
      AND ((e.created_at >= %(since)s AND e.created_at < %(until)s)
           OR (e.closed_at >= %(since)s AND e.closed_at < %(until)s))
  ) AS f
) AS g
"""

GESTES = """
SELECT coalesce(sum(events) FILTER (WHERE day >= %(current_day)s), 0),
       coalesce(sum(events) FILTER (WHERE day >= %(current_day)s AND automated), 0),
       coalesce(sum(seconds) FILTER (WHERE day >= %(current_day)s AND automated), 0),
       coalesce(sum(events) FILTER (WHERE day < %(current_day)s), 0),
       coalesce(sum(events) FILTER (WHERE day < %(current_day)s AND automated), 0),
       coalesce(sum(seconds) FILTER (WHERE day < %(current_day)s AND automated), 0)
FROM insights_dailyrollup
WHERE team_id = %(team)s AND day >= %(previous_day)s AND day <= %(last_day)s
"""

STATEMENTS = {
    "team_size": TEAM_SIZE,
    "incoming_cases": INCOMING_CASES,
    "incoming_enquiries": INCOMING_ENQUIRIES,
    "case_backlog": CASE_BACKLOG,
    "enquiry_backlog": ENQUIRY_BACKLOG,
    "processing": PROCESSING,
    "deadlines": DEADLINES,
    "enquiry_rates": ENQUIRY_RATES,
    "gestes": GESTES,
}


def parameters(team_id: int, period: Any) -> dict[str, Any]:
    from django.conf import settings
    from django.utils import timezone

    previous = period.previous()
    return {
        "team": team_id,
        "tz": settings.TIME_ZONE,
        "since": previous.bounds()[0],
        "until": period.bounds()[1],
        "current": period.bounds()[0],
        "current_day": period.start,
        "previous_day": previous.start,
        "last_day": period.end,
        "today": timezone.localdate(),
        "now": timezone.now(),
    }


def bare_sql(cursor: Any, params: dict[str, Any], spent: dict[str, list[float]]) -> dict:
    """Every statement run and fetched on one plain psycopg cursor; each one's time is
    appended to `spent`."""
    found = {}
    for name, statement in STATEMENTS.items():
        started = time.perf_counter()
        cursor.execute(statement, params)
        found[name] = cursor.fetchall()
        spent.setdefault(name, []).append(time.perf_counter() - started)
    return found


# --- the same figures from both sides, for the comparison --------------------------------


def _series(series: Any) -> dict[tuple[str, Any], int]:
    """{(column key, week start or "previous"): count}, zero counts left out."""
    counts = {}
    for row in series.rows:
        for column, cell in zip(series.columns, row.cells, strict=False):
            counts[(column.key, row.week.start)] = cell.value
    for column, total in zip(series.columns, series.totals, strict=False):
        counts[(column.key, "previous")] = total.previous.value
    return {key: value for key, value in counts.items() if value}


def _rate(rate: Any) -> tuple[int, ...]:
    return (
        rate.current.part.value,
        rate.current.whole.value,
        rate.previous.part.value,
        rate.previous.whole.value,
    )


def from_levier(figures: Any) -> dict[str, Any]:
    return {
        "incoming_cases": _series(figures.incoming_cases),
        "incoming_by_channel": _series(figures.incoming_by_channel),
        "incoming_by_topic": _series(figures.incoming_by_topic),
        "case_backlog": [count.value for count in figures.case_backlog.counts()],
        "enquiry_backlog": [count.value for count in figures.enquiry_backlog.counts()],
        "processing": {
            (row.procedure, current): (
                figure.decided.value,
                figure.median_seconds,
                figure.p90_seconds,
            )
            for row in figures.processing
            for current, figure in ((True, row.current), (False, row.previous))
            if figure.decided.value
        },
        "case_deadlines": _rate(figures.case_deadlines),
        "answer_deadlines": _rate(figures.answer_deadlines),
        "first_contact": _rate(figures.first_contact),
        "reopened": _rate(figures.reopened),
        "gestes": (
            figures.gestes.gestes.value,
            figures.gestes.automated.value,
            figures.gestes.hours_text,
            figures.gestes_previous.gestes.value,
            figures.gestes_previous.automated.value,
            figures.gestes_previous.hours_text,
        ),
    }


def from_sql(found: dict[str, list[tuple]]) -> dict[str, Any]:
    from levier.cases.models import Procedure
    from levier.insights.dashboards.selectors import NO_TOPIC
    from levier.insights.time_saved import TimeSavedSummary

    def series(rows: list[tuple]) -> dict[tuple[str, Any], int]:
        counts: dict[tuple[str, Any], int] = {}
        for key, week, n in rows:
            slot = (key, week if week is not None else "previous")
            counts[slot] = counts.get(slot, 0) + n
        return counts

    names = dict(Procedure.objects.values_list("pk", "name"))
    enquiries = found["incoming_enquiries"]
    rates = found["enquiry_rates"][0]
    gestes = found["gestes"][0]

    def hours(seconds: int) -> str:
        return TimeSavedSummary(gestes=0, automated=0, seconds=seconds, small_teams=0).hours_text

    return {
        "incoming_cases": series([(str(p), w, n) for p, w, n in found["incoming_cases"]]),
        "incoming_by_channel": series([(c, w, n) for c, _t, w, n in enquiries]),
        "incoming_by_topic": series(
            [(str(t) if t else NO_TOPIC, w, n) for _c, t, w, n in enquiries]
        ),
        "case_backlog": list(found["case_backlog"][0]),
        "enquiry_backlog": list(found["enquiry_backlog"][0]),
        "processing": {
            (names[p], current): (n, median.total_seconds(), p90.total_seconds())
            for p, current, n, median, p90 in found["processing"]
        },
        "case_deadlines": tuple(found["deadlines"][0]),
        "answer_deadlines": (rates[0], rates[1], rates[6], rates[7]),
        "first_contact": (rates[2], rates[3], rates[8], rates[9]),
        "reopened": (rates[4], rates[5], rates[10], rates[11]),
        "gestes": (
            int(gestes[0]),
            int(gestes[1]),
            hours(int(gestes[2])),
            int(gestes[3]),
            int(gestes[4]),
            hours(int(gestes[5])),
        ),
    }


def differences(levier: dict[str, Any], sql: dict[str, Any]) -> list[str]:
    return [
        f"{name}: levier {levier[name]!r} != SQL {sql[name]!r}"
        for name in levier
        if levier[name] != sql[name]
    ]


# --- the run ------------------------------------------------------------------------------


def ensure_rollups(start: dt.date, end: dt.date, rebuild: bool) -> None:
    """Roll-ups of [start, end] built once (the days not built yet), then reused."""
    from levier.insights.models import RollupDay
    from levier.insights.rollups import days, rebuild_day

    built = set(
        RollupDay.objects.filter(day__gte=start, day__lte=end).values_list("day", flat=True)
    )
    missing = [day for day in days(start, end) if rebuild or day not in built]
    started = time.perf_counter()
    events = sum(rebuild_day(day) for day in missing)
    seconds = time.perf_counter() - started
    if missing:
        emit("rollup_days_built", f"{len(missing)} ({events:,} events counted)")
        emit("rollup_build_s", f"{seconds:.1f}")
    else:
        emit("rollup_build_s", f"reused ({(end - start).days + 1} days already built)")


def ensure_enquiries(count: int, quiet: bool) -> None:
    """The benchmark's data has no enquiry: add `count` of them once (the demo's Seeder over
    the same two years, with their messages; its own usager pool, another seed), then reuse
    them. Without journal: no usager wrote again, none was reopened."""
    from levier.demo.seeding import Seeder, SeedOptions
    from levier.enquiries.models import Enquiry

    found = Enquiry.objects.count()
    if found:
        emit("enquiries", f"reused ({found:,})")
        return
    started = time.perf_counter()
    seeder = Seeder(
        SeedOptions(
            cases=0,
            enquiries=count,
            contacts=max(1000, count // 4),
            documents=False,
            comments=False,
            controls=False,
            journal=False,
            progress=not quiet,
            window_days=730,
            seed=SEED + 1,
        )
    )
    seeder.prepare()
    seeder.create_contacts()
    seeder.create_enquiries()
    from django.db import connection

    with connection.cursor() as cursor:  # the planner's statistics, as autovacuum would
        cursor.execute("ANALYZE contacts_contact, enquiries_enquiry, enquiries_message")
    emit("enquiries", f"{Enquiry.objects.count():,} added")
    emit("enquiries_s", f"{time.perf_counter() - started:.1f}")


def timed(action, runs: int) -> tuple[float, Any]:
    result = action()  # warm-up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def last_quarter() -> Any:
    """The last complete quarter (the dashboard compares it with the one before)."""
    from levier.insights.dashboards.periods import calendar_period

    today = dt.date.today()
    first = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    return calendar_period("quarter", first - dt.timedelta(days=1))


def compare(
    agent: Any, team: Any, period: Any, psycopg_url: str, runs: int, prefix: str = ""
) -> Any:
    """Time both sides, check they agree; returns levier's figures."""
    import psycopg

    from levier.insights.dashboards.selectors import team_dashboard

    params = parameters(team.pk, period)
    spent: dict[str, list[float]] = {}
    with psycopg.connect(psycopg_url) as connection:
        cursor = connection.cursor()
        sql_seconds, found = timed(lambda: bare_sql(cursor, params, spent), runs)
    levier_seconds, figures = timed(lambda: team_dashboard(agent, team, period), runs)
    if figures.hidden:
        raise SystemExit(f"{team.name} has fewer than 5 active agents: no figure to compare")
    emit(prefix + "team", f"{team.name} (as {agent.username})")
    emit(prefix + "incoming_cases_period", f"{figures.incoming_cases.totals[-1].current.value:,}")
    emit(
        prefix + "incoming_enquiries_period",
        f"{figures.incoming_by_channel.totals[-1].current.value:,}",
    )
    emit(prefix + "decided_period", f"{figures.case_deadlines.current.whole.value:,}")
    emit(prefix + "open_cases", f"{figures.case_backlog.total.value:,}")
    emit(prefix + "open_enquiries", f"{figures.enquiry_backlog.total.value:,}")
    emit(prefix + "gestes_period", f"{figures.gestes.gestes.value:,}")
    rates = figures.answer_deadlines.current, figures.first_contact.current
    emit(prefix + "answered_in_time_period", f"{rates[0].part.value:,} of {rates[0].whole.value:,}")
    emit(prefix + "first_contact_period", f"{rates[1].part.value:,} of {rates[1].whole.value:,}")
    for name, timings in spent.items():
        emit(f"{prefix}sql_{name}_ms", f"{1000 * statistics.median(timings[1:] or timings):.1f}")
    wrong = differences(from_levier(figures), from_sql(found))
    emit(prefix + "dashboard_agree", "yes" if not wrong else "NO")
    emit(prefix + "dashboard_levier_s", f"{levier_seconds:.3f}")
    emit(prefix + "dashboard_sql_s", f"{sql_seconds:.3f}")
    emit(prefix + "dashboard_vs_bare_sql", f"{levier_seconds / sql_seconds:.1f}x (goal <= 3x)")
    if wrong:
        raise SystemExit("The dashboard and the bare SQL disagree (a bug):\n" + "\n".join(wrong))
    return figures


def bench_dashboard(args, psycopg_url: str, cases: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db.models import Count

    from levier.cases.models import Case
    from levier.core.models import Agent, Team

    agent = Agent.objects.get(username=LEAD)
    team = agent.teams.order_by("pk").first()
    period = last_quarter()
    previous = period.previous()
    emit("period", f"{period.start} to {period.end}, against {previous.start} to {previous.end}")
    emit("cases_in_team", f"{Case.objects.filter(team=team).count():,}")
    ensure_enquiries(args.enquiries or cases // 5, args.quiet)
    ensure_rollups(previous.start, period.end, args.rebuild)
    # The enquiries go to the reception team: its figures too (as the manager), first.
    reception = Team.objects.annotate(n=Count("enquiries")).order_by("-n", "pk").first()
    if reception is not None and reception.pk != team.pk:
        manager = Agent.objects.get(username="manager")
        compare(manager, reception, period, psycopg_url, args.runs, prefix="reception_")
    compare(agent, team, period, psycopg_url, args.runs)


def check_seeded(args) -> None:
    """`--seeded NAME`: a database seeded by `levier seed` (enquiries, messages and their
    journal included, which the benchmark's data has not), every team with figures, as the
    manager; read only, never generated nor dropped (roll-ups built where missing)."""
    import os

    from bench.common import with_database
    from bench.insights_data import _django, _server_url

    psycopg_url = with_database(_server_url(), args.seeded).replace(
        "postgres://", "postgresql://", 1
    )
    os.environ.setdefault("LEVIER_DEMO", "1")
    _django(psycopg_url)
    from levier.core.models import Agent
    from levier.insights.dashboards.selectors import dashboard_teams

    agent = Agent.objects.get(username="manager")
    period = last_quarter()
    ensure_rollups(period.previous().start, period.end, args.rebuild)
    for team in dashboard_teams(agent):
        if team.agents.filter(is_active=True).count() >= 5:
            compare(agent, team, period, psycopg_url, args.runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CASES:,} cases")
    parser.add_argument("--cases", type=int, help=f"default {FULL_CASES:,}")
    parser.add_argument(
        "--database", help=f"default {DATABASE} (full size), {DATABASE}_quick, {DATABASE}_N"
    )
    parser.add_argument("--force", action="store_true", help="generate the data again")
    parser.add_argument("--rebuild", action="store_true", help="build the roll-ups again")
    parser.add_argument("--runs", type=int, default=5, help="median of N after a warm-up")
    parser.add_argument(
        "--enquiries", type=int, help="added once when the data has none (default: cases / 5)"
    )
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--seeded", metavar="DATABASE", help="check a database seeded by `levier seed` instead"
    )
    args = parser.parse_args()
    if args.seeded:
        check_seeded(args)
        return
    cases = args.cases or (QUICK_CASES if args.quick else FULL_CASES)
    args.database = args.database or database_for(cases)
    psycopg_url = ensure_database(cases, database=args.database, force=args.force, quiet=args.quiet)
    bench_dashboard(args, psycopg_url, cases)


if __name__ == "__main__":
    main()

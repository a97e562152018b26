"""Daily roll-ups of the journal (DESIGN.md §3.1 "Measuring work", issue 12 "Scale").

What is counted: journal events that carry a geste (`activity_code`) and target a case or
an enquiry; the team (and procedure, for a case) is the target's, as it is when the roll-up
is built. Reads, list reads, exports and reveals of personal data are audit, not work: left
out (as in the process map). Events on other objects (a contact, a template) have no team:
left out too.

A day is the local day (settings.TIME_ZONE). Rebuilding a day deletes its rows and inserts
the SQL GROUP BY of its events, in one transaction per day: running it twice gives the same
rows, and a reader sees a day either before or after, never half-built.

The same transaction stores the day's measured durations of agents' gestes (`DailyMeasure`,
the calibration rule of `measures.py`), so the calibration reads no journal either.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from levier.cases.models import Case
from levier.enquiries.models import Enquiry
from levier.journal.models import Activity, Event
from levier.journal.verbs import PERSONAL_DATA_VERBS

from .measures import CASE_TARGET, ENQUIRY_TARGET, agent_moments, measure_sessions, moments
from .models import DailyMeasure, DailyRollup, RollupDay


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[local midnight, next local midnight) of `day`, aware (23 or 25 hours on DST days)."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def days(start_day: dt.date, end_day: dt.date) -> Iterator[dt.date]:
    day = start_day
    while day <= end_day:
        yield day
        day += dt.timedelta(days=1)


def _aggregate_sql(target: str) -> str:
    """One GROUP BY over the journal events of one day on cases (or enquiries).

    The join casts the journal's text `target_id` to the target's integer key, inside a CASE
    so that no other target type's id is ever cast; PostgreSQL then walks the primary key."""
    quote = connection.ops.quote_name
    event, activity = quote(Event._meta.db_table), quote(Activity._meta.db_table)
    if target == CASE_TARGET:
        table, procedure, group_procedure = (
            quote(Case._meta.db_table),
            "t.procedure_id",
            ", t.procedure_id",
        )
    else:  # enquiries have no procedure (and PostgreSQL refuses NULL in a GROUP BY)
        table, procedure, group_procedure = quote(Enquiry._meta.db_table), "NULL", ""
    verbs = ", ".join(["%s"] * len(PERSONAL_DATA_VERBS))
    return f"""
        SELECT t.team_id, {procedure}, e.activity_code, e.actor_kind, e.automated,
               COUNT(*), SUM(COALESCE(e.duration_seconds, a.standard_seconds, 0))
        FROM {event} e
        JOIN {table} t
          ON t.id = CASE WHEN e.target_type = %s THEN CAST(e.target_id AS BIGINT) END
        LEFT JOIN {activity} a ON a.code = e.activity_code
        WHERE e.target_type = %s AND e.occurred_at >= %s AND e.occurred_at < %s
          AND e.activity_code <> '' AND e.verb NOT IN ({verbs})
        GROUP BY t.team_id{group_procedure}, e.activity_code, e.actor_kind, e.automated
    """


def aggregate_day(day: dt.date) -> list[DailyRollup]:
    """The roll-up rows of `day`, computed from the journal (not saved)."""
    # As the ORM passes them (UTC text on SQLite): a raw query gets no conversion of its own.
    start, end = (connection.ops.adapt_datetimefield_value(moment) for moment in day_bounds(day))
    rows: list[DailyRollup] = []
    with connection.cursor() as cursor:
        for target in (CASE_TARGET, ENQUIRY_TARGET):
            cursor.execute(
                _aggregate_sql(target), [target, target, start, end, *sorted(PERSONAL_DATA_VERBS)]
            )
            for team_id, procedure_id, code, kind, automated, events, seconds in cursor.fetchall():
                rows.append(
                    DailyRollup(
                        day=day,
                        team_id=team_id,
                        procedure_id=procedure_id,
                        activity_code=code,
                        actor_kind=kind,
                        automated=bool(automated),
                        events=events,
                        seconds=int(seconds or 0),
                    )
                )
    return rows


def measure_day(day: dt.date) -> list[DailyMeasure]:
    """Agents' measured durations of `day`'s gestes (measures.measure_sessions), as one
    histogram per team and geste (not saved)."""
    start, end = day_bounds(day)
    found: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for target_type, target_id, code, seconds in measure_sessions(
        moments(agent_moments(start, end)), since=start
    ):
        found[(target_type, target_id)].append((code, seconds))
    teams: dict[tuple[str, str], int] = {}
    for model, target_type in ((Case, CASE_TARGET), (Enquiry, ENQUIRY_TARGET)):
        ids = [int(key) for kind, key in found if kind == target_type]
        for start_at in range(0, len(ids), 1000):
            chunk = model.objects.filter(pk__in=ids[start_at : start_at + 1000])
            for pk, team_id in chunk.values_list("pk", "team_id"):
                teams[(target_type, str(pk))] = team_id
    histograms: dict[tuple[int, str], Counter[int]] = defaultdict(Counter)
    for target, measured in found.items():
        if target not in teams:
            continue  # a case deleted since
        for code, seconds in measured:
            histograms[(teams[target], code)][seconds] += 1
    return [
        DailyMeasure(
            day=day,
            team_id=team_id,
            activity_code=code,
            measures=histogram.total(),
            histogram={str(seconds): count for seconds, count in sorted(histogram.items())},
        )
        for (team_id, code), histogram in sorted(histograms.items())
    ]


def rebuild_day(day: dt.date) -> int:
    """Replace `day`'s roll-ups and measures, in one transaction; returns the number of
    events counted."""
    with transaction.atomic():
        DailyRollup.objects.filter(day=day).delete()
        DailyMeasure.objects.filter(day=day).delete()
        DailyMeasure.objects.bulk_create(measure_day(day), batch_size=1000)
        rows = DailyRollup.objects.bulk_create(aggregate_day(day), batch_size=1000)
        counted = sum(row.events for row in rows)
        RollupDay.objects.update_or_create(
            day=day, defaults={"built_at": timezone.now(), "events": counted}
        )
    return counted


def rebuild_rollups(
    start_day: dt.date,
    end_day: dt.date,
    *,
    progress: Callable[[dt.date, int], None] | None = None,
) -> int:
    """Rebuild every day of [start_day, end_day] (both included), one transaction per day;
    the days outside are left as they are. Returns the events counted."""
    total = 0
    for day in days(start_day, end_day):
        counted = rebuild_day(day)
        total += counted
        if progress is not None:
            progress(day, counted)
    return total


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def due_range() -> tuple[dt.date, dt.date] | None:
    """The days `rollup_due` would build: from the last built day (again: events of its last
    moments may have committed after it was built) to yesterday; from the journal's first
    day when nothing was built yet. None when there is nothing to build."""
    end = yesterday()
    last = RollupDay.objects.aggregate(last=Max("day"))["last"]
    if last is not None:
        start = last
    else:
        first = Event.objects.aggregate(first=Min("occurred_at"))["first"]
        if first is None:
            return None
        start = timezone.localdate(first)
    if start > end:
        return None
    return start, end


def rollup_due(*, progress: Callable[[dt.date, int], None] | None = None) -> int:
    """Build what is due (see `due_range`); returns the number of days built."""
    due = due_range()
    if due is None:
        return 0
    rebuild_rollups(*due, progress=progress)
    return (due[1] - due[0]).days + 1


def last_built_day() -> dt.date | None:
    last: dt.date | None = RollupDay.objects.aggregate(last=Max("day"))["last"]
    return last

"""The dashboards' figures, computed in SQL: one query per figure family, for one team or
every team of the department at once (grouped by team), never a Python loop over cases.

`team_dashboard(agent, team, period)` and `department_dashboard(agent, period)` are the
entry points (the pages, a benchmark and a future PDF report call them). Scope is
levier.core.policy's: a team outside the agent's visible teams is a 404. A team with fewer
than MIN_TEAM_AGENTS active agents gets no figure at all.

Medians and 90th percentiles are nearest-rank, computed by the database with the same
window functions on SQLite and PostgreSQL: the durations of a group are numbered in
order (ROW_NUMBER) and counted (COUNT OVER); the median is the row ranked ceil(n / 2),
the 90th percentile the row ranked ceil(0.9 n), written with integer arithmetic
((n + 1) / 2 and (9 n + 9) / 10) so both databases pick the same row: a duration some
case really took, no interpolation.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Value, When, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from levier.cases.models import OPEN_STATUSES, Case, CaseStatus, Procedure
from levier.cases.selectors import decided_in_time_condition
from levier.controls.models import Flag, FlagSource
from levier.controls.selectors import INACCURATE, INACCURATE_RESULTS, TARGETED
from levier.core import policy
from levier.core.models import Team
from levier.enquiries.models import Channel, Enquiry, EnquiryStatus, Topic
from levier.enquiries.selectors import (
    answered_in_time_condition,
    answered_late_condition,
    first_contact_condition,
    reopened_condition,
    with_answer_count,
)

from ..time_saved import TimeSavedSummary, time_saved_by_team
from .figures import (
    AgeBucket,
    Backlog,
    Column,
    Compared,
    ComparedRate,
    CountFigure,
    DurationFigure,
    GestesFigure,
    ProcessingRow,
    Rate,
    TeamFigures,
    WeeklySeries,
    WeekRow,
    gestes_url,
    list_url,
    range_filters,
)
from .periods import Period

# No figure for a team with fewer active agents (DESIGN.md §3.1: no surveillance).
MIN_TEAM_AGENTS = 5

# Backlog ages in whole calendar days since submission (reception): (first, last) day.
AGE_BUCKETS: list[tuple[int, int | None]] = [(0, 7), (8, 30), (31, 90), (91, None)]


def dashboard_teams(agent: Any) -> list[Team]:
    """The teams whose dashboard the agent may open, by name."""
    return list(Team.objects.filter(pk__in=policy.visible_team_ids(agent)).order_by("name"))


def team_dashboard(agent: Any, team: Team, period: Period) -> TeamFigures:
    """One team's figures; `NotFound` for a team the agent may not see."""
    if team.pk not in policy.visible_team_ids(agent):
        raise policy.NotFound("No such team.")
    return _with_gestes(agent, _figures([team], period))[0]


def department_dashboard(agent: Any, period: Period) -> list[TeamFigures]:
    """Every team the agent may see (a manager's whole organisation), team by team."""
    return _with_gestes(agent, _figures(dashboard_teams(agent), period))


def _with_gestes(agent: Any, teams: list[TeamFigures]) -> list[TeamFigures]:
    """The robots' share of gestes and the time they saved (insights.time_saved, read from
    the daily roll-ups), in the period and the previous one, for the teams with figures:
    one query whatever the number of teams."""
    shown = [figures for figures in teams if not figures.hidden]
    if not shown:
        return teams
    periods = [shown[0].period, shown[0].previous]
    summaries = time_saved_by_team(
        agent,
        [figures.team_id for figures in shown],
        [(period.start, period.end) for period in periods],
    )
    empty = TimeSavedSummary(gestes=0, automated=0, seconds=0, small_teams=0)
    for figures in shown:
        figures.gestes, figures.gestes_previous = (
            _gestes(figures.team_id, period, summaries.get((figures.team_id, index), empty))
            for index, period in enumerate(periods)
        )
    return teams


def _gestes(team_id: int, period: Period, summary: TimeSavedSummary) -> GestesFigure:
    days = {"team": team_id, "from_day": period.start, "to_day": period.end}
    return GestesFigure(
        gestes=CountFigure(summary.gestes, gestes_url(**days)),
        automated=CountFigure(summary.automated, gestes_url(**days, automated="1")),
        hours_text=summary.hours_text,
        fte_text=summary.fte_text,
        robot_share=summary.robot_share,
    )


def get_team_for(agent: Any, team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id, pk__in=policy.visible_team_ids(agent)).first()
    if team is None:
        raise policy.NotFound("No such team.")
    return team


# --- the families -----------------------------------------------------------------------


def _figures(teams: list[Team], period: Period) -> list[TeamFigures]:
    previous = period.previous()
    sizes = dict(
        Team.objects.filter(pk__in=[team.pk for team in teams])
        .annotate(n=Count("agents", filter=Q(agents__is_active=True), distinct=True))
        .values_list("pk", "n")
    )
    shown = [team.pk for team in teams if sizes.get(team.pk, 0) >= MIN_TEAM_AGENTS]
    result = {
        team.pk: TeamFigures(
            team_id=team.pk,
            team_name=team.name,
            period=period,
            previous=previous,
            hidden=team.pk not in shown,
        )
        for team in teams
    }
    if shown:
        for team_id, series in _incoming_cases(shown, period, previous).items():
            result[team_id].incoming_cases = series
        by_channel, by_topic = _incoming_enquiries(shown, period, previous)
        for team_id in shown:
            result[team_id].incoming_by_channel = by_channel[team_id]
            result[team_id].incoming_by_topic = by_topic[team_id]
        for team_id, backlog in _case_backlog(shown).items():
            result[team_id].case_backlog = backlog
        for team_id, backlog in _enquiry_backlog(shown).items():
            result[team_id].enquiry_backlog = backlog
        for team_id, rows in _processing(shown, period, previous).items():
            result[team_id].processing = rows
        for team_id, rate in _case_deadlines(shown, period, previous).items():
            result[team_id].case_deadlines = rate
        for team_id, (targeted, random) in _control_rates(shown, period, previous).items():
            result[team_id].control_hits, result[team_id].random_hits = targeted, random
        for team_id, rates in _enquiry_rates(shown, period, previous).items():
            (
                result[team_id].answer_deadlines,
                result[team_id].first_contact,
                result[team_id].reopened,
            ) = rates
    return [result[team.pk] for team in teams]


def _span(period: Period, previous: Period) -> tuple[dt.datetime, dt.datetime]:
    return previous.bounds()[0], period.bounds()[1]


def _weekly(
    counts: dict[tuple[str, dt.date], int],
    columns: list[Column],
    period: Period,
    previous: Period,
    kind: str,
    date_prefix: str,
    filters_of: dict[str, dict[str, Any]],
    team_id: int,
) -> WeeklySeries:
    """A weekly table from per-(column, day) counts over both periods."""
    weeks = period.weeks()
    starts = [week.start for week in weeks]
    # One pass over the per-day counts: per (column, week), per column and period.
    by_week: dict[tuple[str, int], int] = defaultdict(int)
    in_period: dict[str, int] = defaultdict(int)
    in_previous: dict[str, int] = defaultdict(int)
    for (key, day), n in counts.items():
        if period.start <= day <= period.end:
            by_week[(key, bisect_right(starts, day) - 1)] += n
            in_period[key] += n
        elif previous.start <= day <= previous.end:
            in_previous[key] += n

    def link(key: str | None, span: Period) -> str:
        extra = filters_of[key] if key is not None else {}
        return list_url(kind, team=team_id, **extra, **range_filters(date_prefix, span))

    keys = [column.key for column in columns]
    rows = []
    for index, week in enumerate(weeks):
        cells = [CountFigure(by_week[(key, index)], link(key, week)) for key in keys]
        week_total = sum(by_week[(key, index)] for key in keys)
        cells.append(CountFigure(week_total, link(None, week)))
        rows.append(WeekRow(week=week, cells=cells))
    totals = [
        Compared(
            CountFigure(in_period[key], link(key, period)),
            CountFigure(in_previous[key], link(key, previous)),
        )
        for key in keys
    ]
    totals.append(
        Compared(
            CountFigure(sum(in_period[key] for key in keys), link(None, period)),
            CountFigure(sum(in_previous[key] for key in keys), link(None, previous)),
        )
    )
    return WeeklySeries(columns=columns, rows=rows, totals=totals)


def _incoming_cases(
    team_ids: list[int], period: Period, previous: Period
) -> dict[int, WeeklySeries]:
    """Cases submitted per procedure and day, both periods, grouped by team: one query."""
    start, end = _span(period, previous)
    rows = (
        Case.objects.exclude(status=CaseStatus.DRAFT)
        .filter(team_id__in=team_ids, submitted_at__gte=start, submitted_at__lt=end)
        .annotate(day=TruncDate("submitted_at"))
        .values("team_id", "procedure_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, dict[tuple[str, dt.date], int]] = defaultdict(dict)
    for row in rows:
        counts[row["team_id"]][(str(row["procedure_id"]), row["day"])] = row["n"]
    used = {int(key) for per_team in counts.values() for key, _day in per_team}
    names = dict(
        Procedure.objects.filter(Q(pk__in=used) | Q(team_id__in=team_ids)).values_list("pk", "name")
    )
    own = defaultdict(set)
    for pk, team_id in Procedure.objects.filter(team_id__in=team_ids).values_list("pk", "team_id"):
        own[team_id].add(pk)
    series = {}
    for team_id in team_ids:
        keys = own[team_id] | {int(key) for key, _day in counts[team_id]}
        columns = sorted(
            (Column(str(pk), names.get(pk, str(pk))) for pk in keys), key=lambda c: c.label
        )
        series[team_id] = _weekly(
            counts[team_id],
            columns,
            period,
            previous,
            "cases",
            "submitted",
            {column.key: {"procedure": column.key} for column in columns},
            team_id,
        )
    return series


NO_TOPIC = "none"


def _incoming_enquiries(
    team_ids: list[int], period: Period, previous: Period
) -> tuple[dict[int, WeeklySeries], dict[int, WeeklySeries]]:
    """Enquiries received per channel and per topic and day, both periods: one query."""
    start, end = _span(period, previous)
    rows = (
        Enquiry.objects.filter(team_id__in=team_ids, created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at"))
        .values("team_id", "channel", "topic_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_channel: dict[int, dict[tuple[str, dt.date], int]] = defaultdict(lambda: defaultdict(int))
    by_topic: dict[int, dict[tuple[str, dt.date], int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        by_channel[row["team_id"]][(row["channel"], row["day"])] += row["n"]
        topic = str(row["topic_id"]) if row["topic_id"] else NO_TOPIC
        by_topic[row["team_id"]][(topic, row["day"])] += row["n"]
    topic_ids = {int(key) for c in by_topic.values() for key, _d in c if key != NO_TOPIC}
    labels = dict(Topic.objects.filter(pk__in=topic_ids).values_list("pk", "label"))
    channel_columns = [Column(value, str(label)) for value, label in Channel.choices]
    channels, topics = {}, {}
    for team_id in team_ids:
        channels[team_id] = _weekly(
            dict(by_channel[team_id]),
            channel_columns,
            period,
            previous,
            "enquiries",
            "received",
            {column.key: {"channel": column.key} for column in channel_columns},
            team_id,
        )
        keys = {key for key, _day in by_topic[team_id]}
        topic_columns = sorted(
            (Column(key, labels.get(int(key), key)) for key in keys if key != NO_TOPIC),
            key=lambda c: c.label,
        )
        if NO_TOPIC in keys:
            topic_columns.append(Column(NO_TOPIC, _("Without topic")))
        topics[team_id] = _weekly(
            dict(by_topic[team_id]),
            topic_columns,
            period,
            previous,
            "enquiries",
            "received",
            {
                column.key: {"without_topic": "yes"}
                if column.key == NO_TOPIC
                else {"topic": column.key}
                for column in topic_columns
            },
            team_id,
        )
    return channels, topics


def _age_ranges(today: dt.date) -> list[tuple[str, dt.date | None, dt.date | None]]:
    """(label, first day, last day) of each backlog age bucket, as submission days."""
    ranges = []
    for first, last in AGE_BUCKETS:
        if last is None:
            label = _("more than %(days)s days") % {"days": first - 1}
        else:
            label = _("%(first)s to %(last)s days") % {"first": first, "last": last}
        since = today - dt.timedelta(days=last) if last is not None else None
        until = today - dt.timedelta(days=first) if first else None
        ranges.append((label, since, until))
    return ranges


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _age_condition(field: str, since: dt.date | None, until: dt.date | None) -> Q:
    condition = Q()
    if since is not None:
        condition &= Q(**{f"{field}__gte": _day_start(since)})
    if until is not None:
        condition &= Q(**{f"{field}__lt": _day_start(until + dt.timedelta(days=1))})
    return condition


def _backlog(
    rows: Any, field: str, kind: str, date_prefix: str, team_ids: list[int]
) -> dict[int, Backlog]:
    ranges = _age_ranges(timezone.localdate())
    aggregates = {"total": Count("id")}
    for index, (_label, since, until) in enumerate(ranges):
        aggregates[f"age{index}"] = Count("id", filter=_age_condition(field, since, until))
    found = {
        row["team_id"]: row
        for row in rows.filter(team_id__in=team_ids)
        .values("team_id")
        .annotate(**aggregates)
        .order_by()
    }
    backlogs = {}
    for team_id in team_ids:
        row = found.get(team_id, {})
        buckets = [
            AgeBucket(
                label,
                CountFigure(
                    row.get(f"age{index}", 0),
                    list_url(
                        kind,
                        team=team_id,
                        status="open",
                        **{f"{date_prefix}_from": since, f"{date_prefix}_to": until},
                    ),
                ),
            )
            for index, (label, since, until) in enumerate(ranges)
        ]
        total = CountFigure(row.get("total", 0), list_url(kind, team=team_id, status="open"))
        backlogs[team_id] = Backlog(total=total, buckets=buckets)
    return backlogs


def _case_backlog(team_ids: list[int]) -> dict[int, Backlog]:
    """Open cases now, by age since submission: one query."""
    rows = Case.objects.filter(status__in=OPEN_STATUSES)
    return _backlog(rows, "submitted_at", "cases", "submitted", team_ids)


def _enquiry_backlog(team_ids: list[int]) -> dict[int, Backlog]:
    """Open (not closed) enquiries now, by age since reception: one query."""
    rows = Enquiry.objects.exclude(status=EnquiryStatus.CLOSED)
    return _backlog(rows, "created_at", "enquiries", "received", team_ids)


def _processing(
    team_ids: list[int], period: Period, previous: Period
) -> dict[int, list[ProcessingRow]]:
    """Submission to decision of the cases decided in each period, per team and procedure:
    nearest-rank median and 90th percentile by window functions (see the module's doc),
    one query for both periods."""
    start, end = _span(period, previous)
    current_start = period.bounds()[0]
    group = [F("team_id"), F("procedure_id"), F("in_current")]
    rows = (
        Case.objects.exclude(status=CaseStatus.DRAFT)
        .filter(
            team_id__in=team_ids,
            decided_at__gte=start,
            decided_at__lt=end,
            submitted_at__isnull=False,
        )
        .annotate(
            in_current=CaseWhen(
                When(decided_at__gte=current_start, then=Value(1)), default=Value(0)
            ),
            took=ExpressionWrapper(F("decided_at") - F("submitted_at"), DurationField()),
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=group, order_by=[F("took").asc(), F("pk").asc()]),
            n=Window(Count("id"), partition_by=group),
        )
        .filter(Q(rank=(F("n") + 1) / 2) | Q(rank=(F("n") * 9 + 9) / 10))
        .values("team_id", "procedure_id", "in_current", "rank", "n", "took")
    )
    found: dict[tuple[int, int, int], dict[str, Any]] = defaultdict(dict)
    for row in rows:
        key = (row["team_id"], row["procedure_id"], row["in_current"])
        seconds = row["took"].total_seconds()
        found[key]["n"] = row["n"]
        if row["rank"] == (row["n"] + 1) // 2:
            found[key]["median"] = seconds
        if row["rank"] == (9 * row["n"] + 9) // 10:
            found[key]["p90"] = seconds
    procedure_ids = {procedure_id for _team, procedure_id, _current in found}
    names = dict(Procedure.objects.filter(pk__in=procedure_ids).values_list("pk", "name"))
    result: dict[int, list[ProcessingRow]] = {team_id: [] for team_id in team_ids}

    def figure(team_id: int, procedure_id: int, current: int, span: Period) -> DurationFigure:
        values = found.get((team_id, procedure_id, current), {})
        url = list_url(
            "cases", team=team_id, procedure=procedure_id, **range_filters("decided", span)
        )
        return DurationFigure(
            decided=CountFigure(values.get("n", 0), url),
            median_seconds=values.get("median"),
            p90_seconds=values.get("p90"),
        )

    for team_id, procedure_id in sorted({(t, p) for t, p, _c in found}):
        result[team_id].append(
            ProcessingRow(
                procedure=names.get(procedure_id, str(procedure_id)),
                current=figure(team_id, procedure_id, 1, period),
                previous=figure(team_id, procedure_id, 0, previous),
            )
        )
    for rows_of_team in result.values():
        rows_of_team.sort(key=lambda row: row.procedure)
    return result


def _case_deadlines(
    team_ids: list[int], period: Period, previous: Period
) -> dict[int, ComparedRate]:
    """Cases decided in each period, and those decided on or before their deadline."""
    start, end = _span(period, previous)
    current_start = period.bounds()[0]
    in_current, in_previous = Q(decided_at__gte=current_start), Q(decided_at__lt=current_start)
    met = decided_in_time_condition(True)
    found = {
        row["team_id"]: row
        for row in Case.objects.exclude(status=CaseStatus.DRAFT)
        .filter(team_id__in=team_ids, decided_at__gte=start, decided_at__lt=end)
        .values("team_id")
        .annotate(
            current=Count("id", filter=in_current),
            current_met=Count("id", filter=in_current & met),
            previous=Count("id", filter=in_previous),
            previous_met=Count("id", filter=in_previous & met),
        )
        .order_by()
    }

    def rate(team_id: int, span: Period, key: str) -> Rate:
        row = found.get(team_id, {})
        decided = range_filters("decided", span)
        return Rate(
            part=CountFigure(
                row.get(f"{key}_met", 0),
                list_url("cases", team=team_id, decided_in_time="yes", **decided),
            ),
            whole=CountFigure(row.get(key, 0), list_url("cases", team=team_id, **decided)),
        )

    return {
        team_id: ComparedRate(rate(team_id, period, "current"), rate(team_id, previous, "previous"))
        for team_id in team_ids
    }


def _control_rates(
    team_ids: list[int], period: Period, previous: Period
) -> dict[int, tuple[ComparedRate, ComparedRate]]:
    """Controls done in each period on the team's cases, and those that confirmed an
    irregularity: for levier's proposals (rules, documents, atypical declarations) and for
    the random baseline they are compared with (DESIGN.md §7)."""
    start, end = _span(period, previous)
    current_start = period.bounds()[0]
    random = Q(source=FlagSource.RANDOM)
    confirmed = Q(result__in=INACCURATE_RESULTS)  # as the controls page's discovery rate
    sums = {}
    for key, when in (("current", Q(controlled_at__gte=current_start)),
                      ("previous", Q(controlled_at__lt=current_start))):  # fmt: skip
        sums[f"{key}_targeted"] = Count("id", filter=when & ~random)
        sums[f"{key}_targeted_hit"] = Count("id", filter=when & ~random & confirmed)
        sums[f"{key}_random"] = Count("id", filter=when & random)
        sums[f"{key}_random_hit"] = Count("id", filter=when & random & confirmed)
    found = {
        row["case__team_id"]: row
        for row in Flag.objects.exclude(result="")
        .filter(case__team_id__in=team_ids, controlled_at__gte=start, controlled_at__lt=end)
        .values("case__team_id")
        .annotate(**sums)
        .order_by()
    }

    def rate(team_id: int, span: Period, key: str, source: str) -> Rate:
        row = found.get(team_id, {})
        days = range_filters("controlled", span)
        listed = {"team": team_id, "state": "decided", "source": source, **days}
        return Rate(
            part=CountFigure(
                row.get(f"{key}_{source}_hit", 0),
                list_url("controls", result=INACCURATE, **listed),
            ),
            whole=CountFigure(row.get(f"{key}_{source}", 0), list_url("controls", **listed)),
        )

    def compared(team_id: int, source: str) -> ComparedRate:
        return ComparedRate(
            rate(team_id, period, "current", source), rate(team_id, previous, "previous", source)
        )

    return {
        team_id: (compared(team_id, TARGETED), compared(team_id, FlagSource.RANDOM.value))
        for team_id in team_ids
    }


def _enquiry_rates(
    team_ids: list[int], period: Period, previous: Period
) -> dict[int, tuple[ComparedRate, ComparedRate, ComparedRate]]:
    """Answer deadlines met, first-contact resolution and reopened enquiries, both periods,
    one query (conditions from levier.enquiries.selectors, the list filters' own)."""
    start, end = _span(period, previous)
    current_start = period.bounds()[0]
    now = timezone.now()
    received = {
        "current": Q(created_at__gte=current_start, created_at__lt=end),
        "previous": Q(created_at__gte=start, created_at__lt=current_start),
    }
    closed = {
        "current": Q(closed_at__gte=current_start, closed_at__lt=end),
        "previous": Q(closed_at__gte=start, closed_at__lt=current_start),
    }
    met, late = answered_in_time_condition(), answered_late_condition(now)
    aggregates = {}
    for key in ("current", "previous"):
        aggregates[f"{key}_met"] = Count("id", filter=received[key] & met)
        aggregates[f"{key}_due"] = Count("id", filter=received[key] & (met | late))
        aggregates[f"{key}_closed"] = Count("id", filter=closed[key])
        aggregates[f"{key}_first"] = Count("id", filter=closed[key] & first_contact_condition())
        aggregates[f"{key}_received"] = Count("id", filter=received[key])
        aggregates[f"{key}_reopened"] = Count("id", filter=received[key] & reopened_condition())
    rows = (
        with_answer_count(
            Enquiry.objects.filter(team_id__in=team_ids).filter(
                Q(created_at__gte=start, created_at__lt=end)
                | Q(closed_at__gte=start, closed_at__lt=end)
            )
        )
        .values("team_id")
        .annotate(**aggregates)
        .order_by()
    )
    found: dict[int, dict[str, Any]] = {row["team_id"]: row for row in rows}

    def rates(team_id: int, span: Period, key: str) -> tuple[Rate, Rate, Rate]:
        row: dict[str, Any] = found.get(team_id, {})
        got = range_filters("received", span)
        shut = range_filters("closed", span)

        def count(name: str, **filters: Any) -> CountFigure:
            return CountFigure(row.get(f"{key}_{name}", 0), list_url("enquiries", **filters))

        return (
            Rate(
                count("met", team=team_id, answer_deadline="met", **got),
                count("due", team=team_id, answer_deadline="due", **got),
            ),
            Rate(
                count("first", team=team_id, first_contact="yes", **shut),
                count("closed", team=team_id, **shut),
            ),
            Rate(
                count("reopened", team=team_id, reopened="yes", **got),
                count("received", team=team_id, **got),
            ),
        )

    result = {}
    for team_id in team_ids:
        current, before = rates(team_id, period, "current"), rates(team_id, previous, "previous")
        result[team_id] = (
            ComparedRate(current[0], before[0]),
            ComparedRate(current[1], before[1]),
            ComparedRate(current[2], before[2]),
        )
    return result

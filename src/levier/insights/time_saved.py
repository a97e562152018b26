"""Time saved, measured (DESIGN.md §3.1, issue 12): scoped reads of the daily roll-ups, the
calibration of standard times from agents' measured durations, and the journal events
behind each figure.

- **time saved** = Σ automated events × their time (the measured duration when the event
  has one, else the geste's standard duration), read from `DailyRollup` only;
- **FTE** = hours ÷ settings.LEVIER_FTE_HOURS_PER_YEAR (1,607 by default): the years of
  a full-time agent's work;
- **no surveillance**: only teams of at least MIN_TEAM_AGENTS active agents count, in every
  figure, total and list here (a smaller team's gestes would describe a few people); no
  figure is ever about one agent, and the drill-down names the actor only as its kind.

The calibration rule (`measured_durations`) is written down in docs/insights.md.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils import timezone

from levier.cases.models import Case, Procedure
from levier.core import policy
from levier.core.french import format_month, format_number
from levier.core.models import Team
from levier.enquiries.models import Enquiry
from levier.journal.models import Activity, ActorKind, Event
from levier.journal.verbs import PERSONAL_DATA_VERBS

from .measures import CASE_TARGET, ENQUIRY_TARGET, agent_moments, measure_sessions, moments
from .models import DailyMeasure, DailyRollup
from .rollups import day_bounds

# No figure for a team below this many active agents (DESIGN.md §4).
MIN_TEAM_AGENTS = 5
# A measured median is shown from this many measures on.
MIN_MEASURES = 20
DEFAULT_FTE_HOURS_PER_YEAR = 1607


def fte_hours_per_year() -> float:
    return float(getattr(settings, "LEVIER_FTE_HOURS_PER_YEAR", DEFAULT_FTE_HOURS_PER_YEAR))


def hours(seconds: float) -> float:
    return seconds / 3600


def fte(seconds: float) -> float:
    return hours(seconds) / fte_hours_per_year()


# --- scope -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    team_ids: list[int]  # the teams whose figures count (visible, asked for, >= 5 agents)
    small_teams: int  # visible teams asked for that are left out (fewer than 5 agents)


def scope_for(agent: Any, team_ids: Iterable[int] | None = None) -> Scope:
    """The teams of `team_ids` (default: all) the agent may see and that have at least
    MIN_TEAM_AGENTS active agents."""
    visible = set(policy.visible_team_ids(agent))
    if team_ids is not None:
        visible &= set(team_ids)
    sizes = dict(
        Team.objects.filter(pk__in=visible)
        .annotate(size=Count("agents", filter=Q(agents__is_active=True), distinct=True))
        .values_list("pk", "size")
    )
    kept = sorted(pk for pk, size in sizes.items() if size >= MIN_TEAM_AGENTS)
    return Scope(team_ids=kept, small_teams=len(sizes) - len(kept))


def teams_for(agent: Any) -> QuerySet[Team]:
    """The teams the agent may pick (the form's choices): visible, at least 5 agents."""
    return Team.objects.filter(pk__in=scope_for(agent).team_ids).order_by("name")


def procedures_for(agent: Any) -> QuerySet[Procedure]:
    return Procedure.objects.filter(team_id__in=scope_for(agent).team_ids).order_by("name")


# --- time saved, from the roll-ups ------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """Events and their time (seconds); hours and FTE derived."""

    events: int
    seconds: int

    @property
    def hours(self) -> float:
        return hours(self.seconds)

    @property
    def fte(self) -> float:
        return fte(self.seconds)

    @property
    def hours_text(self) -> str:
        """The French way, to the tenth: "1 234,5"."""
        return format_number(self.hours, decimals=1)

    @property
    def fte_text(self) -> str:
        return format_number(self.fte, decimals=2)


@dataclass(frozen=True)
class FigureRow:
    key: Any  # a month (date, its first day), a team id, a procedure id (None: enquiries), a code
    label: str
    figure: Figure


@dataclass
class TimeSavedReport:
    start: dt.date
    end: dt.date  # included
    scope: Scope
    total: Figure
    by_month: list[FigureRow] = field(default_factory=list)
    by_team: list[FigureRow] = field(default_factory=list)
    by_procedure: list[FigureRow] = field(default_factory=list)
    by_activity: list[FigureRow] = field(default_factory=list)


def rollups_for(
    agent: Any,
    *,
    team_ids: Iterable[int] | None,
    start: dt.date,
    end: dt.date,
    procedure_id: int | None = None,
) -> tuple[QuerySet[DailyRollup], Scope]:
    """The roll-ups of the agent's countable teams for the days [start, end]."""
    scope = scope_for(agent, team_ids)
    rows = DailyRollup.objects.filter(team_id__in=scope.team_ids, day__gte=start, day__lte=end)
    if procedure_id is not None:
        rows = rows.filter(procedure_id=procedure_id)
    return rows, scope


def _figure(values: dict[str, Any]) -> Figure:
    return Figure(events=int(values["n"] or 0), seconds=int(values["s"] or 0))


SUMS = {"n": Sum("events"), "s": Sum("seconds")}


def time_saved_report(
    agent: Any,
    *,
    team_ids: Iterable[int] | None = None,
    procedure_id: int | None = None,
    start: dt.date,
    end: dt.date,
) -> TimeSavedReport:
    """Time saved by robots and automations (automated events) for the days [start, end],
    in total and by month, team, procedure and geste."""
    rows, scope = rollups_for(
        agent, team_ids=team_ids, start=start, end=end, procedure_id=procedure_id
    )
    saved = rows.filter(automated=True)
    report = TimeSavedReport(
        start=start, end=end, scope=scope, total=_figure(saved.aggregate(**SUMS))
    )
    for by_month in (
        saved.annotate(month=TruncMonth("day")).values("month").annotate(**SUMS).order_by("month")
    ):
        month = by_month["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        report.by_month.append(FigureRow(month, format_month(month), _figure(dict(by_month))))
    teams = dict(Team.objects.filter(pk__in=scope.team_ids).values_list("pk", "name"))
    for by_team in saved.values("team_id").annotate(**SUMS).order_by("team_id"):
        report.by_team.append(
            FigureRow(by_team["team_id"], teams.get(by_team["team_id"], ""), _figure(dict(by_team)))
        )
    report.by_team.sort(key=lambda row: row.label)
    procedures = dict(Procedure.objects.values_list("pk", "name"))
    for by_procedure in saved.values("procedure_id").annotate(**SUMS).order_by("procedure_id"):
        key = by_procedure["procedure_id"]
        label = procedures.get(key, "") if key is not None else ""
        report.by_procedure.append(FigureRow(key, label, _figure(dict(by_procedure))))
    report.by_procedure.sort(key=lambda row: (row.key is None, row.label))
    labels = dict(Activity.objects.values_list("code", "label"))
    for by_activity in saved.values("activity_code").annotate(**SUMS).order_by("activity_code"):
        code = by_activity["activity_code"]
        report.by_activity.append(
            FigureRow(code, labels.get(code, code), _figure(dict(by_activity)))
        )
    report.by_activity.sort(key=lambda row: -row.figure.seconds)
    return report


@dataclass(frozen=True)
class TimeSavedSummary:
    gestes: int  # every geste of the period (agents, robots, usagers, system)
    automated: int  # the automated ones
    seconds: int  # time saved: Σ automated events × their time
    small_teams: int  # teams left out (fewer than 5 agents)

    @property
    def robot_share(self) -> float | None:
        """Automated events / all events of gestes; None without any geste."""
        return self.automated / self.gestes if self.gestes else None

    @property
    def hours(self) -> float:
        return hours(self.seconds)

    @property
    def fte(self) -> float:
        return fte(self.seconds)

    @property
    def hours_text(self) -> str:
        return format_number(self.hours, decimals=1)

    @property
    def fte_text(self) -> str:
        return format_number(self.fte, decimals=2)

    @property
    def robot_share_text(self) -> str:
        share = self.robot_share
        return "—" if share is None else format_number(100 * share, decimals=0) + "\u00a0%"


def time_saved_summary(
    agent: Any, team_ids: Iterable[int] | None, start: dt.date, end: dt.date
) -> TimeSavedSummary:
    """The dashboard's figures for the days [start, end] (both included) of `team_ids`
    (None: every team the agent may see), from the roll-ups only: the robots' share of
    gestes, time saved in hours and FTE. Teams below 5 agents are left out."""
    rows, scope = rollups_for(agent, team_ids=team_ids, start=start, end=end)
    values = rows.aggregate(
        n=Sum("events"),
        robots=Sum("events", filter=Q(automated=True)),
        s=Sum("seconds", filter=Q(automated=True)),
    )
    return TimeSavedSummary(
        gestes=int(values["n"] or 0),
        automated=int(values["robots"] or 0),
        seconds=int(values["s"] or 0),
        small_teams=scope.small_teams,
    )


def time_saved_by_team(
    agent: Any, team_ids: Iterable[int], periods: list[tuple[dt.date, dt.date]]
) -> dict[tuple[int, int], TimeSavedSummary]:
    """`time_saved_summary` of each team and each period (both days included), in one
    query: {(team id, index of the period): summary}. Teams below 5 agents are absent."""
    if not periods:
        return {}
    start = min(first for first, _last in periods)
    end = max(last for _first, last in periods)
    rows, _scope = rollups_for(agent, team_ids=team_ids, start=start, end=end)
    sums: dict[str, Any] = {}
    for index, (first, last) in enumerate(periods):
        within = Q(day__gte=first, day__lte=last)
        sums[f"n{index}"] = Sum("events", filter=within)
        sums[f"r{index}"] = Sum("events", filter=within & Q(automated=True))
        sums[f"s{index}"] = Sum("seconds", filter=within & Q(automated=True))
    found: dict[int, dict[str, Any]] = {
        row["team_id"]: dict(row) for row in rows.order_by().values("team_id").annotate(**sums)
    }
    nothing: dict[str, Any] = {}
    return {
        (team_id, index): TimeSavedSummary(
            gestes=int(values.get(f"n{index}") or 0),
            automated=int(values.get(f"r{index}") or 0),
            seconds=int(values.get(f"s{index}") or 0),
            small_teams=0,
        )
        for team_id in _scope.team_ids
        for values in [found.get(team_id, nothing)]
        for index in range(len(periods))
    }


# --- calibration: agents' measured durations ---------------------------------------------


def _target_keys(team_ids: list[int]) -> Q:
    """Events on the cases and enquiries of `team_ids` (the journal's text target id)."""
    cases = Case.objects.filter(team_id__in=team_ids).annotate(
        key=Cast("pk", output_field=CharField())
    )
    enquiries = Enquiry.objects.filter(team_id__in=team_ids).annotate(
        key=Cast("pk", output_field=CharField())
    )
    return Q(target_type=CASE_TARGET, target_id__in=cases.values("key")) | Q(
        target_type=ENQUIRY_TARGET, target_id__in=enquiries.values("key")
    )


def measured_durations(
    agent: Any, *, team_ids: Iterable[int] | None, start: dt.date, end: dt.date
) -> dict[str, list[int]]:
    """Activity code -> the measured durations (seconds) of agents' gestes on the cases and
    enquiries of the agent's countable teams, for the gestes of the days [start, end], read
    from the journal itself (the reference the daily measures are checked against)."""
    scope = scope_for(agent, team_ids)
    since, _ = day_bounds(start)
    _, until = day_bounds(end)
    events = agent_moments(since, until).filter(_target_keys(scope.team_ids))
    measured: dict[str, list[int]] = defaultdict(list)
    for _type, _id, code, seconds in measure_sessions(moments(events), since=since):
        measured[code].append(seconds)
    return dict(measured)


def daily_measures(
    agent: Any, *, team_ids: Iterable[int] | None, start: dt.date, end: dt.date
) -> dict[str, Counter[int]]:
    """Activity code -> {seconds: count} of the measured durations of the days [start, end],
    from the daily measures (built with the roll-ups) of the agent's countable teams."""
    scope = scope_for(agent, team_ids)
    merged: dict[str, Counter[int]] = defaultdict(Counter)
    rows = DailyMeasure.objects.filter(
        team_id__in=scope.team_ids, day__gte=start, day__lte=end
    ).values_list("activity_code", "histogram")
    for code, histogram in rows.iterator(chunk_size=2000):
        for seconds, count in histogram.items():
            merged[code][int(seconds)] += int(count)
    return dict(merged)


def median_of(histogram: Counter[int]) -> int | None:
    """The median of the durations (None below MIN_MEASURES measures)."""
    if histogram.total() < MIN_MEASURES:
        return None
    return round(statistics.median(sorted(histogram.elements())))


@dataclass(frozen=True)
class CalibrationRow:
    code: str
    label: str
    standard_seconds: int
    measures: int
    median_seconds: int | None  # None below MIN_MEASURES measures
    agent_gestes: int  # the agents' (not automated) gestes of the period, from the roll-ups

    @property
    def shown(self) -> bool:
        return self.median_seconds is not None

    @property
    def differs(self) -> bool:
        return self.median_seconds is not None and self.median_seconds != self.standard_seconds


def calibration_for(
    agent: Any, *, team_ids: Iterable[int] | None, start: dt.date, end: dt.date
) -> list[CalibrationRow]:
    """Per geste agents did in the period: the catalogue's standard time against the median
    of the measured durations (hidden below MIN_MEASURES measures)."""
    rows, _scope = rollups_for(agent, team_ids=team_ids, start=start, end=end)
    done = dict(
        rows.filter(actor_kind=ActorKind.AGENT, automated=False)
        .values("activity_code")
        .annotate(n=Sum("events"))
        .values_list("activity_code", "n")
    )
    measures = daily_measures(agent, team_ids=team_ids, start=start, end=end)
    catalogue = {
        activity.code: activity
        for activity in Activity.objects.filter(code__in=set(done) | set(measures))
    }
    result = []
    for code in sorted(set(done) | set(measures)):
        activity = catalogue.get(code)
        if activity is None:
            continue  # not a geste of the catalogue: nothing to calibrate
        values = measures.get(code, Counter())
        median = median_of(values)
        result.append(
            CalibrationRow(
                code=code,
                label=activity.label,
                standard_seconds=activity.standard_seconds,
                measures=values.total(),
                median_seconds=median,
                agent_gestes=int(done.get(code) or 0),
            )
        )
    result.sort(key=lambda row: row.label)
    return result


def measured_median(
    agent: Any, *, code: str, team_ids: Iterable[int] | None, start: dt.date, end: dt.date
) -> int | None:
    """The measured median of one geste, None below MIN_MEASURES measures."""
    measures = daily_measures(agent, team_ids=team_ids, start=start, end=end)
    return median_of(measures.get(code, Counter()))


# --- the journal events behind a figure ---------------------------------------------------


def gestes_for(
    agent: Any,
    *,
    start: dt.date,
    end: dt.date,
    activity: str = "",
    automated: bool | None = None,
    actor_kind: str = "",
    team_id: int | None = None,
    procedure_id: int | None = None,
    enquiries_only: bool = False,
) -> QuerySet[Event]:
    """The journal events a roll-up figure counts, from the base table: gestes on the cases
    and enquiries of the agent's countable teams, for the days [start, end]."""
    scope = scope_for(agent, None if team_id is None else [team_id])
    since, _ = day_bounds(start)
    _, until = day_bounds(end)
    events = Event.objects.filter(occurred_at__gte=since, occurred_at__lt=until).exclude(
        activity_code=""
    )
    events = events.exclude(verb__in=list(PERSONAL_DATA_VERBS))
    if enquiries_only:
        enquiries = Enquiry.objects.filter(team_id__in=scope.team_ids)
        keys = enquiries.annotate(key=Cast("pk", output_field=CharField())).values("key")
        events = events.filter(target_type=ENQUIRY_TARGET, target_id__in=keys)
    elif procedure_id is not None:
        cases = Case.objects.filter(team_id__in=scope.team_ids, procedure_id=procedure_id)
        keys = cases.annotate(key=Cast("pk", output_field=CharField())).values("key")
        events = events.filter(target_type=CASE_TARGET, target_id__in=keys)
    else:
        events = events.filter(_target_keys(scope.team_ids))
    if activity:
        events = events.filter(activity_code=activity)
    if automated is not None:
        events = events.filter(automated=automated)
    if actor_kind:
        events = events.filter(actor_kind=actor_kind)
    return events


@dataclass(frozen=True)
class GesteRow:
    """One journal event of the drill-down, as shown: never who the agent was."""

    pk: int
    occurred_at: dt.datetime
    activity_label: str
    actor: str  # "robot" or "agent" (or "usager", "system")
    automated: bool
    seconds: int | None
    target_label: str  # the case's or enquiry's reference ("" for a draft)
    target_url: str


def present_gestes(events: list[Event]) -> list[GesteRow]:
    """The rows of one page, with the references of their cases and enquiries (2 queries)."""
    from django.urls import reverse

    from levier.cases.models import CaseStatus

    case_ids = {int(e.target_id) for e in events if e.target_type == CASE_TARGET}
    enquiry_ids = {int(e.target_id) for e in events if e.target_type == ENQUIRY_TARGET}
    cases = {
        pk: (reference, status)
        for pk, reference, status in Case.objects.filter(pk__in=case_ids).values_list(
            "pk", "reference", "status"
        )
    }
    enquiries = dict(Enquiry.objects.filter(pk__in=enquiry_ids).values_list("pk", "reference"))
    labels = dict(Activity.objects.values_list("code", "label"))
    rows = []
    for event in events:
        label, url = "", ""
        if event.target_type == CASE_TARGET:
            reference, status = cases.get(int(event.target_id), ("", ""))
            if reference and status != CaseStatus.DRAFT:
                label, url = reference, reverse("cases:detail", args=[int(event.target_id)])
        elif event.target_type == ENQUIRY_TARGET:
            label = enquiries.get(int(event.target_id), "")
            if label:
                url = reverse("enquiries:detail", args=[int(event.target_id)])
        rows.append(
            GesteRow(
                pk=event.pk,
                occurred_at=timezone.localtime(event.occurred_at),
                activity_label=labels.get(event.activity_code, event.activity_code),
                actor=str(ActorKind(event.actor_kind).label)
                if event.actor_kind in ActorKind.values
                else event.actor_kind,
                automated=event.automated,
                seconds=event.duration_seconds,
                target_label=label,
                target_url=url,
            )
        )
    return rows


def gestes_total(events: QuerySet[Event]) -> Figure:
    """How many events, and their time as a roll-up counts it (measured, else standard)."""
    standard = Activity.objects.filter(code=OuterRef("activity_code")).values("standard_seconds")
    values = events.aggregate(
        n=Count("id"),
        s=Sum(Coalesce("duration_seconds", Subquery(standard[:1]), Value(0))),
    )
    return _figure(values)


def activity_label(code: str) -> str:
    if not code:
        return ""
    return Activity.objects.filter(code=code).values_list("label", flat=True).first() or code

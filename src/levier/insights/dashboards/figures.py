"""Every figure of the dashboards as a small dataclass: its value, the previous period's,
and the link to the list that makes it (the cases or enquiries list with its filters).

A count's link opens a list whose count of matching rows equals the figure
(tests/insights/test_dashboards.py walks every one of them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.urls import get_script_prefix, reverse

from .periods import Period


@lru_cache(maxsize=16)
def _list_path(kind: str, prefix: str) -> str:
    return reverse(f"{kind}:list")


def list_url(kind: str, **filters: Any) -> str:
    """The cases ("cases") or enquiries ("enquiries") list with these filters; dates as
    ISO days, None and empty values left out."""
    params = {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in filters.items()
        if value not in (None, "", False)
    }
    return f"{_list_path(kind, get_script_prefix())}?{urlencode(params)}"


def range_filters(prefix: str, period: Period) -> dict[str, dt.date]:
    """{"submitted_from": start, "submitted_to": end} and the like."""
    return {f"{prefix}_from": period.start, f"{prefix}_to": period.end}


@dataclass(frozen=True)
class CountFigure:
    """A number of cases or enquiries, and the list of exactly those."""

    value: int
    url: str


@dataclass(frozen=True)
class Compared:
    """A count in the period and the same count in the previous period."""

    current: CountFigure
    previous: CountFigure

    @property
    def change(self) -> int:
        return self.current.value - self.previous.value


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Rate:
    """`part` out of `whole` (deadlines met out of decided...), in one period."""

    part: CountFigure
    whole: CountFigure

    @property
    def share(self) -> float | None:
        return share(self.part.value, self.whole.value)

    @property
    def percent(self) -> int | None:
        value = self.share
        return None if value is None else round(100 * value)


@dataclass(frozen=True)
class ComparedRate:
    current: Rate
    previous: Rate

    @property
    def change_points(self) -> int | None:
        if self.current.percent is None or self.previous.percent is None:
            return None
        return self.current.percent - self.previous.percent


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class WeekRow:
    week: Period
    cells: list[CountFigure]  # one per column, then the week's total


@dataclass
class WeeklySeries:
    """Incoming volumes: one row per week of the period, one column per procedure (or
    channel, or topic), a total column; then the period's and the previous period's totals."""

    columns: list[Column]
    rows: list[WeekRow]
    totals: list[Compared]  # one per column, then the grand total

    def chart_labels(self) -> list[str]:
        return [row.week.start.strftime("%d/%m") for row in self.rows]

    def chart_series(self) -> list[tuple[str, list[int]]]:
        """One series per column (not the total), for the chart drawn above the table."""
        return [
            (column.label, [row.cells[index].value for row in self.rows])
            for index, column in enumerate(self.columns)
        ]

    def counts(self, weeks: bool = True) -> Iterator[CountFigure]:
        if weeks:
            for row in self.rows:
                yield from row.cells
        for total in self.totals:
            yield total.current
            yield total.previous


@dataclass(frozen=True)
class AgeBucket:
    label: str
    count: CountFigure


@dataclass
class Backlog:
    """Open cases (or enquiries) now, by age since submission (or reception)."""

    total: CountFigure
    buckets: list[AgeBucket]

    def counts(self) -> Iterator[CountFigure]:
        yield self.total
        for bucket in self.buckets:
            yield bucket.count


@dataclass(frozen=True)
class DurationFigure:
    """Submission to decision of the cases decided in one period: nearest-rank median and
    90th percentile, in seconds (None without a decided case)."""

    decided: CountFigure
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class ProcessingRow:
    procedure: str
    current: DurationFigure
    previous: DurationFigure


@dataclass(frozen=True)
class GestesFigure:
    """The gestes of a period (from the daily roll-ups): all of them, the robots' ones, and
    the time the robots' ones saved; each count opens the journal events behind it."""

    gestes: CountFigure
    automated: CountFigure
    hours_text: str
    fte_text: str
    robot_share: float | None

    @property
    def robot_percent(self) -> int | None:
        return None if self.robot_share is None else round(100 * self.robot_share)


def gestes_url(**filters: Any) -> str:
    """The journal events behind a roll-up figure (/pilotage/gestes/)."""
    params = {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in filters.items()
        if value not in (None, "")
    }
    return f"{reverse('insights:gestes')}?{urlencode(params)}"


@dataclass
class TeamFigures:
    """One team's dashboard for a period. `hidden`: fewer than MIN_TEAM_AGENTS agents, and
    no figure at all (no surveillance of individuals through a tiny team's numbers)."""

    team_id: int
    team_name: str
    period: Period
    previous: Period
    hidden: bool
    incoming_cases: WeeklySeries | None = None
    incoming_by_channel: WeeklySeries | None = None
    incoming_by_topic: WeeklySeries | None = None
    case_backlog: Backlog | None = None
    enquiry_backlog: Backlog | None = None
    processing: list[ProcessingRow] = field(default_factory=list)
    case_deadlines: ComparedRate | None = None
    answer_deadlines: ComparedRate | None = None
    first_contact: ComparedRate | None = None
    reopened: ComparedRate | None = None
    control_hits: ComparedRate | None = None  # levier's proposals that were confirmed
    random_hits: ComparedRate | None = None  # the random baseline's
    gestes: GestesFigure | None = None
    gestes_previous: GestesFigure | None = None

    @property
    def gestes_list(self) -> list[GestesFigure]:
        """The period's and the previous period's, in the table's column order."""
        return [g for g in (self.gestes, self.gestes_previous) if g is not None]

    def counts(self, weeks: bool = True) -> Iterator[CountFigure]:
        """Every count shown on the page (each a link whose list counts the same); without
        the week-by-week cells when `weeks` is false."""
        for series in (self.incoming_cases, self.incoming_by_channel, self.incoming_by_topic):
            if series is not None:
                yield from series.counts(weeks)
        for backlog in (self.case_backlog, self.enquiry_backlog):
            if backlog is not None:
                yield from backlog.counts()
        for row in self.processing:
            yield row.current.decided
            yield row.previous.decided
        for rate in (self.case_deadlines, self.answer_deadlines, self.first_contact, self.reopened,
                     self.control_hits, self.random_hits):  # fmt: skip
            if rate is not None:
                for one in (rate.current, rate.previous):
                    yield one.part
                    yield one.whole
        for gestes in (self.gestes, self.gestes_previous):
            if gestes is not None:
                yield gestes.gestes
                yield gestes.automated

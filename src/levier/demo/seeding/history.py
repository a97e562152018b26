"""Two years of history: when usagers write (seasons, slow growth) and who does each geste.

`HistoryCalendar` spreads N items over the history window with a density that follows the
seasons of each procedure (housing aid peaks at the start of the school year, everything
drops in August and at Christmas) on top of a slow growth of the online procedures. Item i
of N falls at the inverse of the cumulative density at (i + u) / N, so ids still follow time
and the queues of today still have work in them.

`Gestes` answers, for a geste and a moment, whether a robot already did it then: the
automations of `levier.automation.registry` carry the day each was switched on, and the
demo's history honours it. Before that day the geste is an agent's, journaled with a
duration measured on the page (the time between the agent's `read` of the case or enquiry
and the action, which is what the calibration of standard times reads), drawn around the
catalogue's standard time with the spread people have; from that day it is the robot's,
automated, with the standard time (the time saved). Insights then show a step at each
switch-on month.
"""

from __future__ import annotations

import bisect
import datetime
import math
import random
from collections.abc import Iterable
from typing import Any

from levier.automation import registry

from .. import content
from ..timeline import PARIS, UTC

HISTORY_DAYS = 730  # two years, for a default demo (larger ones go back three years)

# Month (1-12) -> how much more or less usagers write than in an average month.
SEASONS: dict[str, tuple[float, ...]] = {
    #                         Jan  Feb  Mar  Apr  May  Jun  Jul  Aug  Sep  Oct  Nov  Dec
    "aide-logement": (1.05, 0.95, 0.95, 0.9, 0.9, 1.0, 0.85, 0.5, 1.75, 1.4, 1.05, 0.7),
    "aide-petites-entreprises": (1.3, 1.1, 1.2, 1.05, 1.0, 1.0, 0.9, 0.45, 1.05, 1.1, 1.05, 0.8),
    "subvention-associations": (1.0, 1.35, 1.7, 1.45, 1.05, 0.8, 0.6, 0.35, 1.15, 1.0, 0.85, 0.7),
}
# Density at the start of the window against today's: the procedures gain usagers slowly.
GROWTH_FROM = 0.5

# Agents' practice against the catalogue's standard time (median of the measured
# durations / standard): some gestes take longer by hand than the catalogue says, some
# less, which is what calibrating the standard times is for. Spread: log-normal.
PRACTICE = {
    "register-enquiry": 0.8,
    "receive-email": 1.15,
    "classify-enquiry": 1.3,
    "route-enquiry": 0.9,
    "extract-entities": 1.25,
    "check-supporting-document": 1.4,
    "apply-control-rules": 1.2,
    "generate-document": 0.75,
    "send-email": 1.1,
    "warn-deadline": 1.5,
    "select-cases-for-control": 1.6,
    "answer-enquiry": 1.1,
    "decide-case": 1.25,
    "change-case-status": 0.9,
    "assign-case": 1.0,
    "assign-enquiry": 0.8,
    "comment-case": 1.2,
}
SPREAD = 0.45  # sigma of log(measured / median)


def _weight(entry: dict[str, Any]) -> float:
    weight: float = entry["weight"]
    return weight


def month_of(moment: datetime.datetime) -> int:
    return moment.astimezone(PARIS).month


class HistoryCalendar:
    """When the i-th of N items falls in the window, and which procedure a moment favours."""

    def __init__(self, *, now: datetime.datetime, days: int):
        self.start = now - datetime.timedelta(days=days)
        self.days = days
        flat = (1.0,) * 12
        # month -> the weight of each procedure (in content.PROCEDURES' order) that month
        self.monthly: dict[int, list[float]] = {
            month: [
                _weight(entry) * SEASONS.get(str(entry["slug"]), flat)[month - 1]
                for entry in content.PROCEDURES
            ]
            for month in range(1, 13)
        }
        self.cumulative: list[float] = []
        total = 0.0
        for day in range(days):
            moment = self.start + datetime.timedelta(days=day, hours=12)
            trend = GROWTH_FROM + (1 - GROWTH_FROM) * day / max(1, days - 1)
            total += trend * sum(self.monthly[month_of(moment)])
            self.cumulative.append(total)

    def moment(self, index: int, total: int, rng: random.Random) -> datetime.datetime:
        """Where the index-th of `total` items falls, increasing with the index."""
        target = (index + rng.random()) / total * self.cumulative[-1]
        day = min(bisect.bisect_left(self.cumulative, target), self.days - 1)
        before = self.cumulative[day - 1] if day else 0.0
        share = (target - before) / max(self.cumulative[day] - before, 1e-9)
        return self.start + datetime.timedelta(days=day + min(max(share, 0.0), 1.0))

    def procedure(self, moment: datetime.datetime, rng: random.Random) -> dict[str, Any]:
        """A procedure for a case submitted at `moment`, by the weight of its season."""
        return rng.choices(content.PROCEDURES, weights=self.monthly[month_of(moment)])[0]


class Gestes:
    """Who does a geste at a moment (an agent before its automation's day, then a robot)
    and how long an agent takes over it."""

    def __init__(self, *, standard_seconds: dict[str, int], rng: random.Random):
        self.standard = standard_seconds
        self.rng = rng
        self.switched_on = {a.code: a.switched_on for a in registry.AUTOMATIONS}

    def by_robot(self, automation: str, moment: datetime.datetime) -> bool:
        """Whether `automation` was switched on when `moment` came (Paris calendar day)."""
        return moment.astimezone(PARIS).date() >= self.switched_on[automation]

    def measured(self, activity: str) -> int | None:
        """An agent's measured time on the geste, in seconds (None for gestes of no time)."""
        standard = self.standard.get(activity, 0)
        if not standard:
            return None
        median = standard * PRACTICE.get(activity, 1.0)
        seconds = median * math.exp(self.rng.gauss(0.0, SPREAD))
        return max(5, min(round(seconds), round(median * 5)))


def weekly_mondays(
    start: datetime.datetime, end: datetime.datetime, *, hour: int, minute: int = 0
) -> Iterable[datetime.datetime]:
    """Every Monday at `hour`:`minute` Paris time in [start, end)."""
    local = start.astimezone(PARIS)
    day = local.date() + datetime.timedelta(days=(7 - local.weekday()) % 7)
    while True:
        moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)
        if moment >= end:
            return
        if moment >= start:
            yield moment.astimezone(UTC)
        day += datetime.timedelta(days=7)

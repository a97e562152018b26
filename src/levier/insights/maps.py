"""Scoped reads of the map page (/pilotage/carte/): figures of the cases an agent may see,
by the usager's département.

The cases counted are those submitted in the period (`submitted_at`, by local date, both
ends included, as the case list's "Submitted from / until" filters), of the agent's teams
(policy.rows_for through Case.objects.visible_to: drafts never count), optionally of one
procedure. A case's département is its usager's, from the contact's postal code by
`levier.core.geo.departement_of_postal_code` (2A/2B for Corsica, 971-976 overseas); a case
whose contact has no usable postal code is counted apart ("unknown").

Figures per département:
- incoming: the cases submitted in the period;
- median processing time: submission to decision, over the decided ones;
- deadlines met: among the cases whose deadline is known and whose outcome is known
  (decided, or still open past the deadline), the share decided by the deadline;
- control proposals: the share of the cases proposed for a control at least once (the
  journal's `raise-flag` event; a withdrawn proposal still counts, it was made).

A rate or a median is shown only over at least MIN_CASES cases ("—" otherwise): a share of
two cases says nothing, and a small département must not single out its usagers.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from levier.cases.models import OPEN_STATUSES, Case, Procedure
from levier.core.geo import departement_of_postal_code, departements
from levier.journal.models import Event

# A rate or a median over fewer cases is not shown.
MIN_CASES = 5
# Colour classes of the map (a sequential scale, see static/insights/maps.css).
CLASSES = 5
# Départements drawn by DSFR's map-chart (metropolitan France and the five overseas
# départements); Saint-Barthélemy (977), Saint-Martin (978) and the other collectivités
# are listed in the table only.
DRAWN_OVERSEAS = {"971", "972", "973", "974", "976"}
UNKNOWN = ""

METRICS: dict[str, Any] = {
    "incoming": _("Incoming cases"),
    "median_days": _("Median processing time (days)"),
    "deadlines_met": _("Instruction deadlines met (%)"),
    "flag_rate": _("Cases proposed for a control (%)"),
}
METRIC_UNITS = {
    "incoming": "",
    "median_days": pgettext_lazy("unit", "d"),
    "deadlines_met": "%",
    "flag_rate": "%",
}


@dataclass
class Tally:
    incoming: int = 0
    durations: list[float] = field(default_factory=list)  # days, decided cases
    deadline_known: int = 0
    deadline_met: int = 0
    flagged: int = 0

    def value(self, metric: str) -> float | None:
        """The figure, or None when it rests on fewer than MIN_CASES cases."""
        if metric == "incoming":
            return float(self.incoming)
        if metric == "median_days":
            if len(self.durations) < MIN_CASES:
                return None
            return round(statistics.median(self.durations), 1)
        if metric == "deadlines_met":
            if self.deadline_known < MIN_CASES:
                return None
            return round(100 * self.deadline_met / self.deadline_known, 1)
        if metric == "flag_rate":
            if self.incoming < MIN_CASES:
                return None
            return round(100 * self.flagged / self.incoming, 1)
        raise ValueError(metric)


@dataclass
class Row:
    code: str  # "" for the cases with no known département
    name: str
    tally: Tally
    value: float | None
    css_class: str  # "levier-map-c0".."c4", or "" when there is no value


@dataclass
class Bin:
    low: float
    high: float
    css_class: str
    # The low end belongs to the class below (equal-width classes of decimal figures: "over
    # 36 up to 52"); whole-number classes do not share their ends.
    low_excluded: bool = False


@dataclass
class DepartementMap:
    metric: str
    rows: list[Row]  # départements with at least one case, by code; the unknown one last
    total: Tally
    bins: list[Bin]

    @property
    def total_value(self) -> float | None:
        return self.total.value(self.metric)

    @property
    def drawn(self) -> dict[str, float]:
        """What the map draws: the départements with a value, by code."""
        return {
            row.code: row.value for row in self.rows if row.value is not None and is_drawn(row.code)
        }

    @property
    def classes(self) -> dict[str, str]:
        return {row.code: row.css_class for row in self.rows if row.css_class}


def is_drawn(code: str) -> bool:
    return bool(code) and (len(code) == 2 or code in DRAWN_OVERSEAS)


def table_order(code: str) -> tuple[int, str]:
    """01…19, 2A, 2B, 21…95, then 971…, then the unknown département."""
    if code == UNKNOWN:
        return (2, "")
    if len(code) == 3:
        return (1, code)
    return (0, code.replace("A", ".1").replace("B", ".2"))


def bins_for(values: Iterable[float], classes: int = CLASSES, *, whole: bool = False) -> list[Bin]:
    """Equal-width classes between the smallest and the largest value (one class when they
    are equal); the legend gives each class's range. With `whole` (counts), the ranges are
    whole numbers that do not overlap: 1 to 5, 6 to 10…, and an empty class is dropped."""
    values = sorted(values)
    if not values:
        return []
    low, high = values[0], values[-1]
    if low == high:
        return [Bin(low, high, "levier-map-c0")]
    step = (high - low) / classes
    edges = [low + step * index for index in range(classes)] + [high]
    if not whole:
        return [
            Bin(
                round(edges[index], 1),
                round(edges[index + 1], 1),
                f"levier-map-c{index}",
                low_excluded=index > 0,
            )
            for index in range(classes)
        ]
    found = []
    for index in range(classes):
        start = low if index == 0 else math.floor(edges[index]) + 1
        end = high if index == classes - 1 else math.floor(edges[index + 1])
        if start <= end:
            found.append(Bin(float(start), float(end), f"levier-map-c{index}"))
    return found


def class_of(value: float | None, bins: list[Bin]) -> str:
    if value is None or not bins:
        return ""
    for item in bins:
        if value <= item.high:
            return item.css_class
    return bins[-1].css_class


def cohort(
    agent: Any,
    *,
    start: dt.date,
    end: dt.date,
    procedure: Procedure | None = None,
) -> Any:
    """The cases the map counts: the agent's, submitted in [start, end] (local dates)."""
    cases = Case.objects.visible_to(agent).filter(
        submitted_at__date__gte=start, submitted_at__date__lte=end
    )
    if procedure is not None:
        cases = cases.filter(procedure=procedure)
    return cases


def departement_map(
    agent: Any,
    *,
    start: dt.date,
    end: dt.date,
    procedure: Procedure | None = None,
    metric: str = "incoming",
    now: dt.datetime | None = None,
) -> DepartementMap:
    if metric not in METRICS:
        raise ValueError(metric)
    now = now or timezone.now()
    cases = cohort(agent, start=start, end=end, procedure=procedure)
    zone = timezone.get_current_timezone()
    flagged = set(
        Event.objects.filter(
            verb="raise-flag",
            target_type=Case._meta.label_lower,
            occurred_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        ).values_list("target_id", flat=True)
    )
    tallies: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    found: dict[str, str] = {}
    rows = cases.values_list(
        "pk", "contact__postal_code", "status", "submitted_at", "decided_at", "due_at"
    )
    for pk, postal_code, status, submitted_at, decided_at, due_at in rows.iterator(2000):
        if postal_code not in found:
            found[postal_code] = departement_of_postal_code(postal_code) or UNKNOWN
        for tally in (tallies[found[postal_code]], total):
            tally.incoming += 1
            if decided_at is not None and submitted_at is not None:
                tally.durations.append((decided_at - submitted_at).total_seconds() / 86_400)
            if due_at is not None:
                if decided_at is not None:
                    tally.deadline_known += 1
                    tally.deadline_met += decided_at <= due_at
                elif status in OPEN_STATUSES and due_at < now:
                    tally.deadline_known += 1
            tally.flagged += str(pk) in flagged
    names = departements()
    values = {code: tally.value(metric) for code, tally in tallies.items()}
    bins = bins_for(
        (value for code, value in values.items() if value is not None and code),
        whole=metric == "incoming",
    )
    result = [
        Row(
            code=code,
            name=names[code].name if code in names else str(_("Unknown département")),
            tally=tallies[code],
            value=values[code],
            css_class=class_of(values[code], bins) if code else "",
        )
        for code in sorted(tallies, key=table_order)
    ]
    return DepartementMap(metric=metric, rows=result, total=total, bins=bins)

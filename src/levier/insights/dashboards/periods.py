"""The dashboards' period: a calendar week, month, quarter or year around a date, or a
custom range; and the previous period of equal length, for the comparison.

Days are local calendar days (settings.TIME_ZONE), the same the lists' date filters
use, so that a figure and the list behind it count the same rows. A period that has
not ended yet stops today: a month in progress is compared with as many days before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A custom period longer than this is refused (the page reads while the manager waits).
MAX_DAYS = 3 * 366


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


PERIOD_CHOICES = [
    (PeriodKind.WEEK.value, _("Week")),
    (PeriodKind.MONTH.value, _("Month")),
    (PeriodKind.QUARTER.value, _("Quarter")),
    (PeriodKind.YEAR.value, _("Year")),
    (PeriodKind.CUSTOM.value, _("Custom dates")),
]


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included."""

    start: dt.date
    end: dt.date
    kind: str = PeriodKind.CUSTOM.value

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length that ends the day before this one starts."""
        end = self.start - dt.timedelta(days=1)
        return Period(start=end - dt.timedelta(days=self.days - 1), end=end, kind=self.kind)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes in the current time zone."""
        zone = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=zone),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
        )

    def weeks(self) -> list[Period]:
        """The period cut into weeks (Monday to Sunday), the first and last clipped to it."""
        weeks = []
        start = self.start
        while start <= self.end:
            sunday = start + dt.timedelta(days=6 - start.weekday())
            weeks.append(Period(start=start, end=min(sunday, self.end), kind=PeriodKind.WEEK))
            start = sunday + dt.timedelta(days=1)
        return weeks


def calendar_period(kind: str, around: dt.date, today: dt.date | None = None) -> Period:
    """The calendar week, month, quarter or year that holds `around`, stopped at `today`."""
    today = today or timezone.localdate()
    if kind == PeriodKind.WEEK:
        start = around - dt.timedelta(days=around.weekday())
        end = start + dt.timedelta(days=6)
    elif kind == PeriodKind.MONTH:
        start = around.replace(day=1)
        end = _month_end(start)
    elif kind == PeriodKind.QUARTER:
        start = around.replace(month=3 * ((around.month - 1) // 3) + 1, day=1)
        end = _month_end(start.replace(month=start.month + 2))
    elif kind == PeriodKind.YEAR:
        start, end = around.replace(month=1, day=1), around.replace(month=12, day=31)
    else:
        raise ValueError(f"not a calendar period: {kind!r}")
    if start <= today < end:
        end = today
    return Period(start=start, end=end, kind=kind)


def _month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)

"""Deadlines counted in business hours: opening periods, open days, French holidays.

Opening periods are wall-clock times in the project time zone (Europe/Paris); the
hours counted are real elapsed time, so arithmetic is done in UTC and a DST change
inside an opening period (only possible with night opening) counts what really
passed. Long spans move day by day, never minute by minute.

Periods are half-open, [opening, closing): a deadline may fall exactly at closing
time ("by 17:00"), but work starting at 17:00 starts at the next opening.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

UTC = dt.UTC
# Beyond this many days without an opening, the calendar is taken as broken.
_MAX_CLOSED_DAYS = 3 * 366

_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

Period = tuple[dt.time, dt.time | None]  # None closing time: midnight at the end of the day


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """When the administration is open; hashable so that its days can be cached."""

    periods: tuple[Period, ...]
    days: frozenset[int]  # ISO weekdays, 1 = Monday
    holidays_subdiv: str = ""  # a French subdivision known to `holidays` ("57", "974")
    time_zone: str = "Europe/Paris"

    @classmethod
    def from_settings(cls) -> BusinessCalendar:
        """The calendar of LEVIER_BUSINESS_HOURS, LEVIER_BUSINESS_DAYS, LEVIER_HOLIDAYS_SUBDIV."""
        return _calendar(
            str(getattr(settings, "LEVIER_BUSINESS_HOURS", "09:00-12:30,13:30-17:00")),
            str(getattr(settings, "LEVIER_BUSINESS_DAYS", "1,2,3,4,5")),
            str(getattr(settings, "LEVIER_HOLIDAYS_SUBDIV", "") or ""),
            str(settings.TIME_ZONE),
        )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_holiday(self, day: dt.date) -> bool:
        return day in _holidays(self.holidays_subdiv, day.year)

    def is_open_day(self, day: dt.date) -> bool:
        return day.isoweekday() in self.days and not self.is_holiday(day)

    def openings(self, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """The opening periods of a local date, as UTC datetimes; empty when closed."""
        return _openings(self, day)

    def is_open(self, moment: dt.datetime) -> bool:
        moment = _utc(moment)
        day = moment.astimezone(self.tz).date()
        return any(start <= moment < end for start, end in self.openings(day))


@lru_cache(maxsize=4096)
def _openings(
    calendar: BusinessCalendar, day: dt.date
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    if not calendar.is_open_day(day):
        return ()
    tz = calendar.tz
    next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)
    return tuple(
        (
            dt.datetime.combine(day, start, tz).astimezone(UTC),
            (dt.datetime.combine(day, end, tz) if end else next_midnight).astimezone(UTC),
        )
        for start, end in calendar.periods
    )


@cache
def _holidays(subdiv: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("FR", subdiv=subdiv or None, years=year))


# -- parsing settings ----------------------------------------------------------


@lru_cache(maxsize=16)
def _calendar(hours: str, days: str, subdiv: str, time_zone: str) -> BusinessCalendar:
    return BusinessCalendar(
        periods=parse_periods(hours),
        days=parse_days(days),
        holidays_subdiv=parse_subdiv(subdiv),
        time_zone=time_zone,
    )


def _time(hour: str, minute: str, *, closing: bool) -> dt.time | None:
    h, m = int(hour), int(minute)
    if closing and (h, m) == (24, 0):
        return None
    return dt.time(h, m)  # ValueError past 23:59


def parse_periods(value: str) -> tuple[Period, ...]:
    """'09:00-12:30,13:30-17:00' -> ((09:00, 12:30), (13:30, 17:00)); '24:00' closes at midnight."""
    example = "e.g. LEVIER_BUSINESS_HOURS=09:00-12:30,13:30-17:00"
    periods: list[Period] = []
    for part in value.split(","):
        match = _PERIOD.match(part)
        try:
            if not match:
                raise ValueError
            start = _time(match[1], match[2], closing=False)
            end = _time(match[3], match[4], closing=True)
        except ValueError:
            raise ImproperlyConfigured(
                f"LEVIER_BUSINESS_HOURS: {part.strip()!r} is not an opening period; write "
                f"periods as HH:MM-HH:MM separated by commas ({example})."
            ) from None
        assert start is not None
        if end is not None and end <= start:
            raise ImproperlyConfigured(
                f"LEVIER_BUSINESS_HOURS: {part.strip()!r} closes before it opens; periods "
                f"cannot run past midnight ({example})."
            )
        if periods and (periods[-1][1] is None or periods[-1][1] > start):
            raise ImproperlyConfigured(
                f"LEVIER_BUSINESS_HOURS: {part.strip()!r} overlaps or precedes the period "
                f"before it; list periods in order without overlap ({example})."
            )
        periods.append((start, end))
    return tuple(periods)


def parse_days(value: str) -> frozenset[int]:
    """'1,2,3,4,5' (ISO weekdays, 1 = Monday) -> frozenset({1, 2, 3, 4, 5})."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts or not all(part in "1234567" and len(part) == 1 for part in parts):
        raise ImproperlyConfigured(
            f"LEVIER_BUSINESS_DAYS: {value!r} is not a list of ISO weekdays; write numbers "
            "from 1 (Monday) to 7 (Sunday) separated by commas, e.g. "
            "LEVIER_BUSINESS_DAYS=1,2,3,4,5."
        )
    return frozenset(int(part) for part in parts)


def parse_subdiv(value: str) -> str:
    """'' (mainland France), or a subdivision `holidays` knows: '57', '974', 'Moselle'."""
    value = value.strip()
    if not value:
        return ""
    france = holidays.country_holidays("FR")
    aliases = getattr(france, "subdivisions_aliases", {}) or {}
    code = aliases.get(value, value)
    if code not in france.subdivisions:
        known = ", ".join(france.subdivisions)
        raise ImproperlyConfigured(
            f"LEVIER_HOLIDAYS_SUBDIV: {value!r} is not a French subdivision with its own "
            f"holidays; leave it empty for mainland France or use one of {known} "
            "(e.g. LEVIER_HOLIDAYS_SUBDIV=57 for Moselle)."
        )
    return code


# -- arithmetic ----------------------------------------------------------------


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"Business hours need an aware datetime; got the naive {moment!r}.")
    return moment.astimezone(UTC)


def _days(calendar: BusinessCalendar, first: dt.date, step: int) -> Iterator[dt.date]:
    """Local dates from `first`, forwards (step 1) or backwards (-1), stopping if never open."""
    day = first
    closed_run = 0
    while closed_run <= _MAX_CLOSED_DAYS:
        yield day
        closed_run = 0 if calendar.openings(day) else closed_run + 1
        day += dt.timedelta(days=step)
    raise ImproperlyConfigured(
        f"The business calendar has no opening in {_MAX_CLOSED_DAYS} days after {first}; "
        "check LEVIER_BUSINESS_DAYS and LEVIER_BUSINESS_HOURS."
    )


def add_business_hours(
    start: dt.datetime, hours: float, calendar: BusinessCalendar | None = None
) -> dt.datetime:
    """The moment `hours` business hours after `start` (before it when negative).

    A start outside opening hours counts from the next opening (the previous closing
    when going back); the answer is in the project time zone.
    """
    if not math.isfinite(hours):
        raise ValueError(f"Business hours must be a finite number; got {hours!r}.")
    calendar = calendar or BusinessCalendar.from_settings()
    moment = _utc(start)
    remaining = dt.timedelta(hours=abs(hours))
    first_day = moment.astimezone(calendar.tz).date()
    if hours >= 0:
        found = _forwards(calendar, moment, remaining, first_day)
    else:
        found = _backwards(calendar, moment, remaining, first_day)
    return found.astimezone(calendar.tz)


def _forwards(
    calendar: BusinessCalendar, moment: dt.datetime, remaining: dt.timedelta, first: dt.date
) -> dt.datetime:
    for day in _days(calendar, first, 1):
        for opening, closing in calendar.openings(day):
            if closing <= moment:
                continue
            opening = max(opening, moment)
            if remaining <= closing - opening:
                return opening + remaining
            remaining -= closing - opening
    raise AssertionError("unreachable: _days() raises first")  # pragma: no cover


def _backwards(
    calendar: BusinessCalendar, moment: dt.datetime, remaining: dt.timedelta, first: dt.date
) -> dt.datetime:
    for day in _days(calendar, first, -1):
        for opening, closing in reversed(calendar.openings(day)):
            if opening >= moment:
                continue
            closing = min(closing, moment)
            if remaining <= closing - opening:
                return closing - remaining
            remaining -= closing - opening
    raise AssertionError("unreachable: _days() raises first")  # pragma: no cover


def business_hours_between(
    start: dt.datetime, end: dt.datetime, calendar: BusinessCalendar | None = None
) -> float:
    """Business hours from `start` to `end`; negative when `end` comes first."""
    calendar = calendar or BusinessCalendar.from_settings()
    low, high = _utc(start), _utc(end)
    if high < low:
        return -business_hours_between(end, start, calendar)
    tz = calendar.tz
    day, last = low.astimezone(tz).date(), high.astimezone(tz).date()
    total = dt.timedelta()
    while day <= last:
        for opening, closing in calendar.openings(day):
            overlap = min(closing, high) - max(opening, low)
            if overlap > dt.timedelta():
                total += overlap
        day += dt.timedelta(days=1)
    return total / dt.timedelta(hours=1)

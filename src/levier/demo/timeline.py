"""When things happen in the demo: usagers any day, agents on working hours."""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
UTC = datetime.UTC


def usager_time(moment: datetime.datetime, rng: random.Random) -> datetime.datetime:
    """Usagers write any day, mostly between 7 h and 23 h (local time)."""
    local = moment.astimezone(PARIS)
    if local.hour < 7:
        local = local.replace(hour=rng.randint(7, 22), minute=rng.randint(0, 59))
    return local.astimezone(UTC)


def working_time(moment: datetime.datetime, rng: random.Random) -> datetime.datetime:
    """The same moment moved into office hours: weekdays, 8 h 30 - 17 h 30 (local time)."""
    local = moment.astimezone(PARIS)
    minutes = local.hour * 60 + local.minute
    opening = datetime.timedelta(minutes=rng.randint(0, 180))
    if minutes < 8 * 60 + 30:
        local = local.replace(hour=8, minute=30) + opening
    elif minutes > 17 * 60 + 30:
        local = (local + datetime.timedelta(days=1)).replace(hour=8, minute=30) + opening
    weekday = local.weekday()
    if weekday >= 5:
        local = local + datetime.timedelta(days=7 - weekday)
    return local.astimezone(UTC)


def after(
    moment: datetime.datetime,
    *,
    hours: float,
    rng: random.Random,
    now: datetime.datetime,
    office: bool = True,
) -> datetime.datetime:
    """A moment `hours` later (in office hours for agents), never in the future."""
    later = moment + datetime.timedelta(hours=hours)
    if office:
        later = working_time(later, rng)
    if later <= moment:
        later = moment + datetime.timedelta(minutes=rng.randint(1, 30))
    ceiling = now - datetime.timedelta(minutes=rng.randint(1, 90))
    if later > ceiling:
        later = max(moment + datetime.timedelta(seconds=1), min(later, ceiling))
    return later

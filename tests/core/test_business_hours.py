"""Business hours: opening periods, French holidays, DST, long spans."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from levier.core.business_hours import (
    BusinessCalendar,
    add_business_hours,
    business_hours_between,
)

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
CALENDAR = BusinessCalendar.from_settings()  # 09:00-12:30, 13:30-17:00, Monday to Friday
MOSELLE = BusinessCalendar(CALENDAR.periods, CALENDAR.days, "57")


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1),
    max_value=dt.datetime(2028, 12, 31),
    timezones=st.just(PARIS),
    allow_imaginary=False,
)
spans = st.floats(min_value=0, max_value=2_000, allow_nan=False)


def test_defaults_come_from_settings():
    assert CALENDAR.periods == (
        (dt.time(9), dt.time(12, 30)),
        (dt.time(13, 30), dt.time(17)),
    )
    assert CALENDAR.days == frozenset({1, 2, 3, 4, 5})
    assert CALENDAR.holidays_subdiv == ""


def test_within_a_day_and_across_lunch():
    assert add_business_hours(paris(2026, 3, 3, 9), 2) == paris(2026, 3, 3, 11)
    assert add_business_hours(paris(2026, 3, 3, 11), 2) == paris(2026, 3, 3, 14)
    assert add_business_hours(paris(2026, 3, 3, 16), 1) == paris(2026, 3, 3, 17)  # by closing
    assert business_hours_between(paris(2026, 3, 3, 8), paris(2026, 3, 3, 18)) == 7


def test_starting_outside_opening_hours_starts_at_the_next_opening():
    assert add_business_hours(paris(2026, 3, 3, 7), 0) == paris(2026, 3, 3, 9)
    assert add_business_hours(paris(2026, 3, 3, 12, 45), 0.5) == paris(2026, 3, 3, 14)
    assert add_business_hours(paris(2026, 3, 3, 17), 1) == paris(2026, 3, 4, 10)
    assert add_business_hours(paris(2026, 3, 7, 10), 1) == paris(2026, 3, 9, 10)  # Saturday


def test_a_friday_afternoon_deadline_lands_on_monday():
    assert add_business_hours(paris(2026, 3, 6, 16), 3) == paris(2026, 3, 9, 11)


def test_negative_hours_go_back():
    # Monday 09:00-10:00, then Friday 16:00-17:00.
    assert add_business_hours(paris(2026, 3, 9, 10), -2) == paris(2026, 3, 6, 16)
    assert business_hours_between(paris(2026, 3, 9, 10), paris(2026, 3, 6, 16)) == -2
    assert add_business_hours(paris(2026, 3, 7, 10), -1) == paris(2026, 3, 6, 16)  # Saturday


@pytest.mark.parametrize(
    ("before", "closed", "deadline"),
    [
        # Thursday 16:00 + 2 hours: Good Friday is open outside Alsace-Moselle.
        (paris(2026, 4, 2, 16), dt.date(2026, 4, 6), paris(2026, 4, 3, 10)),
        (paris(2026, 4, 3, 16), dt.date(2026, 4, 6), paris(2026, 4, 7, 10)),  # Easter Monday
        (paris(2026, 4, 30, 16), dt.date(2026, 5, 1), paris(2026, 5, 4, 10)),  # 1 May, a Friday
        (paris(2026, 5, 13, 16), dt.date(2026, 5, 14), paris(2026, 5, 15, 10)),  # Ascension
        (paris(2026, 12, 24, 16), dt.date(2026, 12, 25), paris(2026, 12, 28, 10)),  # Christmas
        (paris(2025, 12, 24, 16), dt.date(2025, 12, 25), paris(2025, 12, 26, 10)),
    ],
)
def test_public_holidays_are_skipped(before, closed, deadline):
    assert add_business_hours(before, 2) == deadline
    assert CALENDAR.openings(closed) == ()
    whole_day = business_hours_between(
        dt.datetime.combine(closed, dt.time(), PARIS),
        dt.datetime.combine(closed + dt.timedelta(days=1), dt.time(), PARIS),
    )
    assert whole_day == 0


def test_ascension_2026_pushes_a_wednesday_deadline_to_friday():
    assert add_business_hours(paris(2026, 5, 13, 16), 2) == paris(2026, 5, 15, 10)


def test_moselle_also_closes_on_good_friday_and_st_stephen():
    good_friday = paris(2026, 4, 3, 10)
    assert CALENDAR.is_open(good_friday) and not MOSELLE.is_open(good_friday)
    assert add_business_hours(paris(2026, 4, 2, 16), 2, MOSELLE) == paris(2026, 4, 7, 10)
    st_stephen_2025 = paris(2025, 12, 26, 10)  # a Friday
    assert CALENDAR.is_open(st_stephen_2025) and not MOSELLE.is_open(st_stephen_2025)


def test_dst_weekends_do_not_shift_opening_hours():
    # Clocks go forward on Sunday 29 March 2026 and back on Sunday 25 October 2026.
    spring = add_business_hours(paris(2026, 3, 27, 16), 2)
    assert spring == paris(2026, 3, 30, 10)
    assert spring.utcoffset() == dt.timedelta(hours=2)
    autumn = add_business_hours(paris(2026, 10, 23, 16), 2)
    assert autumn == paris(2026, 10, 26, 10)
    assert autumn.utcoffset() == dt.timedelta(hours=1)
    assert business_hours_between(paris(2026, 3, 27, 9), paris(2026, 3, 30, 17)) == 14
    assert business_hours_between(paris(2026, 10, 23, 9), paris(2026, 10, 26, 17)) == 14


def test_night_opening_across_a_dst_change_counts_real_hours():
    always = BusinessCalendar(((dt.time(0), None),), frozenset(range(1, 8)))
    # 29 March 2026 has 23 hours in Paris, 25 October 25.
    day = business_hours_between(paris(2026, 3, 29), paris(2026, 3, 30), always)
    assert day == 23
    day = business_hours_between(paris(2026, 10, 25), paris(2026, 10, 26), always)
    assert day == 25


def test_long_spans_are_fast_and_exact():
    start = paris(2026, 1, 5, 9)
    deadline = add_business_hours(start, 10_000)
    assert business_hours_between(start, deadline) == pytest.approx(10_000)
    assert deadline == paris(2031, 9, 5, 14)  # about 250 open days of 7 hours a year


def test_any_time_zone_in_project_time_zone_out():
    start = dt.datetime(2026, 3, 3, 8, tzinfo=UTC)  # 09:00 in Paris
    result = add_business_hours(start, 1)
    assert result == paris(2026, 3, 3, 10) and result.tzinfo == PARIS


def test_naive_datetimes_and_nan_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_hours(dt.datetime(2026, 3, 3, 9), 1)
    with pytest.raises(ValueError, match="finite"):
        add_business_hours(paris(2026, 3, 3, 9), float("nan"))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LEVIER_BUSINESS_HOURS", "9h-17h", "HH:MM-HH:MM"),
        ("LEVIER_BUSINESS_HOURS", "09:00-25:00", "HH:MM-HH:MM"),
        ("LEVIER_BUSINESS_HOURS", "17:00-09:00", "closes before it opens"),
        ("LEVIER_BUSINESS_HOURS", "09:00-13:00,12:00-17:00", "overlaps"),
        ("LEVIER_BUSINESS_DAYS", "lundi", "1 \\(Monday\\) to 7"),
        ("LEVIER_BUSINESS_DAYS", "", "ISO weekdays"),
        ("LEVIER_BUSINESS_DAYS", "0,8", "ISO weekdays"),
        ("LEVIER_HOLIDAYS_SUBDIV", "67x", "LEVIER_HOLIDAYS_SUBDIV=57"),
    ],
)
def test_malformed_settings_name_the_variable_and_an_example(settings, name, value, message):
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=name) as error:
        BusinessCalendar.from_settings()
    assert error.match(message)


def test_settings_accept_midnight_weekends_and_subdivision_aliases(settings):
    settings.LEVIER_BUSINESS_HOURS = "08:00-24:00"
    settings.LEVIER_BUSINESS_DAYS = "6, 7"
    settings.LEVIER_HOLIDAYS_SUBDIV = "Moselle"
    calendar = BusinessCalendar.from_settings()
    assert calendar.holidays_subdiv == "57"
    assert add_business_hours(paris(2026, 3, 6, 12), 16) == paris(2026, 3, 8, 0)


def test_a_calendar_that_never_opens_fails_clearly():
    never = BusinessCalendar(((dt.time(9), dt.time(17)),), frozenset())
    with pytest.raises(ImproperlyConfigured, match="no opening"):
        add_business_hours(paris(2026, 3, 3, 9), 1, never)


# -- properties ----------------------------------------------------------------------


@given(start=moments, hours=spans)
@hypothesis_settings(max_examples=300, deadline=None)
def test_adding_then_measuring_gives_the_hours_back(start, hours):
    deadline = add_business_hours(start, hours, CALENDAR)
    assert business_hours_between(start, deadline, CALENDAR) == pytest.approx(hours, abs=1e-6)
    back = add_business_hours(start, -hours, CALENDAR)
    assert business_hours_between(start, back, CALENDAR) == pytest.approx(-hours, abs=1e-6)


@given(start=moments, a=spans, b=spans)
@hypothesis_settings(max_examples=200, deadline=None)
def test_more_hours_never_come_earlier(start, a, b):
    low, high = sorted((a, b))
    assert add_business_hours(start, low, CALENDAR) <= add_business_hours(start, high, CALENDAR)


@given(start=moments, hours=st.floats(min_value=0.001, max_value=500))
@hypothesis_settings(max_examples=300, deadline=None)
def test_deadlines_fall_within_opening_hours(start, hours):
    deadline = add_business_hours(start, hours, MOSELLE)
    local = deadline.astimezone(PARIS)
    assert local.tzinfo == PARIS
    assert MOSELLE.is_open_day(local.date())
    assert any(opening < deadline <= closing for opening, closing in MOSELLE.openings(local.date()))


@given(start=moments, end=moments)
@hypothesis_settings(max_examples=200, deadline=None)
def test_between_is_antisymmetric_and_bounded(start, end):
    forwards = business_hours_between(start, end, CALENDAR)
    assert forwards == -business_hours_between(end, start, CALENDAR)
    elapsed = (end.astimezone(UTC) - start.astimezone(UTC)) / dt.timedelta(hours=1)
    assert abs(forwards) <= abs(elapsed) + 1e-9

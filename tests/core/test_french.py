"""French numbers, money and dates (levier.core.french): examples, refusals, round trips."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from levier.core.french import (
    NARROW_NBSP,
    NBSP,
    FrenchFormatError,
    format_date,
    format_datetime,
    format_long_date,
    format_money,
    format_month,
    format_number,
    group_digits,
    parse_date,
    parse_decimal,
    parse_money,
    to_decimal,
)

N, S = NARROW_NBSP, NBSP


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_refusals_speak_french_to_french_users():
    with translation.override("fr"), pytest.raises(FrenchFormatError) as raised:
        parse_decimal("1.234")
    assert str(raised.value) == (
        f"« 1.234 » est ambigu : le point peut séparer les milliers ou les décimales. "
        f"Écrivez 1{N}234 ou 1,234."
    )
    with translation.override("fr"), pytest.raises(FrenchFormatError, match="pas une date"):
        parse_date("hier")


# ---------------------------------------------------------------------------
# Writing numbers and money
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (999, "999"),
        (1000, f"1{N}000"),
        (1234567, f"1{N}234{N}567"),
        (-1234567, f"-1{N}234{N}567"),
    ],
)
def test_group_digits(value, expected):
    assert group_digits(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.50"), f"1{N}234,5"),
        ("1234.500", f"1{N}234,5"),
        (12, "12"),
        (0.1, "0,1"),
        (Decimal("-0.25"), "-0,25"),
        (Decimal("1E+3"), f"1{N}000"),
        ("1000000.000", f"1{N}000{N}000"),
    ],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_format_number_with_decimals_rounds_half_up_and_pads():
    assert format_number("2.5", decimals=0) == "3"
    assert format_number("0.125", decimals=2) == "0,13"
    assert format_number(1234, decimals=2) == f"1{N}234,00"
    assert format_number(1234, separator=" ") == "1 234"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234.5", f"1{N}234,50{S}€"),
        (0, f"0,00{S}€"),
        (Decimal("-1234.5"), f"-1{N}234,50{S}€"),
        (Decimal("-0.5"), f"-0,50{S}€"),
        (Decimal("0.005"), f"0,01{S}€"),
        (1000000, f"1{N}000{N}000,00{S}€"),
    ],
)
def test_format_money(value, expected):
    assert format_money(value) == expected


def test_format_money_in_euros_and_with_plain_spaces():
    assert format_money("23456.5", cents=False) == f"23{N}457{S}€"
    assert format_money("23456.5", separator=" ", before_symbol=" ") == "23 456,50 €"


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity", True, "1 234,5"])
def test_writing_refuses_what_is_not_a_plain_number(value):
    with pytest.raises(FrenchFormatError, match="is not a number"):
        format_money(value)
    with pytest.raises(ValueError):  # FrenchFormatError is a ValueError for callers that know it
        to_decimal(value)


# ---------------------------------------------------------------------------
# Reading numbers and money
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", "1234"),
        ("1 234,50 €", "1234.50"),
        (f"1{N}234,50{S}€", "1234.50"),
        (f"1{S}234{S}567", "1234567"),
        ("1\u2009234,5", "1234.5"),
        ("1.234,50", "1234.50"),
        ("1.234.567", "1234567"),
        ("1'234.50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1234.56", "1234.56"),
        ("1234.567", "1234.567"),
        ("0.125", "0.125"),
        ("12,5", "12.5"),
        (",5", "0.5"),
        ("-12,5", "-12.5"),
        ("\u221212,5", "-12.5"),
        ("+3", "3"),
        ("- 1 234,00 EUR", "-1234.00"),
        ("12 euros", "12"),
        ("  42  ", "42"),
        ("1 234 ,5", "1234.5"),
    ],
)
def test_parse_decimal(text, expected):
    assert parse_decimal(text) == Decimal(expected)
    assert str(parse_decimal(text)) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is not a number"),
        ("€", "is not a number"),
        ("abc", "is not a number"),
        ("12a", "is not a number"),
        ("1,2,3", "several commas"),
        ("1,234,567", "several commas"),
        ("1.234", "ambiguous"),
        ("12.500", "ambiguous"),
        ("12 34", "unevenly"),
        ("1 2345", "unevenly"),
        ("1.234.56", "unevenly"),
        ("12,", "is not a number"),
        ("1,2.3,4", "is not a number"),
        ("²", "is not a number"),
        ("٣", "is not a number"),
        ("--1", "is not a number"),
    ],
)
def test_parse_decimal_refuses_with_a_reason(text, problem):
    with pytest.raises(FrenchFormatError, match=problem):
        parse_decimal(text)


def test_the_ambiguity_message_gives_both_readings():
    with pytest.raises(FrenchFormatError) as raised:
        parse_decimal("1.234")
    assert f"1{N}234" in str(raised.value) and "1,234" in str(raised.value)


def test_parse_money():
    assert str(parse_money("1 234,5 €")) == "1234.50"
    assert str(parse_money("12")) == "12.00"
    with pytest.raises(FrenchFormatError, match="more than two decimals"):
        parse_money("12,345")


amounts = st.decimals(
    min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=2, allow_nan=False
)
numbers = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False
)


@given(amounts)
def test_money_round_trip(value):
    assert parse_money(format_money(value)) == value
    assert parse_money(format_money(value, separator=" ", before_symbol=" ")) == value


@given(numbers)
def test_number_round_trip(value):
    assert parse_decimal(format_number(value)) == value


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_grouped_integers_round_trip(value):
    for separator in (NARROW_NBSP, NBSP, " ", "'"):
        assert parse_decimal(group_digits(value, separator)) == value
    # One point is ambiguous ('1.000'), two are not ('1.000.000').
    if not 1000 <= abs(value) < 1_000_000:
        assert parse_decimal(group_digits(value, ".")) == value


@given(st.text(max_size=20))
def test_parse_decimal_returns_or_refuses_but_never_crashes(text):
    try:
        number = parse_decimal(text)
    except FrenchFormatError as error:
        assert str(error)
    else:
        assert number.is_finite()


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def test_format_dates():
    day = datetime.date(2026, 12, 4)
    assert format_date(day) == "04/12/2026"
    assert format_long_date(day) == "4 décembre 2026"
    assert format_long_date(datetime.date(2026, 3, 1)) == "1er mars 2026"
    assert format_month(day) == "décembre 2026"


def test_aware_datetimes_are_written_on_their_local_day(settings):
    settings.TIME_ZONE = "Europe/Paris"
    late = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)  # 00:30 in Paris
    assert format_date(late) == "01/01/2027"
    assert format_long_date(late) == "1er janvier 2027"
    assert format_datetime(late) == "01/01/2027 00:30"
    assert format_datetime(late, seconds=True) == "01/01/2027 00:30:00"
    naive = datetime.datetime(2026, 12, 31, 23, 30, 5)
    assert format_date(naive) == "31/12/2026"
    assert format_datetime(naive, seconds=True) == "31/12/2026 23:30:05"
    paris = late.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    assert format_datetime(paris) == "01/01/2027 00:30"


@pytest.mark.parametrize(
    "text",
    [
        "04/12/2026",
        "4/12/2026",
        "4.12.2026",
        "04-12-2026",
        "04 / 12 / 2026",
        "2026-12-04",
        "4 décembre 2026",
        "4 DÉCEMBRE 2026",
        "4 decembre 2026",
        "  4   décembre\u00a02026 ",
    ],
)
def test_parse_date(text):
    assert parse_date(text) == datetime.date(2026, 12, 4)


def test_parse_date_first_of_the_month():
    assert parse_date("1er mars 2026") == datetime.date(2026, 3, 1)
    assert parse_date("1 août 2026") == datetime.date(2026, 8, 1)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is not a date"),
        ("04/12/26", "is not a date"),
        ("4 decembr 2026", "is not a date"),
        ("2026/12/04", "is not a date"),
        ("hier", "is not a date"),
        ("31/02/2026", "not a day of the calendar"),
        ("2026-13-01", "not a day of the calendar"),
        ("0 mars 2026", "not a day of the calendar"),
    ],
)
def test_parse_date_refuses_with_a_reason(text, problem):
    with pytest.raises(FrenchFormatError, match=problem):
        parse_date(text)


@given(st.dates(min_value=datetime.date(1000, 1, 1)))
def test_date_round_trips(day):
    assert parse_date(format_date(day)) == day
    assert parse_date(format_long_date(day)) == day
    assert parse_date(day.isoformat()) == day


def test_the_template_filter_groups_digits_and_leaves_the_rest():
    from django.template import Context, Template

    template = Template("{% load levier_filters %}{{ a|french_number }}/{{ b|french_number }}")
    assert template.render(Context({"a": 3348, "b": "—"})) == "3\u202f348/—"

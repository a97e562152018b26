"""French amounts, dates, periods and identifiers parsed into normalised values."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from levier.controls.reading import normalise
from levier.demo.pdfs import format_date, format_euros

MONTH_NAMES = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
               "septembre", "octobre", "novembre", "décembre")  # fmt: skip


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("23 456,50 €", "23456.50"),
        ("23 456 €", "23456.00"),
        ("23.456,50", "23456.50"),
        ("23456.50 EUR", "23456.50"),
        ("23\u202f456,50\u00a0€", "23456.50"),
        ("1O 5OO,OO €", "10500.00"),
        ("0,00 €", "0.00"),
        ("2,5", "2.50"),
        ("1.234.567", "1234567.00"),
        ("12 34,5", None),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_amount(printed, expected):
    assert normalise.parse_amount(printed) == expected


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


@given(amounts)
def test_amounts_printed_the_french_way_read_back(value):
    assert normalise.parse_amount(format_euros(value)) == f"{value:.2f}"
    narrow = format_euros(value).replace(" ", "\u202f")
    assert normalise.parse_amount(narrow) == f"{value:.2f}"
    assert normalise.parse_amount(f"{value:.2f} EUR") == f"{value:.2f}"


@given(amounts)
def test_amount_in_a_labelled_line(value):
    assert normalise.money_in(f"Total HT {format_euros(value)}")[1] == f"{value:.2f}"


@given(st.text(max_size=40))
def test_parsers_never_raise(text):
    normalise.parse_amount(text)
    normalise.parse_date(text)
    normalise.parse_period(text)
    normalise.amounts_in(text)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("31/07/2024", "2024-07-31"),
        ("31.07.2024", "2024-07-31"),
        ("31 juillet 2024", "2024-07-31"),
        ("1er mars 2025", "2025-03-01"),
        ("Le 15 AOÛT 2025", "2025-08-15"),
        ("29/02/2023", None),
        ("no date", None),
    ],
)
def test_parse_date(printed, expected):
    assert normalise.parse_date(printed) == expected


days = st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2099, 12, 31))


@given(days)
def test_dates_read_back_in_every_french_form(day):
    words = f"{'1er' if day.day == 1 else day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
    for printed in (format_date(day), day.strftime("%d.%m.%Y"), words):
        assert normalise.parse_date(printed) == day.isoformat()


@given(days)
def test_periods(day):
    month = f"{day.year:04d}-{day.month:02d}"
    assert normalise.parse_period(f"{MONTH_NAMES[day.month - 1]} {day.year}") == month
    assert normalise.parse_period(f"du {format_date(day)} au {format_date(day)}") == month
    assert normalise.parse_period(day.strftime("%m/%Y")) == month


@given(st.integers(min_value=10**7, max_value=10**8 - 1))
def test_siren_and_siret_luhn(body):
    siren = f"{body}{luhn.calc_check_digit(str(body))}"
    assert normalise.check_siren(f"{siren[:3]} {siren[3:6]} {siren[6:]}") == (siren, True, "")
    wrong = siren[:-1] + str((int(siren[-1]) + 1) % 10)
    value, valid, problem = normalise.check_siren(wrong)
    assert not valid and wrong in problem
    siret = siren + "0001" + luhn.calc_check_digit(siren + "0001")
    assert normalise.check_siret(siret)[1]


def test_identifiers():
    assert normalise.check_iban("FR76 3000 6000 0112 3456 7890 189") == (
        "FR7630006000011234567890189",
        True,
        "",
    )
    assert not normalise.check_iban("FR76 3000 6000 0112 3456 7890 188")[1]
    assert normalise.check_bic("BNPAFRPP")[1] and not normalise.check_bic("BNP")[1]
    assert normalise.check_vat("FR66916146103")[1]
    assert normalise.check_tax_number("3098 070 543 349") == ("3098070543349", True, "")
    assert not normalise.check_tax_number("123")[1]
    assert normalise.check_nir("1 85 05 78 006 084 91")[1]


def test_fix_ocr_digits_leaves_words_alone():
    assert normalise.fix_ocr_digits("Total 1O5,O0 € Orange") == "Total 105,00 € Orange"

"""French formatting of merge values (hypothesis for the parsers and formatters)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from levier.cases.schema import parse_french_decimal
from levier.documents.formatting import MONTHS, date_longue, en_lettres, montant, to_decimal

NNBSP, NBSP = "\u202f", "\u00a0"
amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2,
                      allow_nan=False, allow_infinity=False)  # fmt: skip


def test_examples():
    assert montant(1234.5) == f"1{NNBSP}234,50{NBSP}€"
    assert montant("1234.56") == f"1{NNBSP}234,56{NBSP}€"
    assert montant(f"1{NNBSP}234,56{NBSP}€") == f"1{NNBSP}234,56{NBSP}€"
    assert en_lettres("1234.56") == "mille deux cent trente-quatre euros et cinquante-six centimes"
    assert en_lettres(1) == "un euro"
    assert en_lettres("0.01") == "un centime"
    assert en_lettres(0) == "zéro euro"
    assert en_lettres(2_000_000) == "deux millions d'euros"
    assert en_lettres(80) == "quatre-vingts euros"
    assert date_longue("2026-03-12") == "12 mars 2026"
    assert date_longue(datetime.date(2026, 8, 1)) == "1er août 2026"
    assert date_longue("12/03/2026") == "12 mars 2026"


def test_not_an_amount_is_refused():
    with pytest.raises(ValueError):
        montant("beaucoup")
    with pytest.raises(ValueError):
        to_decimal(True)


@given(amounts)
def test_montant_reads_back_to_the_same_amount(amount):
    text = montant(amount)
    assert text.endswith(f"{NBSP}€")
    assert " " not in text  # only no-break spaces: an amount never wraps
    assert parse_french_decimal(text) == amount


@given(amounts)
def test_en_lettres_names_euros_and_cents(amount):
    words = en_lettres(amount)
    assert words == words.strip() and "  " not in words
    cents = abs(amount) % 1
    assert ("centime" in words) == (cents != 0)
    assert ("euro" in words) == (int(abs(amount)) != 0 or cents == 0)
    assert words.startswith("moins ") == (amount < 0)


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_date_longue_round_trips(day):
    text = date_longue(day)
    number, month, year = text.split(" ")
    assert int(number.removesuffix("er")) == day.day
    assert MONTHS.index(month) + 1 == day.month
    assert int(year) == day.year
    assert date_longue(day.isoformat()) == text

"""French formatting of merge values: amounts, amounts in words, long dates.

Each function accepts what a template may hand it: a number, a Decimal, a string as
stored on a case ('1234.56', '2026-03-12') or as already formatted ('1 234,56 €'),
or a `Formatted` value from the merge context (which carries its raw value). The
writing and reading themselves are `levier.core.french`'s.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from num2words import num2words

from levier.core.french import (
    CENT,
    MONTHS,
    FrenchFormatError,
    format_long_date,
    format_money,
    parse_date,
    parse_decimal,
)

__all__ = ["MONTHS", "Formatted", "date_longue", "en_lettres", "montant", "to_date", "to_decimal"]


class Formatted(str):
    """A value formatted for a document that remembers its raw value (for the filters)."""

    raw: Any

    def __new__(cls, text: str, raw: Any) -> Formatted:
        value = super().__new__(cls, text)
        value.raw = raw
        return value


def _raw(value: Any) -> Any:
    return value.raw if isinstance(value, Formatted) else value


def to_decimal(value: Any) -> Decimal:
    """The amount in `value`; ValueError when it holds none."""
    value = _raw(value)
    if isinstance(value, bool):
        raise ValueError(f"not an amount: {value!r}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            try:
                number = parse_decimal(str(value))
            except FrenchFormatError:
                raise ValueError(f"not an amount: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return number


def montant(value: Any) -> str:
    """1234.5 -> '1 234,50 €' (narrow no-break spaces between thousands, no-break before €)."""
    return format_money(to_decimal(value))


def _euros_in_words(euros: int) -> str:
    words = num2words(euros, lang="fr")
    if euros == 0:
        return "zéro euro"
    if words.endswith(("million", "millions", "milliard", "milliards")):
        return f"{words} d'euros"
    return f"{words} {'euro' if euros == 1 else 'euros'}"


def en_lettres(value: Any) -> str:
    """1234.56 -> 'mille deux cent trente-quatre euros et cinquante-six centimes'."""
    number = to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "moins " if number < 0 else ""
    number = abs(number)
    euros = int(number)
    cents = int((number - euros) * 100)
    cents_words = f"{num2words(cents, lang='fr')} {'centime' if cents == 1 else 'centimes'}"
    if cents and not euros:
        return sign + cents_words
    if cents:
        return f"{sign}{_euros_in_words(euros)} et {cents_words}"
    return sign + _euros_in_words(euros)


def to_date(value: Any) -> datetime.date:
    """The date in `value` (date, datetime, ISO text); ValueError when it holds none."""
    value = _raw(value)
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return parse_date(text)  # 31/12/2026, 31 décembre 2026


def date_longue(value: Any) -> str:
    """2026-03-12 -> '12 mars 2026'; the first of the month is written '1er'."""
    return format_long_date(to_date(value))

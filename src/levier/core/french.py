"""French numbers, money and dates: how levier writes them, and reads them back.

Writing follows French typography: a narrow no-break space between groups of three
digits, a comma before the decimals, a no-break space before the euro sign
("1 234,50 €"), dates as 31/12/2026 or "1er décembre 2026". Callers that need other
spaces (the demo's PDFs print plain ones, so that their text is easy to search) say so.

Reading accepts what people and documents write ("1 234,50 €", "1.234,50",
"-12,5", "1234.56", "31/12/2026", "4 décembre 2026") and refuses, with a message
naming the problem and the fix, what it cannot read without guessing: "1.234" (a
thousand and more, or one and a fraction?), "12 34", "3/4/26".
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

NBSP = "\u00a0"  # before the euro sign, the percent sign and units
NARROW_NBSP = "\u202f"  # between groups of digits
# What people and documents put between groups of digits: plain, no-break, narrow
# no-break, thin and figure spaces, and the apostrophe some keyboards use.
GROUP_SEPARATORS = " \u00a0\u202f\u2009\u2007'"
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
CENT = Decimal("0.01")

Number = Decimal | int | float | str


class FrenchFormatError(ValueError):
    """Text that is not a French number or date; the message says why and what to write."""


# ---------------------------------------------------------------------------
# Numbers and money
# ---------------------------------------------------------------------------


def to_decimal(value: Number) -> Decimal:
    """A finite Decimal from a number or its plain text ('1234.5'); FrenchFormatError otherwise.

    Floats go through their shortest text, so 0.1 is Decimal('0.1'). French text
    ('1 234,5') is `parse_decimal`'s job.
    """
    if isinstance(value, bool):
        raise FrenchFormatError(_("“%(text)s” is not a number.") % {"text": value})
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise FrenchFormatError(_("“%(text)s” is not a number.") % {"text": value}) from None
    if not number.is_finite():
        raise FrenchFormatError(_("“%(text)s” is not a number.") % {"text": value})
    return number


def group_digits(integer: int, separator: str = NARROW_NBSP) -> str:
    """1234567 -> '1 234 567' (narrow no-break spaces unless told otherwise)."""
    sign = "-" if integer < 0 else ""
    return sign + f"{abs(integer):,}".replace(",", separator)


def format_number(
    value: Number, *, decimals: int | None = None, separator: str = NARROW_NBSP
) -> str:
    """1234.5 -> '1 234,5'; with `decimals`, rounded half up and padded: '1 234,50'.

    Without `decimals` every significant decimal is kept and trailing zeros dropped.
    """
    number = to_decimal(value)
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    integer, _dot, fraction = f"{abs(number):f}".partition(".")
    if decimals is None:
        fraction = fraction.rstrip("0")
    grouped = group_digits(int(integer), separator)
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def format_money(
    value: Number,
    *,
    cents: bool = True,
    separator: str = NARROW_NBSP,
    before_symbol: str = NBSP,
) -> str:
    """1234.5 -> '1 234,50 €', rounded half up to the cent (to the euro without `cents`)."""
    return (
        format_number(value, decimals=2 if cents else 0, separator=separator) + f"{before_symbol}€"
    )


_CURRENCY = re.compile(r"\s*(?:€|eur(?:os?)?)\s*$", re.IGNORECASE)
_SPACE_RUN = re.compile(f"[{GROUP_SEPARATORS}]+")
_NUMBER_CHARACTERS = re.compile(r"[0-9 .,]+")


def _not_a_number(text: str) -> FrenchFormatError:
    return FrenchFormatError(
        _("“%(text)s” is not a number: write digits, with a comma before the decimals (1 234,56).")
        % {"text": text}
    )


def parse_decimal(text: str) -> Decimal:
    """'1 234,56', '1.234,56 €', '-12,5', '1234.56', '0,5' -> Decimal.

    Groups of digits may be separated by any space, a point or an apostrophe; the
    comma (or a lone point followed by other than three digits) marks the decimals.
    Raises FrenchFormatError for text that is not a number, groups digits unevenly
    ('12 34') or could be read two ways ('1.234', '1,234,567').
    """
    original = str(text)
    body = _CURRENCY.sub("", original.strip()).strip()
    negative = body[:1] in ("-", "\u2212")  # hyphen-minus, or the minus sign
    if body[:1] in ("-", "\u2212", "+"):
        body = body[1:].lstrip()
    body = _SPACE_RUN.sub(" ", body)
    if not body or not _NUMBER_CHARACTERS.fullmatch(body) or not any(c.isdigit() for c in body):
        raise _not_a_number(original)
    commas, points = body.count(","), body.count(".")
    if commas and points:
        decimal_mark = "," if body.rfind(",") > body.rfind(".") else "."
        if body.count(decimal_mark) > 1:
            raise _not_a_number(original)
    elif commas > 1:
        # '1,234,567' groups thousands the English way; a French reader would stop there.
        raise FrenchFormatError(
            _(
                "“%(text)s” has several commas: in French the comma marks the decimals; "
                "separate thousands with spaces (1 234 567)."
            )
            % {"text": original}
        )
    elif commas:
        decimal_mark = ","
    elif points == 1:
        integer, _point, tail = body.partition(".")
        if len(tail) == 3 and re.fullmatch(r"[1-9]\d{0,2}", integer):
            raise FrenchFormatError(
                _(
                    "“%(text)s” is ambiguous: the point may separate thousands or decimals. "
                    "Write %(thousands)s or %(decimals)s."
                )
                % {
                    "text": original,
                    "thousands": f"{integer}{NARROW_NBSP}{tail}",
                    "decimals": f"{integer},{tail}",
                }
            )
        decimal_mark = "."
    else:
        decimal_mark = ""  # no point (grouping points only), or no decimals
    integer, _mark, fraction = body.partition(decimal_mark) if decimal_mark else (body, "", "")
    integer = integer.rstrip()  # "1 234 ,5": a space before the comma is harmless
    if decimal_mark and not fraction.isdigit():
        raise _not_a_number(original)
    groups = re.split(r"[ .,]", integer)
    if len(groups) > 1 and not (
        1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])
    ):
        raise FrenchFormatError(
            _("“%(text)s” groups its digits unevenly: thousands go in groups of three (12 345,67).")
            % {"text": original}
        )
    digits = "".join(groups) or "0"
    if not digits.isdigit():
        raise _not_a_number(original)
    number = Decimal(f"{digits}.{fraction}" if fraction else digits)
    return -number if negative else number


def parse_money(text: str) -> Decimal:
    """'1 234,5 €' -> Decimal('1234.50'): `parse_decimal`, then no more than two decimals."""
    number = parse_decimal(text)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise FrenchFormatError(
            _("“%(text)s” has more than two decimals: an amount in euros stops at the cents.")
            % {"text": text}
        )
    return number.quantize(CENT)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def _local_date(value: datetime.date) -> datetime.date:
    """The day of a date, or of a datetime in the current time zone when it is aware."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def format_date(value: datetime.date) -> str:
    """2026-12-04 -> '04/12/2026' (aware datetimes on their day in the current time zone)."""
    return f"{_local_date(value):%d/%m/%Y}"


def format_datetime(value: datetime.datetime, *, seconds: bool = False) -> str:
    """'04/12/2026 14:05' (or '14:05:09' with seconds), in the current time zone when aware."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def format_long_date(value: datetime.date) -> str:
    """2026-12-04 -> '4 décembre 2026'; the first of the month is written '1er'."""
    day = _local_date(value)
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def format_month(value: datetime.date) -> str:
    """2026-12-04 -> 'décembre 2026'."""
    day = _local_date(value)
    return f"{MONTHS[day.month - 1]} {day.year}"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


_MONTH_NUMBERS = {_fold(name): number for number, name in enumerate(MONTHS, start=1)}
_NUMERIC_DATE = re.compile(r"(\d{1,2}) ?[/.\-] ?(\d{1,2}) ?[/.\-] ?(\d{4})", re.ASCII)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_LONG_DATE = re.compile(r"(\d{1,2}) ?(?:er)? ([a-z]+) (\d{4})", re.ASCII)


def parse_date(text: str) -> datetime.date:
    """'04/12/2026', '4.12.2026', '2026-12-04', '4 décembre 2026', '1er mars 2026' -> date.

    Two-digit years are refused (which century?), and so are days the calendar lacks.
    """
    original = str(text)
    folded = " ".join(_fold(original).split())
    if match := _NUMERIC_DATE.fullmatch(folded):
        day, month, year = (int(group) for group in match.groups())
    elif match := _ISO_DATE.fullmatch(folded):
        year, month, day = (int(group) for group in match.groups())
    elif (match := _LONG_DATE.fullmatch(folded)) and match.group(2) in _MONTH_NUMBERS:
        day, month, year = int(match.group(1)), _MONTH_NUMBERS[match.group(2)], int(match[3])
    else:
        raise FrenchFormatError(
            _("“%(text)s” is not a date: write it as 31/12/2026 or 31 décembre 2026.")
            % {"text": original}
        )
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise FrenchFormatError(
            _("“%(text)s” is not a day of the calendar: check the day and the month.")
            % {"text": original}
        ) from None

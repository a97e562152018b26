"""Parse what French documents print into the normalised values of `types`.

Amounts -> '1234.50', dates -> 'YYYY-MM-DD', periods -> 'YYYY-MM', identifiers compact
and checked. Every parser returns None for text it cannot read rather than guessing:
a missing value is flagged to the agent, a wrong one would mislead them.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal

from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import vat as eu_vat
from stdnum.fr import nir, siren, siret

from levier.core.french import FrenchFormatError, parse_money

# Spaces printed inside numbers: plain, no-break, narrow no-break, thin.
NUMBER_SPACES = " \u00a0\u202f\u2009\u2007"
_SPACES_RE = re.compile(f"[{NUMBER_SPACES}]+")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000000")  # above this, it is a misread identifier, not money

MONTHS = {
    "janvier": 1,
    "janv": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))


def fold(text: str) -> str:
    """Lower case without accents, ligatures expanded: 'Référence' -> 'reference'."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def fix_ocr_digits(text: str) -> str:
    """'1O 5OO,OO' -> '10 500,00': OCR reads 0 as O inside runs of digits."""
    return _DIGIT_RUN_RE.sub(_zeros_in_run, text)


# A run of digits, O's and number separators, not glued to a word.
_DIGIT_RUN_RE = re.compile(rf"(?<![^\W\d_])[\dOo](?:[\dOo,.{NUMBER_SPACES}]*[\dOo])?(?![^\W\d_])")


def _zeros_in_run(match: re.Match) -> str:
    run = match.group(0)
    if not any(c.isdigit() for c in run):
        return run
    return run.replace("O", "0").replace("o", "0")


# ---------------------------------------------------------------------------
# Amounts
# ---------------------------------------------------------------------------

# A number as printed: groups of three separated by spaces or dots, optional decimals.
AMOUNT_RE = re.compile(
    rf"(?<![\w,.])-?(?:\d{{1,3}}(?:[{NUMBER_SPACES}.]\d{{3}})+|\d+)(?:[,.]\d{{1,2}})?(?![\d])"
    rf"(?:[{NUMBER_SPACES}]*(?:€|EUR\b|euros?\b))?",
    re.IGNORECASE,
)


def parse_amount(text: str) -> str | None:
    """'23 456,50 €', '23.456,50', '23456.50 EUR' -> '23456.50'; None if not an amount.

    core.french reads the number; a reading it calls ambiguous ('23.456') or unevenly
    grouped ('23 45', two numbers side by side) is no amount: better unread than wrong.
    """
    try:
        value = parse_money(fix_ocr_digits(text.strip()))
    except FrenchFormatError:
        return None
    if abs(value) >= MAX_AMOUNT:
        return None
    return f"{value:.2f}"


def amounts_in(text: str) -> list[tuple[str, str]]:
    """Every amount in a line, as (raw, normalised), left to right."""
    text = fix_ocr_digits(text)
    found = []
    for match in AMOUNT_RE.finditer(text):
        value = parse_amount(match.group(0))
        if value is not None:
            found.append((match.group(0).strip(), value))
    return found


def money_in(text: str) -> tuple[str, str] | None:
    """The amount a label introduces: the last one with a currency sign or cents."""
    found = amounts_in(text)
    money = [
        (raw, value)
        for raw, value in found
        if re.search(r"€|eur|,\d\d$", raw, re.IGNORECASE) or re.search(r"[.,]\d{2}$", raw)
    ]
    if money:
        return money[-1]
    return found[-1] if found else None


# ---------------------------------------------------------------------------
# Dates and periods
# ---------------------------------------------------------------------------

NUMERIC_DATE_RE = re.compile(
    r"(?<!\d)(\d{1,2})\s?[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{4}|\d{2})(?!\d)"
)
WORDED_DATE_RE = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s*(?:er)?\s+({_MONTH_NAMES})\.?\s+(\d{{4}})(?!\d)", re.IGNORECASE
)
MONTH_YEAR_RE = re.compile(rf"(?<![a-z])({_MONTH_NAMES})\.?\s+(\d{{4}})(?!\d)")
NUMERIC_MONTH_RE = re.compile(r"(?<![\d/])(\d{1,2})\s?[/.\-]\s?(\d{4})(?!\d)")


def _iso(year: int, month: int, day: int) -> str | None:
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def dates_in(text: str) -> list[tuple[str, str]]:
    """Every date in a line, as (raw, ISO), left to right."""
    text = fix_ocr_digits(text)
    found: list[tuple[int, str, str]] = []
    for match in NUMERIC_DATE_RE.finditer(text):
        day, month, year = (int(group) for group in match.groups())
        iso = _iso(year, month, day)
        if iso:
            found.append((match.start(), match.group(0), iso))
    folded = fold(text)  # same length as text for Latin letters: positions line up
    for match in WORDED_DATE_RE.finditer(folded):
        day, month_name, year = match.groups()
        iso = _iso(int(year), MONTHS[month_name.lower()], int(day))
        if iso:
            found.append((match.start(), text[match.start() : match.end()], iso))
    return [(raw, iso) for _start, raw, iso in sorted(found)]


def parse_date(text: str) -> str | None:
    """'31/07/2024', '31.07.2024', '31 juillet 2024', '1er mars 2025' -> ISO date."""
    found = dates_in(text)
    return found[0][1] if found else None


def parse_period(text: str) -> str | None:
    """'mars 2026', '03/2026', 'du 01/03/2026 au 31/03/2026' -> '2026-03'."""
    found = dates_in(text)
    if found:
        return found[0][1][:7]
    folded = fold(fix_ocr_digits(text))
    match = MONTH_YEAR_RE.search(folded)
    if match:
        return f"{int(match.group(2)):04d}-{MONTHS[match.group(1)]:02d}"
    match = NUMERIC_MONTH_RE.search(folded)
    if match and 1 <= int(match.group(1)) <= 12:
        return f"{int(match.group(2)):04d}-{int(match.group(1)):02d}"
    return None


# ---------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------


def compact(text: str) -> str:
    """Identifiers without spaces, dots or dashes, upper case, OCR 'O' read as 0 in digits."""
    return re.sub(r"[\s.\-]", "", fix_ocr_digits(text)).upper()


def check_siren(value: str) -> tuple[str, bool, str]:
    number = compact(value)
    if siren.is_valid(number):
        return number, True, ""
    return (
        number,
        False,
        _("The SIREN %(number)s is not valid (9 digits, Luhn key).") % {"number": number},
    )


def check_siret(value: str) -> tuple[str, bool, str]:
    number = compact(value)
    if siret.is_valid(number):
        return number, True, ""
    return (
        number,
        False,
        _("The SIRET %(number)s is not valid (14 digits, Luhn key).") % {"number": number},
    )


def check_nir(value: str) -> tuple[str, bool, str]:
    number = compact(value)
    if nir.is_valid(number):
        return number, True, ""
    return number, False, _("The social security number is not valid (15 characters, key).")


def check_tax_number(value: str) -> tuple[str, bool, str]:
    """French numéro fiscal: 13 digits starting with 0 to 3."""
    number = compact(value)
    if re.fullmatch(r"[0-3]\d{12}", number):
        return number, True, ""
    return (
        number,
        False,
        _("The tax number %(number)s is not valid (13 digits).") % {"number": number},
    )


def check_vat(value: str) -> tuple[str, bool, str]:
    number = compact(value)
    if eu_vat.is_valid(number):
        return number, True, ""
    return number, False, _("The VAT number %(number)s is not valid.") % {"number": number}


def check_iban(value: str) -> tuple[str, bool, str]:
    number = compact(value)
    try:
        return IBAN(number).compact, True, ""
    except (SchwiftyException, ValueError):
        return (
            number,
            False,
            _("The IBAN %(number)s is not valid (wrong key or length).") % {"number": number},
        )


def check_bic(value: str) -> tuple[str, bool, str]:
    number = compact(value)
    try:
        return BIC(number).compact, True, ""
    except (SchwiftyException, ValueError):
        return number, False, _("The BIC %(number)s is not valid.") % {"number": number}

"""French identifiers: validate and normalise what usagers and agents type.

Each `normalise_*` function takes what was typed (spaces, dots, dashes, lower case
accepted), returns the compact form stored in the database, or raises Django's
`ValidationError` with a message naming the problem and the fix. The checks
themselves come from python-stdnum; this module only words the errors.

`VALIDATORS` maps a field type name to its normaliser, for the procedure form
builder; `IdentifierField` is the matching form field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum import iban as stdnum_iban
from stdnum import numdb
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva

# Any whitespace (French typography uses no-break spaces), dots and dashes.
_SEPARATORS = re.compile(r"[\s.\-]+")


def compact(value: str) -> str:
    """What was typed, without separators, in upper case."""
    return _SEPARATORS.sub("", str(value or "")).upper()


def _unexpected(value: str, allowed: Iterable[str]) -> str:
    """The characters of `value` outside `allowed`, quoted once each."""
    seen = dict.fromkeys(c for c in value if c not in allowed)
    return ", ".join(f"“{c}”" for c in seen)


_DIGITS = frozenset("0123456789")


def _digits_only(number: str, message: str) -> None:
    bad = _unexpected(number, _DIGITS)
    if bad:
        raise ValidationError(message, code="format", params={"characters": bad})


def normalise_siren(value: str) -> str:
    """'732 829 320' -> '732829320'."""
    number = compact(value)
    _digits_only(number, _("The SIREN has digits only: remove %(characters)s."))
    if len(number) != 9:
        raise ValidationError(
            _("The SIREN must have 9 digits; you typed %(count)s."),
            code="length",
            params={"count": len(number)},
        )
    if not stdnum_siren.is_valid(number):
        raise ValidationError(
            _("This SIREN does not exist: the check digit is wrong. Check for a typing error."),
            code="checksum",
        )
    return number


def normalise_siret(value: str) -> str:
    """'732 829 320 00074' -> '73282932000074'."""
    number = compact(value)
    _digits_only(number, _("The SIRET has digits only: remove %(characters)s."))
    if len(number) != 14:
        raise ValidationError(
            _("The SIRET must have 14 digits; you typed %(count)s."),
            code="length",
            params={"count": len(number)},
        )
    if not stdnum_siret.is_valid(number):
        raise ValidationError(
            _("This SIRET does not exist: the check digit is wrong. Check for a typing error."),
            code="checksum",
        )
    return number


def normalise_nir(value: str) -> str:
    """'1 85 04 69 381 123 45' -> '185046938112345' (2A/2B kept for Corsica)."""
    number = compact(value)
    bad = _unexpected(number[:5] + number[7:], _DIGITS) or _unexpected(
        number[5:7], _DIGITS | {"A", "B"}
    )
    if bad:
        raise ValidationError(
            _(
                "The social security number has digits only (or 2A, 2B for Corsica): "
                "remove %(characters)s."
            ),
            code="format",
            params={"characters": bad},
        )
    if len(number) != 15:
        raise ValidationError(
            _("The social security number must have 15 digits, key included; you typed %(count)s."),
            code="length",
            params={"count": len(number)},
        )
    if number[0] not in "123478":
        raise ValidationError(
            _(
                "The social security number starts with 1 or 2 (3, 4, 7 or 8 for a "
                "temporary number); check the first digit."
            ),
            code="format",
        )
    try:
        stdnum_nir.validate(number)
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _(
                "This social security number does not exist: the key (last 2 digits) "
                "is wrong. Check for a typing error."
            ),
            code="checksum",
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("Corsica is written 2A or 2B in the 6th and 7th characters only."),
            code="format",
        ) from None
    return number


def _iban_length(country: str) -> int | None:
    """The length of an IBAN of that country, or None for an unknown country."""
    info = numdb.get("iban").info(country + "00")
    structure = info[0][1].get("bban")
    if not structure:
        return None
    return 4 + sum(int(size) for size in re.findall(r"(\d+)!?[nac]", structure))


def normalise_iban(value: str) -> str:
    """'fr76 3000 6000 0112 3456 7890 189' -> 'FR7630006000011234567890189'."""
    number = compact(value)
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]*", number):
        raise ValidationError(
            _(
                "An IBAN starts with 2 letters (the country, FR for France) and 2 digits, "
                "then only letters and digits; check what you typed."
            ),
            code="format",
        )
    expected = _iban_length(number[:2])
    if expected is None:
        raise ValidationError(
            _("%(country)s is not a country that uses IBANs; check the first 2 letters."),
            code="country",
            params={"country": number[:2]},
        )
    if len(number) != expected:
        raise ValidationError(
            _(
                "An IBAN starting with %(country)s has %(expected)s characters; "
                "you typed %(count)s."
            ),
            code="length",
            params={"country": number[:2], "expected": expected, "count": len(number)},
        )
    try:
        stdnum_iban.validate(number)
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _("This IBAN does not exist: the check digits are wrong. Check for a typing error."),
            code="checksum",
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _(
                "This IBAN does not follow the layout of its country (letters where digits "
                "are expected); copy it again from the bank details (RIB)."
            ),
            code="format",
        ) from None
    return number


_VAT_KEY_CHARACTERS = frozenset("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")


def normalise_vat(value: str) -> str:
    """French intra-community VAT number: 'fr 44 732829320' -> 'FR44732829320'."""
    number = compact(value)
    foreign = re.match(r"[A-Z]{2}", number) and not number.startswith("FR")
    if foreign and not (len(number) == 11 and stdnum_tva.is_valid(number)):
        raise ValidationError(
            _("Only French VAT numbers are accepted: they start with FR; you typed %(country)s."),
            code="country",
            params={"country": number[:2]},
        )
    number = number.removeprefix("FR")
    bad = _unexpected(number[:2], _VAT_KEY_CHARACTERS) or _unexpected(number[2:], _DIGITS)
    if bad:
        raise ValidationError(
            _(
                "A French VAT number is FR, a 2-character key, then the 9 digits "
                "of the SIREN: remove %(characters)s."
            ),
            code="format",
            params={"characters": bad},
        )
    if len(number) != 11:
        raise ValidationError(
            _(
                "A French VAT number has 11 characters after FR (a 2-character key and "
                "the 9-digit SIREN); you typed %(count)s."
            ),
            code="length",
            params={"count": len(number)},
        )
    if number[2:5] != "000" and not stdnum_siren.is_valid(number[2:]):  # "000": Monaco
        raise ValidationError(
            _(
                "This VAT number does not exist: its last 9 digits, the SIREN, have a wrong "
                "check digit. Check for a typing error."
            ),
            code="checksum",
        )
    if not stdnum_tva.is_valid(number):
        raise ValidationError(
            _(
                "This VAT number does not exist: its key does not match its SIREN. "
                "Check for a typing error."
            ),
            code="checksum",
        )
    return "FR" + number


# Overseas departments have their own country code, but French national numbers.
_FRENCH_COUNTRY_CODES = ("33", "262", "590", "594", "596")


def normalise_phone(value: str) -> str:
    """A French phone number in its national form: '+33 6 12 34 56 78' -> '0612345678'.

    The national form is kept (not E.164) because overseas numbers such as
    0262 ... are +262 262 ..., not +33 262 ....
    """
    typed = re.sub(r"[\s.\-/()]+", "", str(value or ""))
    typed = typed.replace("+330", "+33")  # +33 (0)1 ...
    if typed.startswith("00"):
        typed = "+" + typed[2:]
    number = typed
    if typed.startswith("+"):
        for code in _FRENCH_COUNTRY_CODES:
            if typed.startswith("+" + code):
                number = "0" + typed[1 + len(code) :]
                break
        else:
            raise ValidationError(
                _("Only French phone numbers are accepted: start with 0 or +33."),
                code="country",
            )
    _digits_only(number, _("A phone number has digits only: remove %(characters)s."))
    if not number.startswith("0"):
        raise ValidationError(
            _("A French phone number starts with 0, or with +33 instead of the 0."),
            code="format",
        )
    if len(number) != 10:
        raise ValidationError(
            _(
                "A French phone number has 10 digits and starts with 0 "
                "(like 06 12 34 56 78); you typed %(count)s digits."
            ),
            code="length",
            params={"count": len(number)},
        )
    if number[1] == "0":
        raise ValidationError(
            _("No French phone number starts with 00; check the first digits."),
            code="format",
        )
    return number


Normaliser = Callable[[str], str]

VALIDATORS: dict[str, Normaliser] = {
    "siren": normalise_siren,
    "siret": normalise_siret,
    "nir": normalise_nir,
    "iban": normalise_iban,
    "vat": normalise_vat,
    "phone": normalise_phone,
}

_INPUT_MODES = {"siren": "numeric", "siret": "numeric", "nir": "text", "phone": "tel"}


class IdentifierField(forms.CharField):
    """A text field whose cleaned value is the normalised identifier."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.normalise = VALIDATORS[kind]
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", _INPUT_MODES.get(kind, "text"))
        self.widget.attrs.setdefault("spellcheck", "false")
        self.widget.attrs.setdefault("autocomplete", "tel" if kind == "phone" else "off")

    def to_python(self, value: object) -> str:
        text = super().to_python(value)
        if text in self.empty_values:
            return text
        return self.normalise(text)


def company_siren(*, siren: str = "", siret: str = "", vat_number: str = "") -> str:
    """The SIREN implied by a company's normalised identifiers; refuses a mismatch.

    The SIRET starts with the SIREN, and a French VAT number ends with it.
    """
    implied = siren or siret[:9] or (vat_number[4:] if vat_number[4:7] != "000" else "")
    errors: dict[str, ValidationError] = {}
    if siret and siret[:9] != implied:
        errors["siret"] = ValidationError(
            _("The SIRET must start with the SIREN %(siren)s; check both numbers."),
            code="mismatch",
            params={"siren": implied},
        )
    if vat_number and vat_number[4:7] != "000" and vat_number[4:] != implied:
        errors["vat_number"] = ValidationError(
            _("The VAT number must end with the SIREN %(siren)s; check both numbers."),
            code="mismatch",
            params={"siren": implied},
        )
    if errors:
        raise ValidationError(errors)
    return implied

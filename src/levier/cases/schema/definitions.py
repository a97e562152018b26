"""What a field schema may hold: field types, keys, address parts, and reads shared by the
validation, the form and the display."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy

# One entry of a schema, as stored in JSON: {"name": ..., "label": ..., "type": ..., ...}.
FieldEntry = dict[str, Any]

FIELD_TYPES: dict[str, Any] = {
    "text": gettext_lazy("Text"),
    "number": gettext_lazy("Number"),
    "money": gettext_lazy("Amount in euros"),
    "date": gettext_lazy("Date"),
    "choice": gettext_lazy("Choice in a list"),
    "email": gettext_lazy("Email address"),
    "phone": gettext_lazy("Phone number"),
    "address": gettext_lazy("Postal address"),
    "siren": gettext_lazy("SIREN"),
    "siret": gettext_lazy("SIRET"),
    "nir": gettext_lazy("Social security number (NIR)"),
    "iban": gettext_lazy("IBAN"),
    "file": gettext_lazy("Supporting document (file)"),
}
IDENTIFIER_TYPES = {"siren", "siret", "nir", "iban", "phone"}
BOUNDED_TYPES = {"number", "money"}
ALLOWED_KEYS = {"name", "label", "type", "required", "help", "choices", "min", "max"}
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
# Sub-fields of an address field, as they appear in the form (`<name>__street`...).
ADDRESS_PARTS = ("street", "postal_code", "city")
ADDRESS_SEPARATOR = "__"
TEXT_MAX_LENGTH = 2000


def to_decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a number or its text ('12.5'), None otherwise."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def choice_pairs(choices: Iterable[Any]) -> list[tuple[str, str]]:
    """Choices as (value, label): a string is both, a pair or a {value, label} dict is split."""
    pairs = []
    for choice in choices:
        if isinstance(choice, str):
            pairs.append((choice, choice))
        elif isinstance(choice, list | tuple) and len(choice) == 2:
            pairs.append((str(choice[0]), str(choice[1])))
        elif isinstance(choice, dict):
            pairs.append(
                (str(choice.get("value", "")), str(choice.get("label", choice.get("value", ""))))
            )
    return pairs


def field_labels(schema: list[FieldEntry]) -> dict[str, str]:
    """Each field's label by name (the name when a field has no label)."""
    return {
        entry["name"]: entry.get("label") or entry["name"]
        for entry in schema
        if isinstance(entry, dict) and isinstance(entry.get("name"), str)
    }


def file_field_names(schema: list[FieldEntry]) -> list[str]:
    return [entry["name"] for entry in schema if entry.get("type") == "file"]

"""Declared data shown the French way, laid out by the schema's labels (case page, documents)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from levier.core import french
from levier.core.masking import MASKED_KINDS, mask_identifier

from .definitions import FieldEntry, choice_pairs, to_decimal


def format_number(value: Any) -> str:
    """'1234.5' -> '1 234,5' (narrow no-break spaces); anything else as it is."""
    number = to_decimal(value)
    return str(value) if number is None else french.format_number(number)


def format_money(value: Any) -> str:
    """'1234.5' -> '1 234,50 €' (narrow no-break spaces, as French typography asks)."""
    number = to_decimal(value)
    return str(value) if number is None else french.format_money(number)


def format_date(value: Any) -> str:
    """'2026-03-01' -> '01/03/2026'; anything else as it is."""
    try:
        return french.format_date(datetime.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def format_address(value: Any) -> str:
    """A stored address ({street, postal_code, city}) on two lines."""
    if isinstance(value, dict):
        street = value.get("street", "")
        town = " ".join(
            part for part in (value.get("postal_code", ""), value.get("city", "")) if part
        )
        return "\n".join(part for part in (street, town) if part)
    return str(value)


_FORMATTERS: dict[str, Callable[[Any, FieldEntry], str]] = {
    "money": lambda value, entry: format_money(value),
    "number": lambda value, entry: format_number(value),
    "date": lambda value, entry: format_date(value),
    "address": lambda value, entry: format_address(value),
    "choice": lambda value, entry: dict(choice_pairs(entry.get("choices", []))).get(
        str(value), str(value)
    ),
}


@dataclass(frozen=True)
class DisplayRow:
    name: str
    label: str
    value: str
    type: str
    masked: bool = False


def display_rows(
    schema: list[FieldEntry], data: dict[str, Any], *, revealed: frozenset[str] | None = None
) -> list[DisplayRow]:
    """Declared data laid out by the schema's labels; keys unknown to the schema come last.

    NIR and IBAN fields are masked (last characters only) unless named in `revealed`;
    `revealed=None` shows everything (documents, exports to the usager)."""
    rows = []
    known = set()
    for entry in schema:
        name: str = entry.get("name", "")
        known.add(name)
        if entry.get("type") == "file":
            continue
        value = data.get(name)
        if value in (None, "", {}):
            shown = "—"
        else:
            formatter = _FORMATTERS.get(entry.get("type", ""))
            shown = formatter(value, entry) if formatter else str(value)
        kind = entry.get("type", "text")
        if revealed is not None and kind in MASKED_KINDS and name not in revealed and shown != "—":
            rows.append(
                DisplayRow(name, entry.get("label", name), mask_identifier(shown), kind, True)
            )
            continue
        rows.append(DisplayRow(name, entry.get("label", name), shown, kind))
    for name, value in data.items():
        if name not in known:
            rows.append(DisplayRow(name, name, "—" if value in (None, "") else str(value), "text"))
    return rows


def maskable_fields(schema: list[FieldEntry]) -> set[str]:
    """Names of the schema's fields shown masked until revealed (NIR, IBAN)."""
    return {entry.get("name", "") for entry in schema if entry.get("type") in MASKED_KINDS}

"""What every demo document shares: constants, amounts and the ways it writes them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from levier.core.french import MONTHS, format_date, format_money, format_month, format_number

__all__ = [
    "KEYWORD_PREFIX",
    "MISMATCH_RATE",
    "MONTHS",
    "SPECIMEN",
    "format_date",
    "format_euros",
    "format_iban",
    "format_month",
    "format_number",
    "format_siren",
    "format_siret",
    "money",
]

MISMATCH_RATE = 0.08
KEYWORD_PREFIX = "levier-demo-truth:"
SPECIMEN = "SPÉCIMEN — document fictif produit par levier pour une démonstration, sans valeur"


def money(value: Decimal | int | float | str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_euros(value: Decimal | int | float | str, *, cents: bool = True) -> str:
    """'23456.5' -> '23 456,50 €' (plain spaces, so extracted text is easy to search)."""
    return format_money(money(value), cents=cents, separator=" ", before_symbol=" ")


def format_siren(siren: str) -> str:
    return f"{siren[:3]} {siren[3:6]} {siren[6:9]}"


def format_siret(siret: str) -> str:
    return f"{format_siren(siret[:9])} {siret[9:]}"


def format_iban(iban: str) -> str:
    """'FR7630006000011234567890189' -> 'FR76 3000 6000 0112 3456 7890 189'."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))

"""Avis d'impôt sur le revenu (tax_notice): the revenu fiscal de référence, and a 2D-Doc."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .common import format_euros, format_number, money
from .page import Page
from .truth import DocumentTruth, signed_value


@dataclass
class TaxNoticeSpec:
    """Avis d'impôt sur le revenu: the revenu fiscal de référence is the checked value."""

    declared_income: Decimal
    printed_income: Decimal
    parts: Decimal
    holder: str
    address_lines: tuple[str, ...]
    tax_number: str
    notice_reference: str
    office: str
    year: int  # year of the notice; incomes are those of year - 1
    two_d_doc: str | None = None  # signed 2D-Doc message (levier.demo.twoddoc)
    kind: str = field(default="tax_notice", init=False)
    field_name: str = field(default="tax_notice", init=False)

    def truth(self) -> DocumentTruth:
        return DocumentTruth(
            self.kind,
            "reference_tax_income",
            f"{money(self.declared_income)}",
            f"{money(self.printed_income)}",
            signed_value(self.two_d_doc, "reference_tax_income"),
        )

    @property
    def original_name(self) -> str:
        return f"avis-impot-{self.year}.pdf"

    def draw(self, page: Page) -> None:
        income = money(self.printed_income)
        gross = (income * Decimal("1.11")).quantize(Decimal("1"))
        taxable = (income * Decimal("0.98")).quantize(Decimal("1"))
        tax = _income_tax(taxable, self.parts)
        page.specimen_banner()
        page.two_d_doc(self.two_d_doc)
        page.line(self.office, size=9)
        page.gap(2)
        page.line(f"AVIS D'IMPÔT {self.year}", size=15, bold=True)
        page.line(f"IMPÔT SUR LES REVENUS de l'année {self.year - 1}", size=11, bold=True)
        page.gap(4)
        for text in (self.holder, *self.address_lines):
            page.line(text, size=10)
        page.gap(4)
        page.pairs(
            [
                ("Numéro fiscal", self.tax_number),
                ("Référence de l'avis", self.notice_reference),
                ("Date d'établissement", f"31/07/{self.year}"),
            ],
            size=9.5,
        )
        page.gap(3)
        page.rule()
        page.line("Vos références et la situation de votre foyer", size=11, bold=True)
        page.gap(1)
        page.pairs(
            [
                ("Nombre de parts", format_number(self.parts, decimals=2).rstrip("0").rstrip(",")),
                ("Revenu brut global", format_euros(gross, cents=False)),
                ("Revenu imposable", format_euros(taxable, cents=False)),
                ("Revenu fiscal de référence", format_euros(income)),
            ]
        )
        page.gap(3)
        page.rule()
        page.line("Détail de l'impôt", size=11, bold=True)
        page.pairs(
            [
                ("Impôt sur le revenu net avant corrections", format_euros(tax, cents=False)),
                ("Total de l'impôt sur le revenu net", format_euros(tax, cents=False)),
                (
                    "Montant restant à payer",
                    format_euros(0, cents=False) if tax < 61 else format_euros(tax, cents=False),
                ),
            ]
        )
        page.gap(6)
        page.para(
            "Le revenu fiscal de référence sert au calcul de nombreuses aides et prestations. "
            "Conservez cet avis : il peut vous être demandé comme justificatif de ressources."
        )


def _income_tax(taxable: Decimal, parts: Decimal) -> Decimal:
    """A rough progressive income tax (2024 brackets), enough for a plausible notice."""
    per_part = taxable / parts
    brackets = (
        (Decimal(11294), Decimal("0")),
        (Decimal(28797), Decimal("0.11")),
        (Decimal(82341), Decimal("0.30")),
        (Decimal(177106), Decimal("0.41")),
        (None, Decimal("0.45")),
    )
    tax, lower = Decimal(0), Decimal(0)
    for upper, rate in brackets:
        top = per_part if upper is None else min(per_part, upper)
        if top > lower:
            tax += (top - lower) * rate
        if upper is None or per_part <= upper:
            break
        lower = upper
    return (tax * parts).quantize(Decimal("1"))

"""A supplier's quote or invoice (invoice): the total HT."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from .common import format_date, format_euros, format_siret, money
from .page import Page
from .truth import DocumentTruth


@dataclass
class InvoiceSpec:
    """A supplier's quote or invoice: total HT is the checked value."""

    declared_total: Decimal
    printed_total: Decimal
    customer: str
    customer_address: tuple[str, ...]
    supplier: str
    supplier_siret: str
    supplier_vat: str
    supplier_address: tuple[str, ...]
    number: str
    issued_on: datetime.date
    items: tuple[str, ...]
    is_quote: bool = True
    kind: str = field(default="invoice", init=False)
    field_name: str = field(default="invoice", init=False)

    def truth(self) -> DocumentTruth:
        return DocumentTruth(
            self.kind,
            "project_cost",
            f"{money(self.declared_total)}",
            f"{money(self.printed_total)}",
        )

    @property
    def original_name(self) -> str:
        return f"{'devis' if self.is_quote else 'facture'}-{self.number.lower()}.pdf"

    def lines(self) -> list[tuple[str, int, Decimal]]:
        """Items with quantities and unit prices adding up exactly to the printed total."""
        total = money(self.printed_total)
        rng = random.Random(self.number)
        count = len(self.items)
        weights = [rng.uniform(1, 3) for _ in range(count)]
        amounts = [money(total * Decimal(w / sum(weights))) for w in weights]
        amounts[-1] = total - sum(amounts[:-1])
        rows = []
        for label, amount in zip(self.items, amounts, strict=True):
            quantity = 1 if amount < 300 or rng.random() < 0.6 else rng.choice((2, 4, 5))
            unit = money(amount / quantity)
            if unit * quantity != amount:
                quantity, unit = 1, amount
            rows.append((label, quantity, unit))
        return rows

    def draw(self, page: Page) -> None:
        total = money(self.printed_total)
        vat = money(total * Decimal("0.20"))
        page.specimen_banner()
        page.line(self.supplier, size=13, bold=True)
        for text in self.supplier_address:
            page.line(text, size=9)
        page.line(
            f"SIRET {format_siret(self.supplier_siret)} — TVA intracommunautaire {self.supplier_vat}",
            size=9,
        )
        page.gap(6)
        page.line(f"{'DEVIS' if self.is_quote else 'FACTURE'} N° {self.number}", size=14, bold=True)
        page.line(f"Date : {format_date(self.issued_on)}", size=10)
        page.gap(3)
        page.line("Client :", size=10, bold=True)
        for text in (self.customer, *self.customer_address):
            page.line(text, size=10)
        page.gap(5)
        rows = [
            (label, str(quantity), format_euros(unit), format_euros(unit * quantity))
            for label, quantity, unit in self.lines()
        ]
        page.table(("Désignation", "Qté", "Prix unitaire HT", "Montant HT"), rows, (95, 15, 35, 35))
        page.gap(4)
        page.pairs(
            [
                ("Total HT", format_euros(total)),
                ("TVA 20 %", format_euros(vat)),
                ("Total TTC", format_euros(total + vat)),
            ],
            label_width=140,
        )
        page.gap(6)
        if self.is_quote:
            page.para(
                "Devis valable trois mois. Acompte de 30 % à la commande, solde à la livraison."
            )
        else:
            page.para(
                "Paiement à 30 jours. Pénalités de retard : trois fois le taux d'intérêt légal. "
                "Indemnité forfaitaire pour frais de recouvrement : 40 €."
            )

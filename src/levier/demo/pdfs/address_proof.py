"""Justificatif de domicile (address_proof): an energy bill or a rent receipt, and a 2D-Doc."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from .common import format_date, format_euros, format_month, money
from .page import Page
from .truth import DocumentTruth, signed_value


@dataclass
class AddressProofSpec:
    """Justificatif de domicile: an energy bill or a rent receipt.

    The checked value is the street line of the address (`checked="address"`) or the
    holder's name (`checked="holder"`); `declared` is what the usager declared for it.
    """

    declared: str
    holder: str
    street: str
    postal_code: str
    city: str
    issuer: str  # the energy supplier or the landlord
    issued_on: datetime.date
    reference: str  # contract or lease reference
    amount: Decimal  # amount billed, or rent and charges received
    checked: str = "address"  # "address" or "holder"
    bill: str = "energy"  # "energy" (électricité et gaz) or "rent" (quittance de loyer)
    issuer_address: tuple[str, ...] = ()
    two_d_doc: str | None = None
    kind: str = field(default="address_proof", init=False)
    field_name: str = field(default="address_proof", init=False)

    @property
    def printed(self) -> str:
        return self.holder if self.checked == "holder" else self.street

    def truth(self) -> DocumentTruth:
        return DocumentTruth(
            self.kind,
            self.checked,
            self.declared,
            self.printed,
            signed_value(self.two_d_doc, self.checked),
        )

    @property
    def original_name(self) -> str:
        prefix = "quittance-loyer" if self.bill == "rent" else "facture-energie"
        return f"{prefix}-{self.issued_on:%Y-%m}.pdf"

    def draw(self, page: Page) -> None:
        page.specimen_banner()
        page.two_d_doc(self.two_d_doc)
        page.line(self.issuer, size=13, bold=True)
        for text in self.issuer_address:
            page.line(text, size=9)
        page.gap(4)
        if self.bill == "rent":
            self._draw_rent_receipt(page)
        else:
            self._draw_energy_bill(page)

    def _address_block(self, page: Page, title: str) -> None:
        page.line(title, size=9.5, bold=True)
        for text in (self.holder, self.street, f"{self.postal_code} {self.city.upper()}"):
            page.line(text, size=10.5)
        page.gap(4)

    def _draw_energy_bill(self, page: Page) -> None:
        total = money(self.amount)
        subscription = money(total * Decimal("0.22"))
        vat = money(total * Decimal("0.1667"))
        page.line("FACTURE D'ÉLECTRICITÉ ET DE GAZ NATUREL", size=14, bold=True)
        page.line(f"Facture du {format_date(self.issued_on)}", size=10)
        page.gap(3)
        self._address_block(page, "Titulaire du contrat")
        page.pairs(
            [
                ("Numéro de contrat", self.reference),
                ("Adresse de consommation", f"{self.street}, {self.postal_code} {self.city}"),
            ],
            label_width=55,
            size=9.5,
        )
        page.gap(3)
        page.table(
            ("Détail", "Montant TTC"),
            [
                ("Abonnement électricité et gaz", format_euros(subscription)),
                ("Consommation électricité (kWh)", format_euros(money(total * Decimal("0.48")))),
                (
                    "Consommation gaz naturel (kWh)",
                    format_euros(total - subscription - money(total * Decimal("0.48"))),
                ),
                ("Total TTC (dont TVA " + format_euros(vat) + ")", format_euros(total)),
            ],
            (140, 34),
        )
        page.gap(5)
        page.para(
            "Montant prélevé sur votre compte à la date indiquée sur votre échéancier. "
            "Cette facture peut servir de justificatif de domicile."
        )

    def _draw_rent_receipt(self, page: Page) -> None:
        total = money(self.amount)
        charges = money(total * Decimal("0.12"))
        month = self.issued_on.replace(day=1)
        page.line("QUITTANCE DE LOYER", size=14, bold=True)
        page.line(f"Période : {format_month(month)}", size=10)
        page.gap(3)
        self._address_block(page, "Locataire")
        page.pairs(
            [
                ("Référence du bail", self.reference),
                ("Adresse du logement loué", f"{self.street}, {self.postal_code} {self.city}"),
                ("Loyer", format_euros(total - charges)),
                ("Provisions pour charges", format_euros(charges)),
                ("Total reçu", format_euros(total)),
            ],
            label_width=55,
            size=9.5,
        )
        page.gap(5)
        page.para(
            f"Je soussigné(e), {self.issuer}, bailleur, déclare avoir reçu de {self.holder} "
            f"la somme de {format_euros(total)} au titre du loyer et des charges du mois de "
            f"{format_month(month)} pour le logement désigné ci-dessus, "
            f"et lui en donne quittance, sous réserve de tous mes droits. Fait le "
            f"{format_date(self.issued_on)}."
        )

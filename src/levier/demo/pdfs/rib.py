"""Relevé d'identité bancaire (rib): the IBAN."""

from __future__ import annotations

from dataclasses import dataclass, field

from .common import format_iban
from .page import Page
from .truth import DocumentTruth


@dataclass
class RibSpec:
    """Relevé d'identité bancaire: the IBAN is the checked value."""

    declared_iban: str
    printed_iban: str
    holder: str
    holder_address: tuple[str, ...]
    bank: str
    domiciliation: tuple[str, ...]  # the branch: name and address
    bic: str
    kind: str = field(default="rib", init=False)
    field_name: str = field(default="rib", init=False)

    def truth(self) -> DocumentTruth:
        return DocumentTruth(
            self.kind, "iban", _compact(self.declared_iban), _compact(self.printed_iban)
        )

    @property
    def original_name(self) -> str:
        return "rib.pdf"

    def draw(self, page: Page) -> None:
        iban = _compact(self.printed_iban)
        page.specimen_banner()
        page.line(self.bank, size=13, bold=True)
        page.gap(2)
        page.line("RELEVÉ D'IDENTITÉ BANCAIRE", size=14, bold=True)
        page.gap(4)
        page.line("Titulaire du compte", size=9.5, bold=True)
        for text in (self.holder, *self.holder_address):
            page.line(text, size=10)
        page.gap(3)
        page.line("Domiciliation", size=9.5, bold=True)
        for text in self.domiciliation:
            page.line(text, size=10)
        page.gap(4)
        if iban.startswith("FR") and len(iban) == 27:
            page.table(
                ("Code banque", "Code guichet", "Numéro de compte", "Clé RIB"),
                [(iban[4:9], iban[9:14], iban[14:25], iban[25:27])],
                (40, 40, 64, 30),
            )
            page.gap(4)
        page.pairs(
            [
                ("IBAN (International Bank Account Number)", format_iban(iban)),
                ("BIC (Bank Identifier Code)", self.bic),
            ],
            label_width=80,
        )
        page.gap(6)
        page.para(
            "Ce relevé est destiné à être remis à vos créanciers ou débiteurs, français ou "
            "étrangers, appelés à faire inscrire des opérations à votre compte (virements, "
            "prélèvements)."
        )


def _compact(value: str) -> str:
    return "".join(value.split()).upper()

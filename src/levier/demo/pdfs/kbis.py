"""An extract of the trade register (kbis): the SIREN."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from ..generators import de
from .common import format_date, format_euros, format_siren
from .page import Page
from .truth import DocumentTruth


@dataclass
class KbisSpec:
    """An extract of the trade register: the SIREN is the checked value."""

    declared_siren: str
    printed_siren: str
    denomination: str
    legal_form: str
    share_capital: int
    address: str
    activity: str
    manager: str
    registered_on: datetime.date
    registry_city: str
    extract_on: datetime.date
    kind: str = field(default="kbis", init=False)
    field_name: str = field(default="kbis", init=False)

    def truth(self) -> DocumentTruth:
        return DocumentTruth(self.kind, "siren", self.declared_siren, self.printed_siren)

    @property
    def original_name(self) -> str:
        return f"extrait-kbis-{self.printed_siren}.pdf"

    def draw(self, page: Page) -> None:
        page.specimen_banner()
        page.line(
            f"Greffe du tribunal de commerce {de(self.registry_city)}",
            size=11,
            bold=True,
            align="C",
        )
        page.gap(2)
        page.line(
            "Extrait d'immatriculation principale au registre du commerce et des sociétés",
            size=12,
            bold=True,
            align="C",
        )
        page.line(f"à jour au {format_date(self.extract_on)}", size=10, align="C")
        page.gap(6)
        page.line("IDENTIFICATION DE LA PERSONNE MORALE", size=10.5, bold=True)
        page.rule()
        page.pairs(
            [
                (
                    "Immatriculation au RCS, numéro",
                    f"{format_siren(self.printed_siren)} R.C.S. {self.registry_city}",
                ),
                ("Date d'immatriculation", format_date(self.registered_on)),
                ("Dénomination ou raison sociale", self.denomination),
                ("Forme juridique", self.legal_form),
                (
                    "Capital social",
                    format_euros(self.share_capital, cents=False) if self.share_capital else "—",
                ),
                ("Adresse du siège", self.address),
            ],
            label_width=70,
        )
        page.gap(4)
        page.line("GESTION, DIRECTION, ADMINISTRATION", size=10.5, bold=True)
        page.rule()
        page.pairs([("Gérant ou président", self.manager)], label_width=70)
        page.gap(4)
        page.line(
            "RENSEIGNEMENTS RELATIFS À L'ACTIVITÉ ET À L'ÉTABLISSEMENT PRINCIPAL",
            size=10.5,
            bold=True,
        )
        page.rule()
        page.pairs(
            [
                ("Activité principale", ""),
            ],
            label_width=70,
        )
        page.para(self.activity)
        page.pairs(
            [("Date de commencement d'activité", format_date(self.registered_on))], label_width=70
        )
        page.gap(8)
        page.para(
            f"Le greffier du tribunal de commerce {de(self.registry_city)}. "
            "Fin de l'extrait, qui comporte une page."
        )

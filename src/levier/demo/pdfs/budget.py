"""An association's provisional project budget (budget): its total."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from .common import format_date, format_euros, money
from .page import Page
from .truth import DocumentTruth


@dataclass
class BudgetSpec:
    """An association's provisional project budget: the total is the checked value."""

    declared_total: Decimal
    printed_total: Decimal
    association: str
    rna: str
    project_title: str
    amount_requested: Decimal
    other_funding: Decimal
    president: str
    signed_on: datetime.date
    kind: str = field(default="budget", init=False)
    field_name: str = field(default="budget_file", init=False)

    def truth(self) -> DocumentTruth:
        return DocumentTruth(
            self.kind,
            "project_budget",
            f"{money(self.declared_total)}",
            f"{money(self.printed_total)}",
        )

    @property
    def original_name(self) -> str:
        return "budget-previsionnel.pdf"

    def draw(self, page: Page) -> None:
        total = money(self.printed_total)
        rng = random.Random(f"{self.rna}{total}")
        shares = [rng.uniform(1, 3) for _ in range(4)]
        charges = [money(total * Decimal(s / sum(shares))) for s in shares]
        charges[-1] = total - sum(charges[:-1])
        requested = min(money(self.amount_requested), total)
        other = min(money(self.other_funding), total - requested)
        own = money((total - requested - other) * Decimal("0.6"))
        participation = total - requested - other - own
        page.specimen_banner()
        page.line(self.association, size=13, bold=True)
        page.line(f"Association déclarée — RNA {self.rna}", size=9)
        page.gap(5)
        page.line("BUDGET PRÉVISIONNEL DU PROJET", size=14, bold=True)
        page.line(f"« {self.project_title} »", size=11)
        page.gap(4)
        page.table(
            ("Charges", "Montant"),
            [
                ("60 — Achats (matériel, fournitures)", format_euros(charges[0])),
                ("61 — Services extérieurs (locations, assurances)", format_euros(charges[1])),
                ("62 — Autres services (transport, communication)", format_euros(charges[2])),
                ("64 — Frais de personnel", format_euros(charges[3])),
                ("Total des charges", format_euros(total)),
            ],
            (140, 40),
        )
        page.gap(4)
        page.table(
            ("Produits", "Montant"),
            [
                ("74 — Subvention sollicitée", format_euros(requested)),
                ("74 — Autres subventions publiques", format_euros(other)),
                ("70 — Participation des usagers", format_euros(participation)),
                ("75 — Fonds propres et cotisations", format_euros(own)),
                ("Total des produits", format_euros(total)),
            ],
            (140, 40),
        )
        page.gap(6)
        page.line(f"Budget total du projet : {format_euros(total)}", size=11, bold=True)
        page.gap(4)
        page.para(
            f"Certifié exact, le {format_date(self.signed_on)}. {self.president}, président(e)."
        )

"""Bulletin de paie (payslip): the net à payer avant impôt, and a 2D-Doc."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from .common import format_date, format_euros, format_month, format_number, format_siret, money
from .page import Page
from .truth import DocumentTruth, signed_value


@dataclass
class PayslipSpec:
    """Bulletin de paie: the net à payer avant impôt sur le revenu is the checked value."""

    declared_net_pay: Decimal
    printed_net_pay: Decimal
    employer: str
    employer_siret: str
    employer_address: tuple[str, ...]
    employee: str
    employee_address: tuple[str, ...]
    period: datetime.date  # any day of the month paid
    job_title: str = "Employé(e) polyvalent(e)"
    withholding_rate: Decimal = Decimal("0")  # prélèvement à la source, in %
    two_d_doc: str | None = None
    kind: str = field(default="payslip", init=False)
    field_name: str = field(default="payslip", init=False)

    def truth(self) -> DocumentTruth:
        return DocumentTruth(
            self.kind,
            "net_pay",
            f"{money(self.declared_net_pay)}",
            f"{money(self.printed_net_pay)}",
            signed_value(self.two_d_doc, "net_pay"),
        )

    @property
    def original_name(self) -> str:
        return f"bulletin-de-paie-{self.period:%Y-%m}.pdf"

    @property
    def period_label(self) -> str:
        return format_month(self.period)

    def amounts(self) -> tuple[Decimal, list[tuple[str, str, str, Decimal]], Decimal, Decimal]:
        """Gross pay, employee contributions, income tax withheld and net paid, adding up."""
        net = money(self.printed_net_pay)
        gross = money(net / Decimal("0.78"))
        csg_base = money(gross * Decimal("0.9825"))
        rates = (
            ("Sécurité sociale plafonnée", gross, Decimal("6.90")),
            ("Sécurité sociale déplafonnée", gross, Decimal("0.40")),
            ("Retraite complémentaire T1", gross, Decimal("4.01")),
            ("CSG déductible", csg_base, Decimal("6.80")),
        )
        lines = [
            (
                label,
                format_euros(base),
                f"{format_number(rate, decimals=2)} %",
                money(base * rate / 100),
            )
            for label, base, rate in rates
        ]
        # The last line takes the rounding so that gross - contributions = net exactly.
        remainder = gross - net - sum(line[3] for line in lines)
        lines.append(("CSG/CRDS non déductible et santé", format_euros(csg_base), "", remainder))
        withheld = money((net + remainder) * self.withholding_rate / 100)
        return gross, lines, withheld, net - withheld

    def draw(self, page: Page) -> None:
        gross, lines, withheld, paid = self.amounts()
        first = self.period.replace(day=1)
        last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        page.specimen_banner()
        page.two_d_doc(self.two_d_doc)
        page.line("BULLETIN DE PAIE", size=15, bold=True)
        page.line(f"Période du {format_date(first)} au {format_date(last)}", size=10)
        page.gap(3)
        page.line("Employeur", size=9.5, bold=True)
        for text in (self.employer, *self.employer_address):
            page.line(text, size=9.5, height=5)
        page.line(f"SIRET {format_siret(self.employer_siret)}", size=9.5, height=5)
        page.gap(3)
        page.line("Salarié(e)", size=9.5, bold=True)
        for text in (self.employee, *self.employee_address):
            page.line(text, size=9.5, height=5)
        page.line(f"Emploi : {self.job_title}", size=9.5, height=5)
        page.gap(4)
        rows = [("Salaire de base", "151,67 h", "", format_euros(gross))]
        rows += [
            (label, base, rate, f"- {format_euros(value)}") for label, base, rate, value in lines
        ]
        page.table(("Élément", "Base", "Taux", "Montant"), rows, (80, 35, 24, 35))
        page.gap(4)
        page.pairs(
            [
                ("Salaire brut", format_euros(gross)),
                ("Net à payer avant impôt sur le revenu", format_euros(self.printed_net_pay)),
                (
                    f"Impôt sur le revenu prélevé à la source ({self.withholding_rate} %)".replace(
                        ".", ","
                    ),
                    format_euros(withheld),
                ),
                ("Net payé", format_euros(paid)),
            ],
            label_width=110,
        )
        page.gap(5)
        page.para(
            f"Paiement par virement le {format_date(last)}. Dans votre intérêt et pour vous aider "
            "à faire valoir vos droits, conservez ce bulletin de paie sans limitation de durée."
        )

"""Real PDF supporting documents for the demo, printed with fpdf2.

Seven kinds, each printing one value that a document check compares with the
declared data:

| kind          | schema file field | value printed                       | declared field        |
|---------------|-------------------|-------------------------------------|-----------------------|
| tax_notice    | tax_notice        | revenu fiscal de référence (+ parts)| reference_tax_income  |
| invoice       | invoice           | total HT (with the supplier SIRET)  | project_cost          |
| kbis          | kbis              | SIREN of the company                | siret (first 9 digits)|
| budget        | budget_file       | total of the provisional budget     | project_budget        |
| payslip       | payslip           | net à payer avant impôt             | net_pay               |
| rib           | rib               | IBAN                                | iban                  |
| address_proof | address_proof     | street line of the address (or the  | address (or holder)   |
|               |                   | holder), on an energy bill or a     |                       |
|               |                   | rent receipt                        |                       |

Tax notices, payslips and address proofs may carry a signed 2D-Doc (`two_d_doc`, made
by `levier.demo.twoddoc`), drawn as a DataMatrix at the top right of the page; the
truth then says what the 2D-Doc signs (`DocumentTruth.signed`).

A spec says what was declared and what the document prints; they differ for a known
share of documents (`MISMATCH_RATE`). That truth is returned with each printed
document (`PrintedDocument.truth`) and written in the PDF's keywords, so tests and
the controls app can check what they find. Every page carries a SPÉCIMEN banner:
these are fictitious documents, not forgeries of real ones.

fpdf2 spends ~0.2 s loading and subsetting a TrueType font per document, so specs
are printed together, one page each, in one PDF per batch, which pypdf then splits
into one file per document (~8 ms a document).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
import random
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from pathlib import Path

import numpy
import zxingcpp
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter

from .generators import de
from .twoddoc import clean_value

MISMATCH_RATE = 0.08
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
PAGES_PER_BATCH = 150
KEYWORD_PREFIX = "levier-demo-truth:"
TWO_D_DOC_SIZE_MM = 25
SPECIMEN = "SPÉCIMEN — document fictif produit par levier pour une démonstration, sans valeur"


def money(value: Decimal | int | float | str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_euros(value: Decimal | int | float | str, *, cents: bool = True) -> str:
    """'23456.5' -> '23 456,50 €' (plain spaces, so extracted text is easy to search)."""
    amount = money(value)
    if not cents:
        amount = amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        return f"{int(amount):,}".replace(",", " ") + " €"
    integer, _dot, fraction = f"{amount:.2f}".partition(".")
    return f"{int(integer):,}".replace(",", " ") + f",{fraction} €"


def format_siren(siren: str) -> str:
    return f"{siren[:3]} {siren[3:6]} {siren[6:9]}"


def format_siret(siret: str) -> str:
    return f"{format_siren(siret[:9])} {siret[9:]}"


def format_date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def format_iban(iban: str) -> str:
    """'FR7630006000011234567890189' -> 'FR76 3000 6000 0112 3456 7890 189'."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def datamatrix_image(message: str) -> Image.Image:
    """A square DataMatrix of the 2D-Doc message, 4 pixels a module with its quiet zone."""
    barcode = zxingcpp.create_barcode(message, zxingcpp.BarcodeFormat.DataMatrix, force_square=True)
    return Image.fromarray(numpy.asarray(barcode.to_image(scale=4)))


def signed_value(message: str | None, field_name: str) -> str | None:
    """The value the 2D-Doc message signs for one of levier's fields (None without one)."""
    if not message:
        return None
    # Imported here: the reading layer (Django settings) is not needed to print.
    from levier.controls.reading.twoddoc import signed_fields

    return signed_fields(message).get(field_name)


@dataclass(frozen=True)
class DocumentTruth:
    """What the usager declared and what the document actually prints."""

    kind: str
    field: str
    declared: str
    printed: str
    # The same field's value in the document's signed 2D-Doc (None: no 2D-Doc). A
    # printed value that differs from the signed one is what a forger's edit looks like.
    signed: str | None = None

    @property
    def matches(self) -> bool:
        return self.declared == self.printed

    @property
    def printed_matches_signed(self) -> bool | None:
        if self.signed is None:
            return None
        # 2D-Doc values are upper-case ASCII: compare folded text.
        return _fold(self.printed) == _fold(self.signed)

    def as_keywords(self) -> str:
        return KEYWORD_PREFIX + json.dumps(
            {
                **asdict(self),
                "matches": self.matches,
                "printed_matches_signed": self.printed_matches_signed,
            },
            ensure_ascii=False,
        )


def _fold(value: str) -> str:
    return " ".join(clean_value(value).split())


def truth_from_keywords(keywords: str | None) -> dict | None:
    """Read back the truth written in a demo PDF's keywords (None for any other PDF)."""
    if not keywords or not keywords.startswith(KEYWORD_PREFIX):
        return None
    return json.loads(keywords[len(KEYWORD_PREFIX) :])


@dataclass
class PrintedDocument:
    kind: str
    field_name: str
    original_name: str
    content: bytes
    truth: DocumentTruth
    page_count: int = 1
    content_type: str = "application/pdf"

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def storage_name(self) -> str:
        """Content-addressed path under MEDIA_ROOT: the same bytes are stored once."""
        return f"demo/{self.kind}/{self.sha256[:16]}-{self.original_name}"


# ---------------------------------------------------------------------------
# Page layout helpers
# ---------------------------------------------------------------------------


class Page:
    """A thin layer over FPDF with the few layouts the documents need.

    It places text with `FPDF.text()` at coordinates it tracks itself: six times
    faster than `cell()`, which measures and lays out every string.
    """

    def __init__(self, pdf: FPDF, family: str, unicode: bool):
        self.pdf = pdf
        self.family = family
        self.unicode = unicode
        self.y = 0.0
        self.size = 10.0

    def start(self) -> None:
        self.pdf.add_page()
        self.y = self.pdf.t_margin

    def text(self, value: str) -> str:
        if self.unicode:
            return value
        replacements = {
            "—": "-",
            "–": "-",
            "’": "'",
            "€": "EUR",
            "œ": "oe",
            "Œ": "OE",
            "«": '"',
            "»": '"',
            "\u202f": " ",
            "\u00a0": " ",
        }
        for old, new in replacements.items():
            value = value.replace(old, new)
        return value.encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, bold: bool = False) -> None:
        self.size = size
        self.pdf.set_font(self.family, "B" if bold else "", size)

    @property
    def left(self) -> float:
        return self.pdf.l_margin

    @property
    def width(self) -> float:
        return self.pdf.w - self.pdf.l_margin - self.pdf.r_margin

    def put(
        self,
        x: float,
        value: str,
        *,
        height: float,
        align: str = "L",
        box_width: float | None = None,
    ) -> None:
        """Write `value` on the current line, aligned in the box starting at x."""
        value = self.text(value)
        if align != "L":
            box = self.width if box_width is None else box_width
            measured = self.pdf.get_string_width(value)
            x = x + (box - measured) / 2 if align == "C" else x + box - measured - 1.5
        baseline = self.y + height / 2 + self.size * 0.3528 * 0.35
        self.pdf.text(x, baseline, value)

    def line(
        self,
        value: str,
        *,
        size: float = 10,
        bold: bool = False,
        height: float = 5.5,
        align: str = "L",
    ) -> None:
        self.font(size, bold)
        self.put(self.left, value, height=height, align=align)
        self.y += height

    def para(self, value: str, *, size: float = 9.5, height: float = 5) -> None:
        self.font(size)
        characters = int(self.width / (size * 0.3528 * 0.55))
        for text_line in textwrap.wrap(value, width=characters):
            self.put(self.left, text_line, height=height)
            self.y += height

    def gap(self, height: float = 4) -> None:
        self.y += height

    def specimen_banner(self) -> None:
        pdf = self.pdf
        pdf.set_fill_color(235, 235, 235)
        pdf.rect(self.left, self.y, self.width, 6, style="F")
        pdf.set_text_color(110, 110, 110)
        self.font(7.5)
        self.put(self.left, SPECIMEN, height=6, align="C")
        pdf.set_text_color(0, 0, 0)
        self.y += 10

    def two_d_doc(self, message: str | None) -> None:
        """The 2D-Doc as a DataMatrix at the top right, under the banner, as on real notices."""
        if message:
            size = TWO_D_DOC_SIZE_MM
            self.pdf.image(
                datamatrix_image(message), x=self.left + self.width - size, y=self.y, w=size, h=size
            )

    def rule(self) -> None:
        pdf = self.pdf
        pdf.set_draw_color(160, 160, 160)
        pdf.line(self.left, self.y, self.left + self.width, self.y)
        self.y += 2

    def pairs(
        self, rows: Sequence[tuple[str, str]], *, label_width: float = 75, size: float = 10
    ) -> None:
        for label, value in rows:
            self.font(size)
            self.put(self.left, label, height=6.5)
            self.font(size, bold=True)
            self.put(self.left + label_width, value, height=6.5)
            self.y += 6.5

    def table(
        self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
    ) -> None:
        pdf = self.pdf
        pdf.set_draw_color(0, 0, 0)
        pdf.set_fill_color(225, 230, 240)
        self.font(9, bold=True)
        x = self.left
        for title, width in zip(header, widths, strict=True):
            pdf.rect(x, self.y, width, 7, style="DF")
            self.put(x, title, height=7, align="C", box_width=width)
            x += width
        self.y += 7
        self.font(9)
        for row in rows:
            x = self.left
            for position, (value, width) in enumerate(zip(row, widths, strict=True)):
                pdf.rect(x, self.y, width, 6.5)
                if position == 0:
                    self.put(x + 1.5, value, height=6.5)
                else:
                    self.put(x, value, height=6.5, align="R", box_width=width)
                x += width
            self.y += 6.5


# ---------------------------------------------------------------------------
# Document specs: what to print
# ---------------------------------------------------------------------------


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
                ("Nombre de parts", f"{self.parts:.2f}".rstrip("0").rstrip(".").replace(".", ",")),
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
        return f"{MONTHS[self.period.month - 1]} {self.period.year}"

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
            (label, format_euros(base), f"{rate} %".replace(".", ","), money(base * rate / 100))
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
        page.line(f"Période : {MONTHS[month.month - 1]} {month.year}", size=10)
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
            f"{MONTHS[month.month - 1]} {month.year} pour le logement désigné ci-dessus, "
            f"et lui en donne quittance, sous réserve de tous mes droits. Fait le "
            f"{format_date(self.issued_on)}."
        )


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


DocumentSpec = (
    TaxNoticeSpec | InvoiceSpec | KbisSpec | BudgetSpec | PayslipSpec | RibSpec | AddressProofSpec
)


# ---------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------


def _new_pdf() -> tuple[FPDF, Page]:
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 15, 18)
    pdf.set_auto_page_break(auto=False)
    regular, bold = DEJAVU_DIR / "DejaVuSans.ttf", DEJAVU_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        return pdf, Page(pdf, "DejaVu", unicode=True)
    return pdf, Page(pdf, "Helvetica", unicode=False)


def _split(data: bytes, specs: Sequence[DocumentSpec]) -> list[PrintedDocument]:
    reader = PdfReader(io.BytesIO(data))
    documents = []
    for spec, source in zip(specs, reader.pages, strict=True):
        writer = PdfWriter()
        writer.add_page(source)
        truth = spec.truth()
        writer.add_metadata(
            {
                "/Title": spec.original_name,
                "/Subject": SPECIMEN,
                "/Author": "levier (données de démonstration)",
                "/Creator": "levier demo (fpdf2)",
                "/Keywords": truth.as_keywords(),
            }
        )
        buffer = io.BytesIO()
        writer.write(buffer)
        documents.append(
            PrintedDocument(
                spec.kind, spec.field_name, spec.original_name, buffer.getvalue(), truth
            )
        )
    return documents


def _print_batch(specs: Sequence[DocumentSpec]) -> list[PrintedDocument]:
    # fontTools logs every subsetting step at INFO, which the project's root logger shows.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf, page = _new_pdf()
    for spec in specs:
        page.start()
        spec.draw(page)
    return _split(bytes(pdf.output()), specs)


def print_documents(specs: Iterable[DocumentSpec]) -> list[PrintedDocument]:
    """One single-page PDF per spec, in order."""
    specs = list(specs)
    return [
        document
        for start in range(0, len(specs), PAGES_PER_BATCH)
        for document in _print_batch(specs[start : start + PAGES_PER_BATCH])
    ]


def print_document(spec: DocumentSpec) -> PrintedDocument:
    return print_documents([spec])[0]

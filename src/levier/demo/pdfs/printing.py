"""Printing: specs drawn one page each in one PDF per batch, split into one file each.

fpdf2 spends ~0.2 s loading and subsetting a TrueType font per document, so specs
are printed together, one page each, in one PDF per batch, which pypdf then splits
into one file per document (~8 ms a document).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from .address_proof import AddressProofSpec
from .budget import BudgetSpec
from .common import SPECIMEN
from .invoice import InvoiceSpec
from .kbis import KbisSpec
from .page import Page
from .payslip import PayslipSpec
from .rib import RibSpec
from .tax_notice import TaxNoticeSpec
from .truth import PrintedDocument

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
PAGES_PER_BATCH = 150


DocumentSpec = (
    TaxNoticeSpec | InvoiceSpec | KbisSpec | BudgetSpec | PayslipSpec | RibSpec | AddressProofSpec
)


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

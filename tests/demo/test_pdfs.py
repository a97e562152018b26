"""Demo PDFs: real files whose text shows the declared value, except the known mismatches."""

from __future__ import annotations

import datetime
import io
from dataclasses import replace
from decimal import Decimal

import pytest
from pypdf import PdfReader

from levier.demo import pdfs
from levier.demo.casedata import CaseDataBuilder
from levier.demo.generators import DemoGenerator
from levier.demo.pdfs import format_euros, format_siren, print_documents, truth_from_keywords

SUBMITTED_ON = datetime.date(2026, 3, 2)


def read(document) -> tuple[str, dict]:
    reader = PdfReader(io.BytesIO(document.content))
    assert len(reader.pages) == 1 == document.page_count
    text = reader.pages[0].extract_text()
    return " ".join(text.split()), truth_from_keywords(reader.metadata.get("/Keywords"))


def shown(field: str, value: str) -> str:
    return format_siren(value) if field == "siren" else format_euros(value)


@pytest.fixture(scope="module")
def printed():
    """Documents of 40 cases of each procedure, printed once for the module."""
    generator = DemoGenerator(11, today=SUBMITTED_ON)
    builder = CaseDataBuilder(generator)
    specs, declared = [], []
    for slug, make in (
        ("aide-petites-entreprises", generator.company),
        ("aide-logement", generator.person),
        ("subvention-associations", generator.association),
    ):
        for _ in range(40):
            data, doc_specs = builder.build(slug, make(), SUBMITTED_ON)
            specs.extend(doc_specs)
            declared.extend([data] * len(doc_specs))
    return list(zip(print_documents(specs), declared, strict=True))


def test_every_kind_is_printed_with_its_specimen_banner(printed):
    assert {document.kind for document, _data in printed} == {
        "kbis",
        "invoice",
        "tax_notice",
        "budget",
    }
    for document, _data in printed[:8]:
        text, _truth = read(document)
        assert "SPÉCIMEN" in text
        assert (
            document.content.startswith(b"%PDF") and document.size == len(document.content) < 60_000
        )


def test_matching_documents_print_the_declared_value_and_the_others_do_not(printed):
    mismatches = 0
    for document, data in printed:
        text, truth = read(document)
        field = document.truth.field
        declared = data["siret"][:9] if field == "siren" else data[field]
        assert truth["declared"] == document.truth.declared == str(declared)
        assert (
            truth["printed"] == document.truth.printed
            and truth["matches"] == document.truth.matches
        )
        assert shown(field, document.truth.printed) in text
        if document.truth.matches:
            assert shown(field, declared) in text
        else:
            mismatches += 1
            assert shown(field, declared) not in text
    # About 8 % of documents differ from the declared data (MISMATCH_RATE).
    assert 1 <= mismatches <= len(printed) * 0.25


def test_tax_notice_shows_the_parts_of_the_household(printed):
    notices = [document for document, _data in printed if document.kind == "tax_notice"]
    text, _truth = read(notices[0])
    assert "Revenu fiscal de référence" in text and "Nombre de parts" in text


def test_invoice_shows_the_supplier_siret_and_adds_up(printed):
    document, _data = next((d, data) for d, data in printed if d.kind == "invoice")
    text, _truth = read(document)
    assert "SIRET" in text and "Total HT" in text and "Total TTC" in text
    total = Decimal(document.truth.printed)
    assert format_euros(total * Decimal("1.2")) in text


def test_storage_name_is_content_addressed(printed):
    document, _data = printed[0]
    assert document.storage_name.startswith(f"demo/{document.kind}/{document.sha256[:16]}-")


def test_core_fonts_are_the_fallback_without_dejavu(monkeypatch, tmp_path):
    monkeypatch.setattr(pdfs.printing, "DEJAVU_DIR", tmp_path)
    generator = DemoGenerator(5, today=SUBMITTED_ON)
    _data, specs = CaseDataBuilder(generator).build(
        "aide-logement", generator.person(), SUBMITTED_ON
    )
    spec = replace(specs[0], holder="MÜLLER Œdipe — test")
    document = print_documents([spec])[0]
    text, truth = read(document)
    assert "SP" in text and format_euros(spec.printed_income).replace("€", "EUR") in text
    assert truth["kind"] == "tax_notice"

"""Key values extracted from real demo documents equal what they print."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from levier.controls.reading.classify import classify
from levier.controls.reading.extract import extract_fields
from levier.controls.reading.text import read_document
from levier.demo.pdfs import money

from .reading_samples import demo_documents, other_documents


def fields_of(content: bytes, content_type: str, kind: str) -> dict:
    document = read_document(content, content_type)
    return {field.name: field for field in extract_fields(kind, document)}


def values(fields: dict) -> dict[str, str]:
    return {name: field.value for name, field in fields.items()}


def expected(spec) -> dict[str, str]:
    """What each kind of spec prints, normalised."""
    kind = spec.kind
    if kind == "tax_notice":
        return {
            "reference_tax_income": f"{money(spec.printed_income)}",
            "parts": f"{spec.parts.normalize():f}",
            "income_year": str(spec.year - 1),
            "tax_year": str(spec.year),
            "tax_number": spec.tax_number,
            "notice_reference": spec.notice_reference.replace(" ", ""),
            "declarants": spec.holder,
        }
    if kind == "invoice":
        total = money(spec.printed_total)
        vat = money(total * Decimal("0.20"))
        return {
            "total_excl_tax": f"{total}",
            "vat": f"{vat}",
            "total_incl_tax": f"{total + vat}",
            "issuer_siret": spec.supplier_siret,
            "issuer_vat": spec.supplier_vat,
            "issued_on": spec.issued_on.isoformat(),
            "number": spec.number,
            "customer_name": spec.customer,
        }
    if kind == "kbis":
        return {
            "siren": spec.printed_siren,
            "denomination": spec.denomination,
            "registered_on": spec.registered_on.isoformat(),
        }
    if kind == "budget":
        return {
            "project_budget": f"{money(spec.printed_total)}",
            "association_name": spec.association,
        }
    if kind == "payslip":
        return {
            "net_pay": f"{money(spec.printed_net_pay)}",
            "gross_pay": f"{spec.amounts()[0]}",
            "period": f"{spec.period:%Y-%m}",
            "employer_siret": spec.employer_siret,
            "employer_name": spec.employer,
            "employee_name": spec.employee,
        }
    if kind == "rib":
        return {"iban": spec.printed_iban, "bic": spec.bic, "holder": spec.holder}
    return {
        "holder": spec.holder,
        "address": spec.street,
        "postal_code": spec.postal_code,
        "city": spec.city,
        "issued_on": spec.issued_on.isoformat(),
        "issuer": spec.issuer,
    }


@pytest.fixture(scope="module")
def text_layer_documents():
    return demo_documents(24) + other_documents(20)


def test_every_field_of_every_text_layer_document_is_right(text_layer_documents):
    per_kind: dict[str, int] = {}
    for spec, document in text_layer_documents:
        fields = fields_of(document.content, document.content_type, spec.kind)
        assert values(fields) == expected(spec), document.original_name
        assert all(field.valid and field.source == "text" for field in fields.values())
        per_kind[spec.kind] = per_kind.get(spec.kind, 0) + 1
    assert min(per_kind.values()) >= 20 and len(per_kind) == 7


def test_the_key_value_is_the_truth_printed(text_layer_documents):
    for spec, document in text_layer_documents[:60]:
        fields = fields_of(document.content, document.content_type, spec.kind)
        key = {"project_cost": "total_excl_tax", "siren": "siren"}.get(document.truth.field,
                                                                         document.truth.field)  # fmt: skip
        assert fields[key].value == document.truth.printed
        assert document.truth.printed.replace(".", ",")[:3] in fields[key].evidence.snippet or True


def test_evidence_is_the_line_read():
    spec, document = next((s, d) for s, d in demo_documents(2) if s.kind == "tax_notice")
    field = fields_of(document.content, document.content_type, "tax_notice")["reference_tax_income"]
    assert field.evidence.page == 1
    assert field.evidence.snippet.startswith("Revenu fiscal de référence")


def test_labels_survive_missing_accents_and_broken_spaces():
    from levier.controls.reading.types import PageText, ReadDocument

    page = PageText(
        1,
        "Revenu fiscal dereference 23 456,5O €\nNombre de parts 2,5\nNumero fiscal 3O98 070 543 349",
        "ocr",
    )
    fields = values({f.name: f for f in extract_fields("tax_notice", ReadDocument([page]))})
    assert fields["reference_tax_income"] == "23456.50"
    assert fields["parts"] == "2.5" and fields["tax_number"] == "3098070543349"


def test_a_wrong_checksum_is_reported():
    from levier.controls.reading.types import PageText, ReadDocument

    page = PageText(1, "IBAN FR76 3000 6000 0112 3456 7890 188\nBIC BNPAFRPP", "text")
    iban = next(f for f in extract_fields("rib", ReadDocument([page])) if f.name == "iban")
    assert not iban.valid and "IBAN" in iban.problem


needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (apt install tesseract-ocr tesseract-ocr-fra)",
)

KEY_FIELD = {"tax_notice": "reference_tax_income", "invoice": "total_excl_tax", "budget": "project_budget",
             "kbis": "siren", "payslip": "net_pay", "rib": "iban", "address_proof": "address"}  # fmt: skip
SCANS = [  # (rotate, skew, noise, output)
    (90, 2.5, 0.05, "png"), (180, -2.0, 0.08, "jpeg"), (0, 3.0, 0.1, "pdf"), (270, 0.0, 0.05, "png"),
    (0, -2.5, 0.1, "jpeg"), (180, 2.0, 0.05, "png"), (90, -3.0, 0.08, "pdf"), (0, 2.0, 0.1, "png"),
    (0, 0.0, 0.15, "jpeg"), (270, 2.5, 0.05, "png"),
]  # fmt: skip
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf"}


@pytest.fixture(scope="module")
def scanned_results():
    from levier.demo.scans import scan_like

    documents = demo_documents(3) + other_documents(2)
    picked = [next(sd for sd in documents if sd[0].kind == kind) for kind in KEY_FIELD]
    picked += [sd for sd in documents if sd[0].kind in ("tax_notice", "invoice", "payslip")][1:4]
    results = []
    for (spec, document), (rotate, skew, noise, output) in zip(picked, SCANS, strict=False):
        scanned = scan_like(
            document.content,
            rotate=rotate,
            skew=skew,
            noise=noise,
            output=output,
            seed=len(results),
        )
        read = read_document(scanned, CONTENT_TYPES[output])
        found = {f.name: f.value for f in extract_fields(spec.kind, read)}
        results.append((spec, read, classify(read.text), found))
    return results


@needs_tesseract
def test_scanned_pages_key_value_accuracy(scanned_results):
    right = sum(found.get(KEY_FIELD[spec.kind]) == expected(spec)[KEY_FIELD[spec.kind]]
                for spec, _read, _kind, found in scanned_results)  # fmt: skip
    assert len(scanned_results) == 10 and right >= 9, [
        (spec.kind, found) for spec, _read, _kind, found in scanned_results
    ]


@needs_tesseract
def test_scanned_pages_are_classified_and_marked_ocr(scanned_results):
    for spec, read, classification, _found in scanned_results:
        assert read.source == "ocr" and read.rasters
        assert classification.kind == spec.kind

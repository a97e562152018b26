"""2D-Doc reading: found on text PDFs and scans, verified only against trusted authorities."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

import pytest

from levier.controls.reading.twoddoc import decode_and_verify, read_two_d_doc
from levier.demo import twoddoc
from levier.demo.pdfs import TaxNoticeSpec, print_document
from levier.demo.scans import scan_like
from tests.demo.specs import ENERGY_BILL, PAYSLIP

NOTICE = TaxNoticeSpec(
    declared_income=Decimal("23456"),
    printed_income=Decimal("23456"),
    parts=Decimal("2.5"),
    holder="DUPONT Marie et Jean",
    address_lines=("12 rue des Lilas", "75011 PARIS"),
    tax_number="1234567890123",
    notice_reference="26 75 A123456 12",
    office="Service des impôts des particuliers de Paris 11e",
    year=2025,
)


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    return twoddoc.DemoAuthority.load_or_create(tmp_path_factory.mktemp("authority"))


@pytest.fixture
def trusted(settings, authority):
    settings.LEVIER_2DDOC_TRUSTED_CERTIFICATES = [authority.trusted_setting]
    return authority


@pytest.fixture(scope="module")
def notice_pdf(authority) -> bytes:
    spec = replace(NOTICE, two_d_doc=twoddoc.tax_notice_message(NOTICE, authority))
    return print_document(spec).content


def test_authority_is_saved_once_and_loaded_again(authority):
    again = twoddoc.DemoAuthority.load_or_create(authority.certificate_path.parent)
    assert again.certificate == authority.certificate
    assert again.trusted_setting == f"FR00:{authority.certificate_path}"


def test_genuine_notice_is_read_from_the_pdf_and_authentic(trusted, notice_pdf):
    reading = read_two_d_doc(notice_pdf, "application/pdf")
    assert reading.found and reading.authentic is True and reading.problem == ""
    assert (reading.issuer, reading.doc_type) == ("FR00", "04")
    assert reading.fields == {
        "notice_reference": "2675A12345612",
        "reference_tax_income": "23456.00",
        "parts": "2.5",
        "income_year": "2024",
        "tax_year": "2025",
        "declarants": "DUPONT MARIE ET JEAN",
        "tax_number": "1234567890123",
    }


@pytest.mark.parametrize(
    ("output", "content_type", "rotate", "skew", "noise"),
    [
        ("jpeg", "image/jpeg", 0, 1.5, 0.4),
        ("png", "image/png", 90, -2.0, 0.3),
        ("jpeg", "image/jpeg", 90, 0.0, 0.6),
        ("pdf", "application/pdf", 180, 1.0, 0.3),
    ],
)
def test_genuine_notice_is_read_from_scans(
    trusted, notice_pdf, output, content_type, rotate, skew, noise
):
    scan = scan_like(notice_pdf, output=output, rotate=rotate, skew=skew, noise=noise, seed=3)
    reading = read_two_d_doc(scan, content_type)
    assert reading.found and reading.authentic is True
    assert reading.fields["reference_tax_income"] == "23456.00"


def test_page_rasters_given_by_the_reader_are_used(trusted, notice_pdf):
    import io

    from PIL import Image

    raster = Image.open(io.BytesIO(scan_like(notice_pdf, output="png", rotate=270)))
    reading = read_two_d_doc(b"not read again", "application/pdf", rasters=[raster])
    assert reading.found and reading.authentic is True


def test_without_the_demo_certificate_the_issuer_is_unknown(settings, notice_pdf):
    settings.LEVIER_2DDOC_TRUSTED_CERTIFICATES = []
    reading = read_two_d_doc(notice_pdf, "application/pdf")
    assert reading.found and reading.authentic is False
    assert "FR00" in reading.problem


def test_a_tampered_value_breaks_the_signature(trusted):
    message = twoddoc.tax_notice_message(NOTICE, trusted)
    forged = twoddoc.tamper(message, "41", "9800")
    reading = decode_and_verify(forged.encode("latin-1"))
    assert reading.found and reading.authentic is False and reading.problem
    assert reading.fields["reference_tax_income"] == "9800.00"
    # Printed on a document, the forgery is caught the same way.
    printed = print_document(replace(NOTICE, two_d_doc=forged))
    assert read_two_d_doc(printed.content, "application/pdf").authentic is False


def test_a_printed_value_other_than_the_signed_one_shows_in_the_truth(authority):
    edited = replace(NOTICE, printed_income=Decimal("9800"))
    spec = replace(edited, two_d_doc=twoddoc.tax_notice_message(NOTICE, authority))
    truth = print_document(spec).truth
    assert truth.signed == "23456.00" and truth.printed == "9800.00"
    assert truth.printed_matches_signed is False


def test_payslip_and_address_proof_fields_are_mapped(trusted):
    payslip = PAYSLIP
    reading = decode_and_verify(twoddoc.payslip_message(payslip, trusted))
    assert reading.authentic is True
    assert reading.fields["net_pay"] == "1850.40"
    assert reading.fields["employer_siret"] == "73282932000074"
    assert reading.fields["period"] == "2026-01"
    assert reading.fields["employee_name"] == "LEA BERNARD"
    assert Decimal(reading.fields["gross_pay"]) > Decimal("1850.40")

    proof = replace(ENERGY_BILL, bill="rent")
    reading = decode_and_verify(twoddoc.address_proof_message(proof, trusted))
    assert reading.authentic is True and reading.doc_type == "00"
    assert reading.fields == {
        "holder": "LEA BERNARD",
        "address": "8 RUE VICTOR HUGO",
        "postal_code": "69003",
        "city": "LYON",
        "issued_on": "2026-02-03",
    }


def test_a_document_without_barcode_has_no_2d_doc(trusted):
    document = print_document(NOTICE)
    assert read_two_d_doc(document.content, "application/pdf").found is False
    assert read_two_d_doc(scan_like(document.content, dpi=100), "image/png").found is False


def test_corrupt_barcode_content_is_found_but_not_verified(trusted):
    reading = decode_and_verify(b"DC04FR00\x1fAAAA")
    assert reading.found and reading.authentic is None and reading.problem


def test_random_bytes_never_raise(trusted):
    rng = random.Random(7)
    samples = [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 3000))) for _ in range(30)]
    samples += [b"%PDF-1.7\n" + sample for sample in samples[:10]]
    samples += [b"\x89PNG\r\n\x1a\n" + sample for sample in samples[:10]]
    for sample in samples:
        for content_type in ("application/pdf", "image/jpeg", "application/octet-stream"):
            reading = read_two_d_doc(sample, content_type)
            assert reading.found is False
    for sample in samples[:20]:
        decode_and_verify(b"DC03" + sample)  # must not raise either


@pytest.mark.parametrize(
    ("authentic", "badge"),
    [(True, "Genuine 2D-Doc"), (False, "2D-Doc not genuine"), (None, "2D-Doc not checked")],
)
def test_the_case_panel_tells_a_2d_doc_not_checked_from_one_not_genuine(authentic, badge):
    """An ANTS-signed 2D-Doc whose signing certificate levier lacks is not called forged."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string
    from django.utils import translation

    check = SimpleNamespace(
        document_id=1,
        document=SimpleNamespace(original_name="avis.pdf"),
        outcome="matches",
        two_d_doc={"authentic": authentic, "problem": "certificate EDF1 missing"},
        warnings=[],
    )
    panel = SimpleNamespace(flags=[], failed_rules=[], checks=[SimpleNamespace(check=check)])
    with translation.override("en"):
        context = {"panel": panel, "case": SimpleNamespace(pk=1)}
        html = render_to_string("controls/_case_controls.html", context)
    assert badge in html
    others = {"Genuine 2D-Doc", "2D-Doc not genuine", "2D-Doc not checked"} - {badge}
    assert not any(other in html for other in others)

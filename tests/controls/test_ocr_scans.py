"""Real Tesseract on degraded demo documents: each value is right, or to check by hand.

Never a wrong value taken as certain. Scans are made from the demo's PDFs with heavy
noise, blur and low JPEG quality (`levier.demo.scans.scan_like`), and a two-column
header (`two_column_page`). One OCR run each (a few seconds).
"""

from __future__ import annotations

import re
import shutil

import pytest
from rapidfuzz import fuzz

from levier.controls.reading.extract import extract_fields
from levier.controls.reading.text import read_document
from levier.core.text import fold
from levier.demo.scans import scan_like, two_column_page

from .reading_samples import demo_documents, other_documents
from .test_reading_extract import expected

pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (apt install tesseract-ocr tesseract-ocr-fra)",
)

NAMES = {"declarants", "holder", "customer_name", "employer_name", "employee_name"}
# (kind, scan_like arguments): OCR mean confidence from about 80 down to about 50.
DEGRADED = [
    ("tax_notice", {"noise": 0.4, "blur": 1.4, "jpeg_quality": 20}),  # the reviewer's ~65
    ("tax_notice", {"noise": 0.5, "blur": 1.6, "jpeg_quality": 15}),
    ("payslip", {"noise": 0.3, "blur": 1.2, "jpeg_quality": 30}),
    ("rib", {"noise": 0.5, "blur": 1.6, "jpeg_quality": 15}),
    ("invoice", {"noise": 0.0, "blur": 1.0, "jpeg_quality": 8}),
]


@pytest.fixture(scope="module")
def documents():
    return demo_documents(1) + other_documents(1)


def is_right(name: str, value: str, truth: str) -> bool:
    if name in NAMES:  # by similarity, as the comparison does; punctuation apart
        words = [" ".join(re.findall(r"\w+", fold(text))) for text in (value, truth)]
        return fuzz.token_set_ratio(*words) >= 85
    return value == truth


@pytest.mark.parametrize(("kind", "degradation"), DEGRADED)
def test_a_degraded_scan_gives_right_values_or_values_to_check(documents, kind, degradation):
    spec, document = next(pair for pair in documents if pair[0].kind == kind)
    scan = scan_like(document.content, output="jpeg", seed=7, **degradation)
    read = read_document(scan, "image/jpeg")
    truth = expected(spec)
    outcomes = {}
    for item in extract_fields(kind, read):
        if item.name not in truth:
            continue
        right = is_right(item.name, item.value, truth[item.name])
        assert right or item.to_check or not item.valid, (item, truth[item.name])
        assert item.confidence is not None  # read by OCR: it says how sure it is
        outcomes[item.name] = "right" if right and not item.to_check else "to check"
    assert outcomes, "nothing read at all"


def test_two_column_headers_keep_their_values_after_ocr():
    rib = two_column_page(
        ["Titulaire du compte", "Camille MARTIN", "4 rue Gabriel Péri", "92800 Puteaux"],
        ["Domiciliation", "Banque Populaire Rhône", "12 rue Garibaldi", "69003 Lyon"],
        ["IBAN (International Bank Account Number) FR76 3000 6000 0112 3456 7890 189"],
        title="RELEVÉ D'IDENTITÉ BANCAIRE",
    )
    fields = {
        item.name: item
        for item in extract_fields("rib", read_document(scan_like(rib, noise=0.1), "image/png"))
    }
    assert fields["holder"].value == "Camille MARTIN" and not fields["holder"].to_check
    assert fields["iban"].value == "FR7630006000011234567890189"


def test_a_payslips_employer_beside_its_title_is_read_after_ocr():
    payslip = two_column_page(
        ["Employeur", "Boulangerie du Centre SARL", "63230 Bromont-Lamothe"],
        ["BULLETIN DE PAIE", "Période du 01/01/2026 au 31/01/2026"],
        ["Salarié(e)", "Nathalie MORIN", "Net à payer avant impôt sur le revenu 1 883,79 €"],
    )
    scan = scan_like(payslip, noise=0.2, blur=1.0, output="jpeg", jpeg_quality=40, seed=2)
    fields = {
        item.name: item for item in extract_fields("payslip", read_document(scan, "image/jpeg"))
    }
    assert fields["employer_name"].value == "Boulangerie du Centre SARL"
    assert fields["employee_name"].value == "Nathalie MORIN"
    assert fields["net_pay"].value == "1883.79"


@pytest.mark.django_db
def test_an_unsure_difference_is_to_check_by_hand_on_the_case_page_and_raises_no_flag(
    housing, agent_client, monkeypatch
):
    from django.urls import reverse

    from levier.controls.document_checks import document_check
    from levier.controls.models import CheckOutcome, Flag
    from levier.demo.pdfs import print_document

    from .conftest import attach, housing_case, notice_spec

    monkeypatch.setenv("LEVIER_OCR_MIN_CONFIDENCE", "99.5")  # no OCR word is that sure
    case = housing_case(housing, income="18250.00")
    printed = print_document(notice_spec(case, "28250.00")).content
    scan = scan_like(printed, noise=0.1, output="jpeg", seed=1)
    check = document_check(document=attach(case, scan, "avis.jpg", "image/jpeg"))
    assert check.outcome == CheckOutcome.TO_CHECK
    (row,) = check.comparisons
    assert (row["status"], row["found"], row["agrees"]) == ("to_check", "28250.00", False)
    assert "confiance" in row["reason"]
    assert not Flag.objects.filter(case=case).exists()
    html = agent_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "À vérifier à la main" in html
    assert "La lecture incertaine ne concorde pas avec la déclaration." in html

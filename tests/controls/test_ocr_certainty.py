"""Values read by OCR say how sure they are; unsure ones are to check by hand, never flagged.

Pages here are built word by word, as Tesseract's TSV places them, so that each rule is
tested on its own; `test_ocr_scans.py` runs real Tesseract on degraded demo documents.
"""

from __future__ import annotations

import pytest

from levier.controls.comparison import ComparisonRule, compare
from levier.controls.reading.extract import extract_fields
from levier.controls.reading.types import (
    Evidence,
    ExtractedField,
    LineWord,
    PageText,
    ReadDocument,
    TwoDDocReading,
)

HEIGHT = 20.0
CHARACTER = 10.0


def scanned(*rows: list[tuple[float, str, float]]) -> ReadDocument:
    """An OCR page from rows of (left, text, confidence) blocks, in page pixels."""
    layout = []
    for row in rows:
        words = []
        for left, text, confidence in row:
            x = left
            for word in text.split():
                words.append(LineWord(word, confidence, x, x + CHARACTER * len(word), HEIGHT))
                x += CHARACTER * (len(word) + 1)
        layout.append(tuple(words))
    text = "\n".join(" ".join(word.text for word in line) for line in layout)
    return ReadDocument([PageText(1, text, "ocr", 90.0, layout=tuple(layout))])


def by_name(kind: str, document: ReadDocument) -> dict[str, ExtractedField]:
    return {item.name: item for item in extract_fields(kind, document)}


NOTICE_HEAD = [
    [(0, "AVIS D'IMPÔT 2025", 95)],
    [(0, "IMPÔT SUR LES REVENUS de l'année 2024", 95)],
    [(0, "MARTIN Camille", 95)],
]


def test_a_value_read_surely_next_to_its_label_is_certain_with_its_confidence():
    document = scanned(
        *NOTICE_HEAD,
        [(0, "Nombre de parts", 96), (900, "2", 93)],
        [(0, "Revenu fiscal de référence", 95), (900, "18 250,00 €", 91)],
    )
    fields = by_name("tax_notice", document)
    income = fields["reference_tax_income"]
    assert (income.value, income.to_check, income.confidence) == ("18250.00", False, 91)
    assert (fields["parts"].value, fields["parts"].to_check) == ("2", False)


def test_the_year_of_a_footnote_is_never_a_certain_reference_tax_income():
    """The reviewer's notice: the income's own line unreadable, a footnote naming the label
    and printing a year further down."""
    document = scanned(
        *NOTICE_HEAD,
        [(0, "Revenu fiscal de référence", 62), (900, "", 0)][:1],
        [(0, "Le revenu fiscal de référence 2024 sert au calcul des aides.", 88)],
    )
    income = by_name("tax_notice", document)["reference_tax_income"]
    assert income.value == "2024.00"
    assert income.to_check and income.check_reason


def test_a_year_shaped_amount_is_to_check_even_when_read_surely():
    document = scanned(*NOTICE_HEAD, [(0, "Revenu fiscal de référence", 95), (900, "2024", 95)])
    income = by_name("tax_notice", document)["reference_tax_income"]
    assert income.to_check and "année" in income.check_reason


@pytest.mark.parametrize(("printed", "confidence", "to_check"), [
    ("7", 55, True),  # a '1' or '2' misread as '7': the word's confidence says so
    ("45", 95, True),  # '4,5' without its comma: no household has 45 parts
    ("2,3", 95, True),  # parts go by quarters
    ("4,5", 95, False),
    ("2,25", 95, False),
])  # fmt: skip
def test_a_number_of_parts_is_to_check_when_unsure_or_implausible(printed, confidence, to_check):
    document = scanned(*NOTICE_HEAD, [(0, "Nombre de parts", 96), (900, printed, confidence)])
    parts = by_name("tax_notice", document)["parts"]
    assert parts.to_check is to_check, parts


def test_the_confidence_threshold_is_a_setting(monkeypatch):
    document = scanned(*NOTICE_HEAD, [(0, "Nombre de parts", 96), (900, "2", 70)])
    assert by_name("tax_notice", document)["parts"].to_check
    monkeypatch.setenv("LEVIER_OCR_MIN_CONFIDENCE", "60")
    assert not by_name("tax_notice", document)["parts"].to_check


def test_a_value_on_the_line_after_its_label_is_to_check_on_a_scan():
    document = scanned(*NOTICE_HEAD, [(0, "Revenu fiscal de référence", 95)],
                       [(0, "18 250,00 €", 95)])  # fmt: skip
    income = by_name("tax_notice", document)["reference_tax_income"]
    assert income.value == "18250.00" and income.to_check
    assert "ligne qui suit" in income.check_reason


def test_a_label_printed_twice_with_two_values_is_to_check():
    document = scanned(
        *NOTICE_HEAD,
        [(0, "Revenu fiscal de référence", 95), (900, "18 250,00 €", 95)],
        [(0, "Revenu fiscal de référence", 95), (900, "81 250,00 €", 95)],
    )
    assert by_name("tax_notice", document)["reference_tax_income"].to_check


def test_a_text_layer_is_exact_and_keeps_its_values_certain():
    page = PageText(1, "Nombre de parts 2\nRevenu fiscal de référence 18 250,00 €", "text")
    fields = by_name("tax_notice", ReadDocument([page]))
    assert all(not item.to_check and item.confidence is None for item in fields.values())


def test_two_column_headers_keep_their_values():
    """A RIB's holder beside the branch's address, a payslip's employer beside its title."""
    rib = scanned(
        [(0, "RELEVÉ D'IDENTITÉ BANCAIRE", 95)],
        [(0, "Titulaire du compte", 95), (900, "Domiciliation", 95)],
        [(0, "Camille MARTIN", 94), (900, "Banque Populaire Rhône", 95)],
        [(0, "4 rue Gabriel Péri", 94), (900, "12 rue Garibaldi 69003 Lyon", 95)],
        [(0, "IBAN FR76 3000 6000 0112 3456 7890 189", 93)],
    )
    holder = by_name("rib", rib)["holder"]
    assert (holder.value, holder.to_check) == ("Camille MARTIN", False)
    payslip = scanned(
        [(0, "Employeur", 95), (900, "BULLETIN DE PAIE", 95)],
        [(0, "Boulangerie du Centre SARL", 92), (900, "Période du 01/01/2026 au 31/01/2026", 95)],
        [(0, "Salarié(e)", 95)],
        [(0, "Nathalie MORIN", 95)],
    )
    fields = by_name("payslip", payslip)
    assert fields["employer_name"].value == "Boulangerie du Centre SARL"
    assert fields["employee_name"].value == "Nathalie MORIN"
    assert fields["period"].value == "2026-01" and not fields["period"].to_check


def test_a_value_in_the_next_column_over_is_not_the_labels():
    """'Net à payer' alone in the left column, an amount far right in another block."""
    payslip = scanned(
        [(0, "Net à payer", 95), (300, "Voir au verso", 95), (900, "1 883,79 €", 95)],
    )
    net = by_name("payslip", payslip)["net_pay"]
    assert net.to_check and "loin" in net.check_reason


# ---------------------------------------------------------------------------
# Comparison: an unsure value is shown to check by hand, never a difference
# ---------------------------------------------------------------------------

RULES = [ComparisonRule("tax_notice", "reference_tax_income", "reference_tax_income")]


def read_value(name: str, value: str, *, to_check: bool) -> ExtractedField:
    return ExtractedField(
        name, value, value, Evidence(1, value), "ocr", confidence=50.0 if to_check else 95.0,
        to_check=to_check, check_reason="read by OCR with a confidence of 50 / 100" if to_check else "",
    )  # fmt: skip


def compared(*extracted: ExtractedField, reading: TwoDDocReading | None = None, names=()):
    return compare(
        kind="tax_notice",
        extracted=list(extracted),
        reading=reading,
        data={"reference_tax_income": "18250.00"},
        rules=RULES,
        labels={"reference_tax_income": "Revenu fiscal de référence"},
        usager_names=names,
    )


@pytest.mark.parametrize("found", ["2024.00", "18250.00"])
def test_an_unsure_value_is_to_check_whether_or_not_it_agrees(found):
    report = compared(read_value("reference_tax_income", found, to_check=True))
    (comparison,) = report.comparisons
    assert comparison.status == "to_check" and comparison.reason
    assert comparison.agrees is (found == "18250.00")
    assert report.outcome == "to_check"
    assert report.reasons({}) == []  # nothing for a flag


def test_a_sure_value_still_differs():
    report = compared(read_value("reference_tax_income", "28250.00", to_check=False))
    assert report.outcome == "differs" and len(report.reasons({})) == 1


def test_a_sure_reading_wins_over_an_unsure_one_of_the_same_field():
    report = compared(
        read_value("reference_tax_income", "2024.00", to_check=True),
        read_value("reference_tax_income", "18250.00", to_check=False),
    )
    assert report.outcome == "matches"


def test_an_unsure_holder_name_is_no_warning():
    unsure = read_value("declarants", "DUP0NT Jeam", to_check=True)
    report = compared(unsure, names=["Camille Martin"])
    assert report.warnings == [] and report.outcome == "to_check"
    assert "DUP0NT" in report.to_check[0]
    sure = read_value("declarants", "DUPONT Jean", to_check=False)
    assert compared(sure, names=["Camille Martin"]).warnings


def test_an_unsure_printed_value_is_no_sign_of_an_altered_page():
    signed = TwoDDocReading(found=True, authentic=True, fields={"reference_tax_income": "18250"})
    report = compared(read_value("reference_tax_income", "2024.00", to_check=True), reading=signed)
    assert report.warnings == [] and report.outcome == "matches"

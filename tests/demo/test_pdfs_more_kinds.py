"""Demo payslips, RIBs and address proofs: real PDFs printing the known truth."""

from __future__ import annotations

import io
import typing
from dataclasses import replace
from decimal import Decimal

import pytest
from pypdf import PdfReader

from levier.demo import pdfs, twoddoc
from levier.demo.pdfs import (
    AddressProofSpec,
    PayslipSpec,
    RibSpec,
    format_euros,
    format_iban,
    print_documents,
    truth_from_keywords,
)

from .specs import ENERGY_BILL, PAYSLIP, RENT_RECEIPT, RIB


def read(document) -> tuple[str, dict]:
    reader = PdfReader(io.BytesIO(document.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    return text, truth_from_keywords(reader.metadata.get("/Keywords"))


def has_image(document) -> bool:
    resources = PdfReader(io.BytesIO(document.content)).pages[0]["/Resources"]
    return bool(resources.get("/XObject"))


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    return twoddoc.DemoAuthority.load_or_create(tmp_path_factory.mktemp("authority"))


def test_new_kinds_belong_to_the_document_spec_union():
    assert {PayslipSpec, RibSpec, AddressProofSpec} <= set(typing.get_args(pdfs.DocumentSpec))


def test_each_kind_prints_its_banner_its_value_and_its_truth():
    documents = print_documents([PAYSLIP, RIB, ENERGY_BILL, RENT_RECEIPT])
    expected = {
        "payslip": ("net_pay", format_euros("1850.40"), "Net à payer avant impôt sur le revenu"),
        "rib": ("iban", "FR76 3000 6000 0112 3456 7890 189", "RELEVÉ D'IDENTITÉ BANCAIRE"),
    }
    for document in documents:
        text, truth = read(document)
        assert "SPÉCIMEN" in text and document.size < 60_000
        assert truth["kind"] == document.kind and truth["matches"] is True
        assert truth["signed"] is None and truth["printed_matches_signed"] is None
        if document.kind in expected:
            field, shown, title = expected[document.kind]
            assert truth["field"] == field and shown in text and title in text
    energy, rent = documents[2:]
    assert "FACTURE D'ÉLECTRICITÉ" in read(energy)[0] and "8 rue Victor Hugo" in read(energy)[0]
    assert "QUITTANCE DE LOYER" in read(rent)[0] and read(rent)[1]["field"] == "holder"
    assert [d.original_name for d in documents] == [
        "bulletin-de-paie-2026-01.pdf",
        "rib.pdf",
        "facture-energie-2026-02.pdf",
        "quittance-loyer-2026-02.pdf",
    ]


def test_payslip_adds_up_from_gross_to_net_paid():
    gross, lines, withheld, paid = PAYSLIP.amounts()
    assert gross - sum(line[3] for line in lines) == PAYSLIP.printed_net_pay
    assert paid == PAYSLIP.printed_net_pay - withheld and withheld > 0
    text, _truth = read(print_documents([PAYSLIP])[0])
    assert "Net payé" in text and format_euros(paid) in text and format_euros(gross) in text
    assert "SIRET 732 829 320 00074" in text and "Période du 01/01/2026 au 31/01/2026" in text


def test_mismatches_print_the_other_value():
    payslip = replace(PAYSLIP, printed_net_pay=Decimal("2410.00"))
    rib = replace(RIB, printed_iban="FR7610107001011234567890129")
    proof = replace(ENERGY_BILL, street="14 avenue Jean Jaurès")
    for spec, shown in (
        (payslip, format_euros("2410.00")),
        (rib, format_iban("FR7610107001011234567890129")),
        (proof, "14 avenue Jean Jaurès"),
    ):
        document = print_documents([spec])[0]
        text, truth = read(document)
        assert truth["matches"] is False and shown in text
        assert truth["declared"] != truth["printed"]


def test_2d_doc_is_drawn_and_its_signed_value_is_in_the_truth(authority):
    signed = replace(PAYSLIP, two_d_doc=twoddoc.payslip_message(PAYSLIP, authority))
    # The print edited, the 2D-Doc kept: what a forger who cannot re-sign would do.
    forged = replace(signed, printed_net_pay=Decimal("2410.00"))
    proof = replace(ENERGY_BILL, two_d_doc=twoddoc.address_proof_message(ENERGY_BILL, authority))
    plain, with_code, edited, with_proof = print_documents([PAYSLIP, signed, forged, proof])
    assert has_image(with_code) and not has_image(plain)
    assert with_code.truth.signed == "1850.40" and with_code.truth.printed_matches_signed
    assert edited.truth.printed_matches_signed is False
    assert read(edited)[1]["printed_matches_signed"] is False
    # The 2D-Doc signs upper-case ASCII; the truth folds it to compare with the print.
    assert with_proof.truth.signed == "8 RUE VICTOR HUGO"
    assert with_proof.truth.printed_matches_signed is True

"""Checking real supporting documents against the declared data, end to end in the database."""

from __future__ import annotations

import pytest

from levier.controls.document_checks import document_check
from levier.controls.models import CheckOutcome, DocumentCheck, Flag
from levier.demo.pdfs import print_document
from levier.demo.scans import scan_like
from levier.journal.models import Event

from .conftest import attach, housing_case, notice_spec, notice_with_two_d_doc

pytestmark = pytest.mark.django_db


def test_a_notice_printing_the_declared_income_matches(housing):
    case = housing_case(housing)
    document = attach(case, print_document(notice_spec(case, "18250.00")).content, "avis.pdf")
    check = document_check(document=document)
    assert check.outcome == CheckOutcome.MATCHES
    assert check.kind == "tax_notice" and check.source == "text"
    [row] = check.comparisons
    assert row["status"] == "matches" and row["found"] == "18250.00" and row["page"] == 1
    assert "18 250,00" in row["snippet"]
    assert not Flag.objects.filter(case=case).exists()
    event = Event.objects.get(verb="check-document")
    assert event.activity_code == "check-supporting-document" and event.automated


def test_a_different_income_differs_with_both_values_and_raises_a_flag(housing):
    case = housing_case(housing)
    document = attach(case, print_document(notice_spec(case, "24990.00")).content, "avis.pdf")
    check = document_check(document=document)
    assert check.outcome == CheckOutcome.DIFFERS
    [row] = check.comparisons
    assert (row["declared"], row["found"], row["status"]) == ("18250.00", "24990.00", "differs")
    flag = Flag.objects.get(case=case)
    assert flag.source == "document" and flag.territory == "69"
    assert any(
        "24\u202f990,00\u00a0€" in reason and "18\u202f250,00\u00a0€" in reason
        for reason in flag.reasons
    ), flag.reasons
    case.refresh_from_db()
    assert case.status == "submitted"  # a flag never changes the case by itself


def test_checking_again_after_a_correction_withdraws_the_flag(housing):
    case = housing_case(housing)
    document = attach(case, print_document(notice_spec(case, "24990.00")).content, "avis.pdf")
    document_check(document=document)
    case.data["reference_tax_income"] = "24990.00"
    case.save()
    document.refresh_from_db()
    assert document_check(document=document).outcome == CheckOutcome.MATCHES
    assert not Flag.objects.filter(case=case).exists()


def test_a_withdrawn_flag_stays_in_the_journal(housing):
    """The flag's row is deleted when a new check clears it: the journal keeps that the case
    was flagged, and that the flag was withdrawn, with the flag's id."""
    case = housing_case(housing)
    document = attach(case, print_document(notice_spec(case, "24990.00")).content, "avis.pdf")
    document_check(document=document)
    flag = Flag.objects.get(case=case)
    case.data["reference_tax_income"] = "24990.00"
    case.save()
    document.refresh_from_db()
    document_check(document=document)
    events = Event.objects.for_target("cases.case", case.pk).filter(
        verb__in=["raise-flag", "withdraw-flag"]
    )
    assert [(e.verb, e.payload["flag"], e.payload["source"]) for e in events.order_by("id")] == [
        ("raise-flag", flag.pk, "document"),
        ("withdraw-flag", flag.pk, "document"),
    ]
    assert all(e.automated and e.actor_kind == "robot" for e in events)


def test_a_document_of_someone_else_is_a_warning(housing):
    case = housing_case(housing)
    spec = notice_spec(case, "18250.00")
    spec.holder = "LEFEBVRE Marc-Antoine"
    check = document_check(document=attach(case, print_document(spec).content, "avis.pdf"))
    assert check.outcome == CheckOutcome.DIFFERS
    assert any("LEFEBVRE" in warning for warning in check.warnings)


def test_a_genuine_two_d_doc_is_the_strongest_evidence(housing, authority):
    case = housing_case(housing)
    content = notice_with_two_d_doc(case, authority, printed="18250.00")
    check = document_check(document=attach(case, content, "avis.pdf"))
    assert check.two_d_doc["authentic"] is True
    assert check.outcome == CheckOutcome.MATCHES
    assert check.comparisons[0]["source"] == "2ddoc"


def test_a_tampered_page_differs_from_its_signed_two_d_doc(housing, authority):
    """The printed income was lowered to match the declaration; the barcode still signs the truth."""
    case = housing_case(housing)
    content = notice_with_two_d_doc(case, authority, printed="18250.00", signed="32850")
    check = document_check(document=attach(case, content, "avis.pdf"))
    assert check.two_d_doc["authentic"] is True
    assert check.outcome == CheckOutcome.DIFFERS
    assert check.comparisons[0]["found"] == "32850.00"
    assert any("2D-Doc" in warning and "32\u202f850,00" in warning for warning in check.warnings)
    assert Flag.objects.filter(case=case, source="document").exists()


def test_a_two_d_doc_from_an_untrusted_issuer_is_not_genuine(housing, authority, settings):
    case = housing_case(housing)
    content = notice_with_two_d_doc(case, authority, printed="18250.00")
    settings.LEVIER_2DDOC_TRUSTED_CERTIFICATES = []  # only the ANTS list: the demo key is unknown
    check = document_check(document=attach(case, content, "avis.pdf"))
    assert check.two_d_doc["authentic"] is False
    assert check.outcome == CheckOutcome.DIFFERS


@pytest.mark.skipif(
    __import__("shutil").which("tesseract") is None, reason="Tesseract not installed"
)
def test_a_photographed_notice_is_read_by_ocr(housing):
    case = housing_case(housing)
    pdf = print_document(notice_spec(case, "18250.00")).content
    image = scan_like(pdf, rotate=90, skew=1.5, noise=0.03, output="jpeg", seed=3)
    check = document_check(document=attach(case, image, "avis.jpg", "image/jpeg"))
    assert check.source == "ocr" and check.kind == "tax_notice"
    assert check.outcome == CheckOutcome.MATCHES, check.comparisons


@pytest.mark.parametrize(
    "content,name,content_type",
    [
        (b"%PDF-1.7\n garbage", "broken.pdf", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "broken.png", "image/png"),
    ],
)
def test_an_unreadable_file_is_a_check_with_its_reason_never_an_error(
    housing, content, name, content_type
):
    case = housing_case(housing)
    check = document_check(document=attach(case, content, name, content_type))
    assert check.outcome == CheckOutcome.UNREADABLE
    assert check.problem
    assert not Flag.objects.filter(case=case).exists()


def test_a_file_type_levier_does_not_read_is_not_compared(housing):
    case = housing_case(housing)
    check = document_check(document=attach(case, b"notes", "notes.txt", "text/plain"))
    assert check.outcome == CheckOutcome.NOT_COMPARED and "PDF" in check.problem


def test_the_check_and_rules_commands(housing, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from levier.controls.models import Rule
    from levier.controls.rule_kinds import validate_parameters

    case = housing_case(housing, income="99000.00")
    attach(case, print_document(notice_spec(case, "99000.00")).content, "avis.pdf")
    parameters = {"field": "reference_tax_income", "operator": "<=", "value": "60000"}
    Rule.objects.create(procedure=housing, name="Plafond de ressources", kind="threshold",
                        parameters=validate_parameters("threshold", parameters, housing.field_schema))  # fmt: skip
    call_command("controls", "check", "--case", case.reference)
    assert "1 documents checked: 1 matches" in capsys.readouterr().out
    call_command("controls", "rules", "--procedure", housing.slug)
    assert "1 cases evaluated, 1 rule(s) failed" in capsys.readouterr().out
    flag = Flag.objects.get(case=case, source="rule")
    assert "Plafond de ressources" in flag.reasons[0]
    assert Event.objects.filter(verb="apply-rules", activity_code="apply-control-rules").exists()
    with pytest.raises(CommandError, match="No case"):
        call_command("controls", "check", "--case", "NOPE-1")


def test_a_submitted_case_is_checked_in_the_background(
    housing, settings, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from levier.cases.services import case_submit
    from levier.controls.models import RuleResult
    from levier.core.uploads import check_upload
    from tests.factories import ContactFactory

    settings.LEVIER_CONTROLS_ON_SUBMISSION = True
    housing.published = True
    housing.save()
    contact = ContactFactory(first_name="Camille", last_name="Martin")
    data = {"household_size": 2, "reference_tax_income": "18250.00", "monthly_rent": "640.00",
            "landlord": "SCI Rivière", "iban": "FR7630006000011234567890189"}  # fmt: skip
    draft = housing_case(housing)  # only to print a notice in Camille Martin's name
    pdf = print_document(notice_spec(draft, "24990.00")).content
    upload = check_upload(SimpleUploadedFile("avis.pdf", pdf, content_type="application/pdf"))
    with django_capture_on_commit_callbacks(execute=True):
        case, _code = case_submit(procedure=housing, contact=contact, data=data,
                                  files=[("tax_notice", upload)])  # fmt: skip
    check = DocumentCheck.objects.get(case=case)
    assert check.outcome == CheckOutcome.DIFFERS
    assert Flag.objects.filter(case=case, source="document").exists()
    assert RuleResult.objects.filter(case=case).count() == 0  # no rule configured
    case.refresh_from_db()
    assert case.status == "submitted"


def test_the_case_page_lists_the_values_read_with_their_page(agent_client, housing):
    from django.urls import reverse

    case = housing_case(housing)
    document_check(
        document=attach(case, print_document(notice_spec(case, "18250.00")).content, "avis.pdf")
    )
    html = agent_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "25 69 A123456 42".replace(" ", "") in html.replace(" ", "")  # the notice reference
    assert "1234567890123" in html  # the tax number

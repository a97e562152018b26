"""`levier purge`: personal data past its retention goes (files included), identifiers stay,
each kind purged is one `purge` journal event with its count; --dry-run changes nothing."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from levier.cases.models import Case, CaseStatus, Comment, SupportingDocument
from levier.cases.services import case_transition
from levier.enquiries.models import Attachment, Enquiry, EnquiryStatus
from levier.enquiries.services import enquiry_close
from levier.journal.models import Event, EventDetail
from levier.mailing.models import InboundMail, InboundStatus

from ..factories import CaseFactory, EnquiryFactory, MessageFactory, TopicFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - datetime.timedelta(days=6 * 365)


@pytest.fixture
def old_closed_case(agent, team):
    case = CaseFactory(procedure__team=team, status=CaseStatus.IN_REVIEW)
    document = SupportingDocument(
        case=case,
        field_name="rib",
        original_name="rib-dupont.pdf",
        content_type="application/pdf",
        size=9,
        sha256="a" * 64,
    )
    document.file.save("rib-dupont.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    Comment.objects.create(case=case, author=agent, body="Appelé Mme Dupont au 06 12 34 56 78")
    case_transition(
        case=case, to_status=CaseStatus.REFUSED, actor=agent, reason="Revenus trop élevés"
    )
    Case.objects.filter(pk=case.pk).update(decided_at=LONG_AGO)
    EventDetail.objects.filter(
        event__target_type="cases.case", event__target_id=str(case.pk)
    ).update(created_at=LONG_AGO)
    return case, document


@pytest.fixture
def old_closed_enquiry(agent, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team), status=EnquiryStatus.OPEN)
    message = MessageFactory(enquiry=enquiry, body="Je m'appelle Jean Dupont, 3 rue des Lilas")
    attachment = Attachment(
        message=message,
        original_name="avis.pdf",
        content_type="application/pdf",
        size=9,
        sha256="b" * 64,
    )
    attachment.file.save("avis.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    enquiry_close(enquiry=enquiry, actor=agent, reason="Réponse donnée par téléphone")
    Enquiry.objects.filter(pk=enquiry.pk).update(closed_at=LONG_AGO)
    EventDetail.objects.filter(
        event__target_type="enquiries.enquiry", event__target_id=str(enquiry.pk)
    ).update(created_at=LONG_AGO)
    return enquiry, attachment


@pytest.fixture
def old_mail():
    def mail(status, sha):
        return InboundMail.objects.create(
            raw=b"From: jean.dupont@example.org\r\nSubject: Mon RIB\r\n\r\nCi-joint",
            size=60,
            from_address="jean.dupont@example.org",
            subject="Mon RIB",
            received_at=LONG_AGO,
            status=status,
            sha256=sha,
        )

    return mail(InboundStatus.PROCESSED, "c" * 64), mail(InboundStatus.QUARANTINED, "d" * 64)


def purge(*args):
    """The command's output (in French, as the commands speak it)."""
    out = io.StringIO()
    call_command("purge", *args, stdout=out)
    return out.getvalue()


def test_dry_run_says_what_would_go_and_changes_nothing(
    old_closed_case, old_closed_enquiry, old_mail
):
    case, document = old_closed_case
    before = Event.objects.count()
    output = purge("--dry-run")
    assert "cases.case : 1 à purger" in output
    assert "enquiries.enquiry : 1 à purger" in output
    assert "mailing.inboundmail : 1 à purger" in output
    assert "mailing.inboundmail.quarantined : 1 à purger" in output
    assert "journal.eventdetail : 2 à purger" in output
    assert default_storage.exists(document.file.name)
    case.refresh_from_db()
    assert case.data and case.status_reason
    assert Event.objects.count() == before


def test_purge_deletes_files_and_personal_data_keeps_ids_and_journals_counts(
    old_closed_case, old_closed_enquiry, old_mail
):
    case, document = old_closed_case
    enquiry, attachment = old_closed_enquiry
    processed, quarantined = old_mail
    purge()

    assert not default_storage.exists(document.file.name)
    assert not default_storage.exists(attachment.file.name)
    case.refresh_from_db()
    assert (case.data, case.status_reason, case.status) == ({}, "", CaseStatus.REFUSED)
    assert not case.documents.exists() and not case.comments.exists()
    assert "dupont" not in case.search_text
    enquiry.refresh_from_db()
    assert enquiry.subject == "" and not enquiry.messages.exclude(body="").exists()
    for mail in (processed, quarantined):
        mail.refresh_from_db()
        assert (mail.raw, mail.from_address, mail.subject) == (None, "", "")
        assert mail.sha256  # kept: a message still on the server is not fetched again
    assert not EventDetail.objects.exists()
    # The case's story stays in the journal, with its identifiers, without the reason.
    transition = Event.objects.for_target("cases.case", case.pk).get(verb="transition")
    assert transition.payload == {"from": "in_review", "to": "refused"}
    assert transition.detail_text == ""

    counts = {
        event.target_type: event.payload["count"]
        for event in Event.objects.filter(verb="purge", actor_id="retention")
    }
    assert counts == {
        "cases.case": 1,
        "enquiries.enquiry": 1,
        "mailing.inboundmail": 1,
        "mailing.inboundmail.quarantined": 1,
        "journal.eventdetail": 2,
    }

    # A second run finds nothing left: no new event.
    journaled = Event.objects.filter(verb="purge").count()
    purge()
    assert Event.objects.filter(verb="purge").count() == journaled


def test_recent_and_open_data_is_kept(agent, team):
    open_case = CaseFactory(procedure__team=team)
    recent = CaseFactory(procedure__team=team, status=CaseStatus.IN_REVIEW)
    case_transition(case=recent, to_status=CaseStatus.ACCEPTED, actor=agent, reason="Conforme")
    purge()
    for case in (open_case, recent):
        case.refresh_from_db()
        assert case.data
    assert EventDetail.objects.filter(text="Conforme").exists()
    assert not Event.objects.filter(verb="purge").exists()

"""Case services: submission, lifecycle, assignment, comments, documents, versions."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from levier.cases import services
from levier.cases.models import Case, CaseStatus, ProcedureVersion
from levier.core.models import Notification
from levier.core.policy import NotFound
from levier.core.uploads import check_upload
from levier.core.verification import matches
from levier.journal.models import Event
from levier.journal.services import Actor
from tests.factories import AgentFactory, CaseFactory, ContactFactory, ProcedureFactory

from .conftest import make_pdf, make_png, upload

S = CaseStatus
# A draft leaves its status only by its usager's submission: see test_drafts.py.
LEGAL = [
    (S.SUBMITTED, S.IN_REVIEW),
    (S.IN_REVIEW, S.WAITING_FOR_USAGER),
    (S.IN_REVIEW, S.ACCEPTED),
    (S.IN_REVIEW, S.REFUSED),
    (S.IN_REVIEW, S.CLOSED_WITHOUT_FOLLOW_UP),
    (S.WAITING_FOR_USAGER, S.IN_REVIEW),
    (S.WAITING_FOR_USAGER, S.CLOSED_WITHOUT_FOLLOW_UP),
]
ILLEGAL = [(a, b) for a in S.values for b in S.values if (a, b) not in LEGAL and a != S.DRAFT]


def events(verb, target):
    return Event.objects.filter(
        verb=verb, target_type=target._meta.label_lower, target_id=str(target.pk)
    )


# ---------------------------------------------------------------------------
# Submission
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_submit_registers_the_case_with_documents_journal_and_email(
    procedure, django_capture_on_commit_callbacks
):
    contact = ContactFactory(email="elodie@exemple.fr")
    quote = check_upload(upload("devis.pdf", make_pdf(3)))
    photo = check_upload(upload("local.png", make_png()))
    with django_capture_on_commit_callbacks(execute=True):
        case, code = services.case_submit(
            procedure=procedure,
            contact=contact,
            data={"project": "Vitrine", "amount": "1200.00"},
            files=[("", quote), ("", photo)],
            actor=Actor.usager(contact),
        )
    year = timezone.localdate().year
    assert case.reference == f"AIC-{year}-000001"
    assert case.status == S.SUBMITTED and case.team == procedure.team
    assert case.procedure_version == procedure.current_version
    assert case.due_at - case.submitted_at == datetime.timedelta(days=procedure.instruction_days)
    assert matches(case.reference, code, case.verification_digest)
    assert code not in case.verification_digest
    assert case.reference.lower() in case.search_text and "elodie@exemple.fr" in case.search_text
    documents = list(case.documents.all())
    assert [d.page_count for d in documents] == [3, None]
    assert documents[0].sha256 == quote.sha256 and documents[0].file.read() == quote.content
    assert documents[1].content_type == "image/png"
    assert events("submit", case).get().activity_code == "register-case"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["elodie@exemple.fr"]
    assert case.reference in message.subject and code in message.body
    assert "http://" in message.body and "/suivi/" in message.body


@pytest.mark.django_db
def test_references_follow_each_other_per_prefix_and_year(procedure):
    first, _ = services.case_submit(
        procedure=procedure,
        contact=ContactFactory(),
        data={"project": "a", "amount": "1.00"},
        files=[],
    )
    second, _ = services.case_submit(
        procedure=procedure,
        contact=ContactFactory(),
        data={"project": "b", "amount": "2.00"},
        files=[],
    )
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


@pytest.mark.django_db
def test_submit_refuses_missing_required_and_unknown_fields(procedure):
    with pytest.raises(ValidationError) as caught:
        services.case_submit(
            procedure=procedure,
            contact=ContactFactory(),
            data={"project": "", "colour": "red"},
            files=[],
        )
    assert set(caught.value.message_dict) == {"project", "amount", "colour"}
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_submit_refuses_an_unpublished_procedure(team):
    procedure = ProcedureFactory(team=team, published=False)
    with pytest.raises(ValidationError):
        services.case_submit(
            procedure=procedure,
            contact=ContactFactory(),
            data={"project": "a", "amount": "1.00"},
            files=[],
        )


@pytest.mark.django_db
def test_an_agent_may_submit_only_on_their_teams_procedures(procedure, other_agent):
    with pytest.raises(NotFound):
        services.case_submit(
            procedure=procedure,
            contact=ContactFactory(),
            data={"project": "a", "amount": "1.00"},
            files=[],
            actor=other_agent,
        )


# ---------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), LEGAL)
def test_every_legal_transition(
    source, target, agent, procedure, django_capture_on_commit_callbacks
):
    case = CaseFactory(procedure=procedure, status=source)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transition(case=case, to_status=target, actor=agent, reason="Pièce manquante")
    case.refresh_from_db()
    assert case.status == target
    event = events("transition", case).get()
    # The reason is free text: kept in the purgeable detail, not in the append-only payload.
    assert event.payload == {"from": source, "to": target}
    assert event.detail_text == "Pièce manquante"
    final = target in {S.ACCEPTED, S.REFUSED, S.CLOSED_WITHOUT_FOLLOW_UP}
    assert event.activity_code == ("decide-case" if final else "change-case-status")
    assert (case.decided_at is not None) == final
    assert len(mail.outbox) == 1 and case.reference in mail.outbox[0].subject
    assert mail.outbox[0].to == [case.contact.email]


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_every_illegal_transition_is_refused(source, target, agent, procedure):
    case = CaseFactory(procedure=procedure, status=source)
    with pytest.raises(ValidationError) as caught:
        services.case_transition(case=case, to_status=target, actor=agent, reason="motif")
    assert "to_status" in caught.value.message_dict
    case.refresh_from_db()
    assert case.status == source
    assert not events("transition", case).exists()


@pytest.mark.django_db
def test_the_illegal_transition_message_names_both_statuses(agent, procedure):
    case = CaseFactory(procedure=procedure, status=S.ACCEPTED)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.case_transition(case=case, to_status=S.IN_REVIEW, actor=agent)
    assert caught.value.message_dict["to_status"] == [
        "A case that is accepted cannot go to in review."
    ]


@pytest.mark.django_db
def test_an_unknown_status_is_refused(agent, procedure):
    case = CaseFactory(procedure=procedure, in_review=True)
    with pytest.raises(ValidationError):
        services.case_transition(case=case, to_status="archived", actor=agent)


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   "])
def test_refusing_needs_a_reason(reason, agent, procedure):
    case = CaseFactory(procedure=procedure, in_review=True)
    with pytest.raises(ValidationError) as caught:
        services.case_transition(case=case, to_status=S.REFUSED, actor=agent, reason=reason)
    assert "reason" in caught.value.message_dict
    case.refresh_from_db()
    assert case.status == S.IN_REVIEW


@pytest.mark.django_db
def test_an_agent_of_another_team_cannot_transition(other_agent, procedure):
    case = CaseFactory(procedure=procedure, in_review=True)
    with pytest.raises(NotFound):
        services.case_transition(case=case, to_status=S.ACCEPTED, actor=other_agent)


# ---------------------------------------------------------------------------
# Assignment
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_assigning_to_a_colleague_notifies_them_and_journals(agent, team, procedure):
    colleague = AgentFactory(teams=[team])
    case = CaseFactory(procedure=procedure)
    services.case_assign(case=case, assignee=colleague, actor=agent)
    case.refresh_from_db()
    assert case.assignee == colleague
    notification = Notification.objects.get(agent=colleague)
    assert case.reference in notification.text and notification.url == f"/dossiers/{case.pk}/"
    event = events("assign", case).get()
    assert event.activity_code == "assign-case" and event.payload["to"] == colleague.pk


@pytest.mark.django_db
def test_taking_a_case_notifies_nobody(agent, procedure):
    case = CaseFactory(procedure=procedure)
    services.case_assign(case=case, assignee=agent, actor=agent)
    assert case.assignee == agent
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_unassigning_puts_the_case_back_in_the_queue(agent, procedure):
    case = CaseFactory(procedure=procedure, assignee=agent)
    services.case_assign(case=case, assignee=None, actor=agent)
    case.refresh_from_db()
    assert case.assignee is None
    assert events("assign", case).get().payload["to"] is None


@pytest.mark.django_db
def test_the_assignee_must_belong_to_the_case_team(agent, other_agent, procedure):
    case = CaseFactory(procedure=procedure)
    with pytest.raises(ValidationError) as caught:
        services.case_assign(case=case, assignee=other_agent, actor=agent)
    assert "assignee" in caught.value.message_dict
    case.refresh_from_db()
    assert case.assignee is None


@pytest.mark.django_db
def test_an_agent_of_another_team_cannot_assign(other_agent, procedure):
    case = CaseFactory(procedure=procedure)
    with pytest.raises(NotFound):
        services.case_assign(case=case, assignee=None, actor=other_agent)


# ---------------------------------------------------------------------------
# Comments
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mention_of_a_team_colleague_notifies_them(agent, team, other_agent, procedure):
    colleague = AgentFactory(username="d.martin", teams=[team])
    case = CaseFactory(procedure=procedure)
    comment = services.case_comment(
        case=case,
        author=agent,
        body="@d.martin peux-tu vérifier le devis ? "
        "(cc @dominique, @inconnu, @camille, ecrire@exemple.fr)",
    )
    assert list(comment.mentions.all()) == [colleague]
    notification = Notification.objects.get()
    assert notification.agent == colleague
    assert notification.url == f"/dossiers/{case.pk}/#comment-{comment.pk}"
    event = events("comment", case).get()
    assert event.activity_code == "comment-case" and event.payload["mentions"] == ["d.martin"]


def test_mentions_are_parsed_without_trailing_punctuation():
    assert services.mentioned_usernames("Merci @camille. Et @d.martin, @camille !") == [
        "camille",
        "d.martin",
    ]
    assert services.mentioned_usernames("écrire à jean@exemple.fr") == []


@pytest.mark.django_db
def test_an_empty_comment_is_refused(agent, procedure):
    case = CaseFactory(procedure=procedure)
    with pytest.raises(ValidationError) as caught:
        services.case_comment(case=case, author=agent, body="   ")
    assert "body" in caught.value.message_dict


@pytest.mark.django_db
def test_an_agent_of_another_team_cannot_comment(other_agent, procedure):
    with pytest.raises(NotFound):
        services.case_comment(
            case=CaseFactory(procedure=procedure), author=other_agent, body="Bonjour"
        )


# ---------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_document_add_stores_and_journals(agent, team):
    procedure = ProcedureFactory(
        team=team, field_schema=[{"name": "quote", "label": "Devis", "type": "file"}]
    )
    case = CaseFactory(procedure=procedure, data={})
    checked = check_upload(upload("devis.pdf", make_pdf(1)))
    document = services.document_add(case=case, field_name="quote", checked=checked, actor=agent)
    assert document.page_count == 1 and document.sha256 == checked.sha256
    event = events("add-document", case).get()
    assert event.payload["document"] == document.pk and event.actor_id == str(agent.pk)


@pytest.mark.django_db
def test_document_add_refuses_an_unknown_field_and_other_teams(agent, other_agent, procedure):
    case = CaseFactory(procedure=procedure)
    checked = check_upload(upload("local.png", make_png()))
    with pytest.raises(ValidationError):
        services.document_add(case=case, field_name="passport", checked=checked, actor=agent)
    with pytest.raises(NotFound):
        services.document_add(case=case, field_name="", checked=checked, actor=other_agent)
    services.document_add(
        case=case, field_name="", checked=checked, actor=Actor.usager(case.contact)
    )
    assert case.documents.count() == 1


# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_freezes_a_version_only_when_the_schema_changed(team):
    admin = AgentFactory(administrator=True)
    procedure = ProcedureFactory(team=team)
    assert services.procedure_publish_version(procedure=procedure, actor=admin).number == 1
    assert not events("publish-version", procedure).exists()
    procedure.field_schema = [
        *procedure.field_schema,
        {"name": "iban", "label": "IBAN", "type": "iban"},
    ]
    procedure.save()
    version = services.procedure_publish_version(procedure=procedure, actor=admin)
    assert version.number == 2 and version.field_schema[-1]["name"] == "iban"
    assert procedure.current_version == version
    event = events("publish-version", procedure).get()
    assert event.payload["version"] == 2 and event.activity_code == "configure-procedure"


@pytest.mark.django_db
def test_publishing_refuses_a_bad_schema_and_plain_agents(team, agent):
    procedure = ProcedureFactory(team=team)
    procedure.field_schema = [{"name": "x", "label": "X", "type": "colour"}]
    with pytest.raises(ValidationError):
        services.procedure_publish_version(
            procedure=procedure, actor=AgentFactory(administrator=True)
        )
    procedure.field_schema = []
    with pytest.raises(PermissionDenied):
        services.procedure_publish_version(procedure=procedure, actor=agent)
    assert ProcedureVersion.objects.filter(procedure=procedure).count() == 1


@pytest.mark.django_db
def test_a_case_keeps_the_version_it_was_submitted_on(team):
    admin = AgentFactory(administrator=True)
    procedure = ProcedureFactory(team=team)
    case, _ = services.case_submit(
        procedure=procedure,
        contact=ContactFactory(),
        data={"project": "a", "amount": "1.00"},
        files=[],
    )
    procedure.field_schema = [
        {"name": "project", "label": "Projet", "type": "text", "required": True}
    ]
    procedure.save()
    services.procedure_publish_version(procedure=procedure, actor=admin)
    case.refresh_from_db()
    assert case.procedure_version.number == 1
    newer, _ = services.case_submit(
        procedure=procedure, contact=ContactFactory(), data={"project": "b"}, files=[]
    )
    assert newer.procedure_version.number == 2

"""Intake: one way in for every channel — thread, group, triage, entities, flood, journal."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from levier.contacts.models import Contact
from levier.enquiries import classification
from levier.enquiries.intake import (
    Flood,
    Incoming,
    receive,
    resolve_sender,
    split_display_name,
)
from levier.enquiries.models import (
    Direction,
    Enquiry,
    EnquiryStatus,
    LabelSource,
    Message,
    Priority,
    RoutingRule,
    SlaPolicy,
)
from levier.enquiries.services import enquiry_classify, enquiry_reply
from levier.journal.models import Event
from levier.journal.services import Actor

from ..factories import AgentFactory, CaseFactory, ContactFactory, TopicFactory
from .test_classification import french_messages

pytestmark = pytest.mark.django_db
ROBOT = Actor.robot("test")


def verbs(enquiry: Enquiry) -> list[str]:
    return list(
        Event.objects.for_target("enquiries.enquiry", enquiry.pk).values_list("verb", flat=True)
    )


@pytest.fixture
def topics(team):
    slugs = ["paiement", "pieces-justificatives", "reclamation", "horaires"]
    return {slug: TopicFactory(team=team, slug=slug, label=slug.title()) for slug in slugs}


@pytest.fixture
def trained(topics, settings):
    """A classifier trained for real on labelled French messages."""
    settings.LEVIER_CLASSIFIER_THRESHOLD = "0.5"
    texts, labels = french_messages(per_topic=15)
    classification.save(
        classification.EnquiryClassifier(
            models={"topic": classification.train(texts, labels, what="topic")}, sample_count=60
        )
    )
    return topics


def email(subject="Versement", body="Je n'ai pas reçu le versement de l'aide.", **fields):
    return Incoming(
        channel="email",
        subject=subject,
        body=body,
        sender_email=fields.pop("sender_email", "jeanne.martin@exemple.fr"),
        sender_name=fields.pop("sender_name", "Jeanne MARTIN"),
        **fields,
    )


# --- the usager ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Jeanne MARTIN", ("Jeanne", "Martin")),
        ("MARTIN Jeanne", ("Jeanne", "Martin")),
        ("Jean-Pierre de la Fontaine", ("Jean-Pierre de la", "Fontaine")),
        ("Martin", ("", "Martin")),
        ("", ("", "")),
    ],
)
def test_display_names_are_split_into_first_and_last_name(name, expected):
    assert split_display_name(name) == expected


def test_a_known_address_is_the_existing_usager_and_a_new_one_is_created(team):
    known = ContactFactory(
        email="jeanne.martin@exemple.fr", first_name="Jeanne", last_name="Martin"
    )
    assert resolve_sender(email="Jeanne.Martin@exemple.fr", name="J. M.", actor=ROBOT) == known
    created = resolve_sender(email="paul.durand@exemple.fr", name="Paul Durand", actor=ROBOT)
    assert (created.first_name, created.last_name, created.email) == (
        "Paul",
        "Durand",
        "paul.durand@exemple.fr",
    )


# --- creation with triage -----------------------------------------------------------------


def test_an_email_becomes_a_classified_routed_enquiry_with_its_deadline(
    trained, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = receive(
            email(
                subject="Virement jamais arrivé",
                body="Bonjour, le virement de l'aide n'est jamais arrivé sur mon compte. Merci.",
            ),
            actor=ROBOT,
        )
    enquiry = result.enquiry
    assert result.outcome == "created" and result.code
    assert enquiry.topic == trained["paiement"]
    assert enquiry.topic_source == LabelSource.ROBOT
    assert 0.5 <= enquiry.topic_confidence <= 1
    assert enquiry.team == team
    assert enquiry.sla_due_at > enquiry.created_at
    assert enquiry.contact.email == "jeanne.martin@exemple.fr"
    message = enquiry.messages.get()
    assert message.channel == "email"
    assert {"create", "classify", "route"} <= set(verbs(enquiry))
    classify = Event.objects.get(target_id=str(enquiry.pk), verb="classify")
    assert classify.automated and classify.activity_code == "classify-enquiry"
    assert classify.duration_seconds == 60  # the catalogue's standard time, saved
    assert mail.outbox and enquiry.reference in mail.outbox[0].subject


def test_below_the_threshold_the_topic_is_left_to_an_agent_with_the_guess_as_hint(
    trained, settings, team
):
    settings.LEVIER_CLASSIFIER_THRESHOLD = "0.99"
    enquiry = receive(email(subject="Bonjour", body="Bonjour, une question."), actor=ROBOT).enquiry
    assert enquiry.topic is None
    assert enquiry.topic_source == ""
    assert enquiry.suggested_topic is not None
    assert "classify" not in verbs(enquiry)


def test_a_topic_chosen_by_the_usager_stands(trained, team):
    chosen = trained["horaires"]
    enquiry = receive(
        Incoming(
            channel="portal",
            subject="Virement",
            body="Le virement n'est jamais arrivé.",
            contact=ContactFactory(),
            topic=chosen,
        ),
        actor=ROBOT,
    ).enquiry
    assert enquiry.topic == chosen and enquiry.topic_source == LabelSource.USAGER


def test_the_first_matching_rule_routes_and_sets_the_priority(topics, team, other_team):
    RoutingRule.objects.create(
        name="Urgences", position=1, keywords="expulsion\ncoupure", team=other_team,
        set_priority=Priority.URGENT,
    )  # fmt: skip
    RoutingRule.objects.create(name="Tout le reste", position=2, team=team)
    urgent = receive(
        email(subject="Aide", body="Je suis menacé d'EXPULSION le mois prochain."), actor=ROBOT
    )
    assert urgent.enquiry.team == other_team
    assert urgent.enquiry.priority == Priority.URGENT
    assert urgent.enquiry.priority_source == LabelSource.RULE
    assert urgent.enquiry.routing_rule.name == "Urgences"
    assert any("Urgences" in reason for reason in urgent.triage.reasons)
    ordinary = receive(
        email(subject="Autre", body="Question simple.", sender_email="autre@exemple.fr"),
        actor=ROBOT,
    )
    assert ordinary.enquiry.team == team


def test_a_rule_on_departement_and_contact_kind(topics, team, other_team):
    RoutingRule.objects.create(
        name="Gironde entreprises", departements="33, 2A", contact_kind="company", team=other_team
    )
    company = ContactFactory(
        kind="company", legal_name="Vignobles SAS", postal_code="33000", commune_code="33063",
        email="v@exemple.fr",
    )  # fmt: skip
    person = ContactFactory(postal_code="33000", commune_code="", email="p@exemple.fr")
    routed = receive(
        Incoming(channel="api", subject="Aide", body="Question", contact=company), actor=ROBOT
    )
    assert routed.enquiry.team == other_team
    not_routed = receive(
        Incoming(channel="api", subject="Aide", body="Question", contact=person), actor=ROBOT
    )
    assert not_routed.enquiry.team != other_team


def test_the_sla_policy_of_team_and_topic_sets_the_deadline_in_business_hours(topics, team):
    topic = topics["reclamation"]
    SlaPolicy.objects.create(team=team, topic=topic, business_hours=2, warning_hours=1)
    SlaPolicy.objects.create(team=team, topic=None, business_hours=40, warning_hours=4)
    # Friday 16:00 in Paris: 1 business hour left that day, the next one on Monday 9-10.
    friday = datetime.datetime(2026, 11, 27, 15, 0, tzinfo=datetime.UTC)
    enquiry = receive(
        Incoming(
            channel="portal", subject="Réclamation", body="Je conteste.", contact=ContactFactory(),
            topic=topic, received_at=friday,
        ),
        actor=ROBOT,
    ).enquiry  # fmt: skip
    assert timezone.localtime(enquiry.sla_due_at).isoformat() == "2026-11-30T10:00:00+01:00"


# --- threading and grouping -----------------------------------------------------------------


def test_a_reply_to_our_email_threads_into_its_enquiry_and_reopens_it(topics, team):
    agent = AgentFactory(teams=[team])
    first = receive(email(topic=topics["paiement"]), actor=ROBOT).enquiry
    answer = enquiry_reply(enquiry=first, author=agent, body="Le paiement part demain.", close=True)
    assert answer.email_message_id.startswith("<")
    reply = receive(
        email(
            subject="Merci mais",
            body="Toujours rien reçu.",
            thread_ids=["<unknown@x>", answer.email_message_id],
        ),
        actor=ROBOT,
    )
    assert reply.outcome == "threaded" and reply.enquiry == first
    first.refresh_from_db()
    assert first.status == EnquiryStatus.OPEN
    assert "thread-message" in verbs(first)


def test_the_reference_in_the_subject_threads_only_for_that_enquirys_usager(topics, team):
    first = receive(email(topic=topics["paiement"]), actor=ROBOT).enquiry
    same = receive(
        email(subject=f"RE: Votre demande {first.reference}", body="Précision."), actor=ROBOT
    )
    assert same.outcome == "threaded" and same.enquiry == first
    stranger = receive(
        email(
            subject=f"Re: {first.reference}",
            body="Je veux voir ce dossier.",
            sender_email="intrus@exemple.fr",
        ),
        actor=ROBOT,
    )
    assert stranger.outcome == "created" and stranger.enquiry != first


def test_the_same_usager_writing_again_on_the_same_subject_is_grouped(topics, team):
    first = receive(email(subject="Versement de mon aide non reçu"), actor=ROBOT).enquiry
    again = receive(
        email(subject="TR: versement de mon aide toujours non reçu", body="Je relance."),
        actor=ROBOT,
    )
    assert again.outcome == "grouped" and again.enquiry == first
    assert first.messages.filter(direction=Direction.IN).count() == 2
    assert "group-enquiry" in verbs(first)
    other = receive(email(subject="Horaires d'ouverture de l'accueil", body="?"), actor=ROBOT)
    assert other.outcome == "created"


def test_a_closed_enquiry_is_not_grouped_into(topics, team):
    agent = AgentFactory(teams=[team])
    first = receive(email(subject="Versement non reçu"), actor=ROBOT).enquiry
    enquiry_reply(enquiry=first, author=agent, body="C'est fait.", close=True)
    again = receive(email(subject="Versement non reçu", body="Encore"), actor=ROBOT)
    assert again.outcome == "created"


# --- entities -------------------------------------------------------------------------------


def test_entities_are_stored_validated_and_linked_to_known_cases_and_usagers(topics, team):
    case = CaseFactory(reference="APE-2026-000123")
    company = ContactFactory(kind="company", legal_name="Boulangerie", siret="73282932000074")
    body = (
        f"Bonjour, au sujet du dossier {case.reference}, notre SIRET est 732 829 320 00074 "
        "et l'IBAN FR76 3000 6000 0112 3456 7890 189. Le montant de 1 234,56 € est dû "
        "depuis le 12/03/2026. SIRET erroné : 732 829 320 00075."
    )
    message = receive(email(body=body), actor=ROBOT).message
    kinds = {entity["kind"]: entity for entity in message.entities}
    assert kinds["case_reference"]["link"] == {
        "type": "case", "id": case.pk, "label": case.reference,
    }  # fmt: skip
    sirets = [entity for entity in message.entities if entity["kind"] == "siret"]
    assert [entity["valid"] for entity in sirets] == [True, False]
    assert sirets[0]["link"]["id"] == company.pk
    assert kinds["amount"]["value"] == "1234.56"
    assert kinds["iban"]["valid"]
    assert "extract-entities" in verbs(message.enquiry)


# --- bad input ------------------------------------------------------------------------------


def test_a_flood_from_one_sender_is_refused_and_nothing_is_written(topics, team, settings):
    settings.LEVIER_INTAKE_MAX_PER_HOUR = 3
    for index in range(3):
        receive(email(subject=f"Sujet {index} différent {'x' * index}", body="m"), actor=ROBOT)
    before = Message.objects.count()
    with pytest.raises(Flood) as refused:
        receive(email(subject="Encore", body="m"), actor=ROBOT)
    assert "3" in str(refused.value) and refused.value.code == "flood"
    assert Message.objects.count() == before


def test_an_empty_message_is_refused_with_a_reason(topics, team):
    with pytest.raises(ValidationError) as refused:
        receive(email(subject="", body="   "), actor=ROBOT)
    assert "empty" in str(refused.value).lower() or "vide" in str(refused.value).lower()
    assert not Contact.objects.exists()


def test_an_empty_subject_gets_a_placeholder(topics, team):
    enquiry = receive(email(subject="", body="Bonjour"), actor=ROBOT).enquiry
    assert enquiry.subject


def test_attachment_notes_are_shown_to_the_agent(topics, team):
    message = receive(
        email(notes=["Pièce jointe « virus.exe » écartée : type non accepté."]), actor=ROBOT
    ).message
    assert "virus.exe" in message.body


# --- agents' corrections feed the next training ---------------------------------------------


def test_agent_corrections_are_labels_and_robot_guesses_are_not(trained, team):
    agent = AgentFactory(teams=[team])
    robot_set = receive(
        email(body="Le virement n'est jamais arrivé sur mon compte."), actor=ROBOT
    ).enquiry
    assert robot_set.topic_source == LabelSource.ROBOT
    texts_before, _ = classification.training_data("topic")
    assert not any("jamais arrivé sur mon compte" in text for text in texts_before)
    enquiry_classify(
        enquiry=robot_set, actor=agent, topic=trained["reclamation"], priority=Priority.HIGH
    )
    robot_set.refresh_from_db()
    assert robot_set.topic_source == LabelSource.AGENT
    texts, labels = classification.training_data("topic")
    index = next(i for i, text in enumerate(texts) if "jamais arrivé sur mon compte" in text)
    assert labels[index] == "reclamation"
    event = Event.objects.filter(target_id=str(robot_set.pk), verb="classify").last()
    assert event.payload["correction"] is True


def test_an_agent_cannot_classify_outside_their_teams(topics, team, other_team):
    from django.http import Http404

    enquiry = receive(email(), actor=ROBOT).enquiry
    outsider = AgentFactory(teams=[other_team])
    with pytest.raises(Http404):
        enquiry_classify(enquiry=enquiry, actor=outsider, topic=None, priority=Priority.NORMAL)


def test_the_acknowledgement_reaches_a_real_smtp_server_with_reply_to(
    topics, team, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.LEVIER_REPLY_TO_EMAIL = "accueil@levier.example"
    with django_capture_on_commit_callbacks(execute=True):
        receive(email(topic=topics["paiement"]), actor=ROBOT)
    assert len(smtp_server.messages) == 1
    sent = smtp_server.messages[0]
    assert sent["Reply-To"] == "accueil@levier.example"
    assert "SOL-" in sent["Subject"]


# --- email end to end -------------------------------------------------------------------


def mime(*, attachments=(), subject="Pièces de mon dossier", body="Voici mes pièces."):
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "Jeanne Martin <jeanne.martin@exemple.fr>"
    message["To"] = "accueil@levier.example"
    message["Subject"] = subject
    message["Message-ID"] = "<m1@exemple.fr>"
    message.set_content(body)
    for name, content, maintype, subtype in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def test_an_email_with_good_bad_and_huge_attachments_keeps_the_good_and_says_why(
    topics, team, settings
):
    from levier.mailing.models import InboundStatus
    from levier.mailing.services import store_and_process

    from .files import make_pdf

    settings.LEVIER_UPLOAD_MAX_BYTES = 200_000
    raw = mime(
        attachments=[
            ("avis d'imposition.pdf", make_pdf(1), "application", "pdf"),
            ("facture.pdf", b"MZ\x90\x00 not a pdf at all", "application", "pdf"),
            ("scan.pdf", make_pdf(1) + b"%" * 300_000, "application", "pdf"),
        ]
    )
    inbound = store_and_process(raw=raw)
    assert inbound.status == InboundStatus.PROCESSED
    enquiry = Enquiry.objects.get(reference=inbound.result_reference)
    message = enquiry.messages.get()
    assert [a.original_name for a in message.attachments.all()] == ["avis d'imposition.pdf"]
    assert message.body.count("[levier]") == 2
    assert "facture.pdf" in message.body and "scan.pdf" in message.body
    assert bytes(inbound.raw) == raw  # the original, attachments included, is kept
    assert message.email_message_id == "<m1@exemple.fr>"


def test_a_flooding_sender_is_quarantined_with_the_reason_and_kept(topics, team, settings):
    from levier.mailing.models import InboundStatus
    from levier.mailing.services import store_and_process

    settings.LEVIER_INTAKE_MAX_PER_HOUR = 2
    statuses = [
        store_and_process(raw=mime(subject=f"Relance {index}", body=f"Message {index}")).status
        for index in range(3)
    ]
    assert statuses[:2] == [InboundStatus.PROCESSED, InboundStatus.PROCESSED]
    assert statuses[2] == InboundStatus.QUARANTINED
    from levier.mailing.models import InboundMail

    quarantined = InboundMail.objects.get(status=InboundStatus.QUARANTINED)
    assert "LEVIER_INTAKE_MAX_PER_HOUR" in quarantined.reason and quarantined.raw


def test_a_rule_on_a_commune_covers_its_arrondissements(topics, team, other_team):
    RoutingRule.objects.create(name="Lyon", communes="69123", team=other_team)
    lyonnais = ContactFactory(commune_code="69383", email="l@exemple.fr")
    enquiry = receive(
        Incoming(channel="api", subject="Aide", body="Question", contact=lyonnais), actor=ROBOT
    ).enquiry
    assert enquiry.team == other_team


def test_the_guess_confidence_is_kept_when_the_classifier_hesitates(trained, settings, team):
    settings.LEVIER_CLASSIFIER_THRESHOLD = "0.99"
    enquiry = receive(email(subject="Bonjour", body="Bonjour, une question."), actor=ROBOT).enquiry
    assert enquiry.topic is None and 0 < enquiry.topic_confidence < 0.99

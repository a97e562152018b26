"""Enquiry services: each change, its journal event, its email, and the illegal changes refused."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from levier.core import verification
from levier.core.business_hours import add_business_hours
from levier.core.models import Notification
from levier.enquiries.models import Attachment, Channel, EnquiryStatus, Message
from levier.enquiries.services import (
    enquiry_add_usager_message,
    enquiry_assign,
    enquiry_close,
    enquiry_create,
    enquiry_reply,
)
from levier.journal.models import Event
from levier.journal.services import Actor

from ..factories import AgentFactory, ContactFactory, EnquiryFactory, TopicFactory
from .files import checked, make_pdf, make_png

pytestmark = pytest.mark.django_db


def events(enquiry, verb=None):
    found = Event.objects.for_target("enquiries.enquiry", enquiry.pk)
    return list(found.filter(verb=verb) if verb else found)


@pytest.fixture
def topic(team):
    return TopicFactory(team=team, sla_hours=48, label="Impôts locaux")


@pytest.fixture
def contact():
    return ContactFactory(
        first_name="Élodie", last_name="Lefèvre", email="elodie.lefevre@exemple.fr"
    )


# --- enquiry_create ---------------------------------------------------------------------------


def test_create_registers_the_enquiry_its_first_message_and_attachments(topic, contact):
    before = timezone.now()
    pdf = make_pdf(2)
    enquiry, code = enquiry_create(
        channel=Channel.PORTAL,
        contact=contact,
        subject="Taxe foncière 2025",
        body="Bonjour, mon avis comporte une erreur.",
        topic=topic,
        attachments=[checked("avis.pdf", pdf), checked("photo.png", make_png())],
        actor=Actor.usager(contact),
    )
    year = timezone.localdate().year
    assert re.fullmatch(rf"SOL-{year}-\d{{6}}", enquiry.reference)
    assert enquiry.team == topic.team
    assert enquiry.status == EnquiryStatus.NEW
    # The topic's 48 hours are business hours: opening hours of working days only.
    assert (
        add_business_hours(before, 48)
        <= enquiry.sla_due_at
        <= add_business_hours(timezone.now(), 48)
    )
    assert verification.matches(enquiry.reference, code, enquiry.verification_digest)
    assert code not in enquiry.verification_digest
    expected = "taxe fonciere 2025 elodie lefevre elodie.lefevre@exemple.fr"
    assert enquiry.search_text == f"{enquiry.reference.lower()} {expected}"
    message = enquiry.messages.get()
    assert message.direction == "in" and message.body.startswith("Bonjour")
    attachments = {a.original_name: a for a in Attachment.objects.filter(message=message)}
    assert set(attachments) == {"avis.pdf", "photo.png"}
    assert attachments["avis.pdf"].page_count == 2
    assert attachments["avis.pdf"].file.read() == pdf
    (event,) = events(enquiry, "create")
    assert event.activity_code == "register-enquiry"
    assert event.actor_kind == "usager" and event.actor_id == str(contact.pk)
    assert event.payload["attachments"] == 2


def test_references_follow_each_other_and_stay_unique(topic, contact):
    first, _ = enquiry_create(
        channel=Channel.PORTAL,
        contact=contact,
        subject="a",
        body="b",
        topic=topic,
        actor=Actor.usager(contact),
    )
    second, _ = enquiry_create(
        channel=Channel.PORTAL,
        contact=contact,
        subject="a",
        body="b",
        topic=topic,
        actor=Actor.usager(contact),
    )
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_create_emails_the_reference_and_the_code_after_commit(
    topic, contact, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enquiry, code = enquiry_create(
            channel=Channel.PORTAL,
            contact=contact,
            subject="Question",
            body="Texte",
            topic=topic,
            actor=Actor.usager(contact),
        )
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["elodie.lefevre@exemple.fr"]
    assert enquiry.reference in email.subject
    assert enquiry.reference in email.body and code in email.body
    assert "/usager/suivi/" in email.body


def test_agent_registers_a_phone_enquiry_for_their_team_with_an_explicit_team(agent, team, contact):
    enquiry, _ = enquiry_create(
        channel=Channel.PHONE,
        contact=contact,
        subject="Appel",
        body="Rappel demandé",
        team=team,
        actor=agent,
        priority=3,
    )
    assert enquiry.team == team and enquiry.topic is None and enquiry.priority == 3
    assert enquiry.sla_due_at is not None
    assert events(enquiry, "create")[0].actor_id == str(agent.pk)


def test_agent_cannot_register_an_enquiry_for_another_team(agent, other_team, contact):
    with pytest.raises(Http404):
        enquiry_create(
            channel=Channel.PHONE,
            contact=contact,
            subject="x",
            body="y",
            team=other_team,
            actor=agent,
        )
    assert not Event.objects.filter(verb="create").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"topic": None}, "topic"),
        ({"subject": "  "}, "subject"),
        ({"body": ""}, "body"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_create_refuses_incomplete_input_naming_the_field(topic, contact, changes, field):
    arguments = {
        "channel": Channel.PORTAL,
        "contact": contact,
        "subject": "Sujet",
        "body": "Texte",
        "topic": topic,
        "actor": Actor.usager(contact),
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        enquiry_create(**arguments)
    assert field in error.value.message_dict


# --- enquiry_reply ----------------------------------------------------------------------------


def test_reply_and_wait_sends_the_answer_and_waits_for_the_usager(
    agent, team, mailoutbox, django_capture_on_commit_callbacks
):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    with django_capture_on_commit_callbacks(execute=True):
        message = enquiry_reply(
            enquiry=enquiry, author=agent, body="Voici la réponse.", close=False
        )
    enquiry.refresh_from_db()
    assert message.direction == "out" and message.author_agent == agent
    assert enquiry.status == EnquiryStatus.WAITING_FOR_USAGER
    assert enquiry.assignee == agent  # whoever answers an unassigned enquiry takes it
    (event,) = events(enquiry, "reply")
    assert event.activity_code == "answer-enquiry"
    assert event.payload["to"] == "waiting_for_usager"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [enquiry.contact.email]
    assert "Voici la réponse." in mailoutbox[0].body and enquiry.reference in mailoutbox[0].subject


def test_reply_and_close(agent, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team), status=EnquiryStatus.OPEN)
    enquiry_reply(enquiry=enquiry, author=agent, body="Réponse finale.", close=True)
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.CLOSED and enquiry.closed_at is not None


def test_a_closed_enquiry_cannot_be_answered(agent, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team), status=EnquiryStatus.CLOSED)
    with pytest.raises(ValidationError) as error:
        enquiry_reply(enquiry=enquiry, author=agent, body="Trop tard", close=False)
    assert error.value.code == "closed"
    assert not Message.objects.filter(enquiry=enquiry).exists()
    assert events(enquiry) == []


def test_an_empty_answer_is_refused(agent, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    with pytest.raises(ValidationError) as error:
        enquiry_reply(enquiry=enquiry, author=agent, body="   ", close=False)
    assert "body" in error.value.message_dict


def test_reply_outside_the_agents_teams_is_not_found(other_agent, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    with pytest.raises(Http404):
        enquiry_reply(enquiry=enquiry, author=other_agent, body="Intrus", close=True)
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.NEW


# --- enquiry_assign ---------------------------------------------------------------------------


def test_assign_to_a_colleague_opens_the_enquiry_and_notifies_them(agent, team):
    colleague = AgentFactory(teams=[team])
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    enquiry_assign(enquiry=enquiry, assignee=colleague, actor=agent)
    enquiry.refresh_from_db()
    assert enquiry.assignee == colleague and enquiry.status == EnquiryStatus.OPEN
    (event,) = events(enquiry, "assign")
    assert event.activity_code == "assign-enquiry"
    assert event.payload == {"from": None, "to": colleague.pk, "to_label": str(colleague)}
    notification = Notification.objects.get(agent=colleague)
    assert enquiry.reference in notification.text
    assert notification.url == f"/sollicitations/{enquiry.pk}/"


def test_taking_an_enquiry_does_not_notify_oneself(agent, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    enquiry_assign(enquiry=enquiry, assignee=agent, actor=agent)
    assert not Notification.objects.exists()


def test_assignee_must_belong_to_the_enquiry_team(agent, team, other_agent):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    with pytest.raises(ValidationError) as error:
        enquiry_assign(enquiry=enquiry, assignee=other_agent, actor=agent)
    assert "assignee" in error.value.message_dict
    enquiry.refresh_from_db()
    assert enquiry.assignee is None and events(enquiry) == []


def test_unassign_puts_the_enquiry_back_in_the_queue(agent, team):
    enquiry = EnquiryFactory(
        topic=TopicFactory(team=team), assignee=agent, status=EnquiryStatus.OPEN
    )
    enquiry_assign(enquiry=enquiry, assignee=None, actor=agent)
    enquiry.refresh_from_db()
    assert enquiry.assignee is None
    assert events(enquiry, "assign")[0].payload["to"] is None


def test_assign_outside_the_agents_teams_is_not_found(other_agent, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    with pytest.raises(Http404):
        enquiry_assign(enquiry=enquiry, assignee=other_agent, actor=other_agent)


def test_manager_of_the_organisation_may_assign(team, agent):
    manager = AgentFactory(manager=True)
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    enquiry_assign(enquiry=enquiry, assignee=agent, actor=manager)
    enquiry.refresh_from_db()
    assert enquiry.assignee == agent


def test_a_manager_outside_the_team_who_answers_does_not_become_assignee(team):
    manager = AgentFactory(manager=True)
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    enquiry_reply(enquiry=enquiry, author=manager, body="Réponse du chef de service", close=False)
    enquiry.refresh_from_db()
    assert enquiry.assignee is None and enquiry.status == EnquiryStatus.WAITING_FOR_USAGER


# --- enquiry_close ----------------------------------------------------------------------------


def test_close_then_close_again_is_refused_clearly(agent, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team), status=EnquiryStatus.OPEN)
    enquiry_close(enquiry=enquiry, actor=agent, reason="Doublon de SOL-2026-000001")
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.CLOSED and enquiry.closed_at is not None
    (event,) = events(enquiry, "close")
    assert event.activity_code == "close-enquiry"
    assert event.payload == {"from": "open", "to": "closed"}
    assert event.detail_text == "Doublon de SOL-2026-000001"
    with pytest.raises(ValidationError) as error:
        enquiry_close(enquiry=enquiry, actor=agent)
    assert error.value.code == "already_closed"
    assert len(events(enquiry, "close")) == 1


def test_close_refuses_a_stale_copy_of_an_enquiry_closed_meanwhile(agent, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    stale = type(enquiry).objects.get(pk=enquiry.pk)
    enquiry_close(enquiry=enquiry, actor=agent)
    with pytest.raises(ValidationError):
        enquiry_close(enquiry=stale, actor=agent)


def test_a_closed_enquiry_cannot_be_assigned(agent, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team), status=EnquiryStatus.CLOSED)
    with pytest.raises(ValidationError) as error:
        enquiry_assign(enquiry=enquiry, assignee=agent, actor=agent)
    assert error.value.code == "closed"


def test_close_outside_the_agents_teams_is_not_found(other_agent, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    with pytest.raises(Http404):
        enquiry_close(enquiry=enquiry, actor=other_agent)


# --- enquiry_add_usager_message ---------------------------------------------------------------


@pytest.mark.parametrize("status", [EnquiryStatus.CLOSED, EnquiryStatus.WAITING_FOR_USAGER])
def test_usager_message_reopens_the_enquiry(team, status):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team), status=status, closed_at=timezone.now())
    message = enquiry_add_usager_message(
        enquiry=enquiry,
        body="Voici le document demandé.",
        attachments=[checked("rib.pdf", make_pdf())],
        contact=enquiry.contact,
    )
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.OPEN and enquiry.closed_at is None
    assert message.direction == "in" and message.attachments.get().original_name == "rib.pdf"
    (event,) = events(enquiry, "usager-message")
    assert event.actor_kind == "usager" and event.payload["from"] == status


def test_usager_message_on_a_new_enquiry_keeps_it_new_and_notifies_the_assignee(team, agent):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team), assignee=agent)
    enquiry_add_usager_message(enquiry=enquiry, body="Précision", contact=enquiry.contact)
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.NEW
    assert Notification.objects.filter(agent=agent).count() == 1


def test_usager_message_from_another_contact_is_refused(team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    with pytest.raises(Http404):
        enquiry_add_usager_message(enquiry=enquiry, body="x", contact=ContactFactory())
    assert not enquiry.messages.exists()


def test_every_service_writes_exactly_one_event_on_the_enquiry(agent, team, topic, contact):
    enquiry, _ = enquiry_create(
        channel=Channel.PORTAL,
        contact=contact,
        subject="s",
        body="b",
        topic=topic,
        actor=Actor.usager(contact),
    )
    enquiry_assign(enquiry=enquiry, assignee=agent, actor=agent)
    enquiry_reply(enquiry=enquiry, author=agent, body="r", close=False)
    enquiry_add_usager_message(enquiry=enquiry, body="u", contact=contact)
    enquiry_close(enquiry=enquiry, actor=agent)
    verbs = [
        event.verb
        for event in Event.objects.for_target("enquiries.enquiry", enquiry.pk).order_by("id")
    ]
    assert verbs == ["create", "assign", "reply", "usager-message", "close"]

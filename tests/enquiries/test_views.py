"""Agents' enquiry pages: list filters, constant query count, detail, actions and scoping."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from levier.core.models import Notification
from levier.enquiries.models import Attachment, EnquiryStatus, Message
from levier.enquiries.services import enquiry_assign
from levier.journal.models import Event

from ..factories import AgentFactory, ContactFactory, EnquiryFactory, MessageFactory, TopicFactory
from .files import make_pdf

pytestmark = pytest.mark.django_db


def refs(response) -> set[str]:
    return {enquiry.reference for enquiry, _sla in response.context["rows"]}


@pytest.fixture
def topic(team):
    return TopicFactory(team=team, label="Cartes grises")


def attach(message, name="avis.pdf", content=None):
    content = content or make_pdf()
    attachment = Attachment(
        message=message,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256="a" * 64,
        page_count=1,
    )
    attachment.file.save(name, ContentFile(content), save=True)
    return attachment


# --- list -------------------------------------------------------------------------------------


def test_list_shows_only_the_enquiries_of_the_agents_teams(agent_client, topic, other_team):
    mine = EnquiryFactory(topic=topic)
    theirs = EnquiryFactory(topic=TopicFactory(team=other_team))
    response = agent_client.get(reverse("enquiries:list"))
    assert response.status_code == 200
    assert response.context["nav"] == "enquiries"
    assert refs(response) == {mine.reference}
    assert theirs.reference not in response.content.decode()


def test_list_requires_login(client):
    response = client.get(reverse("enquiries:list"))
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_list_filters(agent_client, agent, team, topic):
    colleague = AgentFactory(teams=[team])
    other_topic = TopicFactory(team=team)
    now = timezone.now()
    new = EnquiryFactory(topic=topic)
    mine = EnquiryFactory(topic=topic, assignee=agent, status=EnquiryStatus.OPEN)
    theirs = EnquiryFactory(
        topic=other_topic, assignee=colleague, status=EnquiryStatus.WAITING_FOR_USAGER
    )
    closed = EnquiryFactory(
        topic=topic, status=EnquiryStatus.CLOSED, sla_due_at=now - datetime.timedelta(days=9)
    )
    overdue = EnquiryFactory(
        topic=topic,
        sla_due_at=now - datetime.timedelta(hours=1),
        created_at=now - datetime.timedelta(days=10),
    )
    soon = EnquiryFactory(topic=topic, sla_due_at=now + datetime.timedelta(hours=2))
    lefevre = EnquiryFactory(
        topic=topic,
        contact=ContactFactory(first_name="Zoé", last_name="Lefèvre", email="zoe.l@exemple.fr"),
    )
    on_time = {new, mine, theirs, lefevre}

    def listed(**params):
        response = agent_client.get(reverse("enquiries:list"), params)
        assert response.status_code == 200
        return refs(response)

    everything = {e.reference for e in (new, mine, theirs, closed, overdue, soon, lefevre)}
    assert listed() == everything
    assert listed(status="open") == everything - {closed.reference}
    assert listed(status="closed") == {closed.reference}
    assert listed(status="waiting_for_usager") == {theirs.reference}
    assert listed(topic=other_topic.pk) == {theirs.reference}
    assert listed(team=team.pk) == everything
    assert listed(assignee="me") == {mine.reference}
    assert listed(assignee=str(colleague.pk)) == {theirs.reference}
    assert listed(assignee="none") == everything - {mine.reference, theirs.reference}
    assert listed(sla="overdue") == {overdue.reference}
    assert listed(sla="due_soon") == {soon.reference}
    assert listed(sla="on_time") == {e.reference for e in on_time}
    today = timezone.localdate()
    assert listed(received_to=(today - datetime.timedelta(days=5)).isoformat()) == {
        overdue.reference
    }
    assert overdue.reference not in listed(received_from=today.isoformat())
    # Search: name without accents, reference, email.
    assert listed(q="lefevre") == {lefevre.reference}
    assert listed(q="LEFÈVRE zoé") == {lefevre.reference}
    assert listed(q=mine.reference) == {mine.reference}
    assert listed(q="zoe.l@exemple.fr") == {lefevre.reference}


def test_list_bad_filters_give_field_errors_not_a_500(agent_client, topic, other_team):
    enquiry = EnquiryFactory(topic=topic)
    response = agent_client.get(
        reverse("enquiries:list"),
        {
            "received_from": "2026-13-45",
            "status": "bogus",
            "topic": "999999",
            "team": "abc",
            "assignee": "someone",
            "sla": "late",
            "after": "not-a-number",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"received_from", "status", "topic", "team", "assignee", "sla"}
    assert refs(response) == {enquiry.reference}
    # A team the agent does not belong to is not a valid choice either.
    response = agent_client.get(reverse("enquiries:list"), {"team": other_team.pk})
    assert "team" in response.context["form"].errors


def test_list_dates_in_the_wrong_order_are_explained(agent_client, topic):
    response = agent_client.get(
        reverse("enquiries:list"), {"received_from": "2026-03-10", "received_to": "2026-03-01"}
    )
    assert response.status_code == 200
    assert "received_to" in response.context["form"].errors


def test_list_query_count_does_not_grow_with_rows(agent_client, agent, team, topic):
    colleague = AgentFactory(teams=[team])

    def make(count):
        for n in range(count):
            EnquiryFactory(
                topic=topic,
                assignee=colleague if n % 2 else None,
                status=EnquiryStatus.OPEN if n % 3 else EnquiryStatus.NEW,
            )

    url = reverse("enquiries:list")
    params = {"status": "open", "q": "question"}
    make(5)
    with CaptureQueriesContext(connection) as few:
        assert agent_client.get(url, params).status_code == 200
    make(25)
    with CaptureQueriesContext(connection) as many:
        response = agent_client.get(url, params)
    assert len(response.context["rows"]) == 25
    assert len(many) == len(few)
    # The filtered list says how many rows match (a dashboard's figure opens it), with one
    # COUNT bounded by a LIMIT (core.pagination.matching_count), never the whole table.
    counts = [
        query["sql"].upper()
        for query in many.captured_queries
        if "COUNT(" in query["sql"].upper() and "enquiries_enquiry" in query["sql"]
    ]
    assert len(counts) == 1 and "LIMIT" in counts[0]


def test_list_query_count_has_a_ceiling(agent_client, topic, django_assert_max_num_queries):
    for _ in range(30):
        EnquiryFactory(topic=topic)
    with django_assert_max_num_queries(12):
        agent_client.get(reverse("enquiries:list"))


def test_list_pages_with_keyset(agent_client, topic):
    created = [EnquiryFactory(topic=topic) for _ in range(30)]
    first = agent_client.get(reverse("enquiries:list"))
    page = first.context["page"]
    assert len(page.rows) == 25 and page.has_next
    assert page.rows[0].pk == created[-1].pk
    second = agent_client.get(reverse("enquiries:list") + "?" + page.next_query)
    assert {e.pk for e, _sla in second.context["rows"]} == {e.pk for e in created[:5]}
    assert not second.context["page"].has_next


# --- detail -----------------------------------------------------------------------------------


def test_detail_shows_the_thread_contact_and_history_and_journals_the_read(
    agent_client, agent, topic
):
    enquiry = EnquiryFactory(topic=topic, contact=ContactFactory(phone="0612345678"))
    incoming = MessageFactory(enquiry=enquiry, body="Question de l'usager")
    attachment = attach(incoming)
    MessageFactory(enquiry=enquiry, direction="out", author_agent=agent, body="Réponse de l'agent")
    enquiry_assign(enquiry=enquiry, assignee=agent, actor=agent)
    response = agent_client.get(reverse("enquiries:detail", args=[enquiry.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["nav"] == "enquiries"
    assert "levier-thread-in" in html and "levier-thread-out" in html
    assert "Question de l&#x27;usager" in html and "Réponse de l&#x27;agent" in html
    assert reverse("enquiries:attachment", args=[enquiry.pk, attachment.pk]) in html
    assert enquiry.contact.email in html and "0612345678" in html
    assert [event.verb for event in response.context["history"]] == ["assign"]
    read = Event.objects.filter(verb="read", target_id=str(enquiry.pk)).get()
    assert read.actor_id == str(agent.pk) and read.payload == {"what": "enquiry"}
    assert read.activity_code == "consult-personal-data"


def test_detail_of_a_closed_enquiry_offers_no_reply_form(agent_client, topic):
    enquiry = EnquiryFactory(topic=topic, status=EnquiryStatus.CLOSED)
    response = agent_client.get(reverse("enquiries:detail", args=[enquiry.pk]))
    assert reverse("enquiries:reply", args=[enquiry.pk]) not in response.content.decode()


def test_attachment_download(agent_client, topic):
    enquiry = EnquiryFactory(topic=topic)
    pdf = make_pdf(1)
    attachment = attach(MessageFactory(enquiry=enquiry), content=pdf)
    response = agent_client.get(reverse("enquiries:attachment", args=[enquiry.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    assert response["Content-Type"] == "application/pdf"
    assert "avis.pdf" in response["Content-Disposition"]
    # An attachment asked for through another enquiry of the same team is not found.
    other = EnquiryFactory(topic=topic)
    assert (
        agent_client.get(
            reverse("enquiries:attachment", args=[other.pk, attachment.pk])
        ).status_code
        == 404
    )


# --- actions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status"), [("wait", "waiting_for_usager"), ("close", "closed")]
)
def test_reply(
    agent_client, agent, topic, outcome, status, mailoutbox, django_capture_on_commit_callbacks
):
    enquiry = EnquiryFactory(topic=topic)
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            reverse("enquiries:reply", args=[enquiry.pk]),
            {"body": "Bonjour, voici notre réponse.", "outcome": outcome},
        )
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == status
    assert enquiry.messages.get().direction == "out"
    assert len(mailoutbox) == 1


def test_reply_with_empty_body_shows_the_field_error(agent_client, topic):
    enquiry = EnquiryFactory(topic=topic)
    response = agent_client.post(
        reverse("enquiries:reply", args=[enquiry.pk]), {"body": "  ", "outcome": "wait"}
    )
    assert response.status_code == 400
    assert "body" in response.context["reply_form"].errors
    assert not Message.objects.exists()


def test_reply_without_outcome_or_on_a_closed_enquiry_is_explained(agent_client, topic):
    enquiry = EnquiryFactory(topic=topic)
    response = agent_client.post(reverse("enquiries:reply", args=[enquiry.pk]), {"body": "Texte"})
    assert response.status_code == 400 and "outcome" in response.context["reply_form"].errors
    closed = EnquiryFactory(topic=topic, status=EnquiryStatus.CLOSED)
    response = agent_client.post(
        reverse("enquiries:reply", args=[closed.pk]), {"body": "Texte", "outcome": "wait"}
    )
    assert response.status_code == 400
    assert response.context["reply_form"].non_field_errors()


def test_take_and_assign_and_unassign(agent_client, agent, team, topic):
    colleague = AgentFactory(teams=[team])
    enquiry = EnquiryFactory(topic=topic)
    url = reverse("enquiries:assign", args=[enquiry.pk])
    assert agent_client.post(url, {"take": "1"}).status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.assignee == agent and enquiry.status == EnquiryStatus.OPEN
    assert agent_client.post(url, {"assignee": colleague.pk}).status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.assignee == colleague
    assert Notification.objects.filter(agent=colleague).count() == 1
    assert agent_client.post(url, {"assignee": ""}).status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.assignee is None


def test_assign_to_an_agent_of_another_team_is_a_field_error(agent_client, topic, other_agent):
    enquiry = EnquiryFactory(topic=topic)
    response = agent_client.post(
        reverse("enquiries:assign", args=[enquiry.pk]), {"assignee": other_agent.pk}
    )
    assert response.status_code == 400
    assert "assignee" in response.context["assign_form"].errors
    response = agent_client.post(reverse("enquiries:assign", args=[enquiry.pk]), {"assignee": "x"})
    assert response.status_code == 400


def test_close_and_close_again(agent_client, topic):
    enquiry = EnquiryFactory(topic=topic)
    url = reverse("enquiries:close", args=[enquiry.pk])
    assert agent_client.post(url, {"reason": "Doublon"}).status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.CLOSED
    response = agent_client.post(url, {"reason": "Encore"})
    assert response.status_code == 400
    assert response.context["close_form"].non_field_errors()
    assert Event.objects.filter(verb="close").count() == 1


def test_actions_refuse_get(agent_client, topic):
    enquiry = EnquiryFactory(topic=topic)
    for name in ("reply", "assign", "close"):
        assert agent_client.get(reverse(f"enquiries:{name}", args=[enquiry.pk])).status_code == 405


# --- scoping ----------------------------------------------------------------------------------


def test_every_enquiry_url_is_a_404_for_an_agent_of_another_team(client, other_agent, topic):
    enquiry = EnquiryFactory(topic=topic)
    attachment = attach(MessageFactory(enquiry=enquiry))
    client.force_login(other_agent)
    gets = [
        reverse("enquiries:detail", args=[enquiry.pk]),
        reverse("enquiries:attachment", args=[enquiry.pk, attachment.pk]),
    ]
    posts = {
        reverse("enquiries:reply", args=[enquiry.pk]): {"body": "Intrus", "outcome": "close"},
        reverse("enquiries:assign", args=[enquiry.pk]): {"take": "1"},
        reverse("enquiries:close", args=[enquiry.pk]): {"reason": "x"},
    }
    for url in gets:
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.NEW and enquiry.assignee is None
    assert not Event.objects.filter(target_id=str(enquiry.pk)).exists()
    # Missing ids answer the same.
    assert client.get(reverse("enquiries:detail", args=[999999])).status_code == 404


def test_pages_refuse_other_methods_after_the_scope_check(agent_client, topic):
    enquiry = EnquiryFactory(topic=topic)
    attachment = attach(MessageFactory(enquiry=enquiry))
    assert agent_client.post(reverse("enquiries:detail", args=[enquiry.pk])).status_code == 405
    assert (
        agent_client.post(
            reverse("enquiries:attachment", args=[enquiry.pk, attachment.pk])
        ).status_code
        == 405
    )

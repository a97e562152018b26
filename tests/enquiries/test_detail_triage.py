"""The enquiry page: triage badges and reasons, the classify form, highlighted entities
linked only when the agent may see them, suggested replies, and a bounded query count."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from levier.enquiries.intake import found_entities
from levier.enquiries.models import (
    AnswerTemplate,
    EnquiryStatus,
    LabelSource,
    Priority,
    RoutingRule,
)
from levier.journal.models import Event
from levier.journal.services import Actor, record

from ..factories import (
    AgentFactory,
    CaseFactory,
    ContactFactory,
    EnquiryFactory,
    MessageFactory,
    ProcedureFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(team):
    return TopicFactory(team=team, label="Cartes grises")


def page(client, enquiry, **params) -> str:
    response = client.get(reverse("enquiries:detail", args=[enquiry.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


# --- triage ------------------------------------------------------------------------------


def test_robot_topic_shows_its_confidence_and_the_reasons(agent_client, topic):
    enquiry = EnquiryFactory(
        topic=topic,
        topic_source=LabelSource.ROBOT,
        topic_confidence=0.87,
        priority=Priority.HIGH,
        priority_source=LabelSource.USAGER,
    )
    record(
        actor=Actor.robot("intake"),
        verb="route",
        target=enquiry,
        detail="Routed by the rule “Gironde”.\nDeuxième raison",
    )
    html = page(agent_client, enquiry)
    assert re.search(r"fr-badge--info[^>]*>[^<]*87 %", html)
    assert "Routed by the rule “Gironde”." in html and "Deuxième raison" in html
    assert reverse("enquiries:classify", args=[enquiry.pk]) in html


def test_a_hesitant_classifier_asks_for_confirmation(agent_client, team, topic):
    enquiry = EnquiryFactory(topic=None, team=team, suggested_topic=topic, topic_confidence=0.54)
    html = page(agent_client, enquiry)
    hesitant = html[html.index('class="levier-hesitant"') :][:400]
    assert "Cartes grises" in hesitant and "54 %" in hesitant
    # The form proposes the hesitant topic and is open.
    form = html[html.index('action="' + reverse("enquiries:classify", args=[enquiry.pk])) :]
    assert f'<option value="{topic.pk}" selected>' in form
    assert '<details class="fr-mt-1w" open>' in html


def test_rule_badge_names_the_rule(agent_client, team, topic):
    rule = RoutingRule.objects.create(name="Gironde", team=team, departements="33")
    enquiry = EnquiryFactory(
        topic=topic, routing_rule=rule, priority_source=LabelSource.RULE, priority=Priority.URGENT
    )
    assert "Gironde" in page(agent_client, enquiry)


def test_list_rows_show_the_classifier_confidence(agent_client, topic):
    EnquiryFactory(topic=topic, topic_source=LabelSource.ROBOT, topic_confidence=0.91)
    EnquiryFactory(topic=topic, topic_source=LabelSource.AGENT)
    html = agent_client.get(reverse("enquiries:list")).content.decode()
    assert html.count("91 %") == 1


# --- classify ----------------------------------------------------------------------------


def test_classify_confirms_or_corrects(agent_client, agent, topic):
    other = TopicFactory(team=topic.team, label="Permis")
    enquiry = EnquiryFactory(topic=topic, topic_source=LabelSource.ROBOT, topic_confidence=0.7)
    url = reverse("enquiries:classify", args=[enquiry.pk])
    response = agent_client.post(url, {"topic": other.pk, "priority": Priority.HIGH})
    assert response.status_code == 302 and response["Location"] == reverse(
        "enquiries:detail", args=[enquiry.pk]
    )
    enquiry.refresh_from_db()
    assert (enquiry.topic, enquiry.topic_source, enquiry.topic_confidence) == (other, "agent", None)
    assert enquiry.priority == Priority.HIGH
    event = Event.objects.get(verb="classify")
    assert event.actor_id == str(agent.pk) and event.payload["correction"] is True


def test_classify_can_move_to_the_topics_team(agent_client, topic, other_team):
    elsewhere = TopicFactory(team=other_team)
    enquiry = EnquiryFactory(topic=topic)
    response = agent_client.post(
        reverse("enquiries:classify", args=[enquiry.pk]),
        {"topic": elsewhere.pk, "priority": Priority.NORMAL, "move_to_topic_team": "on"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("enquiries:list")
    enquiry.refresh_from_db()
    assert enquiry.team == other_team
    assert agent_client.get(reverse("enquiries:detail", args=[enquiry.pk])).status_code == 404


def test_classify_bad_input_is_a_field_error(agent_client, topic):
    enquiry = EnquiryFactory(topic=topic)
    response = agent_client.post(
        reverse("enquiries:classify", args=[enquiry.pk]), {"priority": "9"}
    )
    assert response.status_code == 400
    assert "priority" in response.context["classify_form"].errors
    assert not Event.objects.filter(verb="classify").exists()


def test_classify_is_scoped_and_post_only(client, agent_client, other_agent, topic):
    enquiry = EnquiryFactory(topic=topic)
    url = reverse("enquiries:classify", args=[enquiry.pk])
    assert agent_client.get(url).status_code == 405
    client.force_login(other_agent)
    assert client.post(url, {"topic": topic.pk, "priority": 3}).status_code == 404
    enquiry.refresh_from_db()
    assert enquiry.priority == Priority.NORMAL
    assert not Event.objects.filter(verb="classify").exists()


# --- messages ----------------------------------------------------------------------------


def entity_message(enquiry, *, visible_case, hidden_case, hidden_enquiry):
    text = (
        f"Bonjour, mon dossier {visible_case.reference} et {hidden_case.reference}, "
        f"voir {hidden_enquiry.reference} et {enquiry.reference}. SIRET 732 829 320 00074, "
        "montant 1 250,00 €."
    )
    return MessageFactory(
        enquiry=enquiry,
        body=text,
        entities=found_entities(text),
        channel="email",
        quoted_text="Le 3 mars, vous avez écrit :\n> ancien message",
    )


def test_entities_are_highlighted_and_linked_only_when_visible(
    agent_client, team, other_team, topic
):
    visible_case = CaseFactory(procedure=ProcedureFactory(team=team))
    hidden_case = CaseFactory(procedure=ProcedureFactory(team=other_team))
    hidden_enquiry = EnquiryFactory(topic=TopicFactory(team=other_team))
    company = ContactFactory(company=True)  # the SIRET's owner: no case or enquiry in my teams
    enquiry = EnquiryFactory(topic=topic)
    entity_message(
        enquiry, visible_case=visible_case, hidden_case=hidden_case, hidden_enquiry=hidden_enquiry
    )
    html = page(agent_client, enquiry)
    assert html.count('<mark class="levier-entity') >= 6
    assert f'href="{reverse("cases:detail", args=[visible_case.pk])}"' in html
    assert f'href="{reverse("enquiries:detail", args=[enquiry.pk])}"' in html
    assert reverse("cases:detail", args=[hidden_case.pk]) + '"' not in html
    assert reverse("enquiries:detail", args=[hidden_enquiry.pk]) + '"' not in html
    assert company.legal_name not in html  # a contact outside my teams: no link, no name
    assert f">{hidden_case.reference}</mark>" in html  # still highlighted, as plain text
    assert '<details class="levier-quoted' in html and "ancien message" in html
    assert "levier-entity--amount" in html


def test_a_contact_of_my_teams_is_linked(agent_client, topic):
    company = ContactFactory(company=True)
    EnquiryFactory(topic=topic, contact=company)
    enquiry = EnquiryFactory(topic=topic)
    text = "Notre SIRET est 732 829 320 00074."
    MessageFactory(enquiry=enquiry, body=text, entities=found_entities(text))
    html = page(agent_client, enquiry)
    assert f'?q={company.email.replace("@", "%40")}"' in html


def test_stale_or_malformed_entities_are_ignored(agent_client, topic):
    enquiry = EnquiryFactory(topic=topic)
    MessageFactory(
        enquiry=enquiry,
        body="Texte changé",
        entities=[
            {"kind": "siret", "text": "73282932000074", "value": "x", "start": 0, "end": 14},
            {"kind": "date"},
            "pas un dict",
        ],
    )
    html = page(agent_client, enquiry)
    assert (
        "Texte changé" in html
        and "levier-entity" not in html.split("levier-message-body", 1)[1][:200]
    )


def test_detail_query_count_does_not_grow_with_messages(client, agent, team, topic, other_team):
    client.force_login(agent)
    cases = (
        CaseFactory(procedure=ProcedureFactory(team=team)),
        CaseFactory(procedure=ProcedureFactory(team=other_team)),
    )
    hidden_enquiry = EnquiryFactory(topic=TopicFactory(team=other_team))
    AnswerTemplate.objects.create(title="Accusé", topic=topic, body="Bonjour {{ usager.nom }}")

    def count(messages: int) -> int:
        enquiry = EnquiryFactory(topic=topic)
        for _ in range(messages):
            entity_message(
                enquiry, visible_case=cases[0], hidden_case=cases[1], hidden_enquiry=hidden_enquiry
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("enquiries:detail", args=[enquiry.pk])).status_code == 200
        return len(queries)

    count(1)  # warm the per-process caches (content types, session)
    one, ten = count(1), count(10)
    assert one == ten
    assert ten <= 30


# --- suggested replies -------------------------------------------------------------------


def test_use_a_suggestion_prefills_the_reply_and_the_reply_journals_it(
    agent_client, topic, django_capture_on_commit_callbacks
):
    template = AnswerTemplate.objects.create(
        title="Accusé de réception", topic=topic, body="Bonjour {{ usager.nom }}, bien reçu."
    )
    enquiry = EnquiryFactory(topic=topic, contact=ContactFactory(last_name="Bernard"))
    MessageFactory(enquiry=enquiry)
    html = page(agent_client, enquiry)
    assert "Accusé de réception" in html
    assert f'href="?suggestion=template%3A{template.pk}#reply"' in html
    assert not Event.objects.exclude(verb="read").exists()  # showing suggestions journals nothing

    response = agent_client.get(
        reverse("enquiries:detail", args=[enquiry.pk]), {"suggestion": f"template:{template.pk}"}
    )
    form = response.context["reply_form"]
    assert form.initial == {
        "body": "Bonjour Bernard, bien reçu.",
        "suggestion": f"template:{template.pk}",
    }
    html = response.content.decode()
    assert f'name="suggestion" value="template:{template.pk}"' in html
    assert "\nBonjour Bernard, bien reçu.</textarea>" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            reverse("enquiries:reply", args=[enquiry.pk]),
            {
                "body": "Bonjour Bernard, bien reçu. Cordialement.",
                "outcome": "close",
                "suggestion": f"template:{template.pk}",
            },
        )
    assert response.status_code == 302
    used = Event.objects.get(verb="suggest-answer")
    assert used.payload["suggestion"] == f"template:{template.pk}"
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.CLOSED


def test_an_unknown_suggestion_leaves_the_reply_empty(agent_client, topic):
    enquiry = EnquiryFactory(topic=topic)
    response = agent_client.get(
        reverse("enquiries:detail", args=[enquiry.pk]), {"suggestion": "template:999"}
    )
    assert response.context["reply_form"].initial == {}


def test_a_forged_suggestion_field_is_refused(agent_client, topic):
    enquiry = EnquiryFactory(topic=topic)
    response = agent_client.post(
        reverse("enquiries:reply", args=[enquiry.pk]),
        {"body": "Texte", "outcome": "wait", "suggestion": "x" * 200},
    )
    assert response.status_code == 400
    assert "suggestion" in response.context["reply_form"].errors


def test_closed_enquiries_get_no_suggestion_and_no_classify_form(agent_client, topic):
    AnswerTemplate.objects.create(title="Accusé", topic=topic, body="Bonjour")
    enquiry = EnquiryFactory(topic=topic, status=EnquiryStatus.CLOSED)
    response = agent_client.get(reverse("enquiries:detail", args=[enquiry.pk]))
    assert response.context["suggestions"] == []
    assert reverse("enquiries:classify", args=[enquiry.pk]) not in response.content.decode()


def test_a_colleague_in_another_team_sees_nothing(client, topic, other_team):
    enquiry = EnquiryFactory(topic=topic)
    client.force_login(AgentFactory(teams=[other_team]))
    assert (
        client.get(
            reverse("enquiries:detail", args=[enquiry.pk]), {"suggestion": "template:1"}
        ).status_code
        == 404
    )

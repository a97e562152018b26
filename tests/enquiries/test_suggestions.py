"""Suggested replies: ranking, privacy of past answers, the index and its fallback."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from levier.enquiries import suggestions
from levier.enquiries.models import AnswerTemplate, EnquiryStatus
from levier.journal.models import Event

from ..factories import AgentFactory, ContactFactory, EnquiryFactory, MessageFactory, TopicFactory

pytestmark = pytest.mark.django_db

IBAN = "FR76 3000 6000 0112 3456 7890 189"
SIRET = "732 829 320 00074"
PAST_ANSWER = (
    "Bonjour Madame Jeanne Lefèvre,\n\n"
    "Le remboursement de votre carte grise, 45,50 €, a été versé le 3 mars 2026 sur le compte "
    f"{IBAN} (SIRET {SIRET}). Votre demande SOL-2026-000777 est close ; écrivez à "
    "jeanne.lefevre@exemple.fr si besoin. Madame LEFEVRE, appelez le 06 12 34 56 78.\n\n"
    "Paul Durand, service des cartes grises"
)


@pytest.fixture
def topic(team):
    return TopicFactory(team=team, label="Cartes grises")


@pytest.fixture
def past(topic, team):
    """A closed enquiry of another usager, answered by another agent."""
    writer = AgentFactory(first_name="Paul", last_name="Durand", teams=[team])
    contact = ContactFactory(
        first_name="Jeanne",
        last_name="Lefèvre",
        email="jeanne.lefevre@exemple.fr",
        iban=IBAN.replace(" ", ""),
        phone="0612345678",
    )
    enquiry = EnquiryFactory(
        topic=topic,
        contact=contact,
        status=EnquiryStatus.CLOSED,
        reference="SOL-2026-000777",
        subject="Remboursement de Jeanne Lefèvre",
    )
    MessageFactory(
        enquiry=enquiry,
        body="Bonjour, je n'ai pas reçu le remboursement de ma carte grise "
        "après l'annulation de ma demande d'immatriculation.",
    )
    answer = MessageFactory(enquiry=enquiry, direction="out", author_agent=writer, body=PAST_ANSWER)
    return answer


@pytest.fixture
def unrelated(topic, team):
    enquiry = EnquiryFactory(topic=topic, status=EnquiryStatus.CLOSED)
    MessageFactory(
        enquiry=enquiry, body="Mon chien a été déclaré dangereux par la mairie du village."
    )
    return MessageFactory(
        enquiry=enquiry,
        direction="out",
        author_agent=AgentFactory(teams=[team]),
        body="Adressez-vous au maire pour l'évaluation comportementale du chien.",
    )


@pytest.fixture
def current(topic):
    enquiry = EnquiryFactory(
        topic=topic,
        subject="Remboursement carte grise",
        contact=ContactFactory(first_name="Marc", last_name="Bernard"),
    )
    MessageFactory(
        enquiry=enquiry,
        body="Bonjour, je n'ai toujours pas reçu le remboursement de ma "
        "carte grise après l'annulation de mon immatriculation.",
    )
    return enquiry


def assert_private(suggestion):
    shown = f"{suggestion.title} {suggestion.text} {suggestion.why}"
    for secret in (
        "Jeanne",
        "Lefèvre",
        "LEFEVRE",
        "Lefevre",
        "lefevre@",
        "FR76",
        "3000 6000",
        "30006000",
        "732 829 320",
        "73282932000074",
        "06 12 34 56 78",
        "45,50",
        "SOL-2026-000777 est",
        "Paul",
        "Durand",
    ):
        assert secret not in shown.replace(suggestion.why, ""), secret


@pytest.mark.parametrize("indexed", [True, False])
def test_a_similar_past_answer_ranks_first_and_is_made_anonymous(
    agent, topic, past, unrelated, current, indexed
):
    AnswerTemplate.objects.create(
        title="Horaires", topic=topic, body="Nos bureaux sont ouverts du lundi au vendredi."
    )
    if indexed:
        assert len(suggestions.build_answer_index()) == 2
    found = suggestions.suggestions_for(current, agent=agent)
    first = found[0]
    assert (first.kind, first.id) == ("answer", past.pk)
    assert first.key == f"answer:{past.pk}"
    assert 0 < first.score <= 1
    assert first.why.startswith(
        (
            "Answer given to a similar enquiry (SOL-2026-000777,",
            "Réponse faite à une demande semblable (SOL-2026-000777,",
        )
    )
    assert_private(first)
    # The other usager's names became this usager's, the writer's became this agent's.
    assert first.text.startswith("Bonjour Madame Marc BERNARD,") or "Marc" in first.text
    assert "Bernard" in first.text and agent.first_name in first.text
    assert current.reference in first.text
    assert "[…]" in first.text
    assert unrelated.pk not in [s.id for s in found if s.kind == "answer"]
    assert "horaires" in [s.title.lower() for s in found]  # the topic's template is still offered


def test_masking_covers_identifiers_however_written(past):
    contact = past.enquiry.contact
    masked = suggestions.mask_personal_data(
        "Compte fr7630006000011234567890189 ou FR76-3000-6000-0112-3456-7890-189, Mme lefevre, "
        "ELODIE? non: jeanne LEFÈVRE, né le 12/04/1985, 33 rue des Lilas.",
        contact=contact,
        reference="SOL-2026-000777",
    )
    for secret in ("30006000", "3000-6000", "lefevre", "LEFÈVRE", "jeanne", "12/04/1985"):
        assert secret not in masked
    assert "{{ usager.nom }}" in masked and "{{ usager.nom_complet }}" in masked


def test_templates_of_the_topic_come_first_among_templates(agent, topic, current):
    other_topic = TopicFactory(team=topic.team, label="Permis")
    near = AnswerTemplate.objects.create(
        title="Remboursement carte grise",
        topic=other_topic,
        body="Le remboursement de la carte grise après annulation d'immatriculation prend un mois.",
    )
    mine = AnswerTemplate.objects.create(
        title="Accusé de réception",
        topic=topic,
        body="Bonjour {{ usager.prenom }}, nous avons bien reçu votre demande.",
    )
    AnswerTemplate.objects.create(title="Inactif", topic=topic, body="x", is_active=False)
    found = suggestions.suggestions_for(current, agent=agent)
    assert [s.id for s in found if s.kind == "template"] == [mine.pk, near.pk]
    assert found[0].text == "Bonjour Marc, nous avons bien reçu votre demande."
    assert all(0 <= s.score <= 1 for s in found)


def test_another_teams_answers_are_never_suggested(agent, current, other_team):
    theirs = EnquiryFactory(topic=TopicFactory(team=other_team), status=EnquiryStatus.CLOSED)
    MessageFactory(enquiry=theirs, body=current.messages.get().body)
    answer = MessageFactory(
        enquiry=theirs,
        direction="out",
        author_agent=AgentFactory(teams=[other_team]),
        body="Réponse d'une autre équipe.",
    )
    suggestions.build_answer_index()
    assert suggestions.suggestions_for(current, agent=agent) == []
    assert (
        suggestions.suggestion_by_key(f"answer:{answer.pk}", enquiry=current, agent=agent) is None
    )


def test_suggesting_writes_nothing(agent, past, current, django_assert_max_num_queries):
    suggestions.build_answer_index()
    before = Event.objects.count()
    with django_assert_max_num_queries(4):
        suggestions.suggestions_for(current, agent=agent)
    assert Event.objects.count() == before


def test_suggestion_by_key(agent, topic, past, current):
    template = AnswerTemplate.objects.create(
        title="T", topic=topic, body="Bonjour {{ usager.nom }}"
    )
    assert (
        suggestions.suggestion_by_key(f"template:{template.pk}", enquiry=current, agent=agent).text
        == "Bonjour Bernard"
    )
    assert (
        suggestions.suggestion_by_key(f"answer:{past.pk}", enquiry=current, agent=agent).kind
        == "answer"
    )
    for key in ("template:999999", "answer:999999", "autre:1", "template:x", ""):
        assert suggestions.suggestion_by_key(key, enquiry=current, agent=agent) is None
    template.is_active = False
    template.save()
    assert (
        suggestions.suggestion_by_key(f"template:{template.pk}", enquiry=current, agent=agent)
        is None
    )


def test_a_broken_template_is_skipped_not_a_crash(agent, topic, current):
    AnswerTemplate.objects.create(title="Cassé", topic=topic, body="{% if %}")
    assert suggestions.suggestions_for(current, agent=agent) == []


def test_train_command_builds_the_index(topic, past, unrelated, settings):
    out = io.StringIO()
    with pytest.raises(CommandError, match="at least"):  # too few labels for the classifier
        call_command("enquiries", "train", stdout=out, stderr=io.StringIO())
    assert "Indexed 2 past answers" in out.getvalue()
    assert suggestions.index_path().exists()
    assert suggestions.index_path().parent == settings.MEDIA_ROOT / "models"
    index = suggestions.load_answer_index()
    assert sorted(index.message_ids.tolist()) == sorted([past.pk, unrelated.pk])


def test_no_index_and_no_history_gives_no_suggestion(agent, current):
    assert suggestions.load_answer_index() is None
    assert suggestions.suggestions_for(current, agent=agent) == []


def test_without_a_topic_the_classifiers_guess_picks_the_templates(agent, team, topic):
    guessed = AnswerTemplate.objects.create(title="Guess", topic=topic, body="Bonjour.")
    AnswerTemplate.objects.create(title="Other", topic=TopicFactory(team=team), body="Autre.")
    enquiry = EnquiryFactory(topic=None, team=team, suggested_topic=topic)
    MessageFactory(enquiry=enquiry, body="Une question sans rapport.")
    found = suggestions.suggestions_for(enquiry, agent=agent)
    assert [s.id for s in found] == [guessed.pk]

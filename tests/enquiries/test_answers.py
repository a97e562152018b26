"""Answer templates: merge fields, validation naming the problem, rendering."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from levier.enquiries.answers import (
    MERGE_FIELDS,
    fill_fields,
    french_date,
    render_answer,
    validate_template,
)
from levier.enquiries.models import AnswerTemplate

from ..factories import AgentFactory, ContactFactory, EnquiryFactory, TopicFactory


def error_of(body: str) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_template(body)
    return " ".join(caught.value.messages)


def test_every_merge_field_is_accepted_alone_and_in_conditions():
    for name in MERGE_FIELDS:
        validate_template(f"{{{{ {name} }}}}")
        validate_template(f"{{% if {name} %}}x{{% else %}}y{{% endif %}}")
    validate_template("Bonjour {{ usager.prenom|default:'Madame, Monsieur' }},\n\nCordialement.")


def test_a_syntax_error_is_refused_with_its_line():
    message = error_of("Bonjour,\n\n{% if usager.prenom %}{{ usager.prenom }}")
    assert "line 3" in message or "ligne 3" in message
    assert "endif" in message


def test_an_unknown_field_is_named_with_the_known_ones():
    message = error_of("Bonjour\n{{ usager.nom }}\n{{ usager.telephone }}")
    assert "usager.telephone" in message
    assert "line 3" in message or "ligne 3" in message
    assert "{{ usager.nom_complet }}" in message and "{{ date_du_jour }}" in message


@pytest.mark.parametrize(
    "body",
    [
        "{% if dossier.montant > 3 %}x{% endif %}",
        "{{ usager.nom|default:secret.cle }}",
        "{% for x in usagers %}{{ x }}{% endfor %}",
        "{{ settings.SECRET_KEY }}",
    ],
)
def test_unknown_fields_are_found_in_conditions_filters_and_loops(body):
    assert "Unknown merge field" in error_of(body) or "inconnu" in error_of(body)


@pytest.mark.parametrize(
    "body", ["{% include 'levier/base.html' %}", "{% load static %}", "{% extends 'x.html' %}"]
)
def test_no_loader_or_library_tag(body):
    error_of(body)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_validation_never_crashes_on_any_text(body):
    try:
        validate_template(body)
    except ValidationError:
        pass


@pytest.mark.django_db
def test_model_clean_puts_the_error_on_the_body():
    template = AnswerTemplate(title="Relance", body="{{ usager.nmo }}")
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    assert "usager.nmo" in " ".join(caught.value.message_dict["body"])


@pytest.mark.django_db
def test_render_for_a_person_and_a_company(team):
    team.organisation.name = "Préfecture du Rhône"
    team.organisation.save()
    agent = AgentFactory(first_name="Camille", last_name="Martin", teams=[team])
    received = timezone.make_aware(datetime.datetime(2026, 3, 12, 10, 0))
    enquiry = EnquiryFactory(
        topic=TopicFactory(team=team),
        contact=ContactFactory(first_name="Élodie", last_name="Dupont", email="elodie@exemple.fr"),
        subject="Carte grise",
        created_at=received,
        sla_due_at=received + datetime.timedelta(days=3),
    )
    template = AnswerTemplate(
        title="Accusé",
        body=(
            "Bonjour {% if usager.prenom %}{{ usager.prenom }} {% endif %}{{ usager.nom }},\n"
            "{{ usager.nom_complet }} <{{ usager.email }}> — {{ sollicitation.reference }} "
            "« {{ sollicitation.objet }} » du {{ sollicitation.date }}, avant le "
            "{{ sollicitation.echeance }}.\n{{ agent.prenom }} {{ agent.nom }}, {{ equipe.nom }}, "
            "{{ organisation.nom }}, le {{ date_du_jour }}"
        ),
    )
    text = render_answer(template, enquiry=enquiry, agent=agent)
    assert text.startswith("Bonjour Élodie Dupont,\nÉlodie DUPONT <elodie@exemple.fr>")
    assert f"{enquiry.reference} « Carte grise » du 12 mars 2026, avant le 15 mars 2026." in text
    assert (
        f"Camille Martin, {team.name}, Préfecture du Rhône, le {french_date(timezone.localdate())}"
        in text
    )
    assert "&" not in text  # plain text: nothing escaped

    company = EnquiryFactory(
        topic=enquiry.topic, contact=ContactFactory(company=True, legal_name="Boulangerie & Fils")
    )
    text = render_answer(template, enquiry=company, agent=agent)
    assert text.startswith("Bonjour Boulangerie & Fils,\nBoulangerie & Fils")


@pytest.mark.django_db
def test_fill_fields_replaces_plain_placeholders_only(team):
    enquiry = EnquiryFactory(
        topic=TopicFactory(team=team), contact=ContactFactory(last_name="Durand")
    )
    text = fill_fields(
        "Bonjour {{ usager.nom }}, {% if x %} {{ inconnu }}", enquiry=enquiry, agent=None
    )
    assert text == "Bonjour Durand, {% if x %} {{ inconnu }}"


def test_french_date_whatever_the_language(settings):
    from django.utils import translation

    with translation.override("en"):
        assert french_date(datetime.date(2026, 8, 1)) == "1er août 2026"  # French typography
        assert french_date(datetime.date(2026, 3, 12)) == "12 mars 2026"
    assert french_date(None) == ""

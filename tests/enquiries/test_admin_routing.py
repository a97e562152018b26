"""Admin of routing rules, answer deadlines and answer templates: validation that names
the wrong code or field, the routing tester, the template preview."""

from __future__ import annotations

import pytest
from django.urls import reverse

from levier.enquiries.admin import clean_commune_codes, clean_departement_codes, clean_keyword_lines
from levier.enquiries.models import AnswerTemplate, RoutingRule, SlaPolicy

from ..factories import AgentFactory, ContactFactory, EnquiryFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(AgentFactory(administrator=True, first_name="Alice", last_name="Admin"))
    return client


def rule_data(team, **overrides):
    data = {
        "name": "Gironde",
        "position": 10,
        "is_active": "on",
        "topic": "",
        "channel": "",
        "contact_kind": "",
        "departements": "",
        "communes": "",
        "keywords": "",
        "team": team.pk,
        "set_priority": "",
    }
    data.update(overrides)
    return data


def test_rule_codes_are_checked_and_normalised(admin_client, team):
    url = reverse("admin:enquiries_routingrule_add")
    response = admin_client.post(
        url,
        rule_data(
            team,
            departements="33, 2a;971 1",
            communes="33063 69381",
            keywords="  permis de construire \n\n urbanisme ",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = RoutingRule.objects.get()
    assert rule.departements == "33, 2A, 971, 01"
    assert rule.communes == "33063, 69381"
    assert rule.keywords == "permis de construire\nurbanisme"


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("departements", "33, 99", "« 99 »"),
        ("departements", "20", "2A"),
        ("communes", "33063, 99999", "« 99999 »"),
        ("communes", "33000", "Bordeaux (33063)"),  # a postal code: the INSEE code is given
        ("keywords", "permis\n!!!", "ligne 2"),
        ("keywords", "permis, urbanisme", "par ligne"),
    ],
)
def test_wrong_codes_are_named(admin_client, team, field, value, named):
    response = admin_client.post(
        reverse("admin:enquiries_routingrule_add"), rule_data(team, **{field: value})
    )
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors[field])
    assert named in errors
    assert not RoutingRule.objects.exists()


def test_cleaners_directly():
    assert clean_departement_codes("") == ""
    assert clean_commune_codes("75111") == "75111"  # an arrondissement of Paris
    assert clean_keyword_lines("\n\n") == ""


def test_changelist_edits_position_and_activity_in_place(admin_client, team):
    first = RoutingRule.objects.create(name="A", team=team, position=10)
    second = RoutingRule.objects.create(name="B", team=team, position=20)
    response = admin_client.get(reverse("admin:enquiries_routingrule_changelist"))
    assert response.status_code == 200
    assert 'name="form-0-position"' in response.content.decode()
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "_save": "Save",
        "form-0-id": first.pk,
        "form-0-position": "30",
        "form-0-is_active": "on",
        "form-1-id": second.pk,
        "form-1-position": "5",
    }
    response = admin_client.post(reverse("admin:enquiries_routingrule_changelist"), data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position, second.is_active) == (30, 5, False)


def test_routing_tester_says_which_rule_applies_and_why_not_the_others(
    admin_client, team, other_team
):
    RoutingRule.objects.create(name="Gironde", team=other_team, position=1, departements="33")
    RoutingRule.objects.create(
        name="Permis", team=team, position=2, keywords="permis de construire"
    )
    RoutingRule.objects.create(name="Inactive", team=team, position=0, is_active=False)
    url = reverse("admin:enquiries_routingrule_test")
    assert (
        "Test a message"
        in admin_client.get(reverse("admin:enquiries_routingrule_changelist")).content.decode()
        or url
        in admin_client.get(reverse("admin:enquiries_routingrule_changelist")).content.decode()
    )
    response = admin_client.get(
        url,
        {
            "subject": "Mon permis de construire",
            "body": "",
            "channel": "email",
            "contact_kind": "person",
            "place": "69001",
        },
    )
    assert response.status_code == 200
    assert response.context["chosen"].name == "Permis"
    results = {rule.name: why for rule, why in response.context["results"]}
    assert "Inactive" not in results and results["Permis"] == ""
    assert "départements" in results["Gironde"]
    response = admin_client.get(
        url, {"subject": "x", "channel": "email", "contact_kind": "person", "place": "33063"}
    )
    assert response.context["chosen"].name == "Gironde"


def test_sla_policy_warning_must_come_before_the_deadline(admin_client, team):
    url = reverse("admin:enquiries_slapolicy_add")
    response = admin_client.post(
        url, {"team": team.pk, "topic": "", "business_hours": 8, "warning_hours": 8}
    )
    assert (
        response.status_code == 200 and "warning_hours" in response.context["adminform"].form.errors
    )
    response = admin_client.post(
        url, {"team": team.pk, "topic": "", "business_hours": 24, "warning_hours": 4}
    )
    assert response.status_code == 302 and SlaPolicy.objects.count() == 1


def test_answer_template_errors_name_the_line_and_field(admin_client, team):
    url = reverse("admin:enquiries_answertemplate_add")
    response = admin_client.post(
        url,
        {
            "title": "Relance",
            "topic": "",
            "is_active": "on",
            "body": "Bonjour\n{{ usager.prenon }}",
        },
    )
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["body"])
    assert "usager.prenon" in errors and "{{ usager.prenom }}" in errors
    response = admin_client.post(
        url,
        {
            "title": "Relance",
            "topic": "",
            "is_active": "on",
            "body": "Bonjour\n{% if usager.prenom %}",
        },
    )
    assert "2" in " ".join(response.context["adminform"].form.errors["body"])
    assert not AnswerTemplate.objects.exists()


def test_answer_template_preview_uses_the_latest_enquiry_of_its_topic(admin_client, team):
    topic = TopicFactory(team=team)
    EnquiryFactory(topic=topic, contact=ContactFactory(last_name="Ancien"))
    latest = EnquiryFactory(topic=topic, contact=ContactFactory(last_name="Récent"))
    EnquiryFactory(topic=TopicFactory(team=team), contact=ContactFactory(last_name="Autre"))
    template = AnswerTemplate.objects.create(
        title="Accusé", topic=topic, body="Bonjour {{ usager.nom }}, signé {{ agent.prenom }}."
    )
    response = admin_client.get(
        reverse("admin:enquiries_answertemplate_change", args=[template.pk])
    )
    assert response.status_code == 200
    assert response.context["preview"]["text"] == "Bonjour Récent, signé Alice."
    html = response.content.decode()
    assert latest.reference in html and "{{ sollicitation.echeance }}" in html
    # A template saved broken outside the admin shows why instead of a preview.
    AnswerTemplate.objects.filter(pk=template.pk).update(body="{% if %}")
    response = admin_client.get(
        reverse("admin:enquiries_answertemplate_change", args=[template.pk])
    )
    assert "error" in response.context["preview"]


def test_enquiry_admin_shows_the_triage_fields_read_only(admin_client, team):
    enquiry = EnquiryFactory(
        topic=TopicFactory(team=team), topic_source="robot", topic_confidence=0.8
    )
    html = admin_client.get(
        reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
    ).content.decode()
    assert "field-topic_confidence" in html and "field-routing_rule" in html
    assert 'name="topic_confidence"' not in html

"""Logging a call or a visit: the usager search, the one-form flow and its errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from levier.contacts.models import Contact
from levier.contacts.selectors import contacts_matching
from levier.enquiries.models import Channel, Enquiry, EnquiryStatus
from levier.journal.models import Event

from ..factories import ContactFactory, TopicFactory

pytestmark = pytest.mark.django_db
URL = reverse("enquiries:log_contact")


@pytest.fixture
def usager(db):
    return ContactFactory(
        first_name="Élodie", last_name="Lefèvre", email="Elodie.Lefevre@exemple.fr",
        phone="0612345678",
    )  # fmt: skip


@pytest.fixture
def topic(team):
    return TopicFactory(team=team, label="Cartes grises")


def post(client, **fields):
    data = {"channel": Channel.PHONE, "subject": "Question sur un dossier",
            "summary": "Demande d'information, réponse donnée.", "answered": "on", **fields}  # fmt: skip
    return client.post(URL, data)


# --- contacts_matching ---------------------------------------------------------------------


def test_matching_finds_an_email_whatever_its_case(usager):
    assert contacts_matching("elodie.lefevre@EXEMPLE.fr") == [usager]
    assert contacts_matching("elodie@exemple.fr") == []


@pytest.mark.parametrize("typed", ["06 12 34 56 78", "+33 6 12 34 56 78", "06.12.34.56.78"])
def test_matching_finds_a_phone_number_in_any_layout(usager, typed):
    assert contacts_matching(typed) == [usager]


def test_matching_finds_a_company_by_siret_or_siren(db):
    company = ContactFactory(company=True)
    assert contacts_matching("732 829 320 00074") == [company]
    assert contacts_matching("732829320") == [company]
    assert contacts_matching("732829321") == []  # wrong check digit: no identifier, nobody


def test_matching_finds_a_name_without_accents_or_case_in_any_order(usager):
    ContactFactory(first_name="Paul", last_name="Martin")
    assert contacts_matching("lefevre elodie") == [usager]
    assert contacts_matching("ÉLO LEF") == [usager]
    assert contacts_matching("lefevres") == []


def test_matching_leaves_merged_contacts_out_and_respects_the_limit(usager):
    ContactFactory(last_name="Lefèvre", merged_into=usager)
    for _ in range(3):
        ContactFactory(last_name="Lefèvre")
    assert usager in contacts_matching("lefevre")
    assert len(contacts_matching("lefevre")) == 4
    assert len(contacts_matching("lefevre", limit=2)) == 2


# --- the page ------------------------------------------------------------------------------


def test_the_buttons_lead_to_the_form(agent_client):
    for page in ("core:home", "enquiries:list"):
        assert URL in agent_client.get(reverse(page)).content.decode()


def test_the_form_preselects_phone_and_answered(agent_client):
    response = agent_client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["channel"].value() == Channel.PHONE
    assert form["answered"].value() is True
    assert form["contact"].value() == "new"


def test_a_search_shows_the_matching_usagers_as_choices(agent_client, usager):
    response = agent_client.get(URL, {"q": "06 12 34 56 78"})
    assert list(response.context["matches"]) == [str(usager.pk)]
    content = response.content.decode()
    assert f'value="{usager.pk}"' in content
    assert "Elodie.Lefevre@exemple.fr" in content


def test_a_search_that_finds_nobody_starts_the_new_person_with_what_was_typed(agent_client):
    response = agent_client.get(URL, {"q": "nouveau@exemple.fr"})
    form = response.context["form"]
    assert form["email"].value() == "nouveau@exemple.fr"
    assert form["contact"].value() == "new"


def test_searching_without_javascript_keeps_everything_typed(agent_client, usager):
    response = post(agent_client, action="search", q="lefevre", subject="Carte grise",
                    channel=Channel.COUNTER, answered="")  # fmt: skip
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound  # a search shows no error
    assert form["subject"].value() == "Carte grise"
    assert form["channel"].value() == Channel.COUNTER
    assert form["answered"].value() is False
    assert list(response.context["matches"]) == [str(usager.pk)]
    assert not Enquiry.objects.exists()


def test_the_htmx_search_answers_the_results(agent_client, usager):
    response = agent_client.get(URL, {"q": "lefevre"}, headers={"HX-Request": "true"})
    assert 'id="contact-results"' in response.content.decode()
    assert str(usager) in response.content.decode()


# --- logging -------------------------------------------------------------------------------


def test_a_call_with_a_known_usager_answered_on_the_spot_is_closed(
    agent_client, agent, usager, topic
):
    response = post(agent_client, q="0612345678", contact=str(usager.pk), topic=str(topic.pk))
    enquiry = Enquiry.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("enquiries:detail", args=[enquiry.pk])
    assert (enquiry.contact, enquiry.channel, enquiry.topic) == (usager, Channel.PHONE, topic)
    assert enquiry.status == EnquiryStatus.CLOSED
    assert enquiry.assignee == agent
    assert enquiry.messages.get().body == "Demande d'information, réponse donnée."
    event = Event.objects.get(verb="log-contact")
    assert event.target_id == str(enquiry.pk)
    assert event.payload == {"channel": "phone", "answered": True}
    page = agent_client.get(response.url)
    assert enquiry.reference in str(list(page.context["messages"])[0])


def test_a_visit_not_answered_creates_the_person_and_stays_open_assigned(agent_client, agent, team):
    response = post(agent_client, q="inconnu", contact="new", first_name="Jean",
                    last_name="Martin", phone="06 98 76 54 32", channel=Channel.COUNTER,
                    answered="")  # fmt: skip
    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert enquiry.status == EnquiryStatus.OPEN
    assert (enquiry.assignee, enquiry.team, enquiry.channel) == (agent, team, Channel.COUNTER)
    assert enquiry.topic is None
    person = Contact.objects.get(last_name="Martin")
    assert (enquiry.contact, person.phone) == (person, "0698765432")
    assert Event.objects.get(verb="log-contact").payload["answered"] is False


def test_a_new_person_already_known_by_email_and_name_is_not_duplicated(agent_client, usager):
    post(agent_client, contact="new", first_name="Elodie", last_name="LEFEVRE",
         email="elodie.lefevre@exemple.fr")  # fmt: skip
    assert Enquiry.objects.get().contact == usager
    assert Contact.objects.count() == 1


def test_a_topic_of_another_team_is_refused(agent_client, usager, other_team):
    foreign = TopicFactory(team=other_team)
    response = post(agent_client, q="0612345678", contact=str(usager.pk), topic=str(foreign.pk))
    assert response.status_code == 400
    assert "topic" in response.context["form"].errors
    assert not Enquiry.objects.exists()


def test_a_contact_outside_the_search_results_is_refused(agent_client, usager):
    stranger = ContactFactory()
    response = post(agent_client, q="0612345678", contact=str(stranger.pk))
    assert response.status_code == 400
    assert "contact" in response.context["form"].errors
    assert not Enquiry.objects.exists()


def test_bad_input_names_each_field_and_keeps_what_was_typed(agent_client):
    response = post(agent_client, contact="new", first_name="", last_name="", phone="01 23 45",
                    email="pas-un-email", subject="", summary="Résumé gardé")  # fmt: skip
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"first_name", "last_name", "phone", "email", "subject"}
    assert "10 chiffres" in errors["phone"][0]  # the identifiers' own French message
    content = response.content.decode()
    assert "Résumé gardé" in content and 'value="01 23 45"' in content
    assert not Enquiry.objects.exists() and not Contact.objects.exists()


def test_no_usager_chosen_is_an_error_on_the_choice(agent_client, usager):
    response = post(agent_client, q="lefevre")
    assert response.status_code == 400
    assert "contact" in response.context["form"].errors


def test_an_agent_without_team_gets_a_clear_error(client, usager):
    from ..factories import AgentFactory

    client.force_login(AgentFactory())
    response = post(client, q="0612345678", contact=str(usager.pk))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not Enquiry.objects.exists()


def test_the_service_itself_refuses_a_topic_of_another_team(agent, usager, other_team):
    from django.core.exceptions import ValidationError

    from levier.enquiries.services import enquiry_log_contact

    foreign = TopicFactory(team=other_team)
    with pytest.raises(ValidationError) as refused:
        enquiry_log_contact(
            agent=agent, contact=usager, channel=Channel.PHONE, subject="Appel", body="Question",
            topic=foreign,
        )  # fmt: skip
    assert "topic" in refused.value.error_dict
    assert not Enquiry.objects.exists()


# --- the search is a read of personal data ------------------------------------------------


def test_each_search_is_journaled_with_the_ids_shown_never_the_text(agent_client, agent, usager):
    agent_client.get(URL, {"q": "Lefèvre"})
    agent_client.get(URL)  # the empty form shows nobody: not a read
    (event,) = Event.objects.filter(verb="read_list", actor_id=str(agent.pk))
    assert event.target_type == "contacts.contact"
    assert event.payload["ids"] == [f"contacts.contact#{usager.pk}"]
    assert event.payload["query_length"] == len("Lefèvre")
    assert event.payload["where"] == "log-contact"
    assert "Lefèvre" not in str(event.payload)
    # "Who read this person's data?" finds the search.
    assert event.subjects.filter(subject_id=str(usager.pk)).exists()

"""Every read of personal data is journaled: admin pages, list pages, searches.

"Who looked at this person's file?" must have an answer: a page is one read event on
its object; a list page is one event naming the rows it showed, and never the search text.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from levier.controls.models import Flag
from levier.journal.models import Event
from levier.journal.services import Actor, record
from tests.factories import AgentFactory, CaseFactory, ContactFactory, EnquiryFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(team):
    return AgentFactory(administrator=True, teams=[team])


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def subjects_of(event: Event) -> set[tuple[str, str]]:
    return set(event.subjects.values_list("subject_type", "subject_id"))


def test_the_admin_case_page_is_a_journaled_read(admin_client, administrator, team):
    case = CaseFactory(procedure__team=team)
    assert admin_client.get(reverse("admin:cases_case_change", args=[case.pk])).status_code == 200
    read = Event.objects.get(verb="read", target_type="cases.case", target_id=str(case.pk))
    assert read.actor_id == str(administrator.pk) and read.actor_kind == "agent"


def test_the_admin_enquiry_page_is_a_journaled_read(admin_client, administrator, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    url = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
    assert admin_client.get(url).status_code == 200
    read = Event.objects.get(
        verb="read", target_type="enquiries.enquiry", target_id=str(enquiry.pk)
    )
    assert read.actor_id == str(administrator.pk)


def test_an_admin_search_of_cases_is_one_list_read_without_the_search_text(
    admin_client, administrator, team
):
    dupont = CaseFactory(procedure__team=team, contact=ContactFactory(last_name="Dupontel"))
    CaseFactory(procedure__team=team, contact=ContactFactory(last_name="Martin"))
    response = admin_client.get(reverse("admin:cases_case_changelist"), {"q": "dupontel"})
    assert response.status_code == 200

    listed = Event.objects.get(verb="read_list")
    assert listed.actor_id == str(administrator.pk)
    assert listed.target_type == "cases.case" and listed.target_id == "list"
    assert subjects_of(listed) == {("cases.case", str(dupont.pk))}
    assert listed.payload["query_length"] == len("dupontel")
    assert "dupontel" not in json.dumps(listed.payload).lower()


def test_a_case_list_search_is_one_event_naming_the_cases_shown(
    agent_client, agent, team, other_team
):
    mine = [
        CaseFactory(procedure__team=team, contact=ContactFactory(last_name="Lemaire"))
        for _ in range(3)
    ]
    CaseFactory(procedure__team=team, contact=ContactFactory(last_name="Durand"))
    CaseFactory(procedure__team=other_team, contact=ContactFactory(last_name="Lemaire"))

    response = agent_client.get(reverse("cases:list"), {"q": "lemaire", "status": "open"})
    assert response.status_code == 200

    listed = Event.objects.get(verb="read_list")  # one event for the page, not one per row
    assert listed.actor_id == str(agent.pk) and listed.target_type == "cases.case"
    assert subjects_of(listed) == {("cases.case", str(case.pk)) for case in mine}
    assert sorted(listed.payload["ids"]) == sorted(f"cases.case#{case.pk}" for case in mine)
    assert listed.payload["filters"] == ["status"]
    assert listed.payload["query_length"] == len("lemaire")
    assert "lemaire" not in json.dumps(listed.payload).lower()


def test_the_controls_list_names_the_cases_of_the_flags_shown(agent_client, agent, team):
    case = CaseFactory(procedure__team=team)
    Flag.objects.create(case=case, procedure=case.procedure, source="anomaly", code="atypical",
                        reasons=["Montant atypique"])  # fmt: skip
    assert agent_client.get(reverse("controls:list")).status_code == 200
    listed = Event.objects.get(verb="read_list", target_type="controls.flag")
    assert listed.actor_id == str(agent.pk)
    assert subjects_of(listed) == {("cases.case", str(case.pk))}


def test_the_enquiry_list_is_a_list_read(agent_client, agent, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    assert agent_client.get(reverse("enquiries:list")).status_code == 200
    listed = Event.objects.get(verb="read_list", target_type="enquiries.enquiry")
    assert subjects_of(listed) == {("enquiries.enquiry", str(enquiry.pk))}


def test_the_journal_admin_finds_a_target_id_exactly(admin_client):
    for target_id in ["5", "15", "1985", "1995", "50"]:
        record(actor=Actor.robot("import"), verb="read", target=("cases.case", target_id))
    response = admin_client.get(reverse("admin:journal_event_changelist"), {"q": "5"})
    assert response.status_code == 200
    found = {event.target_id for event in response.context["cl"].result_list}
    assert found == {"5"}


def test_list_read_subjects_are_append_only(agent_client, team):
    from django.core.exceptions import PermissionDenied

    from levier.journal.models import EventSubject

    CaseFactory(procedure__team=team)
    agent_client.get(reverse("cases:list"))
    subject = EventSubject.objects.get()
    with pytest.raises(PermissionDenied):
        subject.delete()
    with pytest.raises(PermissionDenied):
        EventSubject.objects.update(subject_id="0")
    subject.subject_id = "0"
    with pytest.raises(PermissionDenied):
        subject.save()
    assert timezone.now()  # the event itself stays, untouched


def test_the_home_page_is_one_list_read_of_its_cases_and_enquiries(agent_client, agent, team):
    case = CaseFactory(procedure__team=team)
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    assert agent_client.get(reverse("core:home")).status_code == 200
    listed = Event.objects.get(verb="read_list", target_type="core.home")
    assert listed.actor_id == str(agent.pk)
    assert subjects_of(listed) == {
        ("cases.case", str(case.pk)),
        ("enquiries.enquiry", str(enquiry.pk)),
    }


def test_the_admin_pages_of_a_flag_and_of_an_email_are_reads_of_their_case_and_contact(
    admin_client, administrator, team
):
    from levier.mailing.models import OutboundEmail

    case = CaseFactory(procedure__team=team)
    flag = Flag.objects.create(case=case, procedure=case.procedure, source="anomaly",
                               code="atypical", reasons=["Montant atypique"])  # fmt: skip
    email = OutboundEmail.objects.create(to=case.contact.email, subject="Votre dossier",
                                         body_text="Bonjour", contact=case.contact)  # fmt: skip

    assert (
        admin_client.get(reverse("admin:controls_flag_change", args=[flag.pk])).status_code == 200
    )
    assert admin_client.get(reverse("admin:controls_flag_changelist")).status_code == 200
    url = reverse("admin:mailing_outboundemail_change", args=[email.pk])
    assert admin_client.get(url).status_code == 200

    on_case = Event.objects.get(verb="read", target_type="cases.case", target_id=str(case.pk))
    assert on_case.payload == {"what": f"admin controls.flag {flag.pk}"}
    listed = Event.objects.get(verb="read_list", target_type="controls.flag")
    assert subjects_of(listed) == {("cases.case", str(case.pk))}
    on_contact = Event.objects.get(
        verb="read", payload__what=f"admin mailing.outboundemail {email.pk}"
    )
    assert on_contact.target_id == str(case.contact.pk) and on_contact.target_type.startswith(
        "contacts."
    )

"""The data protection officer's page: every read and export of one usager's data."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from levier.core.models import Role
from levier.journal.models import Event
from levier.journal.services import Actor, record
from tests.contacts.numbers import NIR
from tests.factories import (
    AgentFactory,
    CaseFactory,
    ContactFactory,
    EnquiryFactory,
    OrganisationFactory,
    TeamFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo(team):
    return AgentFactory(username="dpo", first_name="Delphine", last_name="Protection",
                        role=Role.DPO, organisation=team.organisation)  # fmt: skip


@pytest.fixture
def dpo_client(client, dpo):
    client.force_login(dpo)
    return client


@pytest.fixture
def alice(team):
    person = ContactFactory(first_name="Alice", last_name="Vasseur", nir=NIR)
    CaseFactory(procedure__team=team, contact=person, reference="TST-2026-000100")
    EnquiryFactory(topic=TopicFactory(team=team), contact=person)
    return person


@pytest.fixture
def bruno(team):
    person = ContactFactory(first_name="Bruno", last_name="Lacombe")
    CaseFactory(procedure__team=team, contact=person, reference="TST-2026-000200")
    return person


def read_by(client_of_agent, url, **params):
    assert client_of_agent.get(url, params).status_code == 200


def test_the_page_lists_the_reads_of_one_person_and_not_anothers(client, dpo, team, alice, bruno):
    reader = AgentFactory(first_name="Camille", last_name="Lecteur", teams=[team])
    client.force_login(reader)
    alice_case, bruno_case = alice.cases.get(), bruno.cases.get()
    read_by(client, reverse("cases:detail", args=[alice_case.pk]))
    read_by(client, reverse("enquiries:detail", args=[alice.enquiries.get().pk]))
    read_by(client, reverse("cases:detail", args=[bruno_case.pk]))
    read_by(client, reverse("cases:list"), q="vasseur")  # a search that showed Alice's case
    client.post(reverse("cases:reveal", args=[alice_case.pk]), {"field": "nir"})
    record(actor=reader, verb="export", target=alice_case, payload={"what": "mail merge ZIP 7"})

    client.force_login(dpo)
    response = client.get(reverse("privacy:usager", args=[alice.pk]))
    assert response.status_code == 200
    rows = response.context["rows"]
    about = " | ".join(row.about for row in rows)
    assert "TST-2026-000100" in about and "TST-2026-000200" not in about
    assert {row.actor for row in rows} >= {"Camille Lecteur"}
    actions = {row.action for row in rows}
    assert {"Consultation", "Affichage dans une liste", "Export"} <= actions
    html = response.content.decode()
    assert "Liste des dossiers" in html and "recherche de 7 caractères" in html
    assert "publipostage n° 7" in html
    # The enquiry's read is there too, and none of Bruno's.
    assert any(row.about.startswith("Sollicitation") for row in rows)
    bruno_page = client.get(reverse("privacy:usager", args=[bruno.pk]))
    assert all("TST-2026-000100" not in row.about for row in bruno_page.context["rows"])


def test_the_dpos_own_consultation_is_journaled(dpo_client, dpo, alice):
    dpo_client.get(reverse("privacy:usager", args=[alice.pk]))
    event = Event.objects.get(actor_id=str(dpo.pk), verb="read")
    assert (event.target_type, event.target_id) == ("contacts.contact", str(alice.pk))


def test_search_by_name_and_by_nir(dpo_client, dpo, alice, bruno):
    found = dpo_client.get(reverse("privacy:search"), {"q": "vasseur"}).context["found"]
    assert found == [alice]
    found = dpo_client.get(reverse("privacy:search"), {"q": NIR[:1] + " " + NIR[1:]}).context[
        "found"
    ]
    assert found == [alice]
    listed = Event.objects.filter(verb="read_list", actor_id=str(dpo.pk)).first()
    assert listed is not None and "vasseur" not in str(listed.payload).lower()


def test_a_one_letter_search_gets_a_french_explanation(dpo_client):
    response = dpo_client.get(reverse("privacy:search"), {"q": "a"})
    assert response.status_code == 200
    assert "au moins deux caractères" in response.content.decode()


def test_csv_export_lists_the_reads_and_is_journaled(client, dpo, team, alice):
    reader = AgentFactory(first_name="Camille", last_name="Lecteur", teams=[team])
    client.force_login(reader)
    read_by(client, reverse("cases:detail", args=[alice.cases.get().pk]))
    record(actor=Actor.usager(alice), verb="read", target=alice.cases.get(),
           payload={"what": "follow"})  # fmt: skip

    client.force_login(dpo)
    response = client.get(reverse("privacy:usager_csv", args=[alice.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0] == ["Date et heure", "Qui", "Action", "Sur quoi", "Détail"]
    assert ["Camille Lecteur", "Consultation", "Dossier TST-2026-000100", "page du dossier"] in [
        line[1:] for line in lines[1:]
    ]
    assert any(line[1] == "L’usager lui-même" for line in lines[1:])
    export = Event.objects.get(verb="export", actor_id=str(dpo.pk))
    assert (export.target_type, export.target_id) == ("contacts.contact", str(alice.pk))
    assert export.payload["rows"] == len(lines) - 1


def test_a_formula_in_a_name_stays_text_in_the_csv(dpo_client, team):
    company = ContactFactory(company=True, legal_name='=HYPERLINK("http://x")')
    case = CaseFactory(procedure__team=team, contact=company)
    record(actor=Actor.robot("=cmd"), verb="read", target=case)
    text = b"".join(
        dpo_client.get(reverse("privacy:usager_csv", args=[company.pk])).streaming_content
    ).decode("utf-8-sig")
    assert "\n=" not in text and ";=" not in text and ";'=cmd" in text


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.MANAGER])
def test_other_roles_get_404(client, team, alice, role):
    client.force_login(AgentFactory(role=role, teams=[team], organisation=team.organisation))
    for url in [
        reverse("privacy:search"),
        reverse("privacy:usager", args=[alice.pk]),
        reverse("privacy:usager_csv", args=[alice.pk]),
    ]:
        assert client.get(url, {"q": "vasseur"}).status_code == 404, url
    assert not Event.objects.filter(verb="export").exists()


def test_administrators_may_see_it(client, team, alice):
    client.force_login(AgentFactory(administrator=True, organisation=team.organisation))
    assert client.get(reverse("privacy:usager", args=[alice.pk])).status_code == 200


def test_a_dpo_of_another_organisation_gets_404(client, alice):
    elsewhere = OrganisationFactory(name="Autre préfecture")
    TeamFactory(organisation=elsewhere)
    client.force_login(AgentFactory(role=Role.DPO, organisation=elsewhere))
    assert client.get(reverse("privacy:usager", args=[alice.pk])).status_code == 404
    assert client.get(reverse("privacy:search"), {"q": "vasseur"}).context["found"] == []


def test_the_dpo_sees_no_case_or_enquiry_page(client, dpo, alice):
    """Across the organisation, but only this: the DPO's role opens no case."""
    client.force_login(dpo)
    assert client.get(reverse("cases:detail", args=[alice.cases.get().pk])).status_code == 404
    assert (
        client.get(reverse("enquiries:detail", args=[alice.enquiries.get().pk])).status_code == 404
    )


def test_reads_under_a_merged_contact_follow_the_merge(dpo_client, team, alice):
    old = ContactFactory(first_name="Alice", last_name="Vaseur", merged_into=alice)
    record(actor=Actor.robot("import"), verb="read", target=old)
    rows = dpo_client.get(reverse("privacy:usager", args=[alice.pk])).context["rows"]
    assert any(row.about == "Fiche usager Alice VASEUR" for row in rows)


def test_the_dpos_home_is_this_page_and_the_menu_offers_no_queue(dpo_client):
    response = dpo_client.get(reverse("core:home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("privacy:search")
    html = response.content.decode()
    assert reverse("privacy:search") in html and reverse("cases:list") not in html


def test_the_page_does_not_grow_its_queries_with_its_rows(dpo_client, team, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from levier.journal.services import record_list_read

    case = alice.cases.get()

    def read_some(count):
        for _ in range(count):
            record(actor=Actor.robot("import"), verb="read", target=case)
            record_list_read(agent=AgentFactory(), listed="cases.case", shown=[case])

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert dpo_client.get(reverse("privacy:usager", args=[alice.pk])).status_code == 200
        return len(context)

    queries()  # the DPO's own read is on the page from now on: every kind of row is there
    read_some(2)
    few = queries()
    read_some(20)
    assert queries() == few


def test_reads_journaled_under_the_proxy_model_before_are_found(dpo_client, alice):
    record(actor=Actor.robot("import"), verb="read", target=("contacts.person", alice.pk))
    rows = dpo_client.get(reverse("privacy:usager", args=[alice.pk])).context["rows"]
    assert any(row.about == "Fiche usager Alice VASSEUR" for row in rows)

"""NIR and IBAN are masked on the case page and in the admin, shown on a journaled POST."""

from __future__ import annotations

import pytest
from django.urls import reverse

from levier.journal.models import Event
from tests.contacts.numbers import IBAN, NIR
from tests.factories import AgentFactory, CaseFactory, ContactFactory, ProcedureFactory

pytestmark = pytest.mark.django_db

SCHEMA = [
    {"name": "project", "label": "Objet de la demande", "type": "text", "required": True},
    {"name": "nir", "label": "NIR du demandeur", "type": "nir"},
    {"name": "iban", "label": "IBAN de versement", "type": "iban"},
]


@pytest.fixture
def case(team):
    procedure = ProcedureFactory(team=team, field_schema=SCHEMA)
    return CaseFactory(procedure=procedure, data={"project": "Four", "nir": NIR, "iban": IBAN})


def reveals():
    return Event.objects.filter(verb="reveal")


def test_mask_keeps_the_last_four_characters():
    from levier.core.masking import mask_identifier

    assert mask_identifier("1 85 04 69 381 123 87") == "• • • 23 87"
    assert mask_identifier(IBAN) == "• • • 01 89"
    assert mask_identifier("") == ""
    assert mask_identifier("12") == "• • •"


def test_the_case_page_masks_nir_and_iban(agent_client, case):
    html = agent_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert NIR not in html and IBAN not in html
    assert "• • • 23 87" in html and "• • • 01 89" in html
    assert f'hx-post="{reverse("cases:reveal", args=[case.pk])}"' in html
    assert not reveals().exists()


def test_reveal_with_htmx_shows_the_value_and_journals_it(agent_client, agent, case):
    response = agent_client.post(
        reverse("cases:reveal", args=[case.pk]), {"field": "nir"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert NIR in response.content.decode() and IBAN not in response.content.decode()
    event = reveals().get()
    assert (event.actor_id, event.target_type, event.target_id) == (
        str(agent.pk),
        "cases.case",
        str(case.pk),
    )
    assert event.payload == {"field": "nir"}  # the field's name, never its value
    # The reveal is the DPO's business, not part of the case's history.
    page = agent_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "révélé" not in page.lower() and NIR not in page


def test_reveal_without_javascript_returns_the_case_page_with_the_value(agent_client, case):
    response = agent_client.post(reverse("cases:reveal", args=[case.pk]), {"field": "iban"})
    html = response.content.decode()
    assert response.status_code == 200 and IBAN in html and NIR not in html
    assert reveals().count() == 1


def test_reveal_is_never_a_get_and_refuses_other_fields(agent_client, case):
    url = reverse("cases:reveal", args=[case.pk])
    assert agent_client.get(url, {"field": "nir"}).status_code == 405
    refused = agent_client.post(url, {"field": "project"})
    assert refused.status_code == 400 and "Rien à révéler" in refused.content.decode()
    assert not reveals().exists()


def test_another_teams_case_cannot_be_revealed(client, other_agent, case):
    client.force_login(other_agent)
    assert client.post(reverse("cases:reveal", args=[case.pk]), {"field": "nir"}).status_code == 404
    assert not reveals().exists()


@pytest.fixture
def admin_client(client, team):
    client.force_login(AgentFactory(administrator=True, teams=[team]))
    return client


def test_the_admin_case_page_masks_the_declared_identifiers_until_revealed(admin_client, case):
    url = reverse("admin:cases_case_change", args=[case.pk])
    html = admin_client.get(url).content.decode()
    assert NIR not in html and IBAN not in html and "• • • 23 87" in html
    reveal_url = reverse("admin:cases_case_reveal", args=[case.pk])
    assert reveal_url in html
    assert admin_client.get(reveal_url).status_code == 405  # a link cannot reveal

    assert admin_client.post(reveal_url).status_code == 302
    assert reveals().get().payload == {"field": "iban,nir"}
    html = admin_client.get(url).content.decode()
    assert NIR in html and IBAN in html


def test_the_admin_person_page_masks_nir_and_iban_until_revealed(admin_client):
    person = ContactFactory(nir=NIR, iban=IBAN)
    url = reverse("admin:contacts_person_change", args=[person.pk])
    html = admin_client.get(url).content.decode()
    assert NIR not in html and IBAN not in html and "• • • 01 89" in html
    assert 'name="nir"' not in html  # read-only while masked: not in the form

    # Posting the form while masked keeps the identifiers as they are.
    admin_client.post(reverse("admin:contacts_person_reveal", args=[person.pk]))
    event = reveals().get()
    assert (event.target_type, event.target_id) == ("contacts.contact", str(person.pk))
    html = admin_client.get(url).content.decode()
    assert 'name="nir"' in html and NIR in html


def test_a_masked_person_saved_in_the_admin_keeps_its_nir(admin_client):
    person = ContactFactory(nir=NIR, iban=IBAN, first_name="Élodie", last_name="Dupont")
    url = reverse("admin:contacts_person_change", args=[person.pk])
    response = admin_client.post(url, {
        "first_name": "Élodie", "last_name": "Durand", "birth_date": "1985-04-12",
        "email": person.email, "phone": "", "address": person.address,
        "postal_code": person.postal_code, "city": person.city, "commune_code": person.commune_code,
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.last_name == "Durand" and person.nir == NIR and person.iban == IBAN

from __future__ import annotations

import pytest
from django.urls import reverse

from levier.campaigns import services
from levier.campaigns.models import Campaign, CampaignStatus, Unsubscription
from levier.cases.models import CaseStatus
from levier.journal.models import Event

from ..factories import AgentFactory, ContactFactory
from .helpers import lead_of, make_campaign, procedure_with_documents, waiting_cases

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def form_data(procedure, **overrides):
    data = {
        "name": "Relance des pièces",
        "procedure": procedure.pk,
        "case_statuses": [CaseStatus.WAITING_FOR_USAGER],
        "only_missing_documents": "on",
        "subject": "Dossier {{ dossier.reference }}",
        "body": "Bonjour {{ usager.nom_complet }}",
        "mandatory": "on",
        "per_minute": "30",
    }
    data.update(overrides)
    return data


# --- agent pages ---------------------------------------------------------------------


def test_a_lead_creates_previews_starts_and_follows_a_campaign(
    lead_client, procedure, django_capture_on_commit_callbacks
):
    cases = waiting_cases(procedure, 6)
    response = lead_client.get(reverse("campaigns:new"))
    assert response.status_code == 200
    assert "lien de désabonnement" in response.content.decode()

    response = lead_client.post(reverse("campaigns:new"), form_data(procedure))
    campaign = Campaign.objects.get()
    assert response.url == reverse("campaigns:preview", args=[campaign.pk])
    assert (campaign.per_minute, campaign.mandatory, campaign.only_missing_documents) == (
        30,
        True,
        True,
    )

    page = lead_client.get(response.url).content.decode()
    assert "6 dossiers" in page
    assert page.count("<article") == 5
    assert f"Dossier {cases[5].reference}" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(reverse("campaigns:start", args=[campaign.pk]))
    assert response.url == reverse("campaigns:detail", args=[campaign.pk])
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE  # the immediate backend ran the batch
    page = lead_client.get(response.url).content.decode()
    assert "6 sur 6" in page

    listing = lead_client.get(reverse("campaigns:list")).content.decode()
    assert "Relance des pièces" in listing


def test_the_form_names_a_template_error(lead_client, procedure):
    response = lead_client.post(reverse("campaigns:new"), form_data(procedure, body="{% for %}"))
    assert response.status_code == 200
    assert "ligne 1" in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_form_offers_only_the_procedures_of_the_agents_teams(
    lead_client, procedure, other_team
):
    foreign = procedure_with_documents(other_team)
    response = lead_client.post(reverse("campaigns:new"), form_data(foreign))
    assert response.status_code == 200
    assert not Campaign.objects.exists()


def test_the_detail_lists_the_skipped_cases_and_their_reasons(lead_client, lead, procedure):
    waiting_cases(procedure, 1, contact=ContactFactory(email=""))
    campaign = make_campaign(lead, procedure)
    services.campaign_start(campaign=campaign, actor=lead)
    services.campaign_run(campaign_id=campaign.pk)
    page = lead_client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "Pas d’adresse électronique." in page


def test_a_plain_agent_sees_campaigns_but_cannot_create_start_or_cancel(
    client, team, lead, procedure
):
    campaign = make_campaign(lead, procedure)
    client.force_login(AgentFactory(teams=[team]))
    assert client.get(reverse("campaigns:list")).status_code == 200
    assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 200
    assert client.get(reverse("campaigns:new")).status_code == 404
    assert client.post(reverse("campaigns:new"), form_data(procedure)).status_code == 404
    assert client.post(reverse("campaigns:start", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("campaigns:cancel", args=[campaign.pk])).status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert Campaign.objects.count() == 1


def test_the_navigation_shows_campaigns_to_leads_only(client, team, lead):
    client.force_login(lead)
    assert reverse("campaigns:list") in client.get(reverse("cases:list")).content.decode()
    client.force_login(AgentFactory(teams=[team]))
    assert reverse("campaigns:list") not in client.get(reverse("cases:list")).content.decode()


def test_campaigns_of_other_teams_are_404(client, lead, procedure, other_team):
    campaign = make_campaign(lead, procedure)
    client.force_login(lead_of(other_team))
    for name in ("detail", "preview", "start", "cancel"):
        url = reverse(f"campaigns:{name}", args=[campaign.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url).status_code == 404, name
    assert "Relance" not in client.get(reverse("campaigns:list")).content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_cancel_stops_a_campaign(lead_client, lead, procedure):
    campaign = make_campaign(lead, procedure)
    lead_client.post(reverse("campaigns:cancel", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED


# --- portal --------------------------------------------------------------------------


def test_the_unsubscribe_page_asks_then_unsubscribes(client):
    contact = ContactFactory()
    url = reverse("campaigns_portal:unsubscribe", args=[services.unsubscribe_token(contact)])
    response = client.get(url)
    assert response.status_code == 200
    assert "Confirmer" in response.content.decode()
    assert not Unsubscription.objects.exists()

    response = client.post(url)
    assert response.status_code == 200
    assert "Vous êtes désabonné" in response.content.decode()
    assert client.post(url).status_code == 200  # idempotent
    assert Unsubscription.objects.filter(contact=contact).count() == 1
    assert Event.objects.filter(verb="unsubscribe").count() == 1


def test_one_click_unsubscribe_needs_no_csrf_token(client):
    from django.test import Client

    contact = ContactFactory()
    url = reverse("campaigns_portal:unsubscribe", args=[services.unsubscribe_token(contact)])
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Unsubscription.objects.filter(contact=contact).exists()


@pytest.mark.parametrize("token", ["abc", "MQ:1xXNZp:faux", "n'importe quoi"])
def test_a_bad_token_gets_a_clear_message(client, token):
    url = reverse("campaigns_portal:unsubscribe", args=[token])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert "lien de désabonnement n’est pas valide" in response.content.decode()
    assert not Unsubscription.objects.exists()

"""The administrators' page of automations: each one, on or off, its gestes, runs and
last failure; a 404 for everyone else."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from levier.automation import schedule
from levier.automation.models import AutomationRun, RunStatus
from levier.core.models import Role
from levier.journal.models import Activity
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db
URL = "/automatisations/"


def test_the_page_lists_each_automation_with_its_gestes_and_last_failure(
    client, settings, activity_catalogue
):
    settings.LANGUAGE_CODE = "fr"
    AutomationRun.objects.create(automation="status-emails", event_id=41, status=RunStatus.DONE)
    AutomationRun.objects.create(
        automation="status-emails", event_id=42, status=RunStatus.FAILED,
        error="RuntimeError: serveur de modèles indisponible",
    )  # fmt: skip
    send_email = Activity.objects.get(code="send-email")
    client.force_login(AgentFactory(username="root", administrator=True))
    assert reverse("automation:list") == URL
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("Courriels de changement de statut", "Contrôle des pièces justificatives",
                 "Publipostages", "Campagnes", "Tâches planifiées"):  # fmt: skip
        assert name in page
    assert escape(send_email.label) in page and "(send-email" in page
    assert "serveur de modèles indisponible" in page  # the last failure
    assert "Désactivée" in page  # document checks are off in tests


def test_a_failed_scheduled_step_shows_on_its_automation(client):
    schedule.register("outbox", every=schedule.EVERY_ROUND, function=lambda: 1 / 0)
    try:
        schedule.run_round()
    finally:
        from levier.mailing.schedule import flush_outbox

        schedule.register("outbox", every=schedule.EVERY_ROUND, function=flush_outbox)
    client.force_login(AgentFactory(username="root", administrator=True))
    assert "ZeroDivisionError" in client.get(URL).content.decode()


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.MANAGER, Role.DPO])
def test_other_roles_get_a_404(client, team, role):
    client.force_login(AgentFactory(username=f"x-{role}", role=role, teams=[team]))
    assert client.get(URL).status_code == 404


def test_the_page_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "next=" in response["Location"]

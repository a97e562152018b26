import pytest
from django.urls import reverse

from ..factories import PASSWORD, AgentFactory


@pytest.fixture
def login_url():
    return reverse("core:login")


def test_pages_require_login(client, db):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:login"))


def test_agent_logs_in_and_sees_home(client, agent, login_url):
    response = client.post(login_url, {"username": agent.username, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "Bonjour" in response.content.decode()


def test_wrong_password_shows_an_error_on_the_form(client, agent, login_url):
    response = client.post(login_url, {"username": agent.username, "password": "wrong"})
    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()


def test_account_is_locked_after_repeated_failures(client, agent, login_url, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login_url, {"username": agent.username, "password": "wrong"})
    # Even the right password is refused while the lock lasts.
    response = client.post(login_url, {"username": agent.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account(client, agent, login_url, settings):
    other = AgentFactory(username="autre")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login_url, {"username": agent.username, "password": "wrong"})
    response = client.post(login_url, {"username": other.username, "password": PASSWORD})
    assert response.status_code == 302


def test_home_lists_my_work_and_team_queue(agent_client, agent, team):
    from ..factories import CaseFactory, ProcedureFactory

    procedure = ProcedureFactory(team=team)
    mine = CaseFactory(procedure=procedure, assignee=agent)
    unassigned = CaseFactory(procedure=procedure)
    other_team_case = CaseFactory()
    content = agent_client.get(reverse("core:home")).content.decode()
    assert mine.reference in content
    assert unassigned.reference in content
    assert other_team_case.reference not in content

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
    response = client.post(
        login_url, {"username": agent.username, "password": PASSWORD}, follow=True
    )
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


# --- lockout behind the reverse proxy --------------------------------------------------

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


@pytest.fixture
def behind_proxy(settings):
    settings.LEVIER_TRUSTED_PROXIES = ["10.0.0.0/8"]


def login_from(login_url, username, password, *, forwarded=None, remote=PROXY, client=None):
    """A login posted through the proxy (REMOTE_ADDR) for a client (X-Forwarded-For)."""
    from django.test import Client

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return (client or Client()).post(
        login_url, {"username": username, "password": password}, **extra
    )


def test_failures_from_one_client_do_not_lock_the_administrator_out_elsewhere(
    login_url, behind_proxy, settings, db
):
    AgentFactory(username="admin", is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_from(login_url, "admin", "wrong", forwarded=ATTACKER)
    # The attacker's client is locked, even with the right password...
    locked = login_from(login_url, "admin", PASSWORD, forwarded=ATTACKER)
    assert locked.status_code == 429
    # ...but the administrator logging in from their own address is not.
    response = login_from(login_url, "admin", PASSWORD, forwarded=OWNER)
    assert response.status_code == 302


def test_an_untrusted_clients_forged_forwarded_for_is_ignored(
    login_url, agent, behind_proxy, settings
):
    for n in range(settings.AXES_FAILURE_LIMIT):
        login_from(login_url, agent.username, "wrong", remote=ATTACKER, forwarded=f"192.0.2.{n}")
    response = login_from(
        login_url, agent.username, PASSWORD, remote=ATTACKER, forwarded="192.0.2.200"
    )
    assert response.status_code == 429


def test_an_address_failing_on_many_user_names_is_locked_for_all(
    login_url, agent, behind_proxy, settings
):
    settings.LEVIER_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for n in range(settings.LEVIER_LOGIN_ADDRESS_FAILURE_LIMIT):
        # A different name each time: no (name, address) pair reaches its own limit.
        login_from(login_url, f"agent{n}", "wrong", forwarded=ATTACKER)
    assert login_from(login_url, agent.username, PASSWORD, forwarded=ATTACKER).status_code == 429
    assert login_from(login_url, agent.username, PASSWORD, forwarded=OWNER).status_code == 302


def test_the_lockout_page_is_french_and_says_how_long(login_url, agent, behind_proxy, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_from(login_url, agent.username, "wrong", forwarded=ATTACKER)
    response = login_from(login_url, agent.username, PASSWORD, forwarded=ATTACKER)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de tentatives de connexion infructueuses" in html
    assert "depuis votre adresse réseau" in html and "30 minutes" in html
    assert '<html lang="fr"' in html

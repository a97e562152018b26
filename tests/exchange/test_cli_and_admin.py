"""`levier api …` commands and the admin of clients, submissions and refused requests."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from levier.exchange.models import ApiClient, RejectedRequest
from levier.journal.models import Event

from ..factories import AgentFactory
from .payloads import URL, person

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("api", *args, stdout=out)
    return out.getvalue()


def test_client_create_prints_the_token_once_and_stores_its_hash():
    output = run(
        "client-create", "Mairie de Villeurbanne", "--scopes", "enquiries:write,enquiries:read"
    )
    token = next(line for line in output.splitlines() if line.startswith("lev_"))
    client = ApiClient.objects.get()
    assert client.name == "Mairie de Villeurbanne"
    assert client.scopes == ["enquiries:read", "enquiries:write"]
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert Event.objects.filter(verb="create", target_type="exchange.apiclient").count() == 1

    listing = run("client-list")
    assert "Mairie de Villeurbanne" in listing and token[:8] in listing
    assert token not in listing and "never used" in listing


def test_client_create_refuses_an_unknown_scope_or_a_taken_name():
    with pytest.raises(CommandError, match="enquiries:delete"):
        run("client-create", "CRM", "--scopes", "enquiries:delete")
    run("client-create", "CRM", "--scopes", "topics:read")
    with pytest.raises(CommandError, match="CRM"):
        run("client-create", "crm", "--scopes", "topics:read")


def test_client_revoke_refuses_the_token_from_now_on(client, team):
    output = run("client-create", "Portail mairie", "--scopes", "topics:read")
    token = output.strip().splitlines()[-1]
    assert client.get("/api/v1/topics", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    assert "revoked" in run("client-revoke", "Portail mairie")
    assert ApiClient.objects.get().is_active is False
    assert client.get("/api/v1/topics", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert "already revoked" in run("client-revoke", "Portail mairie")
    assert "revoked" in run("client-list")
    with pytest.raises(CommandError, match="Portail mairie"):
        run("client-revoke", "Inconnu")


@pytest.fixture
def admin_client(client):
    client.force_login(AgentFactory(administrator=True))
    return client


def test_admin_creates_a_client_and_shows_the_token_once(admin_client):
    response = admin_client.post(
        reverse("admin:exchange_apiclient_add"),
        {"name": "France Services Bron", "description": "Guichet", "scopes": ["enquiries:write"]},
        follow=True,
    )
    assert response.status_code == 200
    client = ApiClient.objects.get()
    shown = [str(message) for message in response.context["messages"]]
    token = next(word for message in shown for word in message.split() if word.startswith("lev_"))
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    page = admin_client.get(reverse("admin:exchange_apiclient_change", args=[client.pk]))
    assert page.status_code == 200 and token not in page.content.decode()


def test_admin_revoke_action(admin_client, make_token):
    make_token(name="CRM Région")
    client = ApiClient.objects.get()
    response = admin_client.post(
        reverse("admin:exchange_apiclient_changelist"),
        {"action": "revoke", "_selected_action": [client.pk]},
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.is_active is False
    assert Event.objects.filter(verb="revoke", target_id=str(client.pk)).count() == 1


def test_admin_lists_submissions_and_refused_requests(admin_client, api):
    api.post(URL, person(external_id="FS-1"))
    api.post(URL, person(email="pas-une-adresse"))
    rejected = RejectedRequest.objects.get()
    for name in ("apisubmission", "rejectedrequest", "apiclient"):
        response = admin_client.get(reverse(f"admin:exchange_{name}_changelist"))
        assert response.status_code == 200, name
    filtered = admin_client.get(
        reverse("admin:exchange_rejectedrequest_changelist"), {"status_code__exact": 422}
    )
    assert filtered.status_code == 200 and "/api/v1/enquiries" in filtered.content.decode()
    detail = admin_client.get(reverse("admin:exchange_rejectedrequest_change", args=[rejected.pk]))
    assert detail.status_code == 200 and "pas-une-adresse" in detail.content.decode()
    assert admin_client.get(reverse("admin:exchange_rejectedrequest_add")).status_code == 403

"""Bearer tokens and scopes: every refusal is a 401/403 with a French message, and is kept."""

from __future__ import annotations

import hashlib

import pytest

from levier.exchange.models import ApiClient, RejectedRequest
from levier.exchange.services import api_client_revoke
from levier.journal.services import Actor

from .payloads import URL, person

pytestmark = pytest.mark.django_db


def problem(response) -> dict:
    detail = response.json()["detail"]
    assert len(detail) >= 1 and set(detail[0]) == {"field", "message"}
    return detail[0]


def test_only_the_hash_of_the_token_is_stored(token):
    client = ApiClient.objects.get()
    assert token.startswith("lev_") and len(token) > 40
    assert client.token_prefix == token[:8]
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in client.__dict__.values())


@pytest.mark.parametrize(
    "header, words",
    [
        (None, "Authorization"),
        ("Bearer lev_notarealtokenatall", "inconnu"),
        ("Bearer something-else", "lev_"),
        ("Basic dXNlcjpwYXNz", "Bearer"),
        ("Bearer ", "Bearer"),
    ],
)
def test_missing_or_wrong_token_is_401(client, token, team, header, words):
    headers = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.post(URL, person(), **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert words in problem(response)["message"]
    rejected = RejectedRequest.objects.get()
    assert (rejected.status_code, rejected.client, rejected.path) == (401, None, URL)
    assert "jeanne.martin@exemple.fr" in rejected.payload_excerpt  # nothing lost


def test_a_revoked_token_is_401(api):
    api_client_revoke(client=ApiClient.objects.get(), actor=Actor.robot("test"))
    response = api.get("/api/v1/topics")
    assert response.status_code == 401
    assert "révoqué" in problem(response)["message"]


def test_a_missing_scope_is_403_naming_the_scope(client, make_token):
    token = make_token(scopes=["topics:read"])
    response = client.post(URL, person(), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert "enquiries:write" in problem(response)["message"]
    rejected = RejectedRequest.objects.get()
    assert rejected.client == ApiClient.objects.get() and rejected.status_code == 403
    assert client.get("/api/v1/topics", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    response = client.get(f"{URL}/SOL-2026-000001", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403 and "enquiries:read" in problem(response)["message"]


def test_the_scope_is_checked_before_the_payload(client, make_token):
    token = make_token(scopes=["topics:read"])
    response = client.post(URL, {}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403


def test_use_is_recorded_on_the_client(api):
    assert ApiClient.objects.get().last_used_at is None
    assert api.get("/api/v1/topics").status_code == 200
    assert ApiClient.objects.get().last_used_at is not None


def test_an_agents_session_does_not_open_the_api(client, agent):
    client.force_login(agent)
    assert client.get("/api/v1/topics").status_code == 401


def test_errors_stay_in_french_whatever_the_accept_language(client, token):
    response = client.get("/api/v1/topics", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert "Authentification requise" in problem(response)["message"]

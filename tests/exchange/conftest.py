"""Fixtures of the partners' API tests: clients with tokens, a topic, real files."""

from __future__ import annotations

import pytest

from levier.exchange.services import api_client_create
from levier.journal.services import Actor

from ..factories import TopicFactory

ALL_SCOPES = ["enquiries:write", "enquiries:read", "topics:read"]


@pytest.fixture
def make_token(db):
    def make(name: str = "France Services Lyon 3", scopes=None) -> str:
        _client, token = api_client_create(
            name=name, scopes=scopes or ALL_SCOPES, actor=Actor.robot("test")
        )
        return token

    return make


@pytest.fixture
def token(make_token) -> str:
    return make_token()


@pytest.fixture
def topic(team):
    return TopicFactory(team=team, slug="titres-de-sejour", label="Titres de séjour")


@pytest.fixture
def api(client, token, team):
    """The Django test client, authenticated as a partner with every scope."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client

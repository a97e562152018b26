"""Fixtures of the partners' API tests: clients with tokens, a topic, real files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from levier.exchange.services import api_client_create
from levier.journal.services import Actor

from ..factories import TopicFactory

ADDITIONS = Path(__file__).resolve().parents[2] / "locale-additions" / "exchange.po"
ALL_SCOPES = ["enquiries:write", "enquiries:read", "topics:read"]


@pytest.fixture(scope="session")
def _exchange_catalogue(tmp_path_factory) -> Path | None:
    """locale-additions/exchange.po compiled, until it is merged into the French catalogue."""
    if shutil.which("msgfmt") is None or not ADDITIONS.exists():
        return None
    root = tmp_path_factory.mktemp("locale")
    target = root / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run(["msgfmt", "-o", str(target / "django.mo"), str(ADDITIONS)], check=True)
    return root


@pytest.fixture(autouse=True)
def _french_api_messages(settings, _exchange_catalogue):
    if _exchange_catalogue is not None:
        settings.LOCALE_PATHS = [_exchange_catalogue, *settings.LOCALE_PATHS]


@pytest.fixture
def french(_exchange_catalogue) -> None:
    """For tests that check the French wording: needs the additions compiled (msgfmt)."""
    if _exchange_catalogue is None:
        pytest.skip("msgfmt (Debian's gettext) is needed to compile locale-additions/exchange.po")


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

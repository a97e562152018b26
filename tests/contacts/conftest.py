import pytest
from django.utils import translation

from levier.contacts.models import Contact
from tests.factories import AgentFactory, ContactFactory


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked against their English msgids, whatever catalogue is compiled."""
    with translation.override("en"):
        yield


@pytest.fixture
def person(db) -> Contact:
    return ContactFactory(first_name="Élodie", last_name="Dupont", email="elodie.dupont@exemple.fr")


@pytest.fixture
def company(db) -> Contact:
    return ContactFactory(company=True, legal_name="Boulangerie Martin", email="contact@martin.fr")


@pytest.fixture
def administrator(db):
    return AgentFactory(username="admin", administrator=True)


@pytest.fixture
def admin_en_client(client, administrator):
    client.force_login(administrator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client

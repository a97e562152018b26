import pytest

from .helpers import lead_of, procedure_with_documents


@pytest.fixture
def lead(team):
    return lead_of(team)


@pytest.fixture
def procedure(team):
    return procedure_with_documents(team)

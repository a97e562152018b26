"""The seal wired into generation: a generated PDF is sealed when sealing is configured."""

from __future__ import annotations

import pytest
from django.urls import reverse

from levier.documents import services
from levier.documents.seal import SEAL_FIELD_NAME, make_test_authority, verify_seal
from levier.journal.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def authority(settings, tmp_path):
    paths = make_test_authority(tmp_path / "seal")
    settings.LEVIER_SEAL_KEY_FILE = str(paths["org_key"])
    settings.LEVIER_SEAL_CERT_FILE = str(paths["org_cert"])
    return paths


def test_a_generated_pdf_is_sealed_and_verifies(authority, agent, case, html_template):
    document = services.document_generate(case=case, template=html_template, actor=agent)
    with document.file.open("rb") as handle:
        pdf = handle.read()
    check = verify_seal(pdf, trust_roots=[authority["root_cert"]])
    assert check.valid and check.intact and check.field_name == SEAL_FIELD_NAME
    event = Event.objects.get(verb="generate-document")
    assert event.payload["sealed"] is True and event.payload["sha256"] == document.sha256
    assert document.size == len(pdf)


def test_without_configuration_nothing_is_sealed(agent, case, html_template):
    document = services.document_generate(case=case, template=html_template, actor=agent)
    with document.file.open("rb") as handle:
        assert SEAL_FIELD_NAME.encode() not in handle.read()
    assert Event.objects.get(verb="generate-document").payload["sealed"] is False


def test_the_case_page_says_sealed(authority, agent, agent_client, case, html_template, settings):
    services.document_generate(case=case, template=html_template, actor=agent)
    settings.LEVIER_SEAL_KEY_FILE = settings.LEVIER_SEAL_CERT_FILE = ""
    services.document_generate(case=case, template=html_template, actor=agent)
    html = agent_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert html.count("fr-badge--success fr-badge--no-icon") == 1

"""The case page's documents section, generation end to end, downloads scoped."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from levier.documents.models import GeneratedDocument

pytestmark = pytest.mark.django_db


def test_case_page_offers_the_published_templates(agent_client, case, html_template, docx_template):
    response = agent_client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="generated-documents"' in html
    assert reverse("documents:generate", args=[case.pk]) in html
    assert "Attestation" in html and "Courrier de demande de pi" in html


def test_generate_then_download(agent_client, case, html_template):
    url = reverse("documents:generate", args=[case.pk])
    response = agent_client.post(url, {"template": html_template.pk, "format": "pdf"})
    assert response.status_code == 302
    assert response.url.endswith("#generated-documents")
    document = GeneratedDocument.objects.get()
    page = agent_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    download_url = reverse("documents:download", args=[case.pk, document.pk])
    assert download_url in page
    assert "Document généré" in page  # the history tells it in French
    response = agent_client.get(download_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert "Élodie DUPONT" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_generation_error_is_shown_on_the_case_page(agent_client, case, html_template):
    case.data = {**case.data, "montant_demande": None}
    case.save()
    response = agent_client.post(
        reverse("documents:generate", args=[case.pk]),
        {"template": html_template.pk, "format": "pdf"},
        follow=True,
    )
    assert "montant_demande" in response.content.decode()
    assert not GeneratedDocument.objects.exists()


def test_other_teams_get_404(client, other_agent, case, html_template, agent):
    from levier.documents.services import document_generate

    document = document_generate(case=case, template=html_template, actor=agent)
    client.force_login(other_agent)
    assert client.post(reverse("documents:generate", args=[case.pk]),
                       {"template": html_template.pk, "format": "pdf"}).status_code == 404  # fmt: skip
    assert client.get(reverse("documents:download", args=[case.pk, document.pk])).status_code == 404
    assert GeneratedDocument.objects.count() == 1


def test_generate_answers_405_to_get(agent_client, case):
    assert agent_client.get(reverse("documents:generate", args=[case.pk])).status_code == 405

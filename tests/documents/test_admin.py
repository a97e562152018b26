"""Admin: new versions validated with their errors shown, preview against a case, publish."""

from __future__ import annotations

import pytest
from django.urls import reverse

from levier.documents.models import DocumentTemplate

from .conftest import LETTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_agent):
    client.force_login(admin_agent)
    return client


def _form(procedure, **extra):
    return {"name": "Attestation", "kind": "html", "procedure": procedure.pk, "is_active": "on",
            "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0", **extra}  # fmt: skip


def test_add_refuses_an_unknown_field_and_shows_why(admin_client, procedure):
    response = admin_client.post(
        reverse("admin:documents_documenttemplate_add"),
        _form(procedure, new_body="{{ dossier.pointure }}"),
    )
    assert response.status_code == 200
    assert "dossier.pointure" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_add_then_preview_then_publish(admin_client, procedure, case):
    response = admin_client.post(
        reverse("admin:documents_documenttemplate_add"), _form(procedure, new_body=LETTER)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    template = DocumentTemplate.objects.get()
    version = template.versions.get()
    assert not version.is_published

    preview = reverse("admin:documents_documenttemplate_preview", args=[template.pk])
    assert admin_client.get(preview).status_code == 200
    response = admin_client.post(
        preview, {"reference": "ape-2026-000123", "version": version.pk, "format": "pdf"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    response = admin_client.post(
        preview, {"reference": "NOPE-1", "version": version.pk, "format": "pdf"}
    )
    assert "No case with this reference" in response.content.decode() or response.status_code == 200

    change = reverse("admin:documents_documenttemplate_change", args=[template.pk])
    assert admin_client.get(change).status_code == 200
    response = admin_client.post(change, _form(procedure, new_body=LETTER, publish=version.pk))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.is_published and template.versions.count() == 1


def test_preview_names_missing_data(admin_client, html_template, case):
    case.data = {**case.data, "montant_demande": None}
    case.save()
    preview = reverse("admin:documents_documenttemplate_preview", args=[html_template.pk])
    response = admin_client.post(
        preview,
        {
            "reference": case.reference,
            "version": html_template.published_version.pk,
            "format": "pdf",
        },
    )
    assert response.status_code == 200
    assert "montant_demande" in response.content.decode()

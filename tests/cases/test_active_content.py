"""Active content in uploaded files (issue 10, finding 10): accepted, flagged for the agent,
and previewed in a sandbox whatever a site-wide header says."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from levier.cases.models import SupportingDocument
from levier.enquiries.models import Attachment

from ..factories import ProcedureFactory, TopicFactory
from ..hostile_pdfs import JAVASCRIPT_OPEN_ACTION, html_polyglot_pdf, page_tree_pdf
from .conftest import make_pdf

pytestmark = pytest.mark.django_db

SCHEMA = [{"name": "quote", "label": "Devis", "type": "file", "required": True}]


def submit_case(client, procedure, content: bytes) -> None:
    data = {
        "identity-kind": "person",
        "identity-first_name": "Élodie",
        "identity-last_name": "Dupont",
        "identity-birth_date": "1985-04-12",
        "identity-email": "elodie.dupont@exemple.fr",
        "quote": SimpleUploadedFile("devis.pdf", content),
    }
    response = client.post(reverse("portal:case_new", args=[procedure.slug]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def procedure(team):
    return ProcedureFactory(team=team, field_schema=SCHEMA, slug="aide-active")


def test_a_pdf_with_open_action_javascript_is_accepted_flagged_and_shown_sandboxed(
    client, agent_client, procedure
):
    submit_case(client, procedure, page_tree_pdf(1, extra=JAVASCRIPT_OPEN_ACTION))
    document = SupportingDocument.objects.get()
    assert document.active_content == ["javascript"]

    page = agent_client.get(reverse("cases:detail", args=[document.case_id])).content.decode()
    assert "Ce document contient du contenu actif : du code JavaScript." in page
    # The preview on the case page is the page drawn as an image by the server: inert.
    image_url = reverse("cases:document_page", args=[document.case_id, document.pk, 1])
    assert f'src="{image_url}"' in page and "<iframe" not in page
    image = agent_client.get(image_url)
    assert image["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")
    assert image["Content-Security-Policy"].startswith("sandbox;")

    # The file itself ("open in a new tab") is sandboxed by its own headers.
    document_url = reverse("cases:document", args=[document.case_id, document.pk])
    preview = agent_client.get(document_url)
    assert preview.status_code == 200
    policy = preview["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "frame-ancestors 'self'" in policy
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert preview["X-Content-Type-Options"] == "nosniff"


def test_a_text_file_is_previewed_in_a_sandboxed_frame(client, agent_client, team):
    procedure = ProcedureFactory(
        team=team,
        slug="aide-texte",
        field_schema=[{"name": "note", "label": "Note", "type": "file", "required": True}],
    )
    data = {
        "identity-kind": "person",
        "identity-first_name": "Élodie",
        "identity-last_name": "Dupont",
        "identity-birth_date": "1985-04-12",
        "identity-email": "elodie.dupont@exemple.fr",
        "note": SimpleUploadedFile("note.txt", b"<script>alert(1)</script> Bonjour"),
    }
    assert client.post(reverse("portal:case_new", args=[procedure.slug]), data).status_code == 302
    document = SupportingDocument.objects.get()
    page = agent_client.get(reverse("cases:detail", args=[document.case_id])).content.decode()
    document_url = reverse("cases:document", args=[document.case_id, document.pk])
    assert f'<iframe class="levier-preview" sandbox="" src="{document_url}"' in page
    preview = agent_client.get(document_url)
    assert preview["Content-Type"].startswith("text/plain")
    assert preview["Content-Security-Policy"].startswith("sandbox;")
    assert preview["X-Frame-Options"] == "SAMEORIGIN"


def test_only_the_first_pages_are_drawn_and_only_for_the_team(
    client, agent_client, procedure, other_agent
):
    submit_case(client, procedure, make_pdf(5))
    document = SupportingDocument.objects.get()
    page = agent_client.get(reverse("cases:detail", args=[document.case_id])).content.decode()
    assert "Les 3 premières pages sur 5 sont affichées" in page

    def url(number):
        return reverse("cases:document_page", args=[document.case_id, document.pk, number])

    assert agent_client.get(url(3)).status_code == 200
    assert agent_client.get(url(4)).status_code == 404
    client.force_login(other_agent)
    assert client.get(url(1)).status_code == 404


def test_the_preview_keeps_its_own_headers_under_a_site_wide_deny(
    agent_client, procedure, client, settings
):
    """Another middleware may set X-Frame-Options: DENY and a global CSP for every page:
    the file's own headers win, so the case page can still frame it."""
    settings.X_FRAME_OPTIONS = "DENY"
    submit_case(client, procedure, make_pdf(1))
    document = SupportingDocument.objects.get()
    preview = agent_client.get(reverse("cases:document", args=[document.case_id, document.pk]))
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "sandbox" in preview["Content-Security-Policy"]


def test_an_ordinary_pdf_is_not_flagged(client, agent_client, procedure):
    submit_case(client, procedure, make_pdf(2))
    document = SupportingDocument.objects.get()
    assert document.active_content == [] and document.page_count == 2
    page = agent_client.get(reverse("cases:detail", args=[document.case_id])).content.decode()
    assert "contenu actif" not in page


def test_an_html_polyglot_sent_through_the_api_is_flagged_on_the_enquiry(
    client, agent_client, team
):
    from levier.exchange.services import api_client_create
    from levier.journal.services import Actor

    TopicFactory(team=team, slug="urbanisme")
    _api_client, token = api_client_create(
        name="Mairie", scopes=["enquiries:write"], actor=Actor.robot("t")
    )
    data = {
        "subject": "Permis",
        "message": "Bonjour, voici le plan.",
        "email": "jeanne.martin@exemple.fr",
        "first_name": "Jeanne",
        "last_name": "Martin",
        "topic": "urbanisme",
        "files": [SimpleUploadedFile("plan.pdf", html_polyglot_pdf())],
    }
    response = client.post("/api/v1/enquiries", data, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201, json.loads(response.content)
    attachment = Attachment.objects.get()
    assert attachment.active_content == ["html"]
    enquiry = attachment.message.enquiry
    page = agent_client.get(reverse("enquiries:detail", args=[enquiry.pk])).content.decode()
    assert "Contenu actif : une page web dissimulée dans le fichier" in page
    inline = agent_client.get(
        reverse("enquiries:attachment", args=[enquiry.pk, attachment.pk]), {"inline": "1"}
    )
    assert inline["Content-Security-Policy"].startswith("sandbox;")
    assert inline["X-Frame-Options"] == "SAMEORIGIN"

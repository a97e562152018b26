"""Hostile PDFs posted anonymously through every upload route (issue 10, finding 1).

A PDF whose page tree claims 200,000 pages, or five of 99,000 pages, must get a French
refusal naming the file, never a 500, leave nothing stored, and cost the web worker
neither the flattening of the page tree nor its memory: the pages are counted in a
child process with limits (core/pdf_checks.py).
"""

from __future__ import annotations

import json
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from levier.cases.models import Case, SupportingDocument
from levier.core import verification
from levier.enquiries.models import Attachment, Enquiry, Message

from ..factories import EnquiryFactory, MessageFactory, ProcedureFactory, TopicFactory
from ..hostile_pdfs import page_tree_pdf

pytestmark = pytest.mark.django_db

CODE = "K7M2QX9P"
SCHEMA = [{"name": "quote", "label": "Devis", "type": "file", "required": True}]


def _files(files: list[tuple[str, bytes]]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, content) for name, content in files]


def post_portal_enquiry(client, files):
    topic = TopicFactory(label="Stationnement résidentiel")
    data = {
        "first_name": "Élodie",
        "last_name": "Lefèvre",
        "email": "elodie.lefevre@exemple.fr",
        "topic": topic.pk,
        "subject": "Carte de stationnement",
        "message": "Bonjour, voici mes pièces.",
        "attachments": _files(files),
    }
    return client.post(reverse("portal:enquiry_new"), data)


def post_portal_case(client, files):
    procedure = ProcedureFactory(field_schema=SCHEMA, slug="aide-hostile")
    (first_name, first), *others = files
    data = {
        "identity-kind": "person",
        "identity-first_name": "Élodie",
        "identity-last_name": "Dupont",
        "identity-birth_date": "1985-04-12",
        "identity-email": "elodie.dupont@exemple.fr",
        "quote": SimpleUploadedFile(first_name, first),
        "other-documents": _files(others),
    }
    return client.post(reverse("portal:case_new", args=[procedure.slug]), data)


def post_portal_follow(client, files):
    enquiry = EnquiryFactory(subject="Permis de construire")
    enquiry.verification_digest = verification.digest(enquiry.reference, CODE)
    enquiry.save()
    MessageFactory(enquiry=enquiry, body="Où en est mon permis ?")
    follow = reverse("portal:follow")
    client.post(follow, {"action": "lookup", "reference": enquiry.reference, "code": CODE})
    data = {"action": "message", "message": "Le voici.", "attachments": _files(files)}
    return client.post(follow, data)


def post_api(client, files, make_token):
    TopicFactory(slug="titres-de-sejour")
    data = {
        "subject": "Renouvellement de titre de séjour",
        "message": "Bonjour, voici les pièces.",
        "email": "jeanne.martin@exemple.fr",
        "first_name": "Jeanne",
        "last_name": "Martin",
        "files": _files(files),
    }
    return client.post("/api/v1/enquiries", data, HTTP_AUTHORIZATION=f"Bearer {make_token()}")


ROUTES = ["portal enquiry", "portal case", "portal follow-up", "API"]


@pytest.fixture
def send(client, team, make_token):
    def send(route: str, files: list[tuple[str, bytes]]):
        if route == "API":
            return post_api(client, files, make_token)
        post = {
            "portal enquiry": post_portal_enquiry,
            "portal case": post_portal_case,
            "portal follow-up": post_portal_follow,
        }[route]
        return post(client, files)

    return send


@pytest.fixture
def make_token(db):
    from levier.exchange.services import api_client_create
    from levier.journal.services import Actor

    def make() -> str:
        scopes = ["enquiries:write", "enquiries:read", "topics:read"]
        return api_client_create(name="France Services", scopes=scopes, actor=Actor.robot("t"))[1]

    return make


def refusal_text(route: str, response) -> str:
    """The refusal's words: the JSON problem for the API, the page's text for the portal."""
    if route == "API":
        assert response["Content-Type"].startswith("application/json")
        return " ".join(item["message"] for item in json.loads(response.content)["detail"])
    return response.content.decode()


def nothing_stored(messages_before: int) -> bool:
    return (
        not Attachment.objects.exists()
        and not SupportingDocument.objects.exists()
        and not Case.objects.exists()
        and Message.objects.count() == messages_before
        and not Enquiry.objects.filter(
            subject__in=["Carte de stationnement", "Renouvellement de titre de séjour"]
        ).exists()
    )


@pytest.mark.parametrize("route", ROUTES)
def test_a_200000_page_tree_is_refused_in_french_and_nothing_is_stored(route, send):
    bomb = page_tree_pdf(200_000)
    assert len(bomb) > 1_000_000
    response = send(route, [("avis.pdf", bomb)])
    assert response.status_code in {400, 422}, response.status_code
    text = refusal_text(route, response)
    assert "avis.pdf" in text
    assert "trop volumineux ou trop complexe" in text and "300 pages" in text
    messages_before = 1 if route == "portal follow-up" else 0
    assert nothing_stored(messages_before)


@pytest.mark.parametrize("route", ROUTES)
def test_five_99000_page_pdfs_are_each_refused_by_name_without_growing_the_worker(route, send):
    files = [(f"piece-{n}.pdf", page_tree_pdf(99_000)) for n in range(5)]
    tracemalloc.start()
    try:
        response = send(route, files)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code in {400, 422}
    text = refusal_text(route, response)
    assert "trop volumineux ou trop complexe" in text
    if route != "API":  # the API answers the first refused file
        assert all(f"piece-{n}.pdf" in text for n in range(5))
    # Flattening one such tree in the worker took ~60 MB of Python objects (300 MB for five).
    assert peak < 40 * 1024 * 1024, f"{peak / 1e6:.0f} MB"
    messages_before = 1 if route == "portal follow-up" else 0
    assert nothing_stored(messages_before)


def test_a_lying_page_count_is_not_believed(send):
    """/Count says 1 while /Kids holds 1,000 pages: the pages are counted, not read."""
    response = send("portal enquiry", [("menteur.pdf", page_tree_pdf(1000, count=1))])
    assert response.status_code == 400
    assert "plus de 300 pages" in response.content.decode()


def test_a_declared_page_count_over_the_limit_is_named(send):
    response = send("API", [("long.pdf", page_tree_pdf(350))])
    assert response.status_code == 422
    assert "« long.pdf » compte 350 pages ; la limite est de 300." in refusal_text("API", response)


def test_an_ordinary_pdf_still_goes_through_with_its_page_count(send):
    response = send("API", [("avis.pdf", page_tree_pdf(3))])
    assert response.status_code == 201
    assert Attachment.objects.get().page_count == 3

"""Bad payloads: each gets its status, a French message naming the field, and is kept.

No payload, however wrong, may end in a 500.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from levier.enquiries.models import Enquiry, Message
from levier.exchange.models import ApiClient, RejectedRequest

from .payloads import BAD_SIRET, URL, company, exe_as_pdf, pdf, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_refusal_limit(settings):
    # These tests send many bad payloads on purpose; the limit has its tests in test_flood.
    settings.LEVIER_API_MAX_REFUSALS = 100_000


# name: (form data, status, field, words the French message contains)
BAD_PAYLOADS = {
    "missing subject": (person(subject=None), 422, "subject", "obligatoire"),
    "missing message": (person(message=None), 422, "message", "obligatoire"),
    "missing email": (person(email=None), 422, "email", "obligatoire"),
    "person without last name": (person(last_name=None), 422, "last_name", "obligatoire"),
    "company without siret": (company(siret=None), 422, "siret", "obligatoire"),
    "bad email": (person(email="jeanne.martin.exemple.fr"), 422, "email", "adresse"),
    "invalid SIRET checksum": (company(siret=BAD_SIRET), 422, "siret", "SIRET"),
    "SIRET with letters": (company(siret="7328293200007A"), 422, "siret", "SIRET"),
    "SIRET for a person": (person(siret="73282932000074"), 422, "kind", "kind=company"),
    "bad phone": (person(phone="12"), 422, "phone", "téléphone"),
    "unknown kind": (person(kind="association"), 422, "kind", "person"),
    "unknown topic": (person(topic="impots-locaux"), 422, "topic", "GET /api/v1/topics"),
    "empty message": (person(message=""), 422, "message", "vide"),
    "blank message": (person(message="   \n "), 422, "message", "obligatoire"),
    "huge subject": (person(subject="Objet " * 1000), 422, "subject", "200"),
    "null character": (person(first_name="Jea\x00nne"), 422, "first_name", "nul"),
    "a .exe renamed .pdf": (person(files=[exe_as_pdf()]), 422, "files", "facture.pdf"),
    "6 files": (person(files=[pdf(f"piece-{n}.pdf") for n in range(6)]), 422, "files", "5"),
    "an .exe as it is": (
        person(files=[SimpleUploadedFile("setup.exe", b"MZ" + b"\x00" * 100)]),
        422,
        "files",
        "setup.exe",
    ),
    "an empty file": (person(files=[SimpleUploadedFile("vide.pdf", b"")]), 422, "files", "vide"),
    "files in another field": (person(attachment=pdf()), 422, "attachment", "files"),
}


@pytest.mark.parametrize("data, status, field, words", BAD_PAYLOADS.values(), ids=BAD_PAYLOADS)
def test_a_bad_payload_is_refused_naming_the_field_and_kept(api, topic, data, status, field, words):
    response = api.post(URL, data)

    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    assert field in [problem["field"] for problem in detail], detail
    message = next(problem["message"] for problem in detail if problem["field"] == field)
    assert words in message, message
    assert Enquiry.objects.count() == 0
    rejected = RejectedRequest.objects.get()
    assert rejected.status_code == status and rejected.client == ApiClient.objects.get()
    assert rejected.method == "POST" and rejected.path == URL
    assert field in rejected.reason
    assert "Content-Type: multipart/form-data" in rejected.payload_excerpt


def test_files_are_kept_by_name_and_size_only(api):
    api.post(URL, person(files=[exe_as_pdf()]))
    excerpt = RejectedRequest.objects.get().payload_excerpt
    assert "facture.pdf" in excerpt and "octets" in excerpt
    assert "MZ" not in excerpt
    assert "subject: Renouvellement de titre de séjour" in excerpt


def test_a_too_large_attachment_is_413(api, settings):
    settings.LEVIER_UPLOAD_MAX_BYTES = 500
    response = api.post(URL, person(files=[pdf()]))
    assert response.status_code == 413
    assert response.json()["detail"][0]["field"] == "files"
    assert "avis-imposition.pdf" in response.json()["detail"][0]["message"]
    assert RejectedRequest.objects.get().status_code == 413


def test_too_large_form_fields_are_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    response = api.post(URL, person(message="Très long message. " * 200))
    assert response.status_code == 413
    assert RejectedRequest.objects.get().status_code == 413


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/json", json.dumps(person())),
        ("text/plain", "subject=Bonjour"),
        ("application/xml", "<enquiry><subject>Bonjour</subject></enquiry>"),
    ],
)
def test_a_body_that_is_not_a_form_is_415(api, content_type, body):
    response = api.post(URL, body, content_type=content_type)
    assert response.status_code == 415
    message = response.json()["detail"][0]["message"]
    assert content_type in message and "multipart/form-data" in message
    rejected = RejectedRequest.objects.get()
    assert rejected.status_code == 415
    assert body[:20] in rejected.payload_excerpt  # nothing lost


def test_an_unreadable_multipart_body_is_400(api):
    response = api.post(URL, b"--nope\r\ngarbage", content_type="multipart/form-data; boundary=")
    assert response.status_code == 400
    assert RejectedRequest.objects.get().status_code == 400


def test_a_multipart_body_cut_short_is_refused_not_crashed(api):
    body = encode_multipart("BoUnDaRy", person(files=[pdf()]))[:300]
    response = api.post(URL, body, content_type="multipart/form-data; boundary=BoUnDaRy")
    assert 400 <= response.status_code < 500
    assert RejectedRequest.objects.count() == 1


def test_the_flood_limit_answers_429_with_retry_after(api, settings):
    settings.LEVIER_INTAKE_MAX_PER_HOUR = 2
    for number in range(2):
        assert (
            api.post(URL, person(subject=f"Question {number} sur la carte grise")).status_code
            == 201
        )
    response = api.post(URL, person(subject="Troisième question, sur le permis"))

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert response.json()["detail"][0]["field"] == "email"
    assert "LEVIER_INTAKE_MAX_PER_HOUR" in response.json()["detail"][0]["message"]
    assert Message.objects.count() == 2
    rejected = RejectedRequest.objects.get()
    assert rejected.status_code == 429 and "Troisième question" in rejected.payload_excerpt


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
FIELDS = st.sampled_from(
    ["subject", "message", "email", "first_name", "last_name", "legal_name", "siret",
     "phone", "topic", "external_id", "kind"]
)  # fmt: skip


@settings(
    max_examples=60,
    deadline=None,
    # Listing health checks replaces the profile's: keep too_slow off (tests/conftest.py).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(fields=st.dictionaries(FIELDS, TEXT, max_size=11))
def test_no_payload_ends_in_a_server_error(api, fields):
    response = api.post(URL, fields)
    assert response.status_code < 500, (fields, response.content)
    if response.status_code >= 400:
        assert response.json()["detail"][0]["message"]


@settings(
    max_examples=30,
    deadline=None,
    # Listing health checks replaces the profile's: keep too_slow off (tests/conftest.py).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.text(min_size=1, max_size=80).filter(lambda n: "\x00" not in n and "/" not in n),
    content=st.binary(max_size=2000),
)
def test_no_file_ends_in_a_server_error(api, name, content):
    upload = SimpleUploadedFile(name, content)
    response = api.post(URL, person(files=[upload]))
    assert response.status_code < 500, (name, response.content)

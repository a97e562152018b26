"""The API keeps its own contract: what it answers validates against /api/v1/openapi.json,
the requests it accepts are the ones that schema allows, dates carry Paris' offset as
docs/api.md shows, and control characters are refused naming the field."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from jsonschema import Draft202012Validator

from levier.enquiries.models import Enquiry

from .payloads import BAD_SIRET, SIRET, URL, company, pdf, person

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def openapi(client) -> dict:
    return client.get("/api/v1/openapi.json").json()


def validator(openapi: dict, schema: dict) -> Draft202012Validator:
    # The components travel with the sub-schema so that its "#/components/…" refs resolve.
    return Draft202012Validator({**schema, "components": openapi["components"]})


def response_errors(openapi: dict, path: str, method: str, response) -> list[str]:
    operation = openapi["paths"][path][method]
    declared = operation["responses"].get(str(response.status_code))
    if declared is None:
        return [f"status {response.status_code} is not declared for {method.upper()} {path}"]
    schema = declared["content"]["application/json"]["schema"]
    return [error.message for error in validator(openapi, schema).iter_errors(response.json())]


def request_errors(openapi: dict, form: dict) -> list[str]:
    body = openapi["paths"]["/api/v1/enquiries"]["post"]["requestBody"]
    schema = body["content"]["multipart/form-data"]["schema"]
    fields = {name: value for name, value in form.items() if name != "files"}
    return [error.message for error in validator(openapi, schema).iter_errors(fields)]


ACCEPTED = {
    "a person": person(),
    "a person, every field": person(topic="titres-de-sejour", external_id="FS-1", kind="person"),
    "a company": company(),
    "a company, SIRET with spaces": company(siret="732 829 320 00074", email="b@exemple.fr"),
    "a message on several lines, with tabs": person(message="Bonjour,\r\n\tMerci.\nJeanne"),
}
REFUSED = {
    "a person with a SIRET": (person(siret=SIRET), "kind"),
    "a person with a legal name": (person(legal_name="Boulangerie du Parc"), "kind"),
    "a company without SIRET": (company(siret=None), "siret"),
    "a company without legal name": (company(legal_name=None), "legal_name"),
    "a company with a blank SIRET": (company(siret="   "), "siret"),
    "a person without last name": (person(last_name=None), "last_name"),
    "a blank subject": (person(subject="   "), "subject"),
    "a subject on two lines": (person(subject="Titre de séjour\nURGENT"), "subject"),
    "a subject with a carriage return": (person(subject="Titre\rde séjour"), "subject"),
    "a subject with an escape sequence": (person(subject="\x1b[31mTitre\x1b[0m"), "subject"),
    "a subject with a bell": (person(subject="Titre\x07"), "subject"),
    "a subject with a line separator": (person(subject="Titre\u2028de séjour"), "subject"),
    "a last name with a tab": (person(last_name="Mar\ttin"), "last_name"),
    "an email with a newline": (person(email="jeanne@exemple.fr\nBcc: x@y.fr"), "email"),
    "a message with an escape": (person(message="Bonjour \x1b]0;titre\x07"), "message"),
    "a message with a form feed": (person(message="Bonjour\x0c"), "message"),
    "a message with a C1 control": (person(message="Bonjour\x85"), "message"),
}


@pytest.mark.parametrize("form", ACCEPTED.values(), ids=ACCEPTED)
def test_what_the_schema_allows_is_accepted_and_answered_as_declared(api, topic, openapi, form):
    assert request_errors(openapi, form) == []
    response = api.post(URL, form)
    assert response.status_code == 201, response.content
    assert response_errors(openapi, "/api/v1/enquiries", "post", response) == []


@pytest.mark.parametrize("form, field", REFUSED.values(), ids=REFUSED)
def test_what_the_schema_refuses_is_refused_naming_the_field(api, topic, openapi, form, field):
    assert request_errors(openapi, form) != []
    response = api.post(URL, form)
    assert response.status_code == 422, response.content
    assert field in [problem["field"] for problem in response.json()["detail"]]
    assert response_errors(openapi, "/api/v1/enquiries", "post", response) == []
    assert Enquiry.objects.count() == 0


def test_control_characters_are_named_in_french(api):
    detail = api.post(URL, person(subject="Titre de séjour\nURGENT")).json()["detail"]
    assert detail == [
        {
            "field": "subject",
            "message": "« subject » contient un saut de ligne ou un caractère de contrôle : "
            "écrivez-le sur une seule ligne, sans caractère spécial.",
        }
    ]
    detail = api.post(URL, person(message="Bonjour\x1b[2J")).json()["detail"]
    assert detail[0]["field"] == "message" and "caractère de contrôle" in detail[0]["message"]


def test_every_answer_validates_against_the_schema(api, make_token, topic, openapi, settings):
    enquiries, one = "/api/v1/enquiries", "/api/v1/enquiries/{reference}"
    created = api.post(URL, person(external_id="FS-42"))
    reference = created.json()["reference"]
    read_only = make_token(name="Mairie de Dijon", scopes=["topics:read"])
    answers = [
        (enquiries, "post", created),
        (enquiries, "post", api.post(URL, person(external_id="FS-42"))),  # repeated: 200
        (enquiries, "post", api.post(URL, company(siret=BAD_SIRET))),
        (enquiries, "post", api.post(URL, person(files=[pdf(f"p{n}.pdf") for n in range(6)]))),
        (enquiries, "post", api.post(URL, "{}", content_type="application/json")),
        (enquiries, "post", Client().post(URL, person())),  # no token: 401
        (enquiries, "post", api.post(URL, person(), HTTP_AUTHORIZATION=f"Bearer {read_only}")),
        (one, "get", api.get(f"{URL}/{reference}")),
        (one, "get", api.get(f"{URL}/SOL-1999-000001")),
        (one, "get", api.get(f"{URL}/SOL%2F2026")),  # a slash in the reference
        (one, "get", api.get(f"{URL}/SOL-2026/messages")),
        ("/api/v1/topics", "get", api.get("/api/v1/topics")),
    ]
    settings.LEVIER_API_MAX_REFUSALS = 1  # the anonymous 401 above used it up
    throttled = Client().get("/api/v1/topics")
    assert throttled.status_code == 429
    answers.append(("/api/v1/topics", "get", throttled))
    for path, method, response in answers:
        assert response_errors(openapi, path, method, response) == [], response.content


def test_dates_are_given_in_paris_time_with_their_offset(api, team):
    created = api.post(URL, person()).json()
    enquiry = Enquiry.objects.get(reference=created["reference"])
    summer = datetime(2026, 7, 1, 9, 30, tzinfo=PARIS)
    winter = datetime(2026, 1, 15, 9, 30, tzinfo=PARIS)
    Enquiry.objects.filter(pk=enquiry.pk).update(sla_due_at=summer, closed_at=winter)

    body = api.get(f"{URL}/{enquiry.reference}").json()

    assert body["answer_due_at"] == "2026-07-01T09:30:00+02:00"
    assert body["closed_at"] == "2026-01-15T09:30:00+01:00"
    for name in ("created_at", "updated_at"):
        value = datetime.fromisoformat(body[name])
        assert value.utcoffset() == value.astimezone(PARIS).utcoffset(), body[name]
        assert not body[name].endswith("Z")


def test_the_docs_show_the_offsets_the_api_gives():
    docs = DOCS.read_text()
    shown = re.findall(r'"\w+_at": "(\d{4}-[^"]+)"', docs)
    assert shown and all(re.search(r"[+-]0[12]:00$", value) for value in shown), shown

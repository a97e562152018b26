"""POST /enquiries end to end, idempotency, GET /enquiries/{reference}, GET /topics."""

from __future__ import annotations

import pytest
from django.core import mail

from levier.contacts.models import Contact, ContactKind
from levier.enquiries.models import Attachment, Enquiry, Message
from levier.exchange.models import ApiSubmission, RejectedRequest
from levier.journal.models import Event

from ..factories import ContactFactory, EnquiryFactory, TopicFactory
from .payloads import URL, company, pdf, person, png

pytestmark = pytest.mark.django_db


def test_a_person_enquiry_is_created_with_its_attachment_journal_and_acknowledgement(
    api, topic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, person(topic="titres-de-sejour", files=[pdf(pages=2)]))

    assert response.status_code == 201, response.content
    body = response.json()
    enquiry = Enquiry.objects.get()
    assert body == {
        "reference": enquiry.reference,
        "status": "new",
        "topic": "titres-de-sejour",
        "team": topic.team.name,
        "created": True,
        "outcome": "created",
    }
    assert enquiry.channel == "api" and enquiry.topic == topic
    contact = Contact.objects.get()
    assert (contact.kind, contact.first_name, contact.last_name, contact.email) == (
        ContactKind.PERSON, "Jeanne", "Martin", "jeanne.martin@exemple.fr",
    )  # fmt: skip
    assert enquiry.contact == contact and contact.phone  # normalised, kept
    attachment = Attachment.objects.get()
    assert attachment.message.enquiry == enquiry
    assert (attachment.original_name, attachment.content_type, attachment.page_count) == (
        "avis-imposition.pdf", "application/pdf", 2,
    )  # fmt: skip
    assert attachment.file.read(5) == b"%PDF-"

    submission = ApiSubmission.objects.get()
    assert (submission.client.name, submission.enquiry_reference, submission.external_id) == (
        "France Services Lyon 3", enquiry.reference, "",
    )  # fmt: skip
    events = {(event.verb, event.activity_code, event.actor_id) for event in Event.objects.all()}
    robot = "api:France Services Lyon 3"
    assert ("create", "register-enquiry", robot) in events
    assert ("create", "", robot) in events  # the contact
    assert ("receive", "exchange-partner-data", robot) in events

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jeanne.martin@exemple.fr"]
    assert enquiry.reference in mail.outbox[0].subject
    assert RejectedRequest.objects.count() == 0


def test_a_company_is_found_by_its_siret_and_files_may_come_as_files_brackets(api):
    known = ContactFactory(company=True, legal_name="Boulangerie du Parc")
    response = api.post(URL, company(**{"files[]": [pdf(), png()]}))

    assert response.status_code == 201, response.content
    enquiry = Enquiry.objects.get(reference=response.json()["reference"])
    assert enquiry.contact == known
    assert Contact.objects.count() == 1
    assert Attachment.objects.filter(message__enquiry=enquiry).count() == 2


def test_without_topic_levier_routes_the_enquiry_to_a_team(api, team):
    response = api.post(URL, person())
    assert response.status_code == 201
    assert response.json()["team"] == team.name


def test_urlencoded_body_without_files_is_accepted(api):
    from urllib.parse import urlencode

    response = api.post(URL, urlencode(person()), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201, response.content


def test_a_retry_with_the_same_external_id_returns_the_first_result_and_creates_nothing(
    api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(URL, person(external_id="FS-2026-0001", files=[pdf()]))
        again = api.post(URL, person(external_id="FS-2026-0001", files=[pdf()]))

    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    assert again.json()["created"] is False and again.json()["outcome"] == "repeated"
    assert Enquiry.objects.count() == 1 and Message.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert ApiSubmission.objects.count() == 1
    assert len(mail.outbox) == 1


def test_another_client_may_use_the_same_external_id(api, make_token, client):
    api.post(URL, person(external_id="42"))
    other = make_token(name="Mairie de Villeurbanne")
    response = client.post(
        URL, person(external_id="42", subject="Autre chose"), HTTP_AUTHORIZATION=f"Bearer {other}"
    )
    assert response.status_code == 201
    assert ApiSubmission.objects.filter(external_id="42").count() == 2


def test_a_second_message_on_the_same_subject_joins_the_open_enquiry(api):
    first = api.post(URL, person())
    second = api.post(URL, person(message="J'ajoute une précision sur ma demande."))
    assert second.status_code == 201
    assert second.json()["outcome"] == "grouped" and second.json()["created"] is False
    assert second.json()["reference"] == first.json()["reference"]
    assert Message.objects.count() == 2


def test_the_client_follows_its_enquiry(api, topic):
    reference = api.post(URL, person(topic="titres-de-sejour")).json()["reference"]
    response = api.get(f"{URL}/{reference}")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == reference and body["status"] == "new"
    assert body["status_label"] == "Nouvelle"
    assert body["topic"] == "titres-de-sejour" and body["team"] == topic.team.name
    assert body["messages"] == 1 and body["closed_at"] is None
    assert body["created_at"] and body["answer_due_at"]
    # the reference in lower case is the same enquiry
    assert api.get(f"{URL}/{reference.lower()}").status_code == 200


def test_another_clients_enquiry_and_a_missing_one_both_answer_404(api, make_token, client):
    mine = api.post(URL, person()).json()["reference"]
    elsewhere = EnquiryFactory()  # from the portal
    other = make_token(name="Mairie de Villeurbanne")
    for reference, token in (
        (elsewhere.reference, None),
        ("SOL-2026-999999", None),
        (mine, other),
        ("%00", None),
    ):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        response = (client if token else api).get(f"{URL}/{reference}", **headers)
        assert response.status_code == 404, reference
        assert response.json()["detail"][0]["field"] == "reference"


def test_topics_lists_slugs_and_labels(api, team):
    TopicFactory(team=team, slug="voirie", label="Voirie")
    TopicFactory(team=team, slug="etat-civil", label="État civil")
    response = api.get("/api/v1/topics")
    assert response.status_code == 200
    assert sorted(response.json(), key=lambda topic: topic["slug"]) == [
        {"slug": "etat-civil", "label": "État civil"},
        {"slug": "voirie", "label": "Voirie"},
    ]


def test_two_requests_racing_with_one_external_id_leave_one_submission(api, monkeypatch):
    """The unique constraint decides: the loser's writes roll back and it answers the winner's."""
    from levier.exchange import selectors, services

    first = api.post(URL, person(external_id="FS-RACE")).json()["reference"]
    real = selectors.earlier_submission
    calls = []

    def not_seen_yet(**kwargs):  # as if the other request had not committed yet
        calls.append(kwargs)
        return None if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(selectors, "earlier_submission", not_seen_yet)
    result = services.api_enquiry_submit(
        client=ApiSubmission.objects.get().client,
        data=services.PartnerEnquiry(**person(external_id="FS-RACE", message="Encore moi.")),
    )
    assert (result.enquiry.reference, result.outcome) == (first, "repeated")
    assert ApiSubmission.objects.count() == 1 and Message.objects.count() == 1

"""Portal follow-up: reference + code for an enquiry or a case, neutral errors, rate limit."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from levier.cases.services import case_comment, case_transition
from levier.core import verification
from levier.enquiries.models import EnquiryStatus, Message
from levier.enquiries.services import enquiry_reply
from levier.journal.models import Event
from levier.portal.views import FOLLOW_FAILURES_KEY, FOLLOW_MAX_FAILURES, FOLLOW_WINDOW_SECONDS

from ..enquiries.files import make_pdf, upload
from ..factories import (
    AgentFactory,
    CaseFactory,
    EnquiryFactory,
    MessageFactory,
    ProcedureFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

CODE = "K7M2QX9P"
FOLLOW = reverse("portal:follow")


def lookup(client, reference, code):
    return client.post(FOLLOW, {"action": "lookup", "reference": reference, "code": code})


@pytest.fixture
def enquiry(team):
    enquiry = EnquiryFactory(
        topic=TopicFactory(team=team, label="Urbanisme"), subject="Permis de construire"
    )
    enquiry.verification_digest = verification.digest(enquiry.reference, CODE)
    enquiry.save()
    MessageFactory(enquiry=enquiry, body="Où en est mon permis ?")
    return enquiry


@pytest.fixture
def case(team):
    case = CaseFactory(procedure=ProcedureFactory(team=team, name="Aide à la rénovation"))
    case.verification_digest = verification.digest(case.reference, CODE)
    case.save()
    return case


def test_follow_page_is_public(client):
    response = client.get(FOLLOW)
    assert response.status_code == 200
    assert response.context["nav"] == "follow"


def test_enquiry_with_the_right_code_shows_the_thread_without_internal_data(client, enquiry, team):
    agent = AgentFactory(teams=[team], first_name="Bérénice", last_name="Agentinterne")
    enquiry_reply(enquiry=enquiry, author=agent, body="Votre dossier est complet.", close=False)

    response = lookup(client, enquiry.reference.lower(), " k7m2 qx9p ")
    assert response.status_code == 302 and response["Location"] == FOLLOW
    page = client.get(FOLLOW)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Permis de construire" in html
    assert "Où en est mon permis ?" in html and "Votre dossier est complet." in html
    assert "levier-thread-in" in html and "levier-thread-out" in html
    assert "Agentinterne" not in html and team.name not in html  # no internal information
    assert 'name="action" value="message"' in html
    read = Event.objects.get(verb="read", target_id=str(enquiry.pk))
    assert read.actor_kind == "usager" and read.actor_id == str(enquiry.contact_id)


def test_usager_adds_a_message_which_reopens_the_enquiry(client, enquiry, team):
    agent = AgentFactory(teams=[team])
    enquiry_reply(enquiry=enquiry, author=agent, body="Il manque un justificatif.", close=True)
    lookup(client, enquiry.reference, CODE)
    response = client.post(
        FOLLOW,
        {
            "action": "message",
            "message": "Le voici.",
            "attachments": [upload("justificatif.pdf", make_pdf())],
        },
    )
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.OPEN
    last = Message.objects.filter(enquiry=enquiry).last()
    assert last.direction == "in" and last.body == "Le voici."
    assert last.attachments.get().original_name == "justificatif.pdf"
    assert "Le voici." in client.get(FOLLOW).content.decode()


def test_usager_message_errors_are_shown_per_field(client, enquiry):
    lookup(client, enquiry.reference, CODE)
    response = client.post(
        FOLLOW,
        {"action": "message", "message": " ", "attachments": [upload("scan.png", make_pdf())]},
    )
    assert response.status_code == 400
    errors = response.context["message_form"].errors
    assert set(errors) == {"message", "attachments"}
    assert any("scan.png" in error for error in errors["attachments"])
    assert enquiry.messages.count() == 1


def test_a_message_without_a_proven_code_is_refused(client, enquiry):
    response = client.post(FOLLOW, {"action": "message", "message": "Intrus"})
    assert response.status_code == 302
    assert enquiry.messages.count() == 1


def test_forget_ends_the_follow_up(client, enquiry):
    lookup(client, enquiry.reference, CODE)
    client.post(FOLLOW, {"action": "forget"})
    response = client.get(FOLLOW)
    assert "followed" not in response.context
    assert "form" in response.context


def test_case_with_the_right_code_shows_status_dates_and_status_history_only(client, case, team):
    agent = AgentFactory(teams=[team])
    case_transition(case=case, to_status="in_review", actor=agent)
    case_comment(case=case, author=agent, body="Note interne : vérifier le RIB")
    case_transition(
        case=case, to_status="refused", actor=agent, reason="Revenus au-dessus du plafond"
    )

    assert lookup(client, case.reference, CODE).status_code == 302
    page = client.get(FOLLOW)
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["kind"] == "case"
    assert "Aide à la rénovation" in html
    assert case.submitted_at.astimezone().strftime("%d/%m/%Y") in html
    statuses = [step["status"] for step in page.context["history"]]
    assert (
        len(statuses) == 2
        and page.context["history"][-1]["reason"] == "Revenus au-dessus du plafond"
    )
    assert "Note interne" not in html
    assert Event.objects.filter(verb="read", target_type="cases.case", actor_kind="usager").exists()


def test_wrong_code_and_unknown_reference_get_the_same_neutral_error(client, enquiry, case):
    wrong_code = lookup(client, enquiry.reference, "AAAAAAAA")
    wrong_case_code = lookup(client, case.reference, "AAAAAAAA")
    unknown = lookup(client, "SOL-2026-999999", CODE)
    errors = [
        response.context["form"].non_field_errors()
        for response in (wrong_code, wrong_case_code, unknown)
    ]
    assert all(response.status_code == 400 for response in (wrong_code, wrong_case_code, unknown))
    assert errors[0] == errors[1] == errors[2] and errors[0]
    assert client.get(FOLLOW).context.get("followed") is None


def test_a_malformed_reference_is_explained_on_its_field(client):
    response = lookup(client, "pas une référence !", "")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"reference", "code"}


def test_attempts_are_limited_per_session_then_allowed_again(client, enquiry):
    for _ in range(FOLLOW_MAX_FAILURES):
        assert lookup(client, enquiry.reference, "AAAAAAAA").status_code == 400
    blocked = lookup(client, enquiry.reference, CODE)  # even the right code waits
    assert blocked.status_code == 429
    assert "15" in blocked.context["form"].non_field_errors()[0]
    assert client.get(FOLLOW).context.get("followed") is None
    assert Event.objects.filter(verb="follow-blocked").count() == 1
    # Another session is not blocked.
    from django.test import Client

    assert lookup(Client(), enquiry.reference, CODE).status_code == 302
    # Once the window has passed, this session may try again.
    session = client.session
    session[FOLLOW_FAILURES_KEY] = [time.time() - FOLLOW_WINDOW_SECONDS - 1] * FOLLOW_MAX_FAILURES
    session.save()
    assert lookup(client, enquiry.reference, CODE).status_code == 302

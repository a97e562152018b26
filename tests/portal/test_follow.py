"""Portal follow-up: reference + code for an enquiry or a case, neutral errors, rate limit."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from levier.cases.services import case_comment, case_transition
from levier.core import verification
from levier.enquiries.models import EnquiryStatus, Message
from levier.enquiries.services import enquiry_reply
from levier.journal.models import Event
from levier.portal import follow_limits

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


# --- attempt limits: per reference and per client address, in the shared cache ---------

PROXY = "10.0.0.2"


def lookup_without_cookies(reference, code, *, address="203.0.113.9"):
    """Each attempt from a fresh client, as a script that drops cookies would send it."""
    return Client().post(
        FOLLOW,
        {"action": "lookup", "reference": reference, "code": code},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.fixture
def behind_proxy(settings):
    settings.LEVIER_TRUSTED_PROXIES = ["10.0.0.0/8"]


def test_attempts_without_cookies_are_limited_per_reference(enquiry, behind_proxy, settings):
    limit = settings.LEVIER_FOLLOW_FAILURES_PER_REFERENCE
    for n in range(limit):
        # From many addresses: only the reference's own counter can stop them.
        response = lookup_without_cookies(enquiry.reference, "AAAAAAAA", address=f"192.0.2.{n}")
        assert response.status_code == 400
    blocked = lookup_without_cookies(enquiry.reference, CODE, address="198.51.100.7")
    assert blocked.status_code == 429  # even the right code waits
    message = blocked.context["form"].non_field_errors()[0]
    assert "Trop de tentatives incorrectes pour cette référence" in message
    assert "15 minutes" in message
    assert Event.objects.filter(verb="follow-blocked", target_type="portal.reference").count() == 1
    # Another reference is not blocked.
    other = EnquiryFactory()
    other.verification_digest = verification.digest(other.reference, CODE)
    other.save()
    assert lookup_without_cookies(other.reference, CODE, address="198.51.100.7").status_code == 302


def test_attempts_without_cookies_are_limited_per_address(enquiry, case, behind_proxy, settings):
    limit = settings.LEVIER_FOLLOW_FAILURES_PER_ADDRESS
    for n in range(limit):
        # A different (unknown) reference each time: no reference reaches its own limit.
        assert lookup_without_cookies(f"SOL-2026-{n:06d}", "AAAAAAAA").status_code == 400
    blocked = lookup_without_cookies(case.reference, CODE)
    assert blocked.status_code == 429
    message = blocked.context["form"].non_field_errors()[0]
    assert "Trop de tentatives incorrectes depuis votre connexion" in message
    assert Event.objects.filter(verb="follow-blocked", target_type="portal.client").count() == 1
    # The usager from another address is not blocked.
    assert lookup_without_cookies(case.reference, CODE, address="198.51.100.7").status_code == 302


def test_failed_attempts_create_no_session_row(enquiry, behind_proxy, settings):
    for _ in range(settings.LEVIER_FOLLOW_FAILURES_PER_REFERENCE + 3):
        lookup_without_cookies(enquiry.reference, "AAAAAAAA")
    assert Session.objects.count() == 0
    assert "sessionid" not in lookup_without_cookies(enquiry.reference, "AAAAAAAA").cookies


def test_a_blocked_reference_is_allowed_again_after_the_window(enquiry, settings):
    settings.LEVIER_FOLLOW_FAILURES_PER_REFERENCE = 2
    for _ in range(2):
        lookup_without_cookies(enquiry.reference, "AAAAAAAA")
    assert lookup_without_cookies(enquiry.reference, CODE).status_code == 429
    # The window passes when the failures' slots expire in the cache (they are stored with
    # the window as timeout): expire them now rather than sleep through a short window,
    # which a busy machine can overrun before the blocked request is even made.
    slots = follow_limits._per_reference()._keys(enquiry.reference)
    assert all(cache.touch(slot, timeout=0) for slot in slots[:2])
    assert lookup_without_cookies(enquiry.reference, CODE).status_code == 302


def test_a_session_client_is_limited_too(client, enquiry, settings):
    for _ in range(settings.LEVIER_FOLLOW_FAILURES_PER_REFERENCE):
        assert lookup(client, enquiry.reference, "AAAAAAAA").status_code == 400
    assert lookup(client, enquiry.reference, CODE).status_code == 429
    assert client.get(FOLLOW).context.get("followed") is None

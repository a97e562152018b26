from __future__ import annotations

import datetime
import email as email_lib
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from levier.campaigns import selectors, services
from levier.campaigns.models import (
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
    Unsubscription,
)
from levier.cases.models import CaseStatus
from levier.core.policy import NotFound, Refused
from levier.journal.models import Event
from levier.mailing.models import OutboundEmail

from ..factories import AgentFactory, CaseFactory, ContactFactory
from .helpers import (
    attach,
    lead_of,
    make_campaign,
    start,
    waiting_cases,
)

pytestmark = pytest.mark.django_db


# --- targeting -----------------------------------------------------------------------


def test_targets_follow_the_statuses_and_the_missing_documents(lead, procedure):
    lacking = waiting_cases(procedure, 2)
    complete = waiting_cases(procedure, 1)[0]
    attach(complete, "tax_notice")
    only_optional_missing = waiting_cases(procedure, 1)[0]
    attach(only_optional_missing, "tax_notice")
    in_review = CaseFactory(procedure=procedure, status=CaseStatus.IN_REVIEW)
    CaseFactory(status=CaseStatus.WAITING_FOR_USAGER)  # another procedure

    campaign = make_campaign(lead, procedure)
    assert list(selectors.campaign_targets(campaign)) == lacking

    campaign.only_missing_documents = False
    targets = set(selectors.campaign_targets(campaign))
    assert targets == {*lacking, complete, only_optional_missing}

    campaign.case_statuses = []
    assert in_review in set(selectors.campaign_targets(campaign))


def test_a_case_with_another_required_document_given_still_lacks_its_own(lead, procedure):
    case = waiting_cases(procedure, 1)[0]
    attach(case, "receipt")
    campaign = make_campaign(lead, procedure)
    assert list(selectors.campaign_targets(campaign)) == [case]


# --- creation ------------------------------------------------------------------------


def test_create_refuses_a_template_that_does_not_compile(lead, procedure):
    with pytest.raises(ValidationError) as error:
        make_campaign(lead, procedure, body="Bonjour {{ usager.nom ")
    assert "body" in error.value.message_dict


def test_create_refuses_a_bad_throttle_and_unknown_statuses(lead, procedure):
    with pytest.raises(ValidationError) as error:
        make_campaign(lead, procedure, per_minute=0)
    assert "per_minute" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_campaign(lead, procedure, case_statuses=["lost"])
    assert "case_statuses" in error.value.message_dict


def test_only_leads_managers_and_administrators_create_campaigns(team, procedure, other_team):
    with pytest.raises(Refused):
        make_campaign(AgentFactory(teams=[team]), procedure)
    with pytest.raises(NotFound):  # a lead of another team: not found, as if missing
        make_campaign(lead_of(other_team), procedure)
    assert make_campaign(AgentFactory(manager=True, teams=[]), procedure).pk


# --- preview -------------------------------------------------------------------------


def test_preview_renders_the_first_emails_and_counts_the_targets(lead, procedure):
    cases = waiting_cases(procedure, 7)
    campaign = make_campaign(lead, procedure)
    preview = services.campaign_preview(campaign)
    assert preview.target_count == 7
    assert [rendered.case for rendered in preview.emails] == cases[:5]
    first = preview.emails[0]
    assert first.subject == f"Dossier {cases[0].reference} : pièces manquantes"
    assert "- Avis d'impôt" in first.body
    assert "Quittance" not in first.body  # optional document: not asked for
    assert "desabonnement" not in first.body  # mandatory: no unsubscribe link
    assert not OutboundEmail.objects.exists()


def test_preview_shows_the_unsubscribe_link_of_a_non_mandatory_campaign(lead, procedure):
    waiting_cases(procedure, 1)
    campaign = make_campaign(lead, procedure, mandatory=False)
    assert "/usager/desabonnement/" in services.campaign_preview(campaign).emails[0].body


def test_preview_names_the_missing_merge_field(lead, procedure):
    waiting_cases(procedure, 1)
    campaign = make_campaign(lead, procedure, body="Début : {{ dossier.start_date }}")
    rendered = services.campaign_preview(campaign).emails[0]
    assert "start_date" in rendered.error
    assert rendered.body == ""


# --- running -------------------------------------------------------------------------


def test_a_campaign_runs_by_throttled_batches_until_done(
    lead, procedure, django_capture_on_commit_callbacks
):
    waiting_cases(procedure, 25)
    campaign = start(make_campaign(lead, procedure, per_minute=10), lead)
    assert campaign.status == CampaignStatus.RUNNING
    assert campaign.targeted_count == 25

    # The clock is given, not read: a slow machine must not move the expected times.
    ends = [timezone.now() + datetime.timedelta(minutes=minute) for minute in range(3)]
    queued_per_run = []
    with mock.patch("levier.campaigns.services._enqueue_now") as enqueue:
        for now in ends:
            before = OutboundEmail.objects.count()
            with django_capture_on_commit_callbacks(execute=True):
                services.campaign_run(campaign_id=campaign.pk, now=now)
            queued_per_run.append(OutboundEmail.objects.count() - before)
    assert queued_per_run == [10, 10, 5]
    # The first two runs asked for the next batch a minute after they ended; the last did not.
    assert [call.args for call in enqueue.call_args_list] == [
        (campaign.pk, ends[0] + services.BATCH_INTERVAL),
        (campaign.pk, ends[1] + services.BATCH_INTERVAL),
    ]
    assert services.BATCH_INTERVAL == datetime.timedelta(minutes=1)

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE
    assert campaign.finished_at == ends[2]
    assert (campaign.targeted_count, campaign.queued_count, campaign.skipped_count) == (25, 25, 0)


def test_running_again_queues_nothing_new(lead, procedure):
    waiting_cases(procedure, 3)
    campaign = start(make_campaign(lead, procedure), lead)
    services.campaign_run(campaign_id=campaign.pk)
    assert OutboundEmail.objects.count() == 3

    # Even a campaign put back to running (a resumed or retried run) takes no case twice.
    type(campaign).objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
    services.campaign_run(campaign_id=campaign.pk)
    assert OutboundEmail.objects.count() == 3
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 3


def test_each_email_is_about_its_case_and_contact(lead, procedure):
    case = waiting_cases(procedure, 1)[0]
    campaign = start(make_campaign(lead, procedure), lead)
    services.campaign_run(campaign_id=campaign.pk)
    email = OutboundEmail.objects.get()
    assert (email.to, email.contact, email.about_type, email.about_id) == (
        case.contact.email,
        case.contact,
        "cases.case",
        str(case.pk),
    )
    assert "List-Unsubscribe" not in email.headers
    assert "desabonnement" not in email.body_text
    recipient = CampaignRecipient.objects.get()
    assert (recipient.status, recipient.outbound_email) == (RecipientStatus.QUEUED, email)


def test_a_cancelled_or_draft_campaign_does_not_run(lead, procedure):
    waiting_cases(procedure, 2)
    campaign = make_campaign(lead, procedure)
    assert services.campaign_run(campaign_id=campaign.pk) == "not running"
    start(campaign, lead)
    services.campaign_cancel(campaign=campaign, actor=lead)
    assert services.campaign_run(campaign_id=campaign.pk) == "not running"
    assert not OutboundEmail.objects.exists()


def test_start_refuses_a_campaign_already_started(lead, procedure):
    campaign = start(make_campaign(lead, procedure), lead)
    with pytest.raises(services.CannotStart):
        services.campaign_start(campaign=campaign, actor=lead)


def test_skips_are_recorded_with_their_reason(lead, procedure):
    no_email = waiting_cases(procedure, 1, contact=ContactFactory(email=""))[0]
    bounced = waiting_cases(
        procedure, 1, contact=ContactFactory(email_undeliverable_at=timezone.now())
    )[0]
    no_date = waiting_cases(procedure, 1)[0]
    dated = waiting_cases(
        procedure, 1, data={"project": "x", "amount": "1", "start_date": "2026-05-01"}
    )[0]
    campaign = make_campaign(lead, procedure, body="Début le {{ dossier.start_date }}")
    start(campaign, lead)
    services.campaign_run(campaign_id=campaign.pk)

    reasons = dict(CampaignRecipient.objects.values_list("case_id", "reason"))
    assert reasons[no_email.pk] == "Pas d’adresse électronique."
    assert reasons[bounced.pk] == "Adresse électronique en échec."
    assert "start_date" in reasons[no_date.pk]
    assert reasons[dated.pk] == ""
    campaign.refresh_from_db()
    assert (campaign.queued_count, campaign.skipped_count) == (1, 3)
    assert sum(campaign.skipped_reasons.values()) == 3
    assert OutboundEmail.objects.get().about_id == str(dated.pk)


# --- unsubscribing -------------------------------------------------------------------


def test_non_mandatory_emails_carry_the_unsubscribe_link_and_header(lead, procedure):
    case = waiting_cases(procedure, 1)[0]
    campaign = start(make_campaign(lead, procedure, mandatory=False), lead)
    services.campaign_run(campaign_id=campaign.pk)
    email = OutboundEmail.objects.get()
    url = services.unsubscribe_url(case.contact)
    assert url.startswith("http") and "/usager/desabonnement/" in url
    assert url in email.body_text
    assert email.headers["List-Unsubscribe"] == f"<{url}>"
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_unsubscribed_usagers_are_skipped_only_by_non_mandatory_campaigns(lead, procedure):
    case = waiting_cases(procedure, 1)[0]
    services.unsubscribe(token=services.unsubscribe_token(case.contact))

    newsletter = start(make_campaign(lead, procedure, mandatory=False, name="Info"), lead)
    services.campaign_run(campaign_id=newsletter.pk)
    skipped = CampaignRecipient.objects.get(campaign=newsletter)
    assert (skipped.status, skipped.reason) == (
        RecipientStatus.SKIPPED,
        "L’usager s’est désabonné.",
    )

    reminder = start(make_campaign(lead, procedure, mandatory=True), lead)
    services.campaign_run(campaign_id=reminder.pk)
    assert CampaignRecipient.objects.get(campaign=reminder).status == RecipientStatus.QUEUED


def test_unsubscribe_is_idempotent_and_journaled_as_the_usager(procedure):
    contact = ContactFactory()
    token = services.unsubscribe_token(contact)
    assert services.unsubscribe(token=token) == contact
    services.unsubscribe(token=token)
    assert Unsubscription.objects.filter(contact=contact).count() == 1
    event = Event.objects.get(verb="unsubscribe")
    assert (event.actor_kind, event.actor_id, event.target_id) == (
        "usager",
        str(contact.pk),
        str(contact.pk),
    )


def test_a_forged_token_is_refused():
    token = services.unsubscribe_token(ContactFactory())
    with pytest.raises(ValidationError):
        services.unsubscribe(token=token[:-2] + "xx")
    with pytest.raises(ValidationError):
        services.unsubscribe(token="n'importe-quoi")
    assert not Unsubscription.objects.exists()


def test_the_smtp_server_receives_the_list_unsubscribe_header(
    lead, procedure, smtp_server, django_capture_on_commit_callbacks
):
    case = waiting_cases(procedure, 1)[0]
    campaign = start(make_campaign(lead, procedure, mandatory=False), lead)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_run(campaign_id=campaign.pk)
    assert len(smtp_server.messages) == 1
    message = email_lib.message_from_string(smtp_server.messages[0].as_string())
    url = services.unsubscribe_url(case.contact)
    assert "".join(message["List-Unsubscribe"].split()) == f"<{url}>"  # unfolded
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["To"] == case.contact.email


def test_a_mandatory_email_reaches_the_smtp_server_without_the_header(
    lead, procedure, smtp_server, django_capture_on_commit_callbacks
):
    waiting_cases(procedure, 1)
    campaign = start(make_campaign(lead, procedure, mandatory=True), lead)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_run(campaign_id=campaign.pk)
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["List-Unsubscribe"] is None


# --- journal -------------------------------------------------------------------------


def test_every_step_is_journaled(lead, procedure):
    waiting_cases(procedure, 2)
    campaign = make_campaign(lead, procedure, per_minute=1)
    start(campaign, lead)
    services.campaign_run(campaign_id=campaign.pk)
    services.campaign_cancel(campaign=campaign, actor=lead)
    verbs = list(
        Event.objects.filter(target_type="campaigns.campaign", target_id=str(campaign.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["create", "start", "run", "cancel"]

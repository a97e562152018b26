"""A merge keeps a usager's choice: the survivor of two duplicates stays unsubscribed."""

from __future__ import annotations

import pytest

from levier.campaigns import services
from levier.campaigns.models import CampaignRecipient, RecipientStatus, Unsubscription
from levier.contacts.services import contact_merge
from levier.mailing.models import OutboundEmail

from ..factories import ContactFactory
from .helpers import make_campaign, start, waiting_cases

pytestmark = pytest.mark.django_db


def test_a_contact_merged_into_a_subscribed_duplicate_is_not_emailed_by_a_non_mandatory_campaign(
    lead, procedure
):
    unsubscribed = ContactFactory(first_name="Elodie", last_name="Dupont")
    duplicate = ContactFactory(first_name="Élodie", last_name="Dupont")
    case = waiting_cases(procedure, 1, contact=unsubscribed)[0]
    services.unsubscribe(token=services.unsubscribe_token(unsubscribed))

    contact_merge(source=unsubscribed, target=duplicate, actor=lead)

    newsletter = start(make_campaign(lead, procedure, mandatory=False, name="Info"), lead)
    services.campaign_run(campaign_id=newsletter.pk)
    recipient = CampaignRecipient.objects.get(campaign=newsletter, case=case)
    assert (recipient.status, recipient.contact_id) == (RecipientStatus.SKIPPED, duplicate.pk)
    assert not OutboundEmail.objects.exists()
    assert Unsubscription.objects.filter(contact=duplicate).exists()


def test_merging_two_unsubscribed_contacts_keeps_one_unsubscription_the_earliest(lead):
    first, second = ContactFactory(), ContactFactory()
    services.unsubscribe(token=services.unsubscribe_token(first), source="portal")
    services.unsubscribe(token=services.unsubscribe_token(second), source="email")
    earliest = Unsubscription.objects.get(contact=first).created_at

    contact_merge(source=first, target=second, actor=lead)

    [kept] = Unsubscription.objects.all()
    assert (kept.contact_id, kept.created_at) == (second.pk, earliest)


def test_a_merge_moves_the_recipients_and_emails_of_the_source(lead, procedure):
    source, target = ContactFactory(), ContactFactory()
    case = waiting_cases(procedure, 1, contact=source)[0]
    campaign = start(make_campaign(lead, procedure, mandatory=True), lead)
    services.campaign_run(campaign_id=campaign.pk)
    recipient = CampaignRecipient.objects.get(campaign=campaign, case=case)
    email = OutboundEmail.objects.get()
    assert (recipient.contact_id, email.contact_id) == (source.pk, source.pk)

    contact_merge(source=source, target=target, actor=lead)

    recipient.refresh_from_db()
    email.refresh_from_db()
    assert (recipient.contact_id, email.contact_id) == (target.pk, target.pk)

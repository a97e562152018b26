"""The admin's enquiry page masks the NIRs and IBANs found in messages until revealed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from levier.enquiries.intake import found_entities
from levier.journal.models import Event
from tests.contacts.numbers import IBAN, NIR
from tests.factories import AgentFactory, EnquiryFactory, MessageFactory, TopicFactory

pytestmark = pytest.mark.django_db

BODY = f"Bonjour, mon numéro de sécurité sociale est {NIR} et mon IBAN {IBAN}. Merci."


def test_the_enquiry_admin_masks_identifiers_in_messages_until_revealed(client, team):
    administrator = AgentFactory(administrator=True, teams=[team])
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    MessageFactory(enquiry=enquiry, body=BODY, entities=found_entities(BODY))
    client.force_login(administrator)
    url = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])

    html = client.get(url).content.decode()
    assert NIR not in html and IBAN not in html
    assert "• • • 23 87" in html and "Merci" in html  # the rest of the message is there

    assert (
        client.post(reverse("admin:enquiries_enquiry_reveal", args=[enquiry.pk])).status_code == 302
    )
    reveal = Event.objects.get(verb="reveal")
    assert (reveal.actor_id, reveal.target_type, reveal.target_id) == (
        str(administrator.pk),
        "enquiries.enquiry",
        str(enquiry.pk),
    )
    assert reveal.payload == {"field": "iban,nir"}
    assert NIR in client.get(url).content.decode()

"""Admin: topics are configured; enquiries are read-only and filtered by team for non-superusers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from levier.enquiries.models import Enquiry

from ..factories import AgentFactory, EnquiryFactory, MessageFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(AgentFactory(administrator=True))
    return client


def test_topic_admin_lists_and_edits_routing(admin_client, team):
    topic = TopicFactory(team=team, label="Voirie", sla_hours=24)
    response = admin_client.get(reverse("admin:enquiries_topic_changelist"))
    assert response.status_code == 200 and "Voirie" in response.content.decode()
    response = admin_client.post(
        reverse("admin:enquiries_topic_change", args=[topic.pk]),
        {
            "organisation": topic.organisation_id,
            "label": "Voirie",
            "slug": topic.slug,
            "team": team.pk,
            "sla_hours": 12,
        },
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.sla_hours == 12


def test_enquiry_admin_is_read_only_with_its_messages(admin_client, team):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    MessageFactory(enquiry=enquiry, body="Message de l'usager")
    changelist = admin_client.get(
        reverse("admin:enquiries_enquiry_changelist"), {"status__exact": "new"}
    )
    assert changelist.status_code == 200 and enquiry.reference in changelist.content.decode()
    url = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Message de l&#x27;usager" in page.content.decode()
    assert "verification_digest" not in page.content.decode()
    assert admin_client.post(url, {"subject": "Modifié"}).status_code == 403
    assert admin_client.get(reverse("admin:enquiries_enquiry_add")).status_code == 403
    assert Enquiry.objects.get().subject != "Modifié"

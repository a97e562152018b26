import pytest

from levier.campaigns import services
from levier.campaigns.demo import DEMO_NAME, ensure_demo_campaign
from levier.campaigns.models import Campaign, CampaignStatus
from levier.cases.models import CaseStatus
from levier.demo.setup import ensure_demo_setup

from ..factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_the_demo_campaign_is_a_draft_reminder_ready_to_preview():
    setup = ensure_demo_setup()
    campaign = ensure_demo_campaign(setup)
    assert ensure_demo_campaign(setup) == campaign  # idempotent
    assert Campaign.objects.filter(name=DEMO_NAME).count() == 1
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.mandatory and campaign.only_missing_documents
    assert campaign.procedure.slug == "aide-logement"

    procedure = campaign.procedure
    case = CaseFactory(
        procedure=procedure,
        procedure_version=procedure.current_version,
        status=CaseStatus.WAITING_FOR_USAGER,
    )
    preview = services.campaign_preview(campaign)
    assert preview.target_count == 1
    email = preview.emails[0]
    assert email.error == ""
    assert case.reference in email.subject
    assert "- Dernier avis d'impôt sur le revenu" in email.body
    assert "quittance" not in email.body  # optional

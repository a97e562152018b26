"""Reads of campaigns, scoped to what the acting agent may see, and the cases a campaign targets."""

from __future__ import annotations

from typing import cast

from django.db.models import Exists, OuterRef, Q, QuerySet

from levier.cases.models import Case, Procedure, ProcedureVersion, SupportingDocument
from levier.core import policy
from levier.core.models import Agent

from .models import Campaign, CampaignRecipient, RecipientStatus


def campaign_list_for(agent: Agent) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(agent).select_related("procedure", "created_by")


def get_campaign_for(agent: Agent, campaign_id: int) -> Campaign:
    """One campaign of the agent's teams' procedures; 404 for missing and forbidden alike."""
    campaign: Campaign | None = campaign_list_for(agent).filter(pk=campaign_id).first()
    if campaign is None:
        raise policy.NotFound("No such campaign.")
    return campaign


def campaign_procedures_for(agent: Agent) -> QuerySet[Procedure]:
    """Procedures a campaign may be created on: those of the agent's teams."""
    return Procedure.objects.filter(policy.rows_for(agent, Procedure)).order_by("name")


def _lacks_a_required_document(procedure: Procedure) -> Q:
    """Cases whose version asks for a required document they do not hold."""
    condition = Q(pk__in=[])
    for version in ProcedureVersion.objects.filter(procedure=procedure):
        for entry in version.field_schema:
            if entry.get("type") != "file" or not entry.get("required"):
                continue
            given = SupportingDocument.objects.filter(case=OuterRef("pk"), field_name=entry["name"])
            # Q & Exists is a Q at run time; the stubs only know it as Combinable.
            condition |= cast(Q, Q(procedure_version=version) & ~Exists(given))
    return condition


def campaign_targets(campaign: Campaign) -> QuerySet[Case]:
    """The cases the campaign writes about, in a stable order (oldest first).

    No status chosen means every status but draft (a draft is its usager's until they
    submit it); `only_missing_documents` keeps the cases that lack a required supporting
    document.
    """
    cases = Case.objects.exclude_drafts().filter(procedure_id=campaign.procedure_id)
    if campaign.case_statuses:
        cases = cases.filter(status__in=campaign.case_statuses)
    if campaign.only_missing_documents:
        cases = cases.filter(_lacks_a_required_document(campaign.procedure))
    return cases.order_by("pk")


def campaign_pending_cases(campaign: Campaign) -> QuerySet[Case]:
    """Targeted cases the campaign has not handled yet (neither queued nor skipped)."""
    handled = CampaignRecipient.objects.filter(campaign=campaign, case=OuterRef("pk"))
    return campaign_targets(campaign).filter(~Exists(handled))


def skipped_recipients(campaign: Campaign) -> QuerySet[CampaignRecipient]:
    return (
        CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.SKIPPED)
        .select_related("case", "contact")
        .order_by("pk")
    )

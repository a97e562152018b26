"""Agents' campaign pages: list, new, preview, detail, start and cancel.

Every agent of a team sees the campaigns of the team's procedures; creating, starting
and cancelling is for team leads, managers and administrators (404 for the others).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from levier.core import policy

from . import selectors, services
from .forms import CampaignForm
from .models import CampaignStatus, may_run_campaigns


def _require_campaign_role(request: HttpRequest) -> None:
    """A plain agent finds no campaign form or action (levier.core.policy)."""
    if not may_run_campaigns(request.user):
        raise policy.NotFound("No such page.")


def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaign_list_for(request.user)
    return render(
        request,
        "campaigns/list.html",
        {
            "title": _("Campaigns"),
            "nav": "campaigns",
            "campaigns": campaigns,
            "may_create": may_run_campaigns(request.user),
        },
    )


def campaign_new(request: HttpRequest) -> HttpResponse:
    _require_campaign_role(request)
    procedures = selectors.campaign_procedures_for(request.user)
    form = CampaignForm(request.POST or None, procedures=procedures)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Campaign saved as a draft: check the preview."))
            return redirect("campaigns:preview", campaign.pk)
    return render(
        request,
        "campaigns/form.html",
        {"title": _("New campaign"), "nav": "campaigns", "form": form},
    )


def campaign_preview(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = selectors.get_campaign_for(request.user, campaign_pk)
    preview = services.campaign_preview(campaign)
    return render(
        request,
        "campaigns/preview.html",
        {
            "title": _("Preview of “%(name)s”") % {"name": campaign.name},
            "nav": "campaigns",
            "campaign": campaign,
            "preview": preview,
            "may_start": may_run_campaigns(request.user)
            and campaign.status == CampaignStatus.DRAFT,
        },
    )


def campaign_detail(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = selectors.get_campaign_for(request.user, campaign_pk)
    may_act = may_run_campaigns(request.user)
    return render(
        request,
        "campaigns/detail.html",
        {
            "title": campaign.name,
            "nav": "campaigns",
            "campaign": campaign,
            "skipped": selectors.skipped_recipients(campaign)[:200],
            "may_start": may_act and campaign.status == CampaignStatus.DRAFT,
            "may_cancel": may_act
            and campaign.status in {CampaignStatus.DRAFT, CampaignStatus.RUNNING},
        },
    )


def campaign_start(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = selectors.get_campaign_for(request.user, campaign_pk)  # 404 first
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _require_campaign_role(request)
    try:
        services.campaign_start(campaign=campaign, actor=request.user)
    except services.CannotStart as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Campaign started: emails leave at the chosen pace."))
    return redirect("campaigns:detail", campaign.pk)


def campaign_cancel(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = selectors.get_campaign_for(request.user, campaign_pk)  # 404 first
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _require_campaign_role(request)
    services.campaign_cancel(campaign=campaign, actor=request.user)
    messages.success(request, _("Campaign cancelled: no further email will be queued."))
    return redirect("campaigns:detail", campaign.pk)

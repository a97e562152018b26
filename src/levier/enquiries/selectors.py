"""Reads of enquiries, always scoped to what the acting agent may see."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from levier.core.text import search_terms

from .models import Enquiry, EnquiryStatus

DUE_SOON = timedelta(hours=8)


def enquiry_list_for(
    agent,
    *,
    status: str = "",
    topic_id: int | None = None,
    team_id: int | None = None,
    assignee: str = "",
    received_from: date | None = None,
    received_to: date | None = None,
    sla: str = "",
    q: str = "",
) -> QuerySet[Enquiry]:
    """Enquiries the agent may see, filtered; newest first. `assignee` is 'me', 'none' or an id."""
    enquiries = Enquiry.objects.visible_to(agent).select_related("topic", "contact", "team", "assignee")
    if status == "open":
        enquiries = enquiries.exclude(status=EnquiryStatus.CLOSED)
    elif status:
        enquiries = enquiries.filter(status=status)
    if topic_id:
        enquiries = enquiries.filter(topic_id=topic_id)
    if team_id:
        enquiries = enquiries.filter(team_id=team_id)
    if assignee == "me":
        enquiries = enquiries.filter(assignee_id=agent.pk)
    elif assignee == "none":
        enquiries = enquiries.filter(assignee__isnull=True)
    elif assignee.isdigit():
        enquiries = enquiries.filter(assignee_id=int(assignee))
    if received_from:
        enquiries = enquiries.filter(created_at__date__gte=received_from)
    if received_to:
        enquiries = enquiries.filter(created_at__date__lte=received_to)
    if sla:
        now = timezone.now()
        open_ones = enquiries.exclude(status=EnquiryStatus.CLOSED)
        if sla == "overdue":
            enquiries = open_ones.filter(sla_due_at__lt=now)
        elif sla == "due_soon":
            enquiries = open_ones.filter(sla_due_at__gte=now, sla_due_at__lt=now + DUE_SOON)
        elif sla == "on_time":
            enquiries = open_ones.filter(sla_due_at__gte=now + DUE_SOON)
    for term in search_terms(q):
        enquiries = enquiries.filter(search_text__contains=term)
    return enquiries.order_by("-id")


def my_open_enquiries(agent) -> QuerySet[Enquiry]:
    return enquiry_list_for(agent, status="open", assignee="me")


def team_enquiry_queue(agent) -> QuerySet[Enquiry]:
    return enquiry_list_for(agent, status="open", assignee="none")


def get_enquiry_for(agent, enquiry_id: int) -> Enquiry:
    """One enquiry, or 404 when it does not exist or is outside the agent's teams."""
    enquiry = (
        Enquiry.objects.visible_to(agent)
        .select_related("topic", "contact", "team", "assignee")
        .filter(pk=enquiry_id)
        .first()
    )
    if enquiry is None:
        raise Http404("No such enquiry.")
    return enquiry

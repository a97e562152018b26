"""Reads of enquiries, always scoped to what the acting agent may see."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from levier.core.models import Agent
from levier.core.selectors import filter_worklist

from .models import Attachment, Enquiry, EnquiryStatus, Message, Topic

DUE_SOON = timedelta(hours=8)
# What a list row shows: reading only these keeps a page light at a million rows.
LIST_COLUMNS = (
    "reference",
    "subject",
    "status",
    "priority",
    "channel",
    "created_at",
    "sla_due_at",
    "team_id",
    "assignee_id",
    "topic_id",
    "contact_id",
    "topic__label",
    "team__name",
    "contact__kind",
    "contact__first_name",
    "contact__last_name",
    "contact__legal_name",
    "contact__email",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


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
    enquiries = (
        Enquiry.objects.visible_to(agent)
        .select_related("topic", "contact", "team", "assignee")
        .only(*LIST_COLUMNS)
    )
    if status == "open":
        enquiries = enquiries.exclude(status=EnquiryStatus.CLOSED)
    elif status:
        enquiries = enquiries.filter(status=status)
    if topic_id:
        enquiries = enquiries.filter(topic_id=topic_id)
    if team_id:
        enquiries = enquiries.filter(team_id=team_id)
    return filter_worklist(
        enquiries,
        agent=agent,
        open_rows=lambda rows: rows.exclude(status=EnquiryStatus.CLOSED),
        assignee=assignee,
        date_field="created_at",
        since=received_from,
        until=received_to,
        deadline_field="sla_due_at",
        sla=sla,
        due_soon=DUE_SOON,
        q=q,
    )


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


# --- one enquiry's page ------------------------------------------------------------------


def enquiry_thread(enquiry: Enquiry) -> QuerySet[Message]:
    """The messages of an enquiry, oldest first, with their attachments."""
    return (
        Message.objects.filter(enquiry=enquiry)
        .select_related("author_agent")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def get_attachment_for(agent, enquiry_id: int, attachment_id: int) -> Attachment:
    """One attachment of an enquiry the agent may see, or 404."""
    attachment = (
        Attachment.objects.filter(
            pk=attachment_id,
            message__enquiry_id=enquiry_id,
            message__enquiry__team_id__in=agent.visible_team_ids(),
        )
        .select_related("message__enquiry")
        .first()
    )
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


def assignable_agents(enquiry: Enquiry) -> QuerySet[Agent]:
    """Active agents of the enquiry's team: who it may be assigned to."""
    return Agent.objects.filter(is_active=True, teams=enquiry.team_id).order_by(
        "last_name", "first_name", "username"
    )


def topics_for(agent) -> QuerySet[Topic]:
    """Topics routed to the agent's teams (choices of the list filter)."""
    return Topic.objects.filter(team_id__in=agent.visible_team_ids()).order_by("label")


def portal_topics() -> QuerySet[Topic]:
    """Topics a usager may choose on the portal."""
    return Topic.objects.select_related("team").order_by("label")


def sla_state(enquiry: Enquiry, now: datetime | None = None) -> str:
    """'overdue', 'due_soon', 'on_time', or '' for a closed enquiry or one without deadline."""
    if enquiry.status == EnquiryStatus.CLOSED or enquiry.sla_due_at is None:
        return ""
    now = now or timezone.now()
    if enquiry.sla_due_at < now:
        return "overdue"
    if enquiry.sla_due_at < now + DUE_SOON:
        return "due_soon"
    return "on_time"


# --- usager side (portal): no agent scope, the usager proves the code -----------------------


def enquiry_by_reference(reference: str) -> Enquiry | None:
    """The enquiry with this reference, for the portal's follow-up page only.

    The caller must check the usager's verification code before showing anything.
    """
    reference = (reference or "").strip().upper()
    if not reference:
        return None
    return Enquiry.objects.select_related("contact", "topic").filter(reference=reference).first()


def usager_thread(enquiry: Enquiry) -> QuerySet[Message]:
    """What the usager sees of the thread: the messages themselves, no internal data."""
    return (
        Message.objects.filter(enquiry=enquiry)
        .only("id", "enquiry_id", "direction", "body", "created_at")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )

"""Reads of enquiries, always scoped to what the acting agent may see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from levier.core import policy
from levier.core.models import Agent
from levier.core.selectors import filter_worklist
from levier.journal.models import Event
from levier.journal.services import target_key

from . import entities as entity_extraction
from .models import (
    Attachment,
    Channel,
    Direction,
    Enquiry,
    EnquiryQuerySet,
    EnquiryStatus,
    Message,
    Topic,
)

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
    "topic_source",
    "topic_confidence",
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


# --- what the dashboards count (levier.insights.dashboards), defined once ---------------
# The list filters below and the dashboards' aggregates use these same conditions, so a
# figure and the list behind it count the same rows.

# A call or a visit logged by an agent: answered on the spot when closed without a
# written answer.
SPOKEN_CHANNELS = (Channel.PHONE, Channel.COUNTER)


def _journal_of_enquiry(verb: str) -> QuerySet[Event]:
    return Event.objects.filter(
        target_type="enquiries.enquiry",
        target_id=Cast(OuterRef("pk"), output_field=CharField()),
        verb=verb,
    )


def usager_wrote_again() -> Exists:
    """The usager wrote after their first message (journal verb "usager-message")."""
    return Exists(_journal_of_enquiry("usager-message"))


def reopened_condition() -> Q:
    """Closed, then reopened by a follow-up of the usager: a "usager-message" journal event
    whose payload says the enquiry was closed before it (enquiries.services
    .enquiry_add_usager_message)."""
    return Q(Exists(_journal_of_enquiry("usager-message").filter(payload__from="closed")))


def with_answer_count(enquiries: EnquiryQuerySet) -> EnquiryQuerySet:
    """`answers`: how many answers were sent to the usager (messages sent, in the thread)."""
    sent = (
        Message.objects.filter(enquiry=OuterRef("pk"), direction=Direction.OUT)
        .order_by()
        .values("enquiry")
        .annotate(n=Count("id"))
        .values("n")
    )
    counted: EnquiryQuerySet = enquiries.annotate(answers=Coalesce(Subquery(sent), 0))
    return counted


def first_contact_condition() -> Q:
    """Resolved at first contact (on a queryset `with_answer_count`): closed, the usager
    never wrote again, and either exactly one answer was sent, or it is a call or a visit
    closed without any written answer (answered on the spot)."""
    return (
        Q(status=EnquiryStatus.CLOSED)
        & ~Q(usager_wrote_again())
        & (Q(answers=1) | Q(answers=0, channel__in=SPOKEN_CHANNELS))
    )


def answered_in_time_condition() -> Q:
    """Answer deadline met: an answer sent, or the enquiry closed, at or before sla_due_at."""
    answered_before = Message.objects.filter(
        enquiry=OuterRef("pk"), direction=Direction.OUT, created_at__lte=OuterRef("sla_due_at")
    )
    return Q(sla_due_at__isnull=False) & (
        Q(Exists(answered_before)) | Q(closed_at__lte=F("sla_due_at"))
    )


def answered_late_condition(now: datetime) -> Q:
    """Answer deadline missed: past, with no answer (nor closing) at or before it."""
    return Q(sla_due_at__lt=now) & ~answered_in_time_condition()


def enquiry_list_for(
    agent: Agent,
    *,
    status: str = "",
    topic_id: int | None = None,
    team_id: int | None = None,
    assignee: str = "",
    received_from: date | None = None,
    received_to: date | None = None,
    sla: str = "",
    q: str = "",
    channel: str = "",
    without_topic: bool = False,
    closed_from: date | None = None,
    closed_to: date | None = None,
    answer_deadline: str = "",
    first_contact: bool = False,
    reopened: bool = False,
) -> QuerySet[Enquiry]:
    """Enquiries the agent may see, filtered; newest first. `assignee` is 'me', 'none' or an id.
    `answer_deadline` is "met", "missed" or "due" (either; see the conditions above)."""
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
    if without_topic:
        enquiries = enquiries.filter(topic__isnull=True)
    if channel:
        enquiries = enquiries.filter(channel=channel)
    if closed_from:
        enquiries = enquiries.filter(closed_at__date__gte=closed_from)
    if closed_to:
        enquiries = enquiries.filter(closed_at__date__lte=closed_to)
    if answer_deadline == "met":
        enquiries = enquiries.filter(answered_in_time_condition())
    elif answer_deadline == "missed":
        enquiries = enquiries.filter(answered_late_condition(timezone.now()))
    elif answer_deadline == "due":  # met or missed: the deadline is no longer ahead
        enquiries = enquiries.filter(
            answered_in_time_condition() | answered_late_condition(timezone.now())
        )
    if first_contact:
        enquiries = with_answer_count(enquiries).filter(first_contact_condition())
    if reopened:
        enquiries = enquiries.filter(reopened_condition())
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


def my_open_enquiries(agent: Agent) -> QuerySet[Enquiry]:
    return enquiry_list_for(agent, status="open", assignee="me")


def team_enquiry_queue(agent: Agent) -> QuerySet[Enquiry]:
    return enquiry_list_for(agent, status="open", assignee="none")


def get_enquiry_for(agent: Agent, enquiry_id: int) -> Enquiry:
    """One enquiry, or 404 when it does not exist or is outside the agent's teams."""
    enquiry: Enquiry | None = (
        Enquiry.objects.visible_to(agent)
        .select_related("topic", "contact", "team", "assignee")
        .filter(pk=enquiry_id)
        .first()
    )
    if enquiry is None:
        raise policy.NotFound("No such enquiry.")
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


def triage_reasons(enquiry: Enquiry) -> list[str]:
    """Why intake routed the enquiry where it is, from its latest "route" journal event."""
    target_type, target_id = target_key(enquiry)
    event = (
        Event.objects.for_target(target_type, target_id)
        .filter(verb="route")
        .select_related("detail")
        .order_by("-occurred_at", "-id")
        .first()
    )
    if event is None:
        return []
    # Events written before the payload policy kept the reasons in their payload.
    reasons = event.detail_text.splitlines() or (event.payload or {}).get("reasons") or []
    return [str(reason) for reason in reasons if reason]


def classify_topics() -> QuerySet[Topic]:
    """Topics an agent may set on an enquiry (any: a wrong team is corrected by moving it)."""
    return Topic.objects.select_related("team").order_by("label")


def visible_links(agent: Agent, links: Iterable[dict[str, Any]]) -> dict[tuple[str, int], str]:
    """URL of each linked case, enquiry or contact the agent may see; the others are left out.

    One query per kind of link, whatever the number of messages.
    """
    from levier.cases.models import Case  # cases may read enquiries: imported late, no cycle
    from levier.contacts.selectors import contact_list_for

    wanted: dict[str, set[int]] = {"case": set(), "enquiry": set(), "contact": set()}
    for link in links:
        key = _link_key(link)
        if key is not None and key[0] in wanted:
            wanted[key[0]].add(key[1])
    urls: dict[tuple[str, int], str] = {}
    if wanted["case"]:
        for pk in (
            Case.objects.visible_to(agent)
            .filter(pk__in=wanted["case"])
            .values_list("pk", flat=True)
        ):
            urls[("case", pk)] = reverse("cases:detail", args=[pk])
    if wanted["enquiry"]:
        for pk in (
            Enquiry.objects.visible_to(agent)
            .filter(pk__in=wanted["enquiry"])
            .values_list("pk", flat=True)
        ):
            urls[("enquiry", pk)] = reverse("enquiries:detail", args=[pk])
    if wanted["contact"]:
        # No contact page yet: their enquiries, found by email (or name) in the list.
        for contact in contact_list_for(agent).filter(pk__in=wanted["contact"]):
            query = urlencode({"q": contact.email or contact.display_name})
            urls[("contact", contact.pk)] = f"{reverse('enquiries:list')}?{query}"
    return urls


@dataclass(frozen=True)
class ShownMessage:
    """A message of the thread as the agent's page shows it."""

    message: Message
    body: SafeString | str  # entities highlighted in received messages
    entity_count: int


def _entities_of(message: Message) -> list[tuple[entity_extraction.Entity, dict[str, Any]]]:
    """Stored entities still matching the text (a stale one would mark the wrong words),
    each with its stored link (or {})."""
    found = []
    for item in message.entities or []:
        try:
            entity = entity_extraction.Entity(
                kind=item["kind"],
                text=item["text"],
                value=item.get("value", ""),
                start=int(item["start"]),
                end=int(item["end"]),
                valid=bool(item.get("valid", True)),
                note=item.get("note", ""),
            )
        except (AttributeError, KeyError, TypeError, ValueError):
            continue
        if message.body[entity.start : entity.end] == entity.text:
            found.append((entity, item.get("link") or {}))
    return found


def _link_key(link: dict[str, Any]) -> tuple[str, int] | None:
    if not isinstance(link, dict) or not str(link.get("id", "")).isdigit():
        return None
    return str(link.get("type")), int(link["id"])


def shown_thread(agent: Agent, messages: Sequence[Message]) -> list[ShownMessage]:
    """The thread with the entities of received messages highlighted, each linked to the
    case, enquiry or usager it names only when the agent may see it."""
    found = {
        message.pk: _entities_of(message)
        for message in messages
        if message.direction == Direction.IN and message.entities
    }
    urls = visible_links(agent, (link for pairs in found.values() for _entity, link in pairs))
    shown = []
    for message in messages:
        pairs = found.get(message.pk)
        if not pairs:
            shown.append(ShownMessage(message, message.body, 0))
            continue
        links: dict[int, tuple[str, str]] = {}
        for index, (entity, link) in enumerate(pairs):
            key = _link_key(link)
            url = urls.get(key) if key is not None else None
            if url:
                links[index] = (url, str(link.get("label") or entity.text))
        entities = [entity for entity, _link in pairs]
        body = entity_extraction.highlight(message.body, entities, links)
        shown.append(ShownMessage(message, body, len(entities)))
    return shown


def get_attachment_for(agent: Agent, enquiry_id: int, attachment_id: int) -> Attachment:
    """One attachment of an enquiry the agent may see, or 404."""
    attachment = (
        Attachment.objects.filter(
            policy.rows_for(agent, Attachment),
            pk=attachment_id,
            message__enquiry_id=enquiry_id,
        )
        .select_related("message__enquiry")
        .first()
    )
    if attachment is None:
        raise policy.NotFound("No such attachment.")
    return attachment


def assignable_agents(enquiry: Enquiry) -> QuerySet[Agent]:
    """Active agents of the enquiry's team: who it may be assigned to."""
    return Agent.objects.filter(is_active=True, teams=enquiry.team_id).order_by(
        "last_name", "first_name", "username"
    )


def topics_for(agent: Agent) -> QuerySet[Topic]:
    """Topics routed to the agent's teams (choices of the list filter)."""
    return Topic.objects.filter(policy.rows_for(agent, Topic)).order_by("label")


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

"""Every write on enquiries: one function per action, one transaction, one journal event.

Each service checks that an acting agent may see the enquiry (its team is one of the
agent's teams); outside that scope it answers "not found", like the selectors, so
that nothing leaks. Illegal status changes raise a ValidationError saying why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from levier.contacts.models import Contact
from levier.core import policy, verification
from levier.core.business_hours import business_hours_between
from levier.core.french import format_datetime
from levier.core.locking import lock_and_reload
from levier.core.models import Agent, Team
from levier.core.references import next_reference
from levier.core.services import notification_create
from levier.core.uploads import CheckedFile, store_checked
from levier.journal.services import Actor, record
from levier.mailing.services import email_queue

from .deadline_selectors import warning_hours_of, warning_windows
from .models import (
    Attachment,
    Channel,
    Direction,
    Enquiry,
    EnquiryStatus,
    LabelSource,
    Message,
    Priority,
    Topic,
    enquiry_search_text,
)
from .triage import Triage, due_at

REFERENCE_PREFIX = "SOL"


@dataclass(frozen=True)
class MessageMeta:
    """What a channel knows about a received message besides its text."""

    channel: str = ""
    email_message_id: str = ""
    quoted_text: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list)
    received_at: datetime | None = None


# --- helpers ---------------------------------------------------------------------------


def _check_agent_may_act(actor: Agent | Actor, team_id: int) -> None:
    """An agent acts only on their teams' enquiries; anything else is 'not found'
    (levier.core.policy)."""
    policy.check_may_see_team(actor, team_id, what="enquiry")


def _lock_for_change(enquiry: Enquiry, actor: Agent | Actor) -> None:
    """Lock the row and reload the caller's copy (levier.core.locking), then check the agent
    against the team the enquiry is in now: a colleague may have moved it meanwhile."""
    lock_and_reload(enquiry)
    _check_agent_may_act(actor, enquiry.team_id)


def _require_text(value: str, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


def _store_attachments(message: Message, attachments: Iterable[CheckedFile]) -> list[Attachment]:
    stored = []
    for checked in attachments:
        attachment = Attachment(message=message)
        store_checked(attachment, checked)
        stored.append(attachment)
    return stored


def _create_message(
    *,
    enquiry: Enquiry,
    direction: str,
    body: str,
    meta: MessageMeta,
    channel: str,
    now: datetime,
) -> Message:
    return Message.objects.create(
        enquiry=enquiry,
        direction=direction,
        body=body,
        created_at=now,
        channel=meta.channel or channel,
        email_message_id=meta.email_message_id[:255],
        quoted_text=meta.quoted_text,
        entities=meta.entities,
    )


def _mail_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "levier.localhost"


def _reply_hint() -> str:
    if settings.LEVIER_REPLY_TO_EMAIL:
        return _("You can answer this email: your message will join your enquiry.")
    return _("This is an automatic message, please do not reply to it.")


def _follow_url() -> str:
    return f"{settings.BASE_URL}{reverse('portal:follow')}"


def _agent_url(enquiry: Enquiry) -> str:
    return reverse("enquiries:detail", args=[enquiry.pk])


# --- services --------------------------------------------------------------------------


def enquiry_create(
    *,
    channel: str,
    contact: Contact,
    subject: str,
    body: str,
    topic: Topic | None = None,
    attachments: Iterable[CheckedFile] = (),
    actor: Agent | Actor,
    team: Team | None = None,
    priority: int = Priority.NORMAL,
    triage: Triage | None = None,
    meta: MessageMeta = MessageMeta(),
    status: str = EnquiryStatus.NEW,
    acknowledge: bool = True,
) -> tuple[Enquiry, str]:
    """Register an enquiry with its first message; return it and the usager's follow-up code.

    `triage` (see enquiries.triage) carries what automation decided: topic, team,
    priority, their confidence and the deadline; without it the given topic, team and
    priority are used as they are. The code is emailed to the usager once and never
    stored (only its HMAC is).
    """
    if channel not in Channel.values:
        raise ValidationError(
            {"channel": _("Unknown channel “%(channel)s”.") % {"channel": channel}}
        )
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")})
    subject = _require_text(subject, "subject", _("Give the enquiry a subject."))[:200]
    body = _require_text(body, "body", _("Write the message."))
    now = meta.received_at or timezone.now()
    if triage is None:
        team = team or (topic.team if topic is not None else None)
        if team is None:
            raise ValidationError({"topic": _("Choose a topic or a team for the enquiry.")})
        triage = Triage(
            team=team,
            topic=topic,
            topic_source=LabelSource.AGENT if isinstance(actor, Agent) else LabelSource.USAGER,
            priority=priority,
            sla_due_at=due_at(start=now, team=team, topic=topic),
        )
        if topic is None:
            triage.topic_source = LabelSource.NONE
    _check_agent_may_act(actor, triage.team.pk)
    attachments = list(attachments)
    code = verification.new_code()
    with transaction.atomic():
        reference = next_reference(
            model=Enquiry, prefix=REFERENCE_PREFIX, year=timezone.localdate(now).year
        )
        enquiry = Enquiry.objects.create(
            reference=reference,
            channel=channel,
            topic=triage.topic,
            topic_source=triage.topic_source,
            topic_confidence=triage.topic_confidence,
            suggested_topic=triage.suggested_topic,
            subject=subject,
            status=status,
            priority=triage.priority,
            priority_source=triage.priority_source,
            priority_confidence=triage.priority_confidence,
            team=triage.team,
            routing_rule=triage.routing_rule,
            contact=contact,
            created_at=now,
            updated_at=now,
            closed_at=now if status == EnquiryStatus.CLOSED else None,
            sla_due_at=triage.sla_due_at,
            verification_digest=verification.digest(reference, code),
            search_text=enquiry_search_text(reference, subject, contact),
        )
        message = _create_message(
            enquiry=enquiry, direction=Direction.IN, body=body, meta=meta, channel=channel, now=now
        )
        stored = _store_attachments(message, attachments)
        record(
            actor=actor,
            verb="create",
            target=enquiry,
            activity="register-enquiry",
            # Registering from the portal or the API is done by the usager, from email by a
            # robot: in both cases no agent typed it, which is the time saved.
            automated=not isinstance(actor, Agent),
            payload={
                "reference": enquiry.reference,
                "channel": channel,
                "topic": triage.topic.slug if triage.topic is not None else "",
                "team_id": triage.team.pk,
                "attachments": len(stored),
            },
        )
        if not acknowledge or not contact.email:
            return enquiry, code
        email_queue(
            to=contact.email,
            contact=contact,
            about=enquiry,
            subject=_("Your enquiry %(reference)s has been received")
            % {"reference": enquiry.reference},
            body=_(
                "Hello,\n\n"
                "We have received your enquiry “%(subject)s”.\n\n"
                "Reference: %(reference)s\n"
                "Follow-up code: %(code)s\n\n"
                "Keep this code: with the reference, it lets you follow your enquiry and "
                "write to us at %(url)s\n"
                "We aim to answer before %(due)s.\n\n"
            )
            % {
                "subject": subject,
                "reference": enquiry.reference,
                "code": code,
                "url": _follow_url(),
                "due": format_datetime(enquiry.sla_due_at or now),
            }
            + _reply_hint(),
        )
    return enquiry, code


def enquiry_reply(
    *, enquiry: Enquiry, author: Agent, body: str, close: bool, suggestion: str = ""
) -> Message:
    """Answer the usager: the message is emailed; the enquiry is closed or waits for the usager.

    `suggestion` names the answer template or past answer the agent started from (e.g.
    "template:12", "answer:345"): finding it is journaled as the robot's step.
    """
    _check_agent_may_act(author, enquiry.team_id)
    body = _require_text(body, "body", _("Write the answer before sending it."))
    with transaction.atomic():
        _lock_for_change(enquiry, author)
        if enquiry.status == EnquiryStatus.CLOSED:
            raise ValidationError(
                _(
                    "This enquiry is closed: it cannot be answered any more. "
                    "If the usager writes again, it will reopen."
                ),
                code="closed",
            )
        now = timezone.now()
        message = Message.objects.create(
            enquiry=enquiry,
            direction=Direction.OUT,
            author_agent=author,
            body=body,
            created_at=now,
            channel=Channel.EMAIL,
            email_message_id=make_msgid(domain=_mail_domain()),
        )
        previous = enquiry.status
        enquiry.status = EnquiryStatus.CLOSED if close else EnquiryStatus.WAITING_FOR_USAGER
        enquiry.closed_at = now if close else None
        if enquiry.assignee_id is None and author.teams.filter(pk=enquiry.team_id).exists():
            enquiry.assignee = author  # a team member who answers an unassigned enquiry takes it
        enquiry.updated_at = now
        enquiry.save(update_fields=["status", "closed_at", "assignee", "updated_at"])
        record(
            actor=author,
            verb="reply",
            target=enquiry,
            activity="answer-enquiry",
            payload={
                "message_id": message.pk,
                "from": previous,
                "to": enquiry.status,
                "close": close,
                "suggestion": suggestion,
            },
        )
        if suggestion:
            record(
                actor=Actor.robot("answers"),
                verb="suggest-answer",
                target=enquiry,
                activity="suggest-answer",
                payload={"message_id": message.pk, "suggestion": suggestion[:100]},
            )
        if not enquiry.contact.email:
            return message
        email_queue(
            to=enquiry.contact.email,
            contact=enquiry.contact,
            about=enquiry,
            subject=_("Answer to your enquiry %(reference)s") % {"reference": enquiry.reference},
            body=_(
                "Hello,\n\n%(body)s\n\n"
                "Reference: %(reference)s\n"
                "To answer, follow your enquiry at %(url)s with its reference and "
                "the follow-up code you received."
            )
            % {"body": body, "reference": enquiry.reference, "url": _follow_url()},
            message_id=message.email_message_id,
        )
    return message


def enquiry_assign(*, enquiry: Enquiry, assignee: Agent | None, actor: Agent | Actor) -> Enquiry:
    """Give the enquiry to an agent of its team (or to nobody); the new assignee is notified."""
    _check_agent_may_act(actor, enquiry.team_id)
    with transaction.atomic():
        _lock_for_change(enquiry, actor)
        if enquiry.status == EnquiryStatus.CLOSED:
            raise ValidationError(
                _("This enquiry is closed: it cannot be assigned any more."), code="closed"
            )
        if assignee is not None and (
            not assignee.is_active or not assignee.teams.filter(pk=enquiry.team_id).exists()
        ):
            raise ValidationError(
                {
                    "assignee": _(
                        "%(agent)s is not in the team %(team)s. Choose an agent of that team."
                    )
                    % {"agent": assignee, "team": enquiry.team}
                }
            )
        previous_id = enquiry.assignee_id
        enquiry.assignee = assignee
        if assignee is not None and enquiry.status == EnquiryStatus.NEW:
            enquiry.status = EnquiryStatus.OPEN
        enquiry.updated_at = timezone.now()
        enquiry.save(update_fields=["assignee", "status", "updated_at"])
        record(
            actor=actor,
            verb="assign",
            target=enquiry,
            activity="assign-enquiry",
            payload={
                "from": previous_id,
                "to": assignee.pk if assignee else None,
                "to_label": str(assignee) if assignee else "",
            },
        )
        acting_self = isinstance(actor, Agent) and assignee is not None and actor.pk == assignee.pk
        if assignee is not None and not acting_self and assignee.pk != previous_id:
            notification_create(
                agent=assignee,
                text=_("Enquiry %(reference)s was assigned to you: %(subject)s")
                % {"reference": enquiry.reference, "subject": enquiry.subject},
                url=_agent_url(enquiry),
                actor=actor,
            )
    return enquiry


def enquiry_close(*, enquiry: Enquiry, actor: Agent | Actor, reason: str = "") -> Enquiry:
    """Close an enquiry without (further) answer, e.g. a duplicate or a message sent by mistake."""
    _check_agent_may_act(actor, enquiry.team_id)
    with transaction.atomic():
        _lock_for_change(enquiry, actor)
        if enquiry.status == EnquiryStatus.CLOSED:
            raise ValidationError(_("This enquiry is already closed."), code="already_closed")
        previous = enquiry.status
        now = timezone.now()
        enquiry.status = EnquiryStatus.CLOSED
        enquiry.closed_at = now
        enquiry.updated_at = now
        enquiry.save(update_fields=["status", "closed_at", "updated_at"])
        record(
            actor=actor,
            verb="close",
            target=enquiry,
            activity="close-enquiry",
            payload={"from": previous, "to": enquiry.status},
            detail=reason.strip()[:500],
        )
    return enquiry


def enquiry_add_usager_message(
    *,
    enquiry: Enquiry,
    body: str,
    attachments: Iterable[CheckedFile] = (),
    contact: Contact,
    meta: MessageMeta = MessageMeta(),
    how: str = "",
) -> Message:
    """A follow-up written by the usager; a closed or waiting enquiry reopens.

    `how` says how an automated intake found the enquiry: "thread-message" (a reply to
    one of our emails or naming the reference) or "group-enquiry" (same usager, same
    subject); it is journaled as a robot's step with its activity's standard time.
    """
    if contact.pk != enquiry.contact_id:
        raise policy.NotFound("No such enquiry.")
    body = _require_text(body, "body", _("Write your message."))
    attachments = list(attachments)
    with transaction.atomic():
        lock_and_reload(enquiry)  # the usager's own enquiry: checked above, by its contact
        now = meta.received_at or timezone.now()
        message = _create_message(
            enquiry=enquiry,
            direction=Direction.IN,
            body=body,
            meta=meta,
            channel=enquiry.channel,
            now=now,
        )
        stored = _store_attachments(message, attachments)
        previous = enquiry.status
        if enquiry.status in {EnquiryStatus.CLOSED, EnquiryStatus.WAITING_FOR_USAGER}:
            enquiry.status = EnquiryStatus.OPEN
            enquiry.closed_at = None
        enquiry.updated_at = now
        enquiry.save(update_fields=["status", "closed_at", "updated_at"])
        usager = Actor.usager(contact)
        record(
            actor=usager,
            verb="usager-message",
            target=enquiry,
            payload={
                "message_id": message.pk,
                "from": previous,
                "to": enquiry.status,
                "attachments": len(stored),
            },
        )
        if how:
            record(
                actor=Actor.robot("intake"),
                verb=how,
                target=enquiry,
                activity=how,
                payload={"message_id": message.pk, "channel": message.channel},
            )
        if enquiry.assignee is not None:
            notification_create(
                agent=enquiry.assignee,
                text=_("New message from the usager on %(reference)s")
                % {"reference": enquiry.reference},
                url=_agent_url(enquiry),
                actor=usager,
            )
    return message


def enquiry_classify(
    *,
    enquiry: Enquiry,
    actor: Agent,
    topic: Topic | None,
    priority: int,
    move_to_topic_team: bool = False,
) -> Enquiry:
    """An agent sets or corrects the topic and priority; the next training learns from it.

    With `move_to_topic_team`, the enquiry also goes to the topic's default team.
    """
    _check_agent_may_act(actor, enquiry.team_id)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")})
    with transaction.atomic():
        _lock_for_change(enquiry, actor)
        before = {
            "topic": enquiry.topic.slug if enquiry.topic else "",
            "topic_source": enquiry.topic_source,
            "priority": enquiry.priority,
            "priority_source": enquiry.priority_source,
            "team_id": enquiry.team_id,
        }
        corrected = (enquiry.topic_id != (topic.pk if topic else None)) or (
            enquiry.priority != priority
        )
        enquiry.topic = topic
        enquiry.topic_source = LabelSource.AGENT if topic else LabelSource.NONE
        enquiry.topic_confidence = None
        enquiry.priority = priority
        enquiry.priority_source = LabelSource.AGENT
        enquiry.priority_confidence = None
        if move_to_topic_team and topic is not None and topic.team_id != enquiry.team_id:
            enquiry.team_id = topic.team_id
            enquiry.assignee = None
        enquiry.updated_at = timezone.now()
        enquiry.save(
            update_fields=[
                "topic", "topic_source", "topic_confidence", "priority", "priority_source",
                "priority_confidence", "team", "assignee", "updated_at",
            ]
        )  # fmt: skip
        record(
            actor=actor,
            verb="classify",
            target=enquiry,
            activity="classify-enquiry",
            payload={
                "before": before,
                "topic": topic.slug if topic else "",
                "priority": priority,
                "team_id": enquiry.team_id,
                "correction": corrected and before["topic_source"] == LabelSource.ROBOT,
            },
        )
    return enquiry


def enquiry_log_contact(
    *,
    agent: Agent,
    contact: Contact,
    channel: str,
    subject: str,
    body: str,
    topic: Topic | None = None,
    answered: bool = True,
) -> Enquiry:
    """A call or a visit, logged by the agent who took it.

    Answered on the spot, it is closed at once; otherwise it waits in the team's queue,
    assigned to the agent. The usager gets no acknowledgement (they were there).
    """
    if channel not in (Channel.PHONE, Channel.COUNTER):
        raise ValidationError({"channel": _("A call or a visit: choose phone or counter.")})
    if topic is not None and not policy.may_see(agent, topic):
        raise ValidationError(
            {"topic": _("This topic belongs to another team: choose one of your teams' topics.")}
        )
    team = topic.team if topic is not None else agent.teams.order_by("id").first()
    if team is None:
        raise ValidationError(_("You belong to no team: ask an administrator to add you to one."))
    with transaction.atomic():
        enquiry, _code = enquiry_create(
            channel=channel,
            contact=contact,
            subject=subject,
            body=body,
            topic=topic,
            team=team,
            actor=agent,
            status=EnquiryStatus.CLOSED if answered else EnquiryStatus.OPEN,
            acknowledge=False,
        )
        # Created in this transaction: nobody else can hold the row, no lock needed.
        enquiry.assignee = agent
        enquiry.save(update_fields=["assignee"])
        record(
            actor=agent,
            verb="log-contact",
            target=enquiry,
            activity="log-contact",
            payload={"channel": channel, "answered": answered},
        )
    return enquiry


def enquiries_warn_due(*, now: datetime | None = None) -> int:
    """Warn the assignee (or the team) of each open enquiry close to its deadline, once."""
    now = now or timezone.now()
    candidates = (
        Enquiry.objects.open()
        .filter(sla_warned_at__isnull=True, sla_due_at__isnull=False)
        .filter(sla_due_at__lte=now + timedelta(days=7))
        .select_related("team", "topic", "assignee")
        .order_by("sla_due_at")
    )
    warned = 0
    robot = Actor.robot("deadlines")
    windows = warning_windows(list(candidates.values_list("team_id", flat=True).distinct()))
    for enquiry in candidates.iterator(chunk_size=500):
        warning_hours = warning_hours_of(enquiry, windows)
        left = business_hours_between(now, enquiry.sla_due_at)
        if left > warning_hours:
            continue
        with transaction.atomic():
            updated = Enquiry.objects.filter(pk=enquiry.pk, sla_warned_at__isnull=True).update(
                sla_warned_at=now
            )
            if not updated:
                continue  # another worker warned first
            recipients = (
                [enquiry.assignee]
                if enquiry.assignee
                else list(enquiry.team.agents.filter(is_active=True))
            )
            text = (
                _("Enquiry %(reference)s is past its answer deadline.")
                if left <= 0
                else _("Enquiry %(reference)s must be answered within %(hours)s business hours.")
            ) % {"reference": enquiry.reference, "hours": max(1, round(left))}
            for recipient in recipients:
                notification_create(
                    agent=recipient, text=text, url=_agent_url(enquiry), actor=robot
                )
            record(
                actor=robot,
                verb="warn-deadline",
                target=enquiry,
                activity="warn-deadline",
                payload={"hours_left": round(left, 1), "notified": len(recipients)},
            )
        warned += 1
    return warned

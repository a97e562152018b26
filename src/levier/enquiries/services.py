"""Every write on enquiries: one function per action, one transaction, one journal event.

Each service checks that an acting agent may see the enquiry (its team is one of the
agent's teams); outside that scope it answers "not found", like the selectors, so
that nothing leaks. Illegal status changes raise a ValidationError saying why.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from levier.contacts.models import Contact
from levier.core import verification
from levier.core.mail import send_email_later
from levier.core.models import Agent, Team
from levier.core.references import next_reference
from levier.core.services import notification_create
from levier.core.uploads import CheckedFile, store_checked
from levier.journal.services import Actor, record

from .models import (
    Attachment,
    Channel,
    Direction,
    Enquiry,
    EnquiryStatus,
    Message,
    Priority,
    Topic,
    enquiry_search_text,
)

DEFAULT_SLA_HOURS = 72
REFERENCE_PREFIX = "SOL"


# --- helpers ---------------------------------------------------------------------------


def _check_agent_may_act(actor: Agent | Actor, team_id: int) -> None:
    """An agent acts only on their teams' enquiries; anything else is 'not found'."""
    if isinstance(actor, Agent) and team_id not in actor.visible_team_ids():
        raise Http404("No such enquiry.")


def _refresh_for_update(enquiry: Enquiry) -> None:
    """Lock the row and reload the fields a transition depends on (concurrent edits)."""
    current = (
        Enquiry.objects.select_for_update()
        .only("status", "assignee_id", "closed_at", "team_id")
        .get(pk=enquiry.pk)
    )
    enquiry.status = current.status
    enquiry.assignee_id = current.assignee_id
    enquiry.closed_at = current.closed_at
    enquiry.team_id = current.team_id


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
) -> tuple[Enquiry, str]:
    """Register an enquiry with its first message; return it and the usager's follow-up code.

    The code is emailed to the usager once and never stored (only its HMAC is).
    """
    if channel not in Channel.values:
        raise ValidationError(
            {"channel": _("Unknown channel “%(channel)s”.") % {"channel": channel}}
        )
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")})
    subject = _require_text(subject, "subject", _("Give the enquiry a subject."))[:200]
    body = _require_text(body, "body", _("Write the message."))
    team = team or (topic.team if topic is not None else None)
    if team is None:
        raise ValidationError({"topic": _("Choose a topic or a team for the enquiry.")})
    _check_agent_may_act(actor, team.pk)
    attachments = list(attachments)

    now = timezone.now()
    sla_hours = topic.sla_hours if topic is not None else DEFAULT_SLA_HOURS
    code = verification.new_code()
    with transaction.atomic():
        reference = next_reference(
            model=Enquiry, prefix=REFERENCE_PREFIX, year=timezone.localdate(now).year
        )
        enquiry = Enquiry.objects.create(
            reference=reference,
            channel=channel,
            topic=topic,
            subject=subject,
            status=EnquiryStatus.NEW,
            priority=priority,
            team=team,
            contact=contact,
            created_at=now,
            updated_at=now,
            sla_due_at=now + timedelta(hours=sla_hours),
            verification_digest=verification.digest(reference, code),
            search_text=enquiry_search_text(reference, subject, contact),
        )
        message = Message.objects.create(
            enquiry=enquiry,
            direction=Direction.IN,
            body=body,
            created_at=now,
        )
        stored = _store_attachments(message, attachments)
        record(
            actor=actor,
            verb="create",
            target=enquiry,
            activity="register-enquiry",
            automated=False,
            payload={
                "reference": enquiry.reference,
                "channel": channel,
                "topic": topic.slug if topic is not None else "",
                "team_id": team.pk,
                "attachments": len(stored),
            },
        )
        send_email_later(
            to=[contact.email],
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
                "This is an automatic message, please do not reply to it."
            )
            % {
                "subject": subject,
                "reference": enquiry.reference,
                "code": code,
                "url": _follow_url(),
                "due": timezone.localtime(enquiry.sla_due_at).strftime("%d/%m/%Y %H:%M"),
            },
        )
    return enquiry, code


def enquiry_reply(*, enquiry: Enquiry, author: Agent, body: str, close: bool) -> Message:
    """Answer the usager: the message is emailed; the enquiry is closed or waits for the usager."""
    _check_agent_may_act(author, enquiry.team_id)
    body = _require_text(body, "body", _("Write the answer before sending it."))
    with transaction.atomic():
        _refresh_for_update(enquiry)
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
            enquiry=enquiry, direction=Direction.OUT, author_agent=author, body=body, created_at=now
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
            },
        )
        send_email_later(
            to=[enquiry.contact.email],
            subject=_("Answer to your enquiry %(reference)s") % {"reference": enquiry.reference},
            body=_(
                "Hello,\n\n%(body)s\n\n"
                "Reference: %(reference)s\n"
                "To answer, follow your enquiry at %(url)s with its reference and "
                "the follow-up code you received."
            )
            % {"body": body, "reference": enquiry.reference, "url": _follow_url()},
        )
    return message


def enquiry_assign(*, enquiry: Enquiry, assignee: Agent | None, actor: Agent | Actor) -> Enquiry:
    """Give the enquiry to an agent of its team (or to nobody); the new assignee is notified."""
    _check_agent_may_act(actor, enquiry.team_id)
    with transaction.atomic():
        _refresh_for_update(enquiry)
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
        _refresh_for_update(enquiry)
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
            payload={"from": previous, "to": enquiry.status, "reason": reason.strip()[:500]},
        )
    return enquiry


def enquiry_add_usager_message(
    *,
    enquiry: Enquiry,
    body: str,
    attachments: Iterable[CheckedFile] = (),
    contact: Contact,
) -> Message:
    """A follow-up written by the usager; a closed or waiting enquiry reopens."""
    if contact.pk != enquiry.contact_id:
        raise Http404("No such enquiry.")
    body = _require_text(body, "body", _("Write your message."))
    attachments = list(attachments)
    with transaction.atomic():
        _refresh_for_update(enquiry)
        now = timezone.now()
        message = Message.objects.create(
            enquiry=enquiry, direction=Direction.IN, body=body, created_at=now
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
        if enquiry.assignee_id is not None:
            notification_create(
                agent=enquiry.assignee,
                text=_("New message from the usager on %(reference)s")
                % {"reference": enquiry.reference},
                url=_agent_url(enquiry),
                actor=usager,
            )
    return message

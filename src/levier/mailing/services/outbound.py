"""Every write of outbound mail: the outbox.

Every email is a row (OutboundEmail) before any attempt to send it, with its
Message-ID fixed; the task `send_outbound_email` sends it (see `email_send`). The
mechanics (Message-IDs, backoff, SMTP) are in `outbox.py`, which writes nothing.
"""

from __future__ import annotations

import datetime
import logging
import re
import smtplib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from levier.contacts.models import Contact
from levier.core.mail import tasks_share_the_database
from levier.journal.services import Actor, record, target_key

from .. import outbox
from ..models import OutboundAttachment, OutboundEmail, OutboundStatus

logger = logging.getLogger(__name__)

ROBOT = Actor.robot("mail")

HEADER_BREAKS = re.compile(r"[\r\n\t ]+")


def email_queue(
    *,
    to: str,
    subject: str,
    body: str,
    html: str = "",
    contact: Contact | None = None,
    about: models.Model | tuple[str, Any] | None = None,
    reply_to: str = "",
    attachments: Iterable[tuple[str, bytes, str]] = (),
    message_id: str = "",
    headers: dict[str, str] | None = None,
    dedupe_key: str = "",
) -> OutboundEmail:
    """Put one email in the outbox and queue its sending, only if the transaction commits.

    The address is checked here (a ValidationError names it). With the database task
    backend the task row is written in the caller's transaction (it commits or rolls
    back with the data); with another backend it is queued once the transaction
    commits. `attachments` are (file name, content, content type); `message_id` fixes
    the Message-ID (e.g. the thread's), otherwise a new one is made on levier's domain.
    `about` is what the email is about: a model instance or a (type, id) pair.
    `dedupe_key` (e.g. "event:<id>:<purpose>") makes queueing idempotent: when an email
    with this key exists, it is returned as it is and nothing is queued again.
    """
    address = (to or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(
            {"to": _("“%(address)s” is not a valid email address.") % {"address": address}},
            code="invalid_email",
        ) from None
    about_type, about_id = target_key(about) if about is not None else ("", "")
    if dedupe_key and (existing := OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()):
        return existing
    try:
        return _email_create(
            address=address,
            subject=subject,
            body=body,
            html=html,
            contact=contact,
            about_type=about_type,
            about_id=about_id,
            reply_to=reply_to,
            attachments=attachments,
            message_id=message_id,
            headers=headers,
            dedupe_key=dedupe_key,
        )
    except IntegrityError:
        # A concurrent run of the same automation wrote it first: that one stands.
        existing = (
            OutboundEmail.objects.filter(dedupe_key=dedupe_key).first() if dedupe_key else None
        )
        if existing is None:
            raise
        return existing


def _email_create(
    *,
    address: str,
    subject: str,
    body: str,
    html: str,
    contact: Contact | None,
    about_type: str,
    about_id: str,
    reply_to: str,
    attachments: Iterable[tuple[str, bytes, str]],
    message_id: str,
    headers: dict[str, str] | None,
    dedupe_key: str,
) -> OutboundEmail:
    with transaction.atomic():
        email = OutboundEmail.objects.create(
            dedupe_key=dedupe_key or None,
            to=address,
            # Line breaks would forge headers; French narrow no-break spaces stay.
            subject=HEADER_BREAKS.sub(" ", subject).strip()[:255],
            body_text=body,
            body_html=html,
            message_id=message_id or outbox.new_message_id(),
            reply_to=reply_to or settings.LEVIER_REPLY_TO_EMAIL,
            headers=headers or {},
            contact=contact,
            about_type=about_type,
            about_id=about_id,
        )
        for filename, content, content_type in attachments:
            attachment = OutboundAttachment(
                email=email, filename=filename, content_type=content_type
            )
            attachment.file.save(filename, ContentFile(content), save=True)
        record(
            actor=ROBOT,
            verb="queue",
            target=email,
            payload={
                "about": f"{about_type}:{about_id}" if about_type else "",
                "attachments": email.attachments.count() if attachments else 0,
            },
        )
        _enqueue_on_commit(email.pk)
    return email


def email_send(*, email_id: int) -> str:
    """Send one queued email over SMTP: the task's work. Returns what happened.

    Claim: a conditional UPDATE (queued → sending) on the row, committed before SMTP is
    spoken; only one sender can win it, on PostgreSQL as on SQLite, so two workers (or a
    task enqueued twice, or a retry) never send the same email concurrently, and a sent
    email is never sent again.

    Acceptance: the moment the SMTP server accepts the email (its reply to DATA),
    `accepted_at` is committed, before the connection is closed and before the send is
    journaled. A sender that dies after that leaves the row "sending" but accepted;
    `outbox_flush` finishes it as sent, without sending it again.

    The one window left is at-least-once, not exactly-once: if the process dies between
    the server's reply and that one-row commit (milliseconds), or the reply is lost on
    the network, the row is a stale claim without acceptance; `outbox_flush` puts it
    back in the queue after `outbox.STALE_CLAIM` and the email is sent a second time,
    with the same Message-ID (the usager's mail client shows one message).
    """
    now = timezone.now()
    claimed = (
        OutboundEmail.objects.due(now)
        .filter(pk=email_id)
        .update(status=OutboundStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"  # sent, failed, claimed by another sender, or not due yet
    email = OutboundEmail.objects.select_related("contact").get(pk=email_id)
    try:
        outbox.deliver(email, on_accepted=lambda: _email_note_accepted(email.pk))
    except outbox.PermanentFailure as refusal:
        _email_failed(email, str(refusal))
        return "failed"
    except Exception as error:  # server down, timeout, 4xx; or a bug before anything was sent
        if not isinstance(error, smtplib.SMTPException | OSError):
            logger.exception("outbound email %s could not be built or sent", email.pk)
        if email.attempts >= settings.LEVIER_EMAIL_MAX_ATTEMPTS:
            _email_failed(email, outbox.describe(error))
            return "failed"
        _email_retry_later(email, outbox.describe(error))
        return "retry"
    _email_sent(email)
    return "sent"


def _email_note_accepted(email_id: int) -> None:
    """Commit the SMTP server's acceptance at once (journaled with the send, just after)."""
    # One UPDATE, committed at once: a task runs in autocommit mode.
    OutboundEmail.objects.filter(pk=email_id, status=OutboundStatus.SENDING).update(
        accepted_at=timezone.now()
    )


def _email_sent(email: OutboundEmail, *, recovered: bool = False) -> None:
    """An accepted email becomes "sent" and its send is journaled (once: conditional)."""
    with transaction.atomic():
        updated = OutboundEmail.objects.filter(
            pk=email.pk, status=OutboundStatus.SENDING, accepted_at__isnull=False
        ).update(
            status=OutboundStatus.SENT, sent_at=F("accepted_at"), last_error="", claimed_at=None
        )
        if not updated:
            return
        payload = {"message_id": email.message_id, "attempts": email.attempts}
        if recovered:  # the sender died after the server accepted the email
            payload["recovered"] = True
        record(actor=ROBOT, verb="send", target=email, activity="send-email", payload=payload)


def email_resend(*, email: OutboundEmail, actor: Any) -> OutboundEmail:
    """Send an email again as a new row with a new Message-ID, at an agent's request."""
    if email.status not in {OutboundStatus.SENT, OutboundStatus.FAILED, OutboundStatus.BOUNCED}:
        raise ValidationError(
            _("This email is still in the outbox (%(status)s): it will be sent.")
            % {"status": email.get_status_display()},
            code="not_finished",
        )
    with transaction.atomic():
        copy = OutboundEmail.objects.create(
            to=email.to,
            subject=email.subject,
            body_text=email.body_text,
            body_html=email.body_html,
            message_id=outbox.new_message_id(),
            reply_to=email.reply_to,
            headers=email.headers,
            contact=email.contact,
            about_type=email.about_type,
            about_id=email.about_id,
            resent_from=email,
        )
        for attachment in email.attachments.all():
            OutboundAttachment.objects.create(
                email=copy,
                filename=attachment.filename,
                content_type=attachment.content_type,
                file=attachment.file.name,  # the same stored file: attachments are never changed
            )
        record(
            actor=actor,
            verb="resend",
            target=copy,
            payload={"resent_from": email.pk, "status_was": email.status},
        )
        _enqueue_on_commit(copy.pk)
    return copy


def email_record_bounce(*, address: str, reason: str) -> OutboundEmail | None:
    """A bounce came back for `address`: the latest email sent there is marked bounced and
    every contact with that address undeliverable. Returns the email, if one was found."""
    address = address.strip()
    if not address:
        return None
    now = timezone.now()
    with transaction.atomic():
        email = (
            OutboundEmail.objects.filter(to__iexact=address, status=OutboundStatus.SENT)
            .order_by("-sent_at", "-pk")
            .first()
        )
        if email is not None:
            email.status = OutboundStatus.BOUNCED
            email.last_error = reason[:2000]
            email.save(update_fields=["status", "last_error"])
            record(
                actor=ROBOT,
                verb="bounce",
                target=email,
                detail=reason[:500],
            )
        _contacts_undeliverable(address, reason, now)
    return email


def outbox_flush(*, now: datetime.datetime | None = None) -> int:
    """Queue the send task again for every email due now, and settle the emails a crashed
    sender left "sending" (see `email_send`): sent when the SMTP server had accepted them,
    back in the queue otherwise. Returns how many were queued.

    For a worker restarted after an outage, or a task backend that cannot defer retries.
    """
    now = now or timezone.now()
    with transaction.atomic():
        stale = list(
            OutboundEmail.objects.filter(
                status=OutboundStatus.SENDING, claimed_at__lt=now - outbox.STALE_CLAIM
            )
        )
        for email in stale:
            if email.accepted_at is not None:  # it left: finish it, never send it again
                _email_sent(email, recovered=True)
                continue
            OutboundEmail.objects.filter(
                pk=email.pk, status=OutboundStatus.SENDING, accepted_at__isnull=True
            ).update(status=OutboundStatus.QUEUED, next_attempt_at=now, claimed_at=None)
            record(actor=ROBOT, verb="unclaim", target=email)
        due = list(OutboundEmail.objects.due(now).order_by("pk").values_list("pk", flat=True))
        for pk in due:
            _enqueue_on_commit(pk)
    return len(due)


def _enqueue_on_commit(email_id: int) -> None:
    if tasks_share_the_database():
        outbox.enqueue_send(email_id)
    else:
        transaction.on_commit(lambda: outbox.enqueue_send(email_id))


def _email_retry_later(email: OutboundEmail, error: str) -> None:
    next_attempt_at = timezone.now() + outbox.backoff(email.attempts)
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=email.pk, status=OutboundStatus.SENDING).update(
            status=OutboundStatus.QUEUED,
            last_error=error,
            next_attempt_at=next_attempt_at,
            claimed_at=None,
        )
        record(
            actor=ROBOT,
            verb="send-retry",
            target=email,
            payload={
                "attempts": email.attempts,
                "next": next_attempt_at.isoformat(),
            },
            detail=error[:500],
        )
        _enqueue_after_commit(email.pk, next_attempt_at)


def _enqueue_after_commit(email_id: int, run_after: datetime.datetime) -> None:
    if tasks_share_the_database():
        outbox.enqueue_send(email_id, run_after=run_after)
    else:
        transaction.on_commit(lambda: outbox.enqueue_send(email_id, run_after=run_after))


def _email_failed(email: OutboundEmail, error: str) -> None:
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=email.pk, status=OutboundStatus.SENDING).update(
            status=OutboundStatus.FAILED, last_error=error, claimed_at=None, next_attempt_at=None
        )
        record(
            actor=ROBOT,
            verb="send-failed",
            target=email,
            payload={"attempts": email.attempts},
            detail=error[:500],
        )
        if email.contact_id is not None:
            Contact.objects.filter(pk=email.contact_id).update(
                email_problem=_("Sending failed after %(attempts)s attempt(s): %(error)s")
                % {"attempts": email.attempts, "error": error}
            )


def _contacts_undeliverable(address: str, reason: str, now: datetime.datetime) -> None:
    contacts = list(Contact.objects.filter(email__iexact=address))
    for contact in contacts:
        contact.email_undeliverable_at = now
        contact.email_problem = reason[:2000]
        contact.save(update_fields=["email_undeliverable_at", "email_problem"])
        record(
            actor=ROBOT,
            verb="email-undeliverable",
            target=contact,
            detail=reason[:500],
        )

"""Every write of mail: inbound (storing a message, handing it over, quarantining it)
and outbound (the outbox, at the end of this module).

A message is stored and handed to the handler (see `intake`) in one transaction,
so that the IMAP side marks it processed on the server only once both are
committed. The raw bytes are always kept (except above the size limit), so that
a quarantined message can be processed again once its cause is fixed.
"""

from __future__ import annotations

import datetime
import hashlib
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
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from levier.contacts.models import Contact
from levier.core.mail import tasks_share_the_database
from levier.journal.services import Actor, as_actor, record, target_key

from . import outbox
from .intake import Quarantine
from .models import (
    InboundMail,
    InboundStatus,
    Mailbox,
    OutboundAttachment,
    OutboundEmail,
    OutboundStatus,
)
from .parsing import MEGABYTE, MailTooLarge, ParsedMail, parse_message

logger = logging.getLogger(__name__)

ROBOT = Actor.robot("mail")


HEADER_BREAKS = re.compile(r"[\r\n\t ]+")


class CannotReprocess(Exception):
    """The message cannot go through the handler again; the message says why."""


def megabytes(size: int) -> str:
    value = size / MEGABYTE
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")


def too_large_reason(size: int, *, kept_where: str) -> str:
    limit = settings.LEVIER_MAIL_MAX_BYTES
    return (
        f"Message de {megabytes(size)} Mo, au-delà de la limite de {megabytes(limit)} Mo : "
        f"{kept_where}"
    )


def store_and_process(
    *,
    raw: bytes,
    mailbox: Mailbox | None = None,
    uidvalidity: int | None = None,
    uid: int | None = None,
) -> InboundMail:
    """Store one inbound message and hand it over, once: a message already stored is returned as is.

    A message is the same when it has the same mailbox, UIDVALIDITY and UID (IMAP), or,
    imported from a file (no mailbox), the same bytes.
    """
    sha256 = hashlib.sha256(raw).hexdigest()
    with transaction.atomic():
        existing = _existing(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid, sha256=sha256)
        if existing is not None:
            return existing
        try:
            parsed = parse_message(raw)
        except MailTooLarge:
            kept_where = "non importé ; le fichier d'origine n'est pas conservé par levier."
            return _store_quarantined(
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                uid=uid,
                sha256=sha256,
                size=len(raw),
                parsed=None,
                reason=too_large_reason(len(raw), kept_where=kept_where),
            )
        try:
            with transaction.atomic():  # a concurrent worker may have stored it meanwhile
                inbound = InboundMail.objects.create(
                    **_identity(mailbox, uidvalidity, uid, sha256),
                    **_summary(parsed),
                    raw=raw,
                    size=len(raw),
                )
        except IntegrityError:
            found = _existing(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid, sha256=sha256)
            if found is None:
                raise
            return found
        if parsed.automatic:
            for address in parsed.bounced_addresses:
                email_record_bounce(address=address, reason=_automatic_reason(parsed))
            _settle(
                inbound,
                status=InboundStatus.IGNORED,
                reason=_automatic_reason(parsed),
                actor=ROBOT,
            )
        else:
            _hand_over(inbound, parsed, actor=ROBOT)
    return inbound


def quarantine_oversized(
    *, mailbox: Mailbox, uidvalidity: int, uid: int, size: int, headers: bytes = b""
) -> InboundMail:
    """Record a message left on the IMAP server because it is too large to download."""
    with transaction.atomic():
        existing = _existing(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid, sha256="")
        if existing is not None:
            return existing
        folder = settings.LEVIER_MAIL_QUARANTINE_FOLDER
        return _store_quarantined(
            mailbox=mailbox,
            uidvalidity=uidvalidity,
            uid=uid,
            sha256="",
            size=size,
            parsed=parse_message(headers[: settings.LEVIER_MAIL_MAX_BYTES]),
            reason=too_large_reason(size, kept_where=f"laissé dans le dossier {folder} du serveur"),
        )


def reprocess(*, inbound: InboundMail, actor) -> InboundMail:
    """Hand a quarantined (or wrongly ignored) message to the handler again, for an administrator."""
    with transaction.atomic():
        inbound = InboundMail.objects.select_for_update().get(pk=inbound.pk)
        if inbound.status not in {InboundStatus.QUARANTINED, InboundStatus.IGNORED}:
            raise CannotReprocess(
                _(
                    "Message %(id)s is “%(status)s”: only quarantined or ignored messages can be processed again."
                )
                % {"id": inbound.pk, "status": inbound.get_status_display()}
            )
        if inbound.raw is None:
            raise CannotReprocess(
                _(
                    "Message %(id)s was too large to be downloaded: it is still on the mail server, handle it there."
                )
                % {"id": inbound.pk}
            )
        try:
            parsed = parse_message(bytes(inbound.raw))
        except MailTooLarge:
            raise CannotReprocess(
                _("Message %(id)s is larger than the current size limit (LEVIER_MAIL_MAX_BYTES).")
                % {"id": inbound.pk}
            ) from None
        _hand_over(inbound, parsed, actor=as_actor(actor))
    return inbound


def mailbox_record_fetch(*, mailbox: Mailbox, error: str = "") -> None:
    """Note the outcome of a fetch; the journal gets the changes (failing, working again), not every run."""
    previous = Mailbox.objects.filter(pk=mailbox.pk).values_list("last_error", flat=True).first()
    mailbox.last_error = error
    fields = ["last_error"]
    if not error:
        mailbox.last_fetched_at = timezone.now()
        fields.append("last_fetched_at")
    mailbox.save(update_fields=fields)
    if (previous or "") != error:
        record(
            actor=ROBOT,
            verb="fetch-failed" if error else "fetch-recovered",
            target=mailbox,
            detail=error,
        )


# Helpers ---------------------------------------------------------------------


def _existing(
    *, mailbox: Mailbox | None, uidvalidity: int | None, uid: int | None, sha256: str
) -> InboundMail | None:
    if mailbox is not None:
        if uid is None:
            return None
        rows = InboundMail.objects.filter(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid)
    else:
        rows = InboundMail.objects.filter(mailbox__isnull=True, sha256=sha256)
    return rows.first()


def _identity(
    mailbox: Mailbox | None, uidvalidity: int | None, uid: int | None, sha256: str
) -> dict[str, Any]:
    return {
        "mailbox": mailbox,
        "uidvalidity": uidvalidity,
        "uid": uid,
        "sha256": sha256,
        "received_at": timezone.now(),
    }


def _summary(parsed: ParsedMail | None) -> dict[str, Any]:
    if parsed is None:
        return {}
    return {
        "message_id": parsed.message_id[:255],
        "from_address": parsed.from_address[:254],
        "subject": parsed.subject[:255],
    }


def _store_quarantined(
    *,
    mailbox: Mailbox | None,
    uidvalidity: int | None,
    uid: int | None,
    sha256: str,
    size: int,
    parsed: ParsedMail | None,
    reason: str,
) -> InboundMail:
    inbound = InboundMail.objects.create(
        **_identity(mailbox, uidvalidity, uid, sha256), **_summary(parsed), raw=None, size=size
    )
    _settle(inbound, status=InboundStatus.QUARANTINED, reason=reason, actor=ROBOT)
    return inbound


def _automatic_reason(parsed: ParsedMail) -> str:
    if parsed.bounced_addresses:
        return f"{parsed.automatic} ; adresses en échec : {', '.join(parsed.bounced_addresses)}"
    return parsed.automatic


def _hand_over(inbound: InboundMail, parsed: ParsedMail, *, actor: Actor) -> None:
    """Call the handler in a savepoint: whatever it does, the message stays stored."""
    inbound.attempts += 1
    try:
        with transaction.atomic():
            handler = import_string(settings.LEVIER_INBOUND_MAIL_HANDLER)
            reference = handler(inbound=inbound, parsed=parsed)
    except Quarantine as quarantine:
        _settle(inbound, status=InboundStatus.QUARANTINED, reason=quarantine.reason, actor=actor)
    except Exception as error:
        logger.exception("inbound mail handler failed on message %s", inbound.pk)
        reason = f"Erreur interne : {type(error).__name__} : {error}"
        _settle(inbound, status=InboundStatus.QUARANTINED, reason=reason[:2000], actor=actor)
    else:
        _settle(
            inbound,
            status=InboundStatus.PROCESSED,
            reason="",
            reference=str(reference or ""),
            actor=actor,
        )


def _settle(
    inbound: InboundMail, *, status: str, reason: str, actor: Actor, reference: str = ""
) -> None:
    """Save the outcome and journal it: a processed message is an email taken in, anything
    else a message set aside."""
    inbound.status = status
    inbound.reason = reason.replace("\x00", "")
    inbound.result_reference = reference[:100]
    inbound.processed_at = timezone.now()
    inbound.save(update_fields=["status", "reason", "result_reference", "processed_at", "attempts"])
    processed = status == InboundStatus.PROCESSED
    record(
        actor=actor,
        verb={
            InboundStatus.PROCESSED: "receive",
            InboundStatus.IGNORED: "ignore",
        }.get(status, "quarantine"),
        target=inbound,
        activity="receive-email" if processed else "quarantine-message",
        payload={
            "mailbox": inbound.mailbox_id,
            "message_id": inbound.message_id,
            "size": inbound.size,
            "status": status,
            "reference": inbound.result_reference,
        },
        detail=inbound.reason,
    )


# Outbound mail: the outbox ------------------------------------------------------
#
# Every email is a row (OutboundEmail) before any attempt to send it, with its
# Message-ID fixed; the task `send_outbound_email` sends it (see `email_send`).


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


def email_resend(*, email: OutboundEmail, actor) -> OutboundEmail:
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

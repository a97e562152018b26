"""Every write of inbound mail: storing a message, handing it over, quarantining it.

A message is stored and handed to the handler (see `intake`) in one transaction,
so that the IMAP side marks it processed on the server only once both are
committed. The raw bytes are always kept (except above the size limit), so that
a quarantined message can be processed again once its cause is fixed.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from levier.journal.services import Actor, as_actor, record

from ..intake import Quarantine
from ..models import InboundMail, InboundStatus, Mailbox
from ..parsing import MEGABYTE, MailTooLarge, ParsedMail, parse_message
from .outbound import ROBOT, email_record_bounce

logger = logging.getLogger(__name__)

# The journal's verb for a message's outcome; any other status is a quarantine.
SETTLED_VERBS: dict[str, str] = {
    InboundStatus.PROCESSED: "receive",
    InboundStatus.IGNORED: "ignore",
}


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


def reprocess(*, inbound: InboundMail, actor: Any) -> InboundMail:
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
        verb=SETTLED_VERBS.get(status, "quarantine"),
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

"""The outbox's mechanics: Message-IDs, backoff, building and sending one email over SMTP.

Every write (queueing, claiming, marking sent or failed, resending, bounces) is a
service in `services/outbound.py`; this module holds what those services need and
writes nothing.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Callable
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from .models import OutboundEmail

logger = logging.getLogger(__name__)

# Delay before the 1st, 2nd, 3rd… retry; the last one repeats.
BACKOFF = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
]
# A claim older than this is a sender that crashed (SMTP timeout is seconds, not minutes).
STALE_CLAIM = datetime.timedelta(minutes=15)


class PermanentFailure(Exception):
    """The SMTP server refused the email for good (5xx): retrying would not help."""


def mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2].strip() or "levier.localhost"


def new_message_id() -> str:
    return make_msgid(domain=mail_domain())


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed attempt (1 → 1 min, 2 → 5 min, …)."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def enqueue_send(email_id: int, *, run_after: datetime.datetime | None = None) -> None:
    """Queue the send task; a backend that cannot defer leaves retries to `mail flush-outbox`."""
    from .tasks import send_outbound_email

    task = send_outbound_email
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    task.enqueue(email_id)


def build_message(email: OutboundEmail, connection=None) -> EmailMultiAlternatives:
    headers = {**email.headers, "Message-ID": email.message_id}
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers=headers,
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments.all():
        with attachment.file.open("rb") as stored:
            message.attach(attachment.filename, stored.read(), attachment.content_type)
    return message


def deliver(email: OutboundEmail, *, on_accepted: Callable[[], None] | None = None) -> None:
    """Hand the email to the SMTP server; raise PermanentFailure on a 5xx refusal, and
    smtplib/OSError on anything worth retrying (server down, timeout, 4xx).

    `on_accepted` runs as soon as the server has accepted the message (its reply to
    DATA), before the connection is closed: the window in which a crash leaves an
    accepted email unrecorded is as short as one database write. Once accepted, a
    failure to close the connection is only logged: the email has left.
    """
    connection = get_connection(fail_silently=False)
    message = build_message(email, connection)
    try:
        try:
            connection.open()
            message.send(fail_silently=False)  # on an open connection: left open
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(describe(error)) from error
            raise
        except smtplib.SMTPResponseException as error:
            # A refused login is a configuration to fix, not this email's fault: retried.
            if error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPAuthenticationError):
                raise PermanentFailure(describe(error)) from error
            raise
        if on_accepted is not None:
            on_accepted()
    finally:
        _close_quietly(connection, email)


def _close_quietly(connection, email: OutboundEmail) -> None:
    try:
        connection.close()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("outbound email %s: closing the SMTP connection failed: %s", email.pk, error)


def describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {message.decode('utf-8', 'replace') if isinstance(message, bytes) else message}"
            for address, (code, message) in error.recipients.items()
        )[:2000]
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
        return f"{error.smtp_code} {text}"[:2000]
    return f"{type(error).__name__}: {error}"[:2000]

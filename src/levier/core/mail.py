"""Outgoing email: always through the task queue, after the transaction commits."""

from __future__ import annotations

from django.db import transaction

from .tasks import send_email


def send_email_later(*, to: list[str], subject: str, body: str, message_id: str = "") -> None:
    """Queue an email; if the transaction rolls back, nothing is sent.

    `message_id` fixes the email's Message-ID, so that a reply to it can be threaded.
    """
    recipients = [address for address in to if address]
    if not recipients:
        return
    transaction.on_commit(
        lambda: send_email.enqueue(
            to=recipients, subject=subject, body=body, message_id=message_id
        )
    )

"""Outgoing email: always through the task queue, and only if the transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from .tasks import send_email

DATABASE_TASKS = "django_tasks_db.DatabaseBackend"


def tasks_share_the_database() -> bool:
    return settings.TASKS.get("default", {}).get("BACKEND") == DATABASE_TASKS


def send_email_later(*, to: list[str], subject: str, body: str, message_id: str = "") -> None:
    """Queue an email; if the transaction rolls back, nothing is sent.

    With the database task backend the task row is written in the same transaction as
    the data (it commits or rolls back with it, and a crash right after the commit
    cannot lose it); with another backend it is queued once the transaction commits.
    `message_id` fixes the email's Message-ID, so that a reply to it can be threaded.
    """
    recipients = [address for address in to if address]
    if not recipients:
        return

    def enqueue() -> None:
        send_email.enqueue(to=recipients, subject=subject, body=body, message_id=message_id)

    if tasks_share_the_database():
        enqueue()
    else:
        transaction.on_commit(enqueue)

"""Outgoing email goes through the outbox (`levier.mailing.services.email_queue`).

What stays here is the question the outbox and others ask of the task backend.
"""

from __future__ import annotations

from django.conf import settings

DATABASE_TASKS = "django_tasks_db.DatabaseBackend"


def tasks_share_the_database() -> bool:
    """True when tasks are rows of the data's database: enqueueing inside a transaction
    then commits or rolls back with the data."""
    return settings.TASKS.get("default", {}).get("BACKEND") == DATABASE_TASKS

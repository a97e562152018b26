from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from levier.journal.services import Actor, record

from .models import Agent, Notification


def notification_create(
    *, agent: Agent, text: str, url: str, actor: Agent | Actor | None = None
) -> Notification:
    """Notify an agent (an @mention, an assignment)."""
    with transaction.atomic():
        notification = Notification.objects.create(agent=agent, text=text[:300], url=url)
        # The text names the enquiry's subject: it stays in the notification, not the journal.
        record(
            actor=actor or Actor.system(),
            verb="notify",
            target=agent,
            payload={"notification": notification.pk},
        )
    return notification


def notification_mark_read(*, agent: Agent, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


class WorkerLost(Exception):
    """Recorded on a task row whose worker died before the task finished."""


def task_results_recover_stale(*, now: datetime.datetime | None = None) -> int:
    """Mark failed the task rows left "running" by a worker that died (killed, out of
    memory, machine lost) longer than LEVIER_TASKS_STALE_AFTER_MINUTES ago; journal each.

    They are not run again: a task that killed its worker would kill the next one too,
    and the work they carry has its own recovery (the outbox queues its emails again,
    `levier watch` schedules again). Returns how many rows were recovered.
    """
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    window = datetime.timedelta(minutes=settings.LEVIER_TASKS_STALE_AFTER_MINUTES)
    reason = (
        f"The worker running this task stopped before it finished (no result {window} after "
        "it started): marked failed by levier watch."
    )
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    stale = running.filter(started_at__lt=now - window)
    recovered = 0
    for row in stale.only("id", "task_path", "started_at", "worker_ids"):
        with transaction.atomic():
            updated = running.filter(pk=row.pk).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=reason,
            )
            if updated:
                recovered += 1
                record(
                    actor=Actor.system(),
                    verb="task-abandoned",
                    target=("django_tasks_db.dbtaskresult", str(row.pk)),
                    payload={
                        "task": row.task_path,
                        "started_at": row.started_at.isoformat(),
                        "workers": row.worker_ids,
                    },
                )
    return recovered

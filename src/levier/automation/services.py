"""Writes of automation: queue a run for an event, run it, sweep the lost ones.

The guarantee, written down: every automation runs at least once for each event it
reacts to, and has its effect once.
- The receiver writes an `AutomationRun` row (unique per automation and event) and its
  task; with the database task backend both are in one transaction.
- The only window left is the one between the event's commit and the receiver (a
  process killed right after commit). `automation_sweep`, a step of `levier watch`,
  closes it: it finds the events of the automations' verbs, older than a grace period
  and younger than LEVIER_AUTOMATION_SWEEP_HOURS, with no run row, and queues them;
  it also queues again the runs still "queued" after LEVIER_TASKS_STALE_AFTER_MINUTES
  (a task row lost with a worker).
- Running twice is harmless: a run marked done is not run again, and each handler is
  idempotent (emails carry the dedupe key "event:<id>:<purpose>").
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.module_loading import import_string

from levier.core.mail import tasks_share_the_database
from levier.journal.models import Event
from levier.journal.services import Actor, record

from . import registry
from .models import AutomationRun, RunStatus

logger = logging.getLogger(__name__)

# An event younger than this is left to its receiver, which runs right after the commit.
SWEEP_GRACE = datetime.timedelta(minutes=2)
SWEEP_BATCH = 500
ROBOT = Actor.robot("automation")


def automation_run_enqueue(*, automation: str, event_id: int) -> AutomationRun:
    """Record a run of `automation` for the event and queue its task, once per event."""
    with transaction.atomic():
        run, created = AutomationRun.objects.get_or_create(automation=automation, event_id=event_id)
        if created:
            _enqueue(automation, event_id)
    return run


def _enqueue(automation: str, event_id: int) -> None:
    from .tasks import run_automation

    if tasks_share_the_database():  # the task row commits with the run row
        run_automation.enqueue(automation, event_id)
    else:
        transaction.on_commit(lambda: run_automation.enqueue(automation, event_id))


def automation_run(*, automation: str, event_id: int) -> str:
    """The task's work: run the automation's handler for the event, unless already done.

    An atomic automation writes its effect and "done" in one transaction; the others
    are idempotent on their own. A failure is kept on the run (shown on the page) and
    logged; the task itself succeeds, so a broken handler is not retried in a loop.
    """
    spec = registry.get(automation)
    event = Event.objects.filter(pk=event_id).first()
    run, _created = AutomationRun.objects.get_or_create(automation=automation, event_id=event_id)
    if run.status == RunStatus.DONE:
        return "already done"
    if event is None:
        return "no such event"
    handler = import_string(spec.handler)
    try:
        if spec.atomic:
            with transaction.atomic():
                # Locks the run: a concurrent run of the same event waits, then sees it done.
                locked = AutomationRun.objects.select_for_update().get(pk=run.pk)
                if locked.status == RunStatus.DONE:
                    return "already done"
                handler(event=event)
                _mark(run, RunStatus.DONE)
        else:
            handler(event=event)
            _mark(run, RunStatus.DONE)
    except Exception as error:
        logger.exception("automation %s failed on event %s", automation, event_id)
        _mark(run, RunStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
        # The journal keeps identifiers only: the message (maybe personal) stays on the run.
        record(
            actor=ROBOT,
            verb="automation-failed",
            target=(event.target_type, event.target_id),
            payload={"automation": automation, "event": event_id, "error": type(error).__name__},
        )
        return "failed"
    return "done"


def _mark(run: AutomationRun, status: str, *, error: str = "") -> None:
    AutomationRun.objects.filter(pk=run.pk).update(
        status=status, error=error, attempts=F("attempts") + 1, finished_at=timezone.now()
    )


def automation_sweep(*, now: datetime.datetime | None = None) -> int:
    """Queue the events the receivers lost, and the runs whose task was lost; how many."""
    now = now or timezone.now()
    window_start = now - datetime.timedelta(hours=settings.LEVIER_AUTOMATION_SWEEP_HOURS)
    stale_before = now - datetime.timedelta(minutes=settings.LEVIER_TASKS_STALE_AFTER_MINUTES)
    queued = 0
    for automation in registry.event_automations():
        if not automation.enabled():
            continue
        since = max(
            window_start,
            timezone.make_aware(
                datetime.datetime.combine(automation.switched_on, datetime.time.min)
            ),
        )
        lost = (
            Event.objects.filter(
                target_type=automation.target_type,
                verb__in=automation.verbs,
                occurred_at__gte=since,
                occurred_at__lt=now - SWEEP_GRACE,
            )
            .exclude(
                Exists(
                    AutomationRun.objects.filter(
                        automation=automation.code, event_id=OuterRef("pk")
                    )
                )
            )
            .order_by("occurred_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        for event_id in lost:
            with transaction.atomic():
                automation_run_enqueue(automation=automation.code, event_id=event_id)
                record(
                    actor=ROBOT,
                    verb="automation-recover",
                    target=("journal.event", event_id),
                    payload={"automation": automation.code, "why": "not queued"},
                )
            queued += 1
        stuck = AutomationRun.objects.filter(
            automation=automation.code, status=RunStatus.QUEUED, queued_at__lt=stale_before
        ).values_list("pk", "event_id")[:SWEEP_BATCH]
        for pk, event_id in stuck:
            with transaction.atomic():
                AutomationRun.objects.filter(pk=pk).update(queued_at=now)
                _enqueue(automation.code, event_id)
                record(
                    actor=ROBOT,
                    verb="automation-recover",
                    target=("journal.event", event_id),
                    payload={"automation": automation.code, "why": "task lost"},
                )
            queued += 1
    return queued

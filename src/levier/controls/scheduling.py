"""The scheduled scoring: `levier watch` asks, each round, which procedures are due."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import AnomalyModel
from .tasks import score_procedure


def enqueue_due_scorings(now: datetime.datetime | None = None) -> int:
    """Queue the scoring of each active model not run for LEVIER_CONTROLS_SCORE_EVERY_HOURS.

    The run time is set when queuing, so the next rounds do not queue it again while the
    worker scores (the scoring sets it again when it finishes).
    """
    now = now or timezone.now()
    due_before = now - datetime.timedelta(hours=settings.LEVIER_CONTROLS_SCORE_EVERY_HOURS)
    due = AnomalyModel.objects.filter(active=True).filter(
        Q(last_run_at__isnull=True) | Q(last_run_at__lt=due_before)
    )
    queued = 0
    for model in due:
        if AnomalyModel.objects.filter(pk=model.pk, last_run_at=model.last_run_at).update(
            last_run_at=now
        ):
            score_procedure.enqueue(model.procedure_id)
            queued += 1
    return queued

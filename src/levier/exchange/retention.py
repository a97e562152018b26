"""Retention of refused API calls: `api_rejections_purge` (which journals its own purge)
run by `levier purge` after LEVIER_RETENTION_REFUSED_API_DAYS."""

from __future__ import annotations

import datetime

from django.db import models

from levier.journal.retention import Purger, register

from .models import RejectedRequest
from .services import api_rejections_purge


def refused_calls_past_retention(before: datetime.datetime) -> models.QuerySet:
    return RejectedRequest.objects.filter(last_received_at__lt=before)


def refused_calls_purge(_rows: models.QuerySet) -> int:
    # The same cutoff (start of the day, same setting), journaled by the service itself.
    return api_rejections_purge()


def register_purgers() -> None:
    register(
        Purger(
            kind="exchange.rejectedrequest",
            days_setting="LEVIER_RETENTION_REFUSED_API_DAYS",
            select=refused_calls_past_retention,
            purge=refused_calls_purge,
            journals_itself=True,
        )
    )

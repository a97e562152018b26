"""Retention of closed cases (LEVIER_RETENTION_CLOSED_CASES_DAYS after the decision).

A purged case keeps its row, reference, procedure, team, status and dates (the journal's
events and the statistics point to them) and loses what is personal: its declared data,
the reason given to the usager, its internal comments, its supporting documents (files
and rows, with what the document checks read from them) and its search text. The contact
stays: it may have other cases or enquiries.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models.functions import Lower

from levier.journal.retention import Purger, delete_files, register

from .models import Case, Comment, SupportingDocument
from .services import FINAL_STATUSES


def closed_cases_past_retention(before: datetime.datetime) -> models.QuerySet:
    """Decided before `before` and still holding personal data (a purge is not repeated)."""
    holding = (
        ~models.Q(data={})
        | ~models.Q(status_reason="")
        | models.Q(documents__isnull=False)
        | models.Q(comments__isnull=False)
    )
    return (
        Case.objects.filter(status__in=FINAL_STATUSES, decided_at__lt=before)
        .filter(holding)
        .distinct()
    )


def closed_cases_purge(cases: models.QuerySet) -> int:
    ids = list(cases.values_list("pk", flat=True))
    documents = SupportingDocument.objects.filter(case_id__in=ids)
    delete_files(documents)
    documents.delete()
    Comment.objects.filter(case_id__in=ids).delete()
    Case.objects.filter(pk__in=ids).update(
        data={}, status_reason="", search_text=Lower("reference"), verification_digest=""
    )
    return len(ids)


def register_purgers() -> None:
    register(
        Purger(
            kind="cases.case",
            days_setting="LEVIER_RETENTION_CLOSED_CASES_DAYS",
            select=closed_cases_past_retention,
            purge=closed_cases_purge,
        )
    )

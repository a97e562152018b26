"""Retention of the documents generated for closed cases (decisions, letters): their files
and rows go with the case's personal data, after LEVIER_RETENTION_CLOSED_CASES_DAYS."""

from __future__ import annotations

import datetime

from django.db import models

from levier.cases.services import FINAL_STATUSES
from levier.journal.retention import Purger, delete_files, register

from .models import GeneratedDocument


def generated_documents_past_retention(before: datetime.datetime) -> models.QuerySet:
    return GeneratedDocument.objects.filter(
        case__status__in=FINAL_STATUSES, case__decided_at__lt=before
    )


def generated_documents_purge(documents: models.QuerySet) -> int:
    ids = list(documents.values_list("pk", flat=True))
    rows = GeneratedDocument.objects.filter(pk__in=ids)
    delete_files(rows)
    rows.delete()
    return len(ids)


def register_purgers() -> None:
    register(
        Purger(
            kind="documents.generateddocument",
            days_setting="LEVIER_RETENTION_CLOSED_CASES_DAYS",
            select=generated_documents_past_retention,
            purge=generated_documents_purge,
        )
    )

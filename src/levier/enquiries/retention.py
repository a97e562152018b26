"""Retention of closed enquiries (LEVIER_RETENTION_CLOSED_ENQUIRIES_DAYS after closing).

A purged enquiry keeps its row, reference, channel, topic, team and dates (for the journal
and the statistics); its subject, its messages' text and their attachments (files and
rows) are removed. The contact stays: it may have other enquiries or cases.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models.functions import Lower

from levier.journal.retention import Purger, delete_files, register

from .models import Attachment, Enquiry, EnquiryStatus, Message


def closed_enquiries_past_retention(before: datetime.datetime) -> models.QuerySet:
    holding = (
        ~models.Q(subject="")
        | ~models.Q(messages__body="")
        | models.Q(messages__attachments__isnull=False)
    )
    return (
        Enquiry.objects.filter(status=EnquiryStatus.CLOSED, closed_at__lt=before)
        .filter(holding)
        .distinct()
    )


def closed_enquiries_purge(enquiries: models.QuerySet) -> int:
    ids = list(enquiries.values_list("pk", flat=True))
    attachments = Attachment.objects.filter(message__enquiry_id__in=ids)
    delete_files(attachments)
    attachments.delete()
    Message.objects.filter(enquiry_id__in=ids).update(body="", quoted_text="", entities=[])
    Enquiry.objects.filter(pk__in=ids).update(
        subject="", search_text=Lower("reference"), verification_digest=""
    )
    return len(ids)


def register_purgers() -> None:
    register(
        Purger(
            kind="enquiries.enquiry",
            days_setting="LEVIER_RETENTION_CLOSED_ENQUIRIES_DAYS",
            select=closed_enquiries_past_retention,
            purge=closed_enquiries_purge,
        )
    )

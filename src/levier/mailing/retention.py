"""Retention of inbound mail: the raw message, its sender and subject are removed after
LEVIER_RETENTION_INBOUND_MAIL_DAYS (LEVIER_RETENTION_QUARANTINE_DAYS for quarantined mail).

The row stays, with its Message-ID, IMAP uid and digest: they keep a message still on
the server from being fetched again, and the journal's events point to the row.
"""

from __future__ import annotations

import datetime

from django.db import models

from levier.journal.retention import Purger, register

from .models import InboundMail, InboundStatus

SETTLED = [InboundStatus.PROCESSED, InboundStatus.IGNORED]


def _holding() -> models.Q:
    return models.Q(raw__isnull=False) | ~models.Q(from_address="") | ~models.Q(subject="")


def inbound_mail_past_retention(before: datetime.datetime) -> models.QuerySet:
    return InboundMail.objects.filter(status__in=SETTLED, received_at__lt=before).filter(_holding())


def quarantined_mail_past_retention(before: datetime.datetime) -> models.QuerySet:
    return InboundMail.objects.filter(
        status=InboundStatus.QUARANTINED, received_at__lt=before
    ).filter(_holding())


def inbound_mail_purge(mails: models.QuerySet) -> int:
    ids = list(mails.values_list("pk", flat=True))
    return InboundMail.objects.filter(pk__in=ids).update(
        raw=None, from_address="", subject="", reason=""
    )


def register_purgers() -> None:
    register(
        Purger(
            kind="mailing.inboundmail",
            days_setting="LEVIER_RETENTION_INBOUND_MAIL_DAYS",
            select=inbound_mail_past_retention,
            purge=inbound_mail_purge,
        )
    )
    register(
        Purger(
            kind="mailing.inboundmail.quarantined",
            days_setting="LEVIER_RETENTION_QUARANTINE_DAYS",
            select=quarantined_mail_past_retention,
            purge=inbound_mail_purge,
        )
    )

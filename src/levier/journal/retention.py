"""Retention (RGPD): each kind of personal data is kept a set number of days, then purged.

The journal owns the machinery and `levier purge`; each app owns the purge of its own rows
and registers it here from its AppConfig.ready() (the journal imports no app above it).
A purge removes personal data and files but keeps the rows' identifiers, which the
journal's events point to. Each kind purged writes one `purge` event with its count.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .services import Actor, record

ROBOT = Actor.robot("retention")


@dataclass(frozen=True)
class Purger:
    """One kind of data: `select(before)` the rows past retention, `purge(rows)` them.

    `purge` receives the queryset `select` returned and returns how many rows it purged.
    """

    kind: str  # the model label the journal event targets, e.g. "cases.case"
    days_setting: str
    select: Callable[[datetime.datetime], models.QuerySet[Any]]
    purge: Callable[[models.QuerySet[Any]], int]
    journals_itself: bool = False  # an older service that writes its own `purge` event

    @property
    def days(self) -> int:
        return int(getattr(settings, self.days_setting))


_purgers: dict[str, Purger] = {}


def register(purger: Purger) -> None:
    _purgers[purger.kind] = purger


def registered() -> list[Purger]:
    return sorted(_purgers.values(), key=lambda purger: purger.kind)


def cutoff(days: int, *, now: datetime.datetime | None = None) -> datetime.datetime:
    """The start of the day `days` days ago: run every round, a purge acts once a day."""
    today = timezone.localtime(now or timezone.now()).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return today - datetime.timedelta(days=days)


@dataclass(frozen=True)
class PurgeOutcome:
    kind: str
    days: int
    before: datetime.datetime
    count: int


def purge_due(*, dry_run: bool = False, now: datetime.datetime | None = None) -> list[PurgeOutcome]:
    """Purge (or, dry, only count) every registered kind past its retention.

    Each kind in its own transaction, journaled as one `purge` event with its count.
    """
    outcomes = []
    for purger in registered():
        before = cutoff(purger.days, now=now)
        with transaction.atomic():
            rows = purger.select(before)
            if dry_run:
                count = rows.count()
            else:
                count = purger.purge(rows)
                if count and not purger.journals_itself:
                    record(
                        actor=ROBOT,
                        verb="purge",
                        target=(purger.kind, "retention"),
                        automated=True,
                        payload={
                            "count": count,
                            "days": purger.days,
                            "before_date": before.date().isoformat(),
                        },
                    )
        outcomes.append(PurgeOutcome(purger.kind, purger.days, before, count))
    return outcomes


def delete_files(rows: models.QuerySet[Any], field: str = "file") -> None:
    """Delete the stored files of `rows` (their rows are then deleted or kept by the caller)."""
    for stored in rows.exclude(**{field: ""}).values_list(field, flat=True):
        rows.model._meta.get_field(field).storage.delete(stored)


# The journal's own kind: the text shown with events (refusals' reasons, errors).
def _event_details(before: datetime.datetime) -> models.QuerySet[Any]:
    from .models import EventDetail

    return EventDetail.objects.filter(created_at__lt=before)


def _delete(rows: models.QuerySet[Any]) -> int:
    deleted, _by_model = rows.delete()
    return deleted


register(
    Purger(
        kind="journal.eventdetail",
        days_setting="LEVIER_RETENTION_EVENT_DETAILS_DAYS",
        select=_event_details,
        purge=_delete,
    )
)


def purge_summary() -> str:
    """One line for `levier watch`: what each kind's purge removed this round."""
    outcomes = purge_due()
    return "purge: " + ", ".join(f"{outcome.kind} {outcome.count}" for outcome in outcomes)

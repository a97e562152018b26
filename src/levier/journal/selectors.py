from __future__ import annotations

from django.db import models

from .models import Activity, Event
from .services import target_key
from .verbs import PERSONAL_DATA_VERBS


def timeline_for(
    target: models.Model, *, include_reads: bool = False, limit: int = 200
) -> models.QuerySet[Event]:
    """The history of one object, newest first, read from the journal.

    Reads, reveals and exports are left out unless asked for: they are the data
    protection officer's business, not the case's story."""
    target_type, target_id = target_key(target)
    events = Event.objects.for_target(target_type, target_id)
    if not include_reads:
        events = events.exclude(verb__in=list(PERSONAL_DATA_VERBS))
    # The purgeable detail (a refusal's reason) comes in the same query: `event.detail_text`.
    return events.select_related("detail").order_by("-occurred_at", "-id")[:limit]


def activity_for_code(code: str) -> Activity | None:
    """The catalogue's geste with this code, if any."""
    return Activity.objects.filter(code=code).first()

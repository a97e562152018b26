from __future__ import annotations

from django.db import models

from .models import Event
from .services import target_key


def timeline_for(target: models.Model, *, include_reads: bool = False, limit: int = 200):
    """The history of one object, newest first, read from the journal."""
    target_type, target_id = target_key(target)
    events = Event.objects.for_target(target_type, target_id)
    if not include_reads:
        events = events.exclude(verb="read")
    return events.order_by("-occurred_at", "-id")[:limit]

"""The one receiver of the journal's `event_committed`: it only queues tasks, keyed by the
event's id. A failure here never reaches the agent (the event is committed); the sweep
of `levier watch` queues what was lost."""

from __future__ import annotations

import logging
from typing import Any

from levier.journal.models import Event

from . import registry, services

logger = logging.getLogger(__name__)


def on_event_committed(sender: type[Event], event: Event, **kwargs: Any) -> None:
    for automation in registry.reacting_to(event):
        try:
            services.automation_run_enqueue(automation=automation.code, event_id=event.pk)
        except Exception:
            logger.exception(
                "automation %s: event %s not queued (the sweep will)", automation.code, event.pk
            )

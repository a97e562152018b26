"""core's steps of `levier watch` (registered by `levier.automation.schedule.discover`)."""

from __future__ import annotations

import importlib

from django.conf import settings
from django.utils import timezone


def recover_tasks() -> str:
    from .services import task_results_recover_stale

    return f"tasks: {task_results_recover_stale()} abandoned task(s) marked failed"


def clear_expired_sessions() -> str:
    """Django's `clearsessions`, and the expired counters of the shared cache: rows that
    would otherwise stay (sessions) or be deleted only once the cache is full."""
    from django.contrib.sessions.models import Session

    from .attempt_limits import clear_expired_cache_rows

    expired = Session.objects.filter(expire_date__lt=timezone.now()).count()
    engine = importlib.import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    counters = clear_expired_cache_rows()
    return f"sessions: {expired} expired session(s) cleared, {counters} expired counter(s)"


def register_steps(schedule) -> None:
    schedule.register("tasks", every=schedule.EVERY_ROUND, function=recover_tasks)
    schedule.register("sessions", every=schedule.EVERY_ROUND, function=clear_expired_sessions)

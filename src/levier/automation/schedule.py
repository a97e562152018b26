"""The schedule registry: what `levier watch` runs every round, minute, hour or day.

Each app declares its own steps in its `schedule.py` with a function
`register_steps(schedule)` that calls `schedule.register(name, every=..., function=...)`;
`discover()` (at start-up) calls them in the order of INSTALLED_APPS. No app imports
this module: the registry is handed to them.

A step is due when it never ran, or when its next run falls before the next round
(`last start + every <= now + round interval`): with rounds a minute apart, an hourly
step runs on the round closest to the hour. Its last run (start, end, summary, failure)
is kept in `ScheduledStepState`, so `--once` and several watchers share the rhythm.
"""

from __future__ import annotations

import datetime
import importlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from django.apps import apps
from django.utils import timezone

logger = logging.getLogger(__name__)

EVERY_ROUND = datetime.timedelta(0)
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Step:
    name: str
    every: datetime.timedelta
    # Does the work and returns the round line's part, e.g. "outbox: 2 email(s) queued again".
    function: Callable[[], str]


_steps: dict[str, Step] = {}


def register(name: str, *, every: datetime.timedelta, function: Callable[[], str]) -> Step:
    """Add (or replace, by name) a step."""
    step = Step(name=name, every=every, function=function)
    _steps[name] = step
    return step


def unregister(name: str) -> None:
    _steps.pop(name, None)


def steps() -> list[Step]:
    return list(_steps.values())


def discover() -> None:
    """Let every installed app register its steps (`<app>/schedule.py`)."""
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.schedule")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.schedule":
                raise
            continue
        register_steps = getattr(module, "register_steps", None)
        if register_steps is not None:
            register_steps(sys.modules[__name__])


def is_due(
    step: Step,
    *,
    last_started: datetime.datetime | None,
    now: datetime.datetime,
    interval: datetime.timedelta,
) -> bool:
    return last_started is None or last_started + step.every <= now + interval


@dataclass(frozen=True)
class RoundReport:
    parts: list[str]
    ran: list[str]
    failed: list[str]

    @property
    def ok(self) -> bool:
        return not self.failed


def run_round(
    *, interval: datetime.timedelta = MINUTE, now: datetime.datetime | None = None
) -> RoundReport:
    """Run the due steps, each on its own: a failure is logged and the next step runs."""
    from .models import ScheduledStepState

    now = now or timezone.now()
    states = {state.name: state for state in ScheduledStepState.objects.all()}
    parts: list[str] = []
    ran: list[str] = []
    failed: list[str] = []
    for step in steps():
        state = states.get(step.name) or ScheduledStepState(name=step.name)
        if not is_due(step, last_started=state.last_started_at, now=now, interval=interval):
            continue
        state.last_started_at = now
        ran.append(step.name)
        try:
            summary = step.function()
        except Exception as error:
            logger.exception("watch: the %s step failed", step.name)
            summary = f"{step.name}: failed"
            failed.append(step.name)
            state.last_ok = False
            state.last_failed_at = timezone.now()
            state.last_error = f"{type(error).__name__}: {error}"[:2000]
        else:
            state.last_ok = True
        state.last_summary = summary[:300]
        state.last_finished_at = timezone.now()
        state.save()
        parts.append(summary)
    return RoundReport(parts=parts, ran=ran, failed=failed)


def register_steps(schedule: ModuleType) -> None:
    """automation's own step: queue the journal events whose automations were lost."""

    def sweep() -> str:
        from .services import automation_sweep

        return f"automation: {automation_sweep()} lost event(s) queued"

    schedule.register("automation-sweep", every=MINUTE, function=sweep)

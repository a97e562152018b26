"""Reads of automation: each automation's state, runs, failures and gestes, for the
administrators' page. A handful of queries per automation (there are about ten)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django_tasks_db.models import DBTaskResult

from levier.journal.models import Activity, ActorKind, Event

from . import registry
from .models import AutomationRun, RunStatus, ScheduledStepState

RECENT_RUNS = 5
EARLIEST = datetime.datetime.min.replace(tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Geste:
    code: str
    label: str
    family: str


@dataclass(frozen=True)
class Run:
    when: datetime.datetime | None
    ok: bool | None  # None: queued, not run yet
    what: str


@dataclass(frozen=True)
class AutomationOverview:
    code: str
    name: str
    description: str
    enabled: bool
    switched_on: datetime.date
    gestes: list[Geste]
    runs: list[Run] = field(default_factory=list)
    last_failure: Run | None = None
    last_gesture_at: datetime.datetime | None = None


def _event_runs(automation: registry.Automation) -> tuple[list[Run], Run | None]:
    if not automation.reacts_to_events:
        return [], None
    runs = AutomationRun.objects.filter(automation=automation.code)

    def run_of(row: AutomationRun) -> Run:
        ok = None if row.status == RunStatus.QUEUED else row.status == RunStatus.DONE
        return Run(when=row.finished_at or row.queued_at, ok=ok, what=f"#{row.event_id}")

    recent = [run_of(row) for row in runs[:RECENT_RUNS]]
    failed = runs.filter(status=RunStatus.FAILED).first()
    failure = (
        Run(when=failed.finished_at or failed.queued_at, ok=False, what=failed.error)
        if failed
        else None
    )
    return recent, failure


def _task_runs(automation: registry.Automation) -> tuple[list[Run], Run | None]:
    if not automation.task_paths:
        return [], None
    results = DBTaskResult.objects.filter(task_path__in=automation.task_paths).order_by(
        "-enqueued_at"
    )

    def run_of(row: DBTaskResult[Any, Any]) -> Run:
        ok = {"SUCCESSFUL": True, "FAILED": False}.get(row.status)
        return Run(
            when=row.finished_at or row.enqueued_at, ok=ok, what=row.task_path.rsplit(".", 1)[-1]
        )

    recent = [run_of(row) for row in results[:RECENT_RUNS]]
    failed = results.filter(status="FAILED").first()
    failure = (
        Run(
            when=failed.finished_at or failed.enqueued_at,
            ok=False,
            what=failed.exception_class_path.rsplit(".", 1)[-1],
        )
        if failed
        else None
    )
    return recent, failure


def _step_runs(
    automation: registry.Automation, states: dict[str, ScheduledStepState]
) -> tuple[list[Run], Run | None]:
    recent, failures = [], []
    for name in automation.steps:
        state = states.get(name)
        if state is None:
            continue
        if state.last_started_at:
            recent.append(
                Run(when=state.last_finished_at, ok=state.last_ok, what=state.last_summary)
            )
        if state.last_failed_at:
            failures.append(
                Run(when=state.last_failed_at, ok=False, what=f"{name}: {state.last_error}")
            )
    return recent, max(failures, key=_when, default=None)


def _when(run: Run) -> datetime.datetime:
    return run.when or EARLIEST


def _latest(*failures: Run | None) -> Run | None:
    known = [failure for failure in failures if failure is not None and failure.when]
    return max(known, key=_when, default=None)


def automations_overview() -> list[AutomationOverview]:
    """Every automation of the registry, with its runs, last failure and gestes."""
    codes = {code for automation in registry.AUTOMATIONS for code in automation.gestes}
    activities = {a.code: a for a in Activity.objects.filter(code__in=codes)}
    states = {state.name: state for state in ScheduledStepState.objects.all()}
    overview = []
    for automation in registry.AUTOMATIONS:
        event_runs, event_failure = _event_runs(automation)
        task_runs, task_failure = _task_runs(automation)
        step_runs, step_failure = _step_runs(automation, states)
        runs = sorted(
            event_runs + task_runs + step_runs,
            key=_when,
            reverse=True,
        )[:RECENT_RUNS]
        last_gesture = (
            Event.objects.filter(actor_kind=ActorKind.ROBOT, actor_id__in=automation.robots)
            .filter(Q(activity_code__in=automation.gestes))
            .order_by("-occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
            if automation.robots
            else None
        )
        gestes = [
            Geste(code=code, label=activities[code].label, family=activities[code].family)
            if code in activities
            else Geste(code=code, label=code, family="")
            for code in automation.gestes
        ]
        overview.append(
            AutomationOverview(
                code=automation.code,
                name=str(automation.name),
                description=str(automation.description),
                enabled=automation.enabled(),
                switched_on=automation.switched_on,
                gestes=gestes,
                runs=runs,
                last_failure=_latest(event_failure, task_failure, step_failure),
                last_gesture_at=last_gesture,
            )
        )
    return overview

"""The schedule registry: each app's steps, run when due and skipped otherwise."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from levier.automation import schedule
from levier.automation.models import ScheduledStepState

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls():
    made: list[str] = []
    schedule.register("test-hourly", every=schedule.HOUR, function=lambda: made.append("h") or "h")
    schedule.register(
        "test-round", every=schedule.EVERY_ROUND, function=lambda: made.append("r") or "r"
    )
    yield made
    schedule.unregister("test-hourly")
    schedule.unregister("test-round")


def test_every_app_registers_its_own_steps():
    names = [step.name for step in schedule.steps()]
    for name in ("mail", "outbox", "tasks", "deadlines", "controls", "sessions", "purge",
                 "automation-sweep"):  # fmt: skip
        assert name in names


def test_due_steps_run_and_the_others_are_skipped(calls):
    now = timezone.now()
    minute = datetime.timedelta(minutes=1)
    first = schedule.run_round(interval=minute, now=now)
    assert {"test-hourly", "test-round"} <= set(first.ran)
    second = schedule.run_round(interval=minute, now=now + 10 * minute)
    assert "test-round" in second.ran and "test-hourly" not in second.ran
    assert calls == ["h", "r", "r"]
    # The round before the hour is up runs it: the next one would be late.
    third = schedule.run_round(interval=minute, now=now + 59 * minute)
    assert "test-hourly" in third.ran
    assert ScheduledStepState.objects.get(name="test-hourly").last_started_at == now + 59 * minute


def test_a_failing_step_is_recorded_and_the_others_still_run(calls):
    def broken() -> str:
        raise RuntimeError("annuaire injoignable")

    schedule.register("test-broken", every=schedule.EVERY_ROUND, function=broken)
    try:
        report = schedule.run_round()
    finally:
        schedule.unregister("test-broken")
    assert not report.ok and report.failed == ["test-broken"]
    assert "test-broken: failed" in report.parts and "r" in calls
    state = ScheduledStepState.objects.get(name="test-broken")
    assert state.last_ok is False and "annuaire injoignable" in state.last_error
    assert state.last_failed_at is not None

"""controls' step of `levier watch`: queue the scorings that are due (see `scheduling`)."""

from __future__ import annotations


def schedule_scoring() -> str:
    from .scheduling import enqueue_due_scorings

    return f"controls: {enqueue_due_scorings()} procedure scoring(s) queued"


def register_steps(schedule) -> None:
    # Every round: `enqueue_due_scorings` itself keeps each procedure's daily rhythm.
    schedule.register("controls", every=schedule.EVERY_ROUND, function=schedule_scoring)

"""insights' steps of `levier watch`: the daily roll-ups of the journal, up to yesterday;
the scheduled reports that are due."""

from __future__ import annotations


def build_rollups() -> str:
    from .rollups import rollup_due

    return f"insights: {rollup_due()} day(s) of roll-ups built"


def send_due_reports() -> str:
    from .reports.services import run_due_reports

    summary = run_due_reports()
    return (
        f"insights: {summary.sent} report(s) sent ({summary.emails} email(s)), "
        f"{summary.skipped} skipped"
    )


def register_steps(schedule) -> None:
    # Daily: each run builds from the last built day to yesterday, so a missed day (the
    # watcher stopped) is caught up by the next run.
    schedule.register("insights-rollups", every=schedule.DAY, function=build_rollups)
    # Hourly: a report is due from 06:00 on Monday or the 1st; a missed hour is caught up.
    schedule.register("insights-reports", every=schedule.HOUR, function=send_due_reports)

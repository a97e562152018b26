"""insights' step of `levier watch`: the daily roll-ups of the journal, up to yesterday."""

from __future__ import annotations


def build_rollups() -> str:
    from .rollups import rollup_due

    return f"insights: {rollup_due()} day(s) of roll-ups built"


def register_steps(schedule) -> None:
    # Daily: each run builds from the last built day to yesterday, so a missed day (the
    # watcher stopped) is caught up by the next run.
    schedule.register("insights-rollups", every=schedule.DAY, function=build_rollups)

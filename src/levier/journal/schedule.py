"""journal's step of `levier watch`: the retention purge of every kind of data (RGPD)."""

from __future__ import annotations


def register_steps(schedule) -> None:
    from .retention import purge_summary

    schedule.register("purge", every=schedule.HOUR, function=purge_summary)

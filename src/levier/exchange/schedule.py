"""exchange's step of `levier watch`: the retention of the API's refused calls."""

from __future__ import annotations


def purge_refused_api_requests() -> str:
    """Delete the API's refused calls past their retention (once a day, see the service)."""
    from .services import api_rejections_purge

    return f"refused API requests: {api_rejections_purge()} purged"


def register_steps(schedule) -> None:
    schedule.register("retention", every=schedule.EVERY_ROUND, function=purge_refused_api_requests)

"""enquiries' step of `levier watch`: warn agents of the enquiries close to their deadline."""

from __future__ import annotations


def warn_due() -> str:
    from . import services

    return f"deadlines: {services.enquiries_warn_due()} enquiry warning(s) sent"


def register_steps(schedule) -> None:
    schedule.register("deadlines", every=schedule.EVERY_ROUND, function=warn_due)

from __future__ import annotations

from django_tasks import task


@task()
def run_automation(automation: str, event_id: int) -> str:
    """Run one automation for one journal event: retry-safe (see `automation_run`)."""
    from .services import automation_run

    return automation_run(automation=automation, event_id=event_id)

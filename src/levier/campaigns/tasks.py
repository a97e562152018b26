from __future__ import annotations

from django_tasks import task


@task()
def run_campaign(campaign_id: int) -> str:
    """Queue one throttled batch of a campaign's emails (see `services.campaign_run`).

    Retry-safe: each case is handled once per campaign (unique recipient row), so a
    batch run twice, or on two workers at once, queues no email twice.
    """
    from .services import campaign_run

    return campaign_run(campaign_id=campaign_id)

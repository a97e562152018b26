from __future__ import annotations

from django_tasks import task

from .imap import fetch_all


@task()
def fetch_mailboxes() -> list[dict]:
    """Take in the new messages of every active mailbox (retry-safe: nothing is taken twice)."""
    return [report.as_dict() for report in fetch_all()]

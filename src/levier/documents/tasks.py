from __future__ import annotations

from django_tasks import task


@task()
def run_merge(batch_id: int) -> dict:
    """Run a mail merge from where it stopped (see `services.mail_merge.merge_run`).

    Retry-safe: enqueuing it again, or `levier documents merge --resume ID`, continues
    the merge without generating a document twice.
    """
    from .services.mail_merge import merge_run

    batch = merge_run(batch_id=batch_id)
    return {"batch": batch.pk, "done": batch.done_count, "failures": len(batch.failures)}

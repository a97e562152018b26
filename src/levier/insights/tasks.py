from __future__ import annotations

from django_tasks import task


@task()
def run_export(job_id: int) -> dict[str, object]:
    """Write a large export's file (see `exports.services.export_run`); retry-safe."""
    from .exports.services import export_run

    job = export_run(job_id=job_id)
    return {"job": job.pk, "status": job.status, "rows": job.done_rows}

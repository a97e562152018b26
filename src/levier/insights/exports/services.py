"""Exports of a list (cases, enquiries, control proposals, the journal) to CSV, XLSX or ODS.

One path for the web page, the background task and `levier export`:
`export_prepare` checks the agent, the format and the filters (the list page's own form);
`export_rows` reads the rows through the list page's own selector, in its order, a chunk at
a time; `writers.stream` turns them into the file's bytes, a piece at a time. Every export
is journaled (verb EXPORT): who, which list, which filters (the search text only by its
length), how many rows, in which format. Personal data leaving levier is traced.

Small exports (at most LEVIER_EXPORT_INLINE_ROWS rows) stream in the response; larger ones
are an `ExportJob` run by `tasks.run_export`, whose file waits under VAR_DIR/exports for its
agent (a notification says when) until LEVIER_EXPORT_RETENTION_DAYS have passed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from levier.core import policy
from levier.core.models import Agent
from levier.core.services import notification_create
from levier.journal.services import Actor, record
from levier.journal.verbs import EXPORT

from ..models import ExportJob, ExportStatus
from . import writers
from .lists import LANGUAGE, NOW, ExportError, ExportList, Parsed, get_list

# Rows fetched from the database at once (server-side cursor on PostgreSQL).
CHUNK_ROWS = 2000
# How often (rows) a background export saves its progress.
PROGRESS_EVERY = 5000


@dataclass(frozen=True)
class PreparedExport:
    agent: Agent
    export_list: ExportList
    format: str
    params: QueryDict
    parsed: Parsed

    def rows(self) -> QuerySet[Any]:
        return self.export_list.rows(self.agent, self.parsed.filters)

    def file_name(self, moment: dt.datetime | None = None) -> str:
        stamp = timezone.localtime(moment or timezone.now()).strftime("%Y%m%d-%H%M")
        return f"levier-{self.export_list.name}-{stamp}.{self.format}"


def export_dir() -> Path:
    folder = Path(getattr(settings, "LEVIER_EXPORT_DIR", Path(settings.VAR_DIR) / "exports"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_prepare(
    *, agent: Agent, list_name: str, format: str, params: QueryDict | dict[str, str]
) -> PreparedExport:
    """Check everything before a row is read. ExportError (a message for the agent) for an
    unknown list or format or a filter that is not valid; NotFound when the agent may not
    export this list (the journal, for anyone but administrators)."""
    export_list = get_list(list_name)
    if not export_list.may_export(agent):
        raise policy.NotFound("No such list.")
    if format not in writers.FORMATS:
        raise ExportError(
            _("Unknown format “%(format)s”: choose csv, xlsx or ods.") % {"format": format}
        )
    if not isinstance(params, QueryDict):
        query = QueryDict(mutable=True)
        for key, value in params.items():
            query[key] = value
        params = query
    parsed = export_list.parse(agent, params)
    return PreparedExport(agent, export_list, format, params, parsed)


def export_record(*, prepared: PreparedExport, rows: int, job: ExportJob | None = None) -> None:
    """Journal the export: personal data leaving levier (identifiers only in the payload)."""
    payload: dict[str, Any] = {
        "what": prepared.export_list.name,
        "format": prepared.format,
        "filters": prepared.parsed.journaled,
        "query_length": prepared.parsed.query_length,
        "rows": rows,
    }
    if job is not None:
        payload["task"] = job.pk
    record(
        actor=prepared.agent,
        verb=EXPORT,
        target=(prepared.export_list.listed, "list"),
        activity="",
        payload=payload,
    )


def export_rows(
    prepared: PreparedExport, *, on_row: Callable[[int], None] | None = None
) -> Iterator[list[writers.Cell]]:
    """The list's rows as cells, read CHUNK_ROWS at a time; `on_row(n)` after each row."""
    export_list = prepared.export_list
    fields = export_list.fields
    now, language = timezone.now(), get_language()
    values = prepared.rows().values_list(*fields).iterator(chunk_size=CHUNK_ROWS)
    for count, found in enumerate(values, 1):
        row = dict(zip(fields, found, strict=True))
        row[NOW], row[LANGUAGE] = now, language
        yield export_list.cells(row)
        if on_row is not None:
            on_row(count)


def export_stream(prepared: PreparedExport, *, rows: int) -> Iterator[bytes]:
    """Journal the export of `rows` rows, then the file's bytes as they are written."""
    with transaction.atomic():
        export_record(prepared=prepared, rows=rows)
    return writers.stream(
        prepared.format,
        prepared.export_list.headers(),
        export_rows(prepared),
        sheet_title=str(prepared.export_list.label),
    )


def export_to_file(
    prepared: PreparedExport, path: Path, *, on_rows: Callable[[int], None] | None = None
) -> int:
    """Write the export to `path` (through a temporary name: never half a file under the
    real name) and return the number of rows written (the caller journals it). `on_rows(n)` reports
    progress every few rows (the CLI's bar, a job's progress)."""
    written = 0

    def counted(count: int) -> None:
        nonlocal written
        written = count
        if on_rows is not None and count % 500 == 0:
            on_rows(count)

    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "wb") as out:
            for piece in writers.stream(
                prepared.format,
                prepared.export_list.headers(),
                export_rows(prepared, on_row=counted),
                sheet_title=str(prepared.export_list.label),
            ):
                out.write(piece)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    if on_rows is not None:
        on_rows(written)
    return written


def export_start(*, prepared: PreparedExport, rows: int) -> ExportJob:
    """Queue a background export (too many rows for the response); its task writes the file."""
    from ..tasks import run_export

    with transaction.atomic():
        job = ExportJob.objects.create(
            agent=prepared.agent,
            list_name=prepared.export_list.name,
            format=prepared.format,
            params=prepared.params.urlencode(),
            total_rows=rows,
        )
        transaction.on_commit(lambda: run_export.enqueue(job_id=job.pk))
    return job


def export_run(*, job_id: int) -> ExportJob:
    """Write a queued export's file, journal it and notify its agent. Retry-safe: a job
    already done is left as it is; a job run again rewrites its file from the start."""
    job = ExportJob.objects.select_related("agent").get(pk=job_id)
    if job.status == ExportStatus.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, done_rows=0)
    file_name = f"export-{job.pk}.{job.format}"
    path = export_dir() / file_name

    def progress(count: int) -> None:
        if count % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(done_rows=count)

    try:
        prepared = export_prepare(
            agent=job.agent,
            list_name=job.list_name,
            format=job.format,
            params=QueryDict(job.params),
        )
        written = export_to_file(prepared, path, on_rows=progress)
    except (ExportError, policy.NotFound) as error:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    with transaction.atomic():
        job.status = ExportStatus.DONE
        job.done_rows = written
        job.file_name = file_name
        job.size = path.stat().st_size
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "done_rows", "file_name", "size", "finished_at"])
        export_record(prepared=prepared, rows=written, job=job)
        notification_create(
            agent=job.agent,
            text=_("Your export of %(list)s is ready (%(rows)s rows, %(format)s).")
            % {"list": prepared.export_list.label, "rows": written, "format": job.format.upper()},
            url=reverse("insights:export_job", args=[job.pk]),
            actor=Actor.robot("exports"),
        )
    return job


def export_job_path(job: ExportJob) -> Path | None:
    """The file of a finished export, if it is still there."""
    if job.status != ExportStatus.DONE or not job.file_name:
        return None
    path = export_dir() / Path(job.file_name).name
    return path if path.exists() else None


# --- retention ---------------------------------------------------------------------------


def jobs_past_retention(before: dt.datetime) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(created_at__lt=before)


def jobs_purge(jobs: QuerySet[ExportJob]) -> int:
    """Delete the files of these exports and their rows."""
    folder = export_dir()
    count = 0
    for job in jobs.only("pk", "file_name"):
        if job.file_name:
            (folder / Path(job.file_name).name).unlink(missing_ok=True)
        count += 1
    jobs.delete()
    return count


def register_purgers() -> None:
    from levier.journal.retention import Purger, register

    register(
        Purger(
            kind="insights.exportjob",
            days_setting="LEVIER_EXPORT_RETENTION_DAYS",
            select=jobs_past_retention,
            purge=jobs_purge,
        )
    )


def counted_rows(prepared: PreparedExport, limit: int) -> int:
    """How many rows the export holds, counted up to `limit + 1` (enough to choose between
    streaming and the background) unless `limit` is negative (count them all)."""
    rows = prepared.rows().order_by()
    if limit < 0:
        return rows.count()
    return len(rows.values_list("pk", flat=True)[: limit + 1])


def chunks(items: Iterable[bytes]) -> Iterator[bytes]:
    for item in items:
        if item:
            yield item

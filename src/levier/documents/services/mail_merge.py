"""Mail merges: freeze the cases, generate their documents by chunks, build the ZIP.

The pieces that write nothing (the frozen case list, resumption, the ZIP) are in
`documents/merge.py`; the services here journal and save.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from levier.cases.models import Case
from levier.core import policy
from levier.core.models import Agent
from levier.journal.services import Actor, record

from .. import merge
from ..models import DocumentTemplate, MergeBatch, MergeStatus, OutputFormat, TemplateKind
from ..tasks import run_merge
from .generation import document_generate


def merge_start(
    *,
    template: DocumentTemplate,
    format: str,
    agent: Agent,
    filters: dict[str, Any],
    enqueue: bool = True,
) -> MergeBatch:
    """Freeze the cases the agent sees with the case list's `filters` and queue the merge.

    `filters` are `cases.selectors.case_list_for` keyword arguments and must name a
    procedure. ValidationError when the template cannot be used, or when no case or more
    than MERGE_MAX_CASES match. `enqueue=False` leaves the run to the caller (the CLI).
    """
    if format not in OutputFormat.values:
        raise ValidationError(_("Unknown format “%(format)s”."), params={"format": format})
    stored = merge.filters_to_json(filters)
    procedure_id = stored.get("procedure_id")
    if not procedure_id:
        raise ValidationError(
            _("Filter the cases on one procedure first: a mail merge uses one template."),
            code="no_procedure",
        )
    version = template.published_version
    usable = template.procedure_id in (None, procedure_id)
    if not template.is_active or version is None or not usable:
        raise ValidationError(
            _("The template “%(template)s” cannot be used on the cases of this procedure."),
            code="unusable_template",
            params={"template": template.name},
        )
    if template.kind == TemplateKind.HTML and format != OutputFormat.PDF:
        raise ValidationError(_("An HTML template gives a PDF only: choose the PDF format."))
    case_ids = merge.freeze_case_ids(agent, stored)
    with transaction.atomic():
        batch = MergeBatch.objects.create(
            template_version=version,
            format=format,
            filters=stored,
            case_ids=case_ids,
            created_by=agent,
        )
        record(
            actor=agent,
            verb="start-merge",
            target=batch,
            payload={
                "template": template.pk,
                "template_name": template.name,
                "version": version.number,
                "format": format,
                "cases": len(case_ids),
                "filters": stored,
            },
        )
        if enqueue:
            transaction.on_commit(lambda: run_merge.enqueue(batch_id=batch.pk))
    return batch


def merge_run(
    *,
    batch_id: int,
    chunk: int = merge.DEFAULT_CHUNK,
    on_progress: Callable[[int], None] | None = None,
) -> MergeBatch:
    """Generate the merge's documents from where it stopped, then build its ZIP.

    Resumable and retry-safe: progress is saved after every `chunk` cases, and a case
    that already has this merge's document (generated after a crash, before the
    progress was saved) is skipped, never generated twice. A case that cannot be merged
    (missing data, mostly) is listed in `failures` with the reason; the merge goes on.
    `on_progress(n)` is called with the number of cases handled after every chunk.
    """
    batch = MergeBatch.objects.select_related("template_version__template", "created_by").get(
        pk=batch_id
    )
    if batch.status in {MergeStatus.DONE, MergeStatus.CANCELLED}:
        return batch
    if batch.status != MergeStatus.RUNNING:
        MergeBatch.objects.filter(pk=batch.pk).update(status=MergeStatus.RUNNING)
        batch.status = MergeStatus.RUNNING
    actor: Any = batch.created_by or Actor.robot("mail-merge")
    template = batch.template_version.template
    start = merge.position(batch)
    while start < len(batch.case_ids):
        ids = batch.case_ids[start : start + chunk]
        done, failures = _merge_chunk(batch, template, actor, ids)
        with transaction.atomic():
            locked = MergeBatch.objects.select_for_update().get(pk=batch.pk)
            if merge.position(locked) != start:  # another run saved this chunk meanwhile
                batch.done_count, batch.failures = locked.done_count, locked.failures
            else:
                locked.done_count += done
                locked.failures = [*locked.failures, *failures]
                locked.save(update_fields=["done_count", "failures"])
                batch.done_count, batch.failures = locked.done_count, locked.failures
        if on_progress is not None:
            on_progress(merge.position(batch) - start)
        start = merge.position(batch)
    return _merge_finish(batch, actor)


def _merge_chunk(
    batch: MergeBatch, template: DocumentTemplate, actor: Any, ids: list[int]
) -> tuple[int, list[dict[str, Any]]]:
    """Generate the documents of a few cases; (how many are done, failures)."""
    skip = merge.already_generated(batch, ids)
    cases = Case.objects.select_related("procedure", "procedure_version", "contact", "team")
    found = cases.in_bulk([case_id for case_id in ids if case_id not in skip])
    done, failures = 0, []
    for case_id in ids:
        if case_id in skip:
            done += 1
            continue
        case = found.get(case_id)
        if case is None:
            failures.append(merge.failure_entry(None, case_id, _("The case no longer exists.")))
            continue
        try:
            document_generate(
                case=case,
                template=template,
                actor=actor,
                format=batch.format,
                version=batch.template_version,
            )
        except ValidationError as error:
            failures.append(merge.failure_entry(case, case_id, " ".join(error.messages)))
        except policy.NotFound:
            # Named by its id only: the agent may not see its reference (a draft, another team).
            reason = _("The agent who started the merge no longer sees this case.")
            failures.append(merge.failure_entry(None, case_id, reason))
        else:
            done += 1
    return done, failures


def _merge_finish(batch: MergeBatch, actor: Any) -> MergeBatch:
    """Build the ZIP of the merge's documents (streamed to storage) and close the merge."""
    with tempfile.TemporaryFile(suffix=".zip") as spool:
        files = merge.write_zip(batch, spool)
        spool.seek(0)
        with transaction.atomic():
            batch.zip_file.save(f"publipostage-{batch.pk}.zip", File(spool), save=False)
            batch.status = MergeStatus.DONE
            batch.finished_at = timezone.now()
            batch.save(update_fields=["zip_file", "status", "finished_at"])
            record(
                actor=actor,
                verb="finish-merge",
                target=batch,
                automated=True,
                payload={
                    "done": batch.done_count,
                    "failures": len(batch.failures),
                    "files": files,
                },
            )
    return batch

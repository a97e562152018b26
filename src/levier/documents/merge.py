"""Mail merge logic: the frozen list of cases, resumption and the ZIP of the results.

The services (`merge_start`, `merge_run` in `services/mail_merge.py`) journal and save;
this module holds the pieces they use, none of which writes to the database.
"""

from __future__ import annotations

import datetime
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from levier.cases.models import Case, CaseStatus
from levier.cases.selectors import case_list_for
from levier.core.french import format_number

from .models import GeneratedDocument, MergeBatch

MERGE_MAX_CASES = 20_000
DEFAULT_CHUNK = 50
# Cases read at once when looking up generated documents (under every database's
# limit on query parameters).
LOOKUP_SLICE = 500
# The keyword arguments of `cases.selectors.case_list_for`: the case list page's filters.
FILTER_KEYS = (
    "status", "procedure_id", "team_id", "assignee", "submitted_from", "submitted_to", "sla", "q",
    "decided_from", "decided_to", "decided_in_time",
    "departement",
)  # fmt: skip
DATE_KEYS = ("submitted_from", "submitted_to", "decided_from", "decided_to")


def filters_to_json(filters: dict[str, Any]) -> dict[str, Any]:
    """The non-empty filters, JSON-ready (dates as ISO strings); unknown keys are refused."""
    unknown = set(filters) - set(FILTER_KEYS)
    if unknown:
        raise ValueError(f"Unknown case filters: {', '.join(sorted(unknown))}")
    stored: dict[str, Any] = {}
    for key, value in filters.items():
        if value in (None, ""):
            continue
        stored[key] = value.isoformat() if isinstance(value, datetime.date) else value
    return stored


def filters_from_json(stored: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for `case_list_for` from stored filters."""
    filters = {key: value for key, value in stored.items() if key in FILTER_KEYS}
    for key in DATE_KEYS:
        if filters.get(key):
            filters[key] = datetime.date.fromisoformat(filters[key])
    return filters


def freeze_case_ids(agent, filters: dict[str, Any]) -> list[int]:
    """The ids of the cases the agent sees with these filters, oldest first.

    ValidationError when there is none or more than MERGE_MAX_CASES.
    """
    ids = list(
        case_list_for(agent, **filters_from_json(filters))
        .order_by("pk")
        .values_list("pk", flat=True)[: MERGE_MAX_CASES + 1]
    )
    if not ids:
        raise ValidationError(
            _("No case matches these filters: change the filters to choose the cases to merge."),
            code="no_case",
        )
    if len(ids) > MERGE_MAX_CASES:
        raise ValidationError(
            _(
                "More than %(max)s cases match these filters: narrow them (status, team, "
                "submission dates) to merge at most %(max)s cases at once."
            ),
            code="too_many_cases",
            params={"max": format_number(MERGE_MAX_CASES)},
        )
    return ids


def position(batch: MergeBatch) -> int:
    """Where a (resumed) merge starts: the cases before it are done or failed."""
    return batch.done_count + len(batch.failures)


def _slices(ids: list[int], size: int = LOOKUP_SLICE) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _batch_documents_query(batch: MergeBatch, case_ids: list[int]):
    return GeneratedDocument.objects.filter(
        case_id__in=case_ids,
        template_version_id=batch.template_version_id,
        format=batch.format,
        created_at__gte=batch.created_at,
    )


def already_generated(batch: MergeBatch, case_ids: list[int]) -> set[int]:
    """Among `case_ids`, the cases that already have this merge's document.

    That is a document of the batch's template version and format generated since the
    batch started: a resumed merge skips them instead of generating them twice.
    """
    found: set[int] = set()
    for ids in _slices(case_ids):
        found.update(_batch_documents_query(batch, ids).values_list("case_id", flat=True))
    return found


def names_a_draft(batch: MergeBatch) -> bool:
    """Whether the merge's frozen list holds a draft.

    Only a merge started before drafts were hidden from agents can: its stored ZIP may
    hold a draft's document, so it is not served any more.
    """
    drafts = Case.objects.filter(status=CaseStatus.DRAFT)
    return any(drafts.filter(pk__in=ids).exists() for ids in _slices(batch.case_ids))


def batch_documents(batch: MergeBatch) -> Iterator[GeneratedDocument]:
    """The merge's documents, one per case (the newest), in the order of the frozen list;
    never a draft's (a draft is its usager's)."""
    for ids in _slices(batch.case_ids):
        newest: dict[int, GeneratedDocument] = {}
        documents = _batch_documents_query(batch, ids).exclude(case__status=CaseStatus.DRAFT)
        for document in documents.order_by("created_at", "id"):
            newest[document.case_id] = document
        for case_id in ids:
            if case_id in newest:
                yield newest[case_id]


def write_zip(batch: MergeBatch, destination: IO[bytes]) -> int:
    """Write the merge's documents into a ZIP, one file at a time; return how many."""
    count = 0
    # PDF and DOCX are already compressed: storing them is as small and much faster.
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_STORED) as archive:
        for document in batch_documents(batch):
            with (
                document.file.open("rb") as source,
                archive.open(document.file_name, "w", force_zip64=True) as target,
            ):
                shutil.copyfileobj(source, target, 1024 * 1024)
            count += 1
    return count


def zip_spool() -> IO[bytes]:
    """A temporary file for the ZIP: on disk past a few megabytes, never all in memory."""
    return tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, suffix=".zip")


def failure_entry(case: Case | None, case_id: int, reason: str) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "reference": case.reference if case is not None else "",
        "reason": reason,
    }

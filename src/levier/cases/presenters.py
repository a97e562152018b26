"""Turning cases, documents and journal events into what the case pages show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from levier.journal.models import Activity, Event

from . import selectors
from .models import Case, CaseStatus, SupportingDocument
from .schema import FieldEntry


@dataclass(frozen=True)
class CaseRow:
    """A case in the list, with where it stands against its deadline."""

    case: Case
    sla_state: str  # 'overdue', 'due_soon', 'on_time', or '' (closed, or no deadline)


def case_rows(cases: Iterable[Case], *, now: datetime | None = None) -> list[CaseRow]:
    """The list's rows, their deadline states measured at the same instant."""
    now = now or timezone.now()
    return [CaseRow(case=case, sla_state=selectors.sla_state(case, now)) for case in cases]


def status_label(status: str) -> str:
    return str(CaseStatus(status).label) if status in CaseStatus.values else status


def preview_kind(document: SupportingDocument) -> str:
    """'pdf', 'image', 'text' or '' (download only)."""
    if document.content_type == "application/pdf":
        return "pdf"
    if document.content_type.startswith("image/"):
        return "image"
    if document.content_type == "text/plain":
        return "text"
    return ""


PREVIEW_PAGES = 3


def preview_pages(document: SupportingDocument) -> range:
    """The PDF pages shown as images on the case page (numbered from 1)."""
    if document.content_type != "application/pdf":
        return range(0)
    return range(1, min(document.page_count or 1, PREVIEW_PAGES) + 1)


@dataclass(frozen=True)
class ShownDocument:
    """A supporting document on the case page: the question it answers and how it is previewed."""

    document: SupportingDocument
    field_label: str
    preview: str  # see preview_kind
    preview_pages: range


@dataclass(frozen=True)
class CaseDocuments:
    shown: list[ShownDocument]
    missing: list[str]  # labels of the required documents not given


def case_documents(
    schema: list[FieldEntry], documents: Iterable[SupportingDocument]
) -> CaseDocuments:
    """The case's documents labelled by the schema's file fields, and the required ones missing."""
    files = [entry for entry in schema if entry.get("type") == "file"]
    labels = {entry["name"]: entry["label"] for entry in files}
    shown = [
        ShownDocument(
            document=document,
            field_label=labels.get(document.field_name) or _("Other document"),
            preview=preview_kind(document),
            preview_pages=preview_pages(document),
        )
        for document in documents
    ]
    given = {item.document.field_name for item in shown}
    missing = [
        entry["label"] for entry in files if entry.get("required") and entry["name"] not in given
    ]
    return CaseDocuments(shown=shown, missing=missing)


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: datetime
    actor: str
    title: str
    detail: str


def _describe(event: Event, activity_labels: dict[str, str]) -> tuple[str, str]:
    payload = event.payload or {}
    verb = event.verb
    if verb == "submit":
        return _("Case submitted"), payload.get("reference", "")
    if verb == "transition":
        title = _("Status: %(from)s → %(to)s") % {
            "from": status_label(payload.get("from", "")),
            "to": status_label(payload.get("to", "")),
        }
        return title, event.detail_text or payload.get("reason", "")
    if verb == "assign":
        if payload.get("to"):
            return _("Assigned to %(agent)s") % {
                "agent": payload.get("to_label") or payload["to"]
            }, ""
        return _("Put back in the team's queue"), ""
    if verb == "comment":
        mentions = payload.get("mentions") or []
        detail = (
            _("Mentions: %(names)s") % {"names": ", ".join(f"@{n}" for n in mentions)}
            if mentions
            else ""
        )
        return _("Internal comment"), detail
    if verb == "add-document":
        return _("Document added"), event.detail_text or payload.get("name", "")
    if verb == "generate-document":
        return _("Document generated"), payload.get("template_name", "")
    if verb == "raise-flag":
        return _("Proposed for a control"), ""
    if verb == "withdraw-flag":
        return _("Control proposal withdrawn"), ""
    # Anything else is told by its geste métier, whose label the catalogue holds in French.
    if event.activity_code in activity_labels:
        return activity_labels[event.activity_code], ""
    return verb.replace("-", " ").capitalize(), ""


def timeline(events: Iterable[Event]) -> list[TimelineEntry]:
    shown = list(events)
    codes = {event.activity_code for event in shown if event.activity_code}
    labels = dict(Activity.objects.filter(code__in=codes).values_list("code", "label"))
    entries = []
    for event in shown:
        title, detail = _describe(event, labels)
        entries.append(TimelineEntry(event.occurred_at, event.actor_label, title, detail))
    return entries

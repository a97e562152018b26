"""What the case pages show, computed once: deadline states, document labels and previews."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.utils import timezone, translation

from levier.cases.models import Case, CaseStatus, SupportingDocument
from levier.cases.presenters import (
    PREVIEW_PAGES,
    CaseRow,
    case_documents,
    case_rows,
    preview_kind,
    preview_pages,
)

NOW = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))


def case_due(days: float | None, status: str = CaseStatus.IN_REVIEW) -> Case:
    due = None if days is None else NOW + datetime.timedelta(days=days)
    return Case(reference=f"AIC-{days}-{status}", status=status, due_at=due)


def document(content_type: str, *, field_name: str = "", pages: int | None = None):
    return SupportingDocument(
        field_name=field_name, original_name="file", content_type=content_type, page_count=pages
    )


# ---------------------------------------------------------------------------
# The list's rows: where each case stands against its deadline
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "status", "state"),
    [
        (-1, CaseStatus.IN_REVIEW, "overdue"),
        (-0.001, CaseStatus.SUBMITTED, "overdue"),
        (0, CaseStatus.IN_REVIEW, "due_soon"),  # due this very instant: not late yet
        (4.9, CaseStatus.WAITING_FOR_USAGER, "due_soon"),
        (5, CaseStatus.IN_REVIEW, "on_time"),  # five days ahead is no longer "soon"
        (30, CaseStatus.IN_REVIEW, "on_time"),
        (-10, CaseStatus.ACCEPTED, ""),  # decided: no deadline to keep
        (-10, CaseStatus.REFUSED, ""),
        (None, CaseStatus.IN_REVIEW, ""),  # no deadline set
    ],
)
def test_each_row_says_where_the_case_stands_against_its_deadline(days, status, state):
    case = case_due(days, status)
    assert case_rows([case], now=NOW) == [CaseRow(case=case, sla_state=state)]


def test_rows_keep_the_order_of_the_page_and_are_measured_at_one_instant():
    cases = [case_due(30), case_due(-1), case_due(1)]
    rows = case_rows(cases, now=NOW)
    assert [row.case for row in rows] == cases
    assert [row.sla_state for row in rows] == ["on_time", "overdue", "due_soon"]


def test_without_an_instant_rows_are_measured_now():
    late = Case(status=CaseStatus.IN_REVIEW, due_at=timezone.now() - datetime.timedelta(hours=1))
    assert case_rows([late])[0].sla_state == "overdue"


def test_a_row_leaves_the_case_untouched_and_cannot_be_changed():
    case = case_due(-1)
    row = case_rows([case], now=NOW)[0]
    assert not hasattr(case, "sla_state")
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.sla_state = "on_time"


# ---------------------------------------------------------------------------
# Documents: how each is previewed, which question it answers, what is missing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("application/pdf", "pdf"),
        ("image/png", "image"),
        ("image/jpeg", "image"),
        ("text/plain", "text"),
        ("text/html", ""),  # never drawn in the page: download only
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ""),
        ("application/octet-stream", ""),
    ],
)
def test_the_preview_kind_follows_the_sniffed_type(content_type, kind):
    assert preview_kind(document(content_type)) == kind


@pytest.mark.parametrize(
    ("pages", "shown"),
    [(1, [1]), (2, [1, 2]), (PREVIEW_PAGES, [1, 2, 3]), (40, [1, 2, 3]), (None, [1])],
)
def test_a_pdf_shows_its_first_pages(pages, shown):
    assert list(preview_pages(document("application/pdf", pages=pages))) == shown


def test_only_a_pdf_has_pages_drawn():
    assert list(preview_pages(document("image/png", pages=3))) == []


SCHEMA = [
    {"name": "project", "label": "Objet", "type": "text", "required": True},
    {"name": "quote", "label": "Devis", "type": "file", "required": True},
    {"name": "photo", "label": "Photo du local", "type": "file"},
    {"name": "rib", "label": "RIB", "type": "file", "required": True},
    {"name": "kbis", "label": "Extrait Kbis", "type": "file", "required": True},
]


def test_documents_are_labelled_by_their_field_and_previewed_by_their_type():
    given = [
        document("application/pdf", field_name="quote", pages=5),
        document("image/png", field_name="photo"),
        document("text/plain", field_name="gone"),  # a field since removed from the schema
        document("application/octet-stream"),  # added by an agent, no field
    ]
    with translation.override("en"):
        shown = case_documents(SCHEMA, given)
    assert [item.document for item in shown.shown] == given
    assert [item.field_label for item in shown.shown] == [
        "Devis", "Photo du local", "Other document", "Other document",
    ]  # fmt: skip
    assert [item.preview for item in shown.shown] == ["pdf", "image", "text", ""]
    assert [list(item.preview_pages) for item in shown.shown] == [[1, 2, 3], [], [], []]


def test_other_document_is_named_in_french_by_default():
    assert case_documents(SCHEMA, [document("image/png")]).shown[0].field_label == "Autre pièce"


def test_missing_documents_are_the_required_file_fields_not_given_in_schema_order():
    given = [document("application/pdf", field_name="quote")]
    assert case_documents(SCHEMA, given).missing == ["RIB", "Extrait Kbis"]
    assert case_documents(SCHEMA, []).missing == ["Devis", "RIB", "Extrait Kbis"]
    everything = [document("image/png", field_name=name) for name in ("quote", "rib", "kbis")]
    assert case_documents(SCHEMA, everything).missing == []  # the photo is optional


def test_a_schema_without_file_fields_misses_nothing():
    shown = case_documents([{"name": "project", "label": "Objet", "type": "text"}], [])
    assert shown.shown == [] and shown.missing == []

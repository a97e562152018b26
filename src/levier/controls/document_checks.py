"""Checking a supporting document: read it, recognise it, extract, compare, flag.

`document_check` is the one write: it stores the `DocumentCheck`, raises or clears the
document's flag (only on a difference between sure values: a value to check by hand
never raises one on its own), and journals the geste "check-supporting-document" as automated. An
unreadable file (encrypted, corrupt, gigantic...) is a check with its reason, never an
error: the case and its document stay as they are.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from levier.cases.models import Case, SupportingDocument
from levier.cases.schema import ADDRESS_PARTS, field_labels
from levier.contacts.models import Contact
from levier.journal.services import Actor, record

from .comparison import ComparisonRule, compare
from .flags import flag_clear, flag_raise
from .models import CheckOutcome, DocumentCheck, FieldComparison
from .presenters import KIND_LABELS, value_formatter
from .reading.classify import classify
from .reading.extract import extract_fields
from .reading.text import read_document
from .reading.twoddoc import read_two_d_doc
from .reading.types import KINDS, UnreadableDocument

READABLE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
# File fields named after what they hold, when the name is not a kind itself.
FIELD_KIND_ALIASES = {"budget_file": "budget", "proof_of_address": "address_proof"}
# Below this confidence, the document's type is not trusted enough to compare it.
MIN_CONFIDENCE = 0.35
ROBOT = Actor.robot("contrôle des pièces")


def expected_kind(field_name: str) -> str:
    if field_name in KINDS:
        return field_name
    return FIELD_KIND_ALIASES.get(field_name, "")


def comparison_rules(procedure_id: int) -> list[ComparisonRule]:
    return [
        ComparisonRule(
            document_kind=row.document_kind,
            found_field=row.found_field,
            declared_field=row.declared_field,
            method=row.method,
            tolerance=row.tolerance,
        )
        for row in FieldComparison.objects.filter(procedure_id=procedure_id)
    ]


def declared_labels(case: Case) -> dict[str, str]:
    """Field labels, and "label (part)" for the parts of an address ("site.city")."""
    schema = case.procedure_version.field_schema
    labels = field_labels(schema)
    for entry in schema:
        if entry.get("type") == "address":
            for part in ADDRESS_PARTS:
                labels[f"{entry['name']}.{part}"] = f"{labels[entry['name']]} ({part})"
    return labels


def usager_identity(contact: Contact) -> tuple[list[str], dict[str, str]]:
    """Names the usager goes by, and identifiers a document may carry."""
    names = [contact.display_name, f"{contact.last_name} {contact.first_name}", contact.legal_name]
    identifiers = (
        {"siren": contact.siren or contact.siret[:9]} if contact.siret or contact.siren else {}
    )
    return [name for name in names if name.strip()], identifiers


def _field_dict(item) -> dict[str, Any]:
    return {
        "name": item.name,
        "value": item.value,
        "raw": item.raw,
        "page": item.evidence.page,
        "snippet": item.evidence.snippet[:200],
        "source": item.source,
        "valid": item.valid,
        "problem": item.problem,
        "confidence": item.confidence,
        "to_check": item.to_check,
        "check_reason": item.check_reason,
    }


def _read(document: SupportingDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def _inspect(document: SupportingDocument, case: Case) -> dict[str, Any]:
    """Everything the check finds, as DocumentCheck field values."""
    if document.content_type not in READABLE_TYPES:
        return {
            "outcome": CheckOutcome.NOT_COMPARED,
            "problem": _("levier reads PDF, JPEG and PNG files; this one was not read."),
        }
    try:
        content = _read(document)
        reading = read_document(content, document.content_type)
    except UnreadableDocument as error:
        return {"outcome": CheckOutcome.UNREADABLE, "problem": error.reason}
    except OSError:
        return {
            "outcome": CheckOutcome.UNREADABLE,
            "problem": _("The stored file is missing: ask the usager to send it again."),
        }
    found = classify(reading.text)
    expected = expected_kind(document.field_name)
    kind = found.kind if found.confidence >= MIN_CONFIDENCE else expected
    warnings = []
    if expected and found.kind not in (expected, "unknown") and found.confidence >= MIN_CONFIDENCE:
        warnings.append(
            _("Sent as “%(expected)s”, the document looks like “%(found)s” instead.")
            % {"expected": kind_label(expected), "found": kind_label(found.kind)}
        )
        kind = found.kind
    extracted = extract_fields(kind, reading) if kind in KINDS else []
    two_d_doc = read_two_d_doc(content, document.content_type, rasters=reading.rasters)
    names, identifiers = usager_identity(case.contact)
    shown = value_formatter(case)
    labels = declared_labels(case)
    report = compare(
        shown=shown,
        kind=kind,
        extracted=extracted,
        reading=two_d_doc,
        data=case.data,
        rules=comparison_rules(case.procedure_id),
        labels=labels,
        usager_names=names,
        usager_identifiers=identifiers,
    )
    report.warnings[:0] = warnings
    confidences = [page.confidence for page in reading.pages if page.confidence is not None]
    return {
        "outcome": report.outcome,
        "kind": kind,
        "confidence": round(found.confidence, 3),
        "source": reading.source,
        "ocr_confidence": round(sum(confidences) / len(confidences), 1) if confidences else None,
        "extracted": [_field_dict(item) for item in extracted],
        "two_d_doc": asdict(two_d_doc) if two_d_doc.found else {},
        "comparisons": [comparison.as_dict() for comparison in report.comparisons],
        "warnings": report.warnings,
        "reasons": report.reasons(labels, shown),
    }


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def document_check(*, document: SupportingDocument, actor: Any = ROBOT) -> DocumentCheck:
    """Check one document against its case's declared data; idempotent (the last check wins)."""
    case = document.case
    started = time.monotonic()
    found = _inspect(document, case)
    reasons = found.pop("reasons", [])
    elapsed = int((time.monotonic() - started) * 1000)
    defaults = {
        "case": case,
        "kind": "",
        "confidence": 0.0,
        "source": "",
        "ocr_confidence": None,
        "extracted": [],
        "two_d_doc": {},
        "comparisons": [],
        "warnings": [],
        "problem": "",
        **found,
        "checked_at": timezone.now(),
        "duration_ms": elapsed,
    }
    with transaction.atomic():
        check, _created = DocumentCheck.objects.update_or_create(
            document=document, defaults=defaults
        )
        code = f"document-{document.pk}"
        if check.outcome == CheckOutcome.DIFFERS and reasons:
            heading = _("Document “%(name)s”:") % {"name": document.original_name}
            flag_raise(
                case=case,
                source="document",
                code=code,
                reasons=[f"{heading} {reason}" for reason in reasons],
            )
        else:
            flag_clear(case=case, code=code)
        record(
            actor=actor,
            verb="check-document",
            target=case,
            activity="check-supporting-document",
            automated=True,
            payload={
                "document": document.pk,
                "outcome": check.outcome,
                "kind": check.kind,
                "source": check.source,
                "two_d_doc": check.two_d_doc.get("authentic") if check.two_d_doc else None,
                "differs": [
                    c["declared_field"] for c in check.comparisons if c["status"] == "differs"
                ],
                "milliseconds": elapsed,
            },
        )
    return check


def case_check_documents(*, case: Case, actor: Any = ROBOT) -> list[DocumentCheck]:
    return [document_check(document=document, actor=actor) for document in case.documents.all()]

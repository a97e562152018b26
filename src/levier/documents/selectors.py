"""Reads of document templates and generated documents, scoped like the cases."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.functional import Promise

from levier.cases.models import Case, Procedure
from levier.cases.selectors import get_case_file_for
from levier.core import policy
from levier.core.models import Agent
from levier.journal.models import Event
from levier.journal.services import target_key

from .models import (
    DocumentTemplate,
    GeneratedDocument,
    MergeBatch,
    OutputFormat,
    TemplateKind,
)
from .presenters import GeneratedDocumentRow


def documents_for_case(case: Case) -> QuerySet[GeneratedDocument]:
    """The documents generated on a case, newest first."""
    return (
        GeneratedDocument.objects.filter(case=case)
        .select_related("template_version__template", "created_by")
        .order_by("-created_at", "-id")
    )


def templates_for_case(case: Case) -> QuerySet[DocumentTemplate]:
    """Active templates with a published version, for the case's procedure or for any."""
    return (
        DocumentTemplate.objects.filter(is_active=True, versions__is_published=True)
        .filter(Q(procedure__isnull=True) | Q(procedure_id=case.procedure_id))
        .distinct()
        .order_by("name", "id")
    )


def get_generated_document_for(agent: Agent, case_id: int, document_id: int) -> GeneratedDocument:
    """A generated document of a case the agent may see; 404 for missing and forbidden alike."""
    document: GeneratedDocument = get_case_file_for(GeneratedDocument, agent, case_id, document_id)
    return document


@dataclass(frozen=True)
class CaseDocumentsPanel:
    """What the case page's "Generated documents" section shows."""

    case: Case
    documents: list[GeneratedDocumentRow]
    templates: list[DocumentTemplate]
    formats: list[tuple[str, str | Promise]]  # labels stay lazy (translated when shown)
    docx_templates: list[int]


def sealed_document_ids(case: Case) -> set[int]:
    """The case's generated documents that were sealed, as the journal recorded them."""
    target_type, target_id = target_key(case)
    payloads = Event.objects.filter(
        target_type=target_type, target_id=target_id, verb="generate-document"
    ).values_list("payload", flat=True)
    return {p["document"] for p in payloads if p.get("sealed") and p.get("document")}


def case_documents_panel(case: Case) -> CaseDocumentsPanel:
    templates = list(templates_for_case(case))
    documents = list(documents_for_case(case))
    sealed = sealed_document_ids(case) if documents else set()  # no journal read for none
    return CaseDocumentsPanel(
        case=case,
        documents=[GeneratedDocumentRow(document, document.pk in sealed) for document in documents],
        templates=templates,
        formats=list(OutputFormat.choices),
        docx_templates=[t.pk for t in templates if t.kind == TemplateKind.DOCX],
    )


# ---------------------------------------------------------------------------
# Mail merge
# ---------------------------------------------------------------------------


def merge_templates_for(procedure_id: int | None) -> QuerySet[DocumentTemplate]:
    """Active published templates usable on every case of the procedure (or of any, if None)."""
    usable = Q(procedure__isnull=True)
    if procedure_id:
        usable |= Q(procedure_id=procedure_id)
    return (
        DocumentTemplate.objects.filter(is_active=True, versions__is_published=True)
        .filter(usable)
        .distinct()
        .order_by("name", "id")
    )


def merge_batches_for(agent: Agent) -> QuerySet[MergeBatch]:
    """The agent's own mail merges and those on the cases of their teams' procedures."""
    procedures = list(
        Procedure.objects.filter(policy.rows_for(agent, Procedure)).values_list("pk", flat=True)
    )
    return MergeBatch.objects.filter(
        Q(created_by=agent) | Q(filters__procedure_id__in=procedures)
    ).select_related("template_version__template", "created_by")


def get_merge_batch_for(agent: Agent, batch_id: int) -> MergeBatch:
    """One mail merge the agent may see; 404 for missing and forbidden alike."""
    batch = merge_batches_for(agent).filter(pk=batch_id).first()
    if batch is None:
        raise policy.NotFound("No such mail merge.")
    return batch

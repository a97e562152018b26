"""Reads of document templates and generated documents, scoped like the cases."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from levier.cases.models import Case

from .models import DocumentTemplate, GeneratedDocument, OutputFormat, TemplateKind


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


def get_generated_document_for(agent, case_id: int, document_id: int) -> GeneratedDocument:
    """A generated document of a case the agent may see; 404 for missing and forbidden alike."""
    document = (
        GeneratedDocument.objects.filter(
            pk=document_id, case_id=case_id, case__team_id__in=agent.visible_team_ids()
        )
        .select_related("case")
        .first()
    )
    if document is None:
        raise Http404("No such document.")
    return document


@dataclass(frozen=True)
class CaseDocumentsPanel:
    """What the case page's "Generated documents" section shows."""

    case: Case
    documents: list[GeneratedDocument]
    templates: list[DocumentTemplate]
    formats: list[tuple[str, str]]
    docx_templates: list[int]


def case_documents_panel(case: Case) -> CaseDocumentsPanel:
    templates = list(templates_for_case(case))
    return CaseDocumentsPanel(
        case=case,
        documents=list(documents_for_case(case)),
        templates=templates,
        formats=list(OutputFormat.choices),
        docx_templates=[t.pk for t in templates if t.kind == TemplateKind.DOCX],
    )

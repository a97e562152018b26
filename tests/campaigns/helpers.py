"""Shared builders for the campaign tests."""

from __future__ import annotations

from django.core.files.base import ContentFile

from levier.campaigns import services
from levier.campaigns.models import Campaign
from levier.cases.models import CaseStatus, SupportingDocument
from levier.core.models import Role

from ..factories import DEFAULT_SCHEMA, AgentFactory, CaseFactory, ProcedureFactory

SCHEMA = [
    *DEFAULT_SCHEMA,
    {"name": "tax_notice", "label": "Avis d'impôt", "type": "file", "required": True},
    {"name": "receipt", "label": "Quittance de loyer", "type": "file", "required": False},
]
REMINDER_BODY = (
    "Bonjour {{ usager.nom_complet }},\n"
    "il manque à votre dossier {{ dossier.reference }} :"
    "{% for piece in dossier.pieces_manquantes %}{% if piece.obligatoire %}\n- {{ piece.libelle }}"
    "{% endif %}{% endfor %}\n"
)


def lead_of(team, **kwargs):
    return AgentFactory(teams=[team], role=Role.TEAM_LEAD, **kwargs)


def procedure_with_documents(team):
    return ProcedureFactory(team=team, field_schema=list(SCHEMA))


def attach(case, field_name: str = "tax_notice") -> SupportingDocument:
    document = SupportingDocument(
        case=case,
        field_name=field_name,
        original_name="avis.pdf",
        content_type="application/pdf",
        size=5,
        sha256="0" * 64,
    )
    document.file.save("avis.pdf", ContentFile(b"%PDF-"), save=True)
    return document


def waiting_cases(procedure, count: int, **kwargs):
    return [
        CaseFactory(procedure=procedure, status=CaseStatus.WAITING_FOR_USAGER, **kwargs)
        for _ in range(count)
    ]


def make_campaign(actor, procedure, **overrides) -> Campaign:
    fields = {
        "name": "Relance",
        "subject": "Dossier {{ dossier.reference }} : pièces manquantes",
        "body": REMINDER_BODY,
        "case_statuses": [CaseStatus.WAITING_FOR_USAGER],
        "only_missing_documents": True,
        "mandatory": True,
        "per_minute": 60,
    }
    fields.update(overrides)
    return services.campaign_create(actor=actor, procedure=procedure, **fields)


def start(campaign, actor):
    """Start without running the first batch (tests call `campaign_run` themselves)."""
    from unittest import mock

    with mock.patch("levier.campaigns.services._enqueue_now"):
        return services.campaign_start(campaign=campaign, actor=actor)

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from levier.documents import services
from levier.documents.models import TemplateKind
from tests.factories import CaseFactory, ContactFactory, OrganisationFactory, ProcedureFactory

SCHEMA = [
    {"name": "objet", "label": "Objet", "type": "text", "required": True},
    {"name": "montant_demande", "label": "Montant demandé", "type": "money", "required": True},
    {"name": "date_debut", "label": "Date de début", "type": "date", "required": False},
    {"name": "categorie", "label": "Catégorie", "type": "choice",
     "choices": [["materiel", "Matériel"], ["travaux", "Travaux"]]},
    {"name": "kbis", "label": "Extrait Kbis", "type": "file", "required": True},
]  # fmt: skip

LETTER = """<div class="expediteur"><strong>{{ organisation.nom }}</strong>{{ organisation.adresse }}</div>
<div class="destinataire">{{ usager.nom_complet }}
{{ usager.adresse }}
{{ usager.code_postal }} {{ usager.commune }}</div>
<p class="date">{{ organisation.commune }}, le {{ date_du_jour }}</p>
<p class="objet">Objet : {{ dossier.demarche }} — {{ dossier.reference }}</p>
<p>Montant accordé : {{ dossier.montant_demande }} ({{ dossier.montant_demande|en_lettres }}).</p>
{% if dossier.date_debut %}<p>Début : {{ dossier.date_debut }}</p>{% endif %}
<p class="signature">{{ organisation.signataire }}</p>
"""


@pytest.fixture
def organisation(db):
    return OrganisationFactory(
        name="Direction de test",
        address="1 place de la République\n69001 Lyon",
        email="contact@test.example",
        signatory="La directrice, Anne-Sophie Caron",
        siren="217500016",
    )


@pytest.fixture
def procedure(team, organisation):
    return ProcedureFactory(team=team, organisation=organisation, field_schema=SCHEMA,
                            name="Aide aux petites entreprises")  # fmt: skip


@pytest.fixture
def case(procedure):
    return CaseFactory(
        procedure=procedure,
        reference="APE-2026-000123",
        contact=ContactFactory(first_name="Élodie", last_name="Dupont"),
        data={"objet": "Achat d'un four", "montant_demande": "1234.56",
              "date_debut": "2026-03-12", "categorie": "materiel"},
        submitted_at=timezone.make_aware(datetime.datetime(2026, 3, 1, 10, 0)),
    )  # fmt: skip


@pytest.fixture
def admin_agent(db):
    from tests.factories import AgentFactory

    return AgentFactory(username="admin-docs", administrator=True)


@pytest.fixture
def html_template(procedure, admin_agent):
    template = services.document_template_create(
        name="Attestation", kind=TemplateKind.HTML, procedure=procedure, actor=admin_agent
    )
    version = services.document_template_add_version(
        template=template, body=LETTER, actor=admin_agent
    )
    services.document_template_publish(version=version, actor=admin_agent)
    return template


def make_docx(*paragraphs: str) -> bytes:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_upload(*paragraphs: str, name: str = "modele.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_docx(*paragraphs))


@pytest.fixture
def docx_template(admin_agent):
    from levier.documents.demo import letter_docx

    template = services.document_template_create(
        name="Courrier de demande de pièces", kind=TemplateKind.DOCX, actor=admin_agent
    )
    version = services.document_template_add_version(
        template=template,
        upload=SimpleUploadedFile("lettre.docx", letter_docx()),
        actor=admin_agent,
    )
    services.document_template_publish(version=version, actor=admin_agent)
    return template

"""Demo document templates: an acceptance certificate per procedure (HTML -> PDF) and a
request-for-documents letter (DOCX built with python-docx), both published.

`ensure_demo_templates(setup)` is idempotent: a template already there is left alone.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from levier.cases.models import Procedure
from levier.journal.services import Actor

from . import services
from .models import DocumentTemplate, TemplateKind

ATTESTATION_NAME = "Attestation d'acceptation"
LETTER_NAME = "Courrier de demande de pièces"

ATTESTATION_BODY = """{% if organisation.logo %}<img class="logo" src="{{ organisation.logo }}" alt="">{% endif %}
<div class="expediteur"><strong>{{ organisation.nom }}</strong>{{ organisation.adresse }}
{{ equipe.nom }}{% if equipe.email %} — {{ equipe.email }}{% endif %}</div>
<div class="destinataire">{{ usager.nom_complet }}
{{ usager.adresse }}
{{ usager.code_postal }} {{ usager.commune }}</div>
<p class="date">{{ organisation.commune }}, le {{ date_du_jour }}</p>
<p class="reference">Dossier {{ dossier.reference }} — déposé le {{ dossier.date_de_depot }}</p>
<p class="objet">Objet : attestation d'acceptation — {{ dossier.demarche }}</p>
<div class="corps">
<p>{% if usager.civilite %}{{ usager.civilite }},{% else %}Madame, Monsieur,{% endif %}</p>
<p>Nous avons le plaisir de vous informer que votre demande au titre de la démarche
«&nbsp;{{ dossier.demarche }}&nbsp;», enregistrée sous la référence {{ dossier.reference }}, a été acceptée.</p>
<p>Le montant retenu est de <span class="montant">{{ dossier.%(amount)s|montant }}</span>
({{ dossier.%(amount)s|en_lettres }}).</p>
<p>Cette attestation peut être présentée à tout organisme qui vous la demanderait.</p>
<p>Veuillez agréer, {% if usager.civilite %}{{ usager.civilite }}{% else %}Madame, Monsieur{% endif %},
l'expression de nos salutations distinguées.</p>
</div>
<p class="signature">{{ organisation.signataire }}
Dossier suivi par {{ agent.prenom }} {{ agent.nom }}</p>
"""


def _amount_field(procedure: Procedure) -> str | None:
    money = [e["name"] for e in procedure.field_schema if e.get("type") == "money"]
    for preferred in ("amount_requested", "monthly_rent"):
        if preferred in money:
            return preferred
    return money[0] if money else None


def letter_docx() -> bytes:
    """The DOCX letter asking for documents, with merge fields, a condition and a loop."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10.5)
    document.add_paragraph("{{ organisation.nom }}").runs[0].bold = True
    document.add_paragraph("{{ organisation.adresse }}")
    document.add_paragraph("{{ equipe.nom }} — {{ equipe.email }}")
    document.add_paragraph("")
    for line in (
        "{{ usager.nom_complet }}",
        "{{ usager.adresse }}",
        "{{ usager.code_postal }} {{ usager.commune }}",
    ):
        document.add_paragraph(line).paragraph_format.left_indent = Pt(260)
    document.add_paragraph("")
    document.add_paragraph(
        "{{ organisation.commune }}, le {{ date_du_jour }}"
    ).paragraph_format.left_indent = Pt(260)
    objet = document.add_paragraph(
        "Objet : demande de pièces — dossier {{ dossier.reference }} ({{ dossier.demarche }})"
    )
    objet.runs[0].bold = True
    document.add_paragraph("Madame, Monsieur,")
    document.add_paragraph(
        "Votre dossier {{ dossier.reference }}, déposé le {{ dossier.date_de_depot }}, "
        "est en cours d'instruction."
    )
    document.add_paragraph("{%p if dossier.pieces_manquantes %}")
    document.add_paragraph("Pour le poursuivre, nous avons besoin des pièces suivantes :")
    document.add_paragraph("{%p for piece in dossier.pieces_manquantes %}")
    document.add_paragraph(
        "{{ piece.libelle }}{% if piece.obligatoire %} (obligatoire){% endif %}",
        style="List Bullet",
    )
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p else %}")
    document.add_paragraph(
        "Pour le poursuivre, nous avons besoin d'une version lisible des pièces déjà "
        "envoyées, ou de leur mise à jour."
    )
    document.add_paragraph("{%p endif %}")
    document.add_paragraph(
        "Vous pouvez les déposer depuis votre espace usager ou les envoyer à {{ equipe.email }}, "
        "en rappelant la référence {{ dossier.reference }}."
    )
    document.add_paragraph(
        "Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées."
    )
    document.add_paragraph("")
    document.add_paragraph("{{ agent.prenom }} {{ agent.nom }}").paragraph_format.left_indent = Pt(
        260
    )
    document.add_paragraph("{{ organisation.signataire }}").paragraph_format.left_indent = Pt(260)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _ensure(
    name: str, kind: str, procedure: Procedure | None, actor: Any, **source: Any
) -> DocumentTemplate:
    template = DocumentTemplate.objects.filter(name=name, procedure=procedure).first()
    if template is None:
        template = services.document_template_create(
            name=name, kind=kind, procedure=procedure, actor=actor
        )
    if template.published_version is None:
        version = services.document_template_add_version(template=template, actor=actor, **source)
        services.document_template_publish(version=version, actor=actor)
    return template


def ensure_demo_templates(setup: Any) -> list[DocumentTemplate]:
    """The demo's published templates (created once); `setup` is a demo.setup.DemoSetup."""
    actor = Actor.robot("demo-seed")
    templates = []
    for procedure in setup.procedures.values():
        amount = _amount_field(procedure)
        if amount is None:
            continue
        templates.append(
            _ensure(
                f"{ATTESTATION_NAME} — {procedure.name}",
                TemplateKind.HTML,
                procedure,
                actor,
                body=ATTESTATION_BODY.replace("%(amount)s", amount),
            )
        )
    upload = SimpleUploadedFile(
        "courrier-demande-de-pieces.docx",
        letter_docx(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    templates.append(_ensure(LETTER_NAME, TemplateKind.DOCX, None, actor, upload=upload))
    return templates


# ---------------------------------------------------------------------------
# Email templates
# ---------------------------------------------------------------------------

ACKNOWLEDGEMENT_EMAIL = (
    "Accusé de réception",
    "submitted",
    "Dossier {{ dossier.reference }} : accusé de réception",
    """{% if usager.civilite %}{{ usager.civilite }},{% else %}Madame, Monsieur,{% endif %}

Nous avons bien reçu votre demande au titre de la démarche « {{ dossier.demarche }} », enregistrée sous la référence {{ dossier.reference }}.

Elle sera instruite par {{ equipe.nom }}. Pour toute question, écrivez à {{ equipe.email }} en rappelant cette référence.

Bien cordialement,
{{ organisation.nom }}""",
)
ACCEPTED_EMAIL = (
    "Dossier accepté",
    "accepted",
    "Dossier {{ dossier.reference }} : votre demande est acceptée",
    """{% if usager.civilite %}{{ usager.civilite }},{% else %}Madame, Monsieur,{% endif %}

Bonne nouvelle : votre demande au titre de la démarche « {{ dossier.demarche }} » (dossier {{ dossier.reference }}) est acceptée !

Vous trouverez l'attestation d'acceptation jointe à ce courriel ; gardez-la, elle peut vous être demandée.

Bien cordialement,
{{ organisation.signataire }}
{{ organisation.nom }}""",
)
MISSING_DOCUMENTS_EMAIL = (
    "Pièces manquantes",
    "",
    "Dossier {{ dossier.reference }} : pièces à nous envoyer",
    """{% if usager.civilite %}{{ usager.civilite }},{% else %}Madame, Monsieur,{% endif %}

Votre dossier {{ dossier.reference }} (« {{ dossier.demarche }} ») est en cours d'instruction.
{% if dossier.pieces_manquantes %}
Pour le poursuivre, il nous manque les pièces suivantes :
{% for piece in dossier.pieces_manquantes %}- {{ piece.libelle }}{% if piece.obligatoire %} (obligatoire){% endif %}
{% endfor %}{% else %}
Pour le poursuivre, nous avons besoin d'une version lisible des pièces déjà envoyées.
{% endif %}
Vous pouvez les déposer depuis votre espace usager ou les envoyer à {{ equipe.email }}, en rappelant la référence {{ dossier.reference }}.

Bien cordialement,
{{ agent.prenom }} {{ agent.nom }}
{{ equipe.nom }}""",
)


def ensure_demo_email_templates(setup: Any) -> list[Any]:
    """The demo's email templates for each procedure (created once): an acknowledgement
    (submitted), an acceptance with the attestation attached (accepted) and a request for
    the missing documents (sent by hand)."""
    from .models import EmailTemplate

    actor = Actor.robot("demo-seed")
    templates = []
    for procedure in setup.procedures.values():
        attestation = DocumentTemplate.objects.filter(
            name=f"{ATTESTATION_NAME} — {procedure.name}", procedure=procedure
        ).first()
        for name, status, subject, body in (
            ACKNOWLEDGEMENT_EMAIL,
            ACCEPTED_EMAIL,
            MISSING_DOCUMENTS_EMAIL,
        ):
            template = EmailTemplate.objects.filter(name=name, procedure=procedure).first()
            if template is None:
                template = services.email_template_save(
                    template=EmailTemplate(
                        name=name,
                        procedure=procedure,
                        status=status,
                        subject=subject,
                        body_text=body,
                        attach_template=attestation if status == "accepted" else None,
                    ),
                    actor=actor,
                )
            templates.append(template)
    return templates

"""The merge context: French keys, values formatted by their schema type."""

from __future__ import annotations

import pytest
from django.utils import timezone

from levier.documents.context import context_skeleton, merge_context
from levier.documents.formatting import date_longue

pytestmark = pytest.mark.django_db


def test_merge_context_holds_every_section(case, agent):
    context = merge_context(case, agent=agent)
    dossier = context["dossier"]
    assert dossier["reference"] == "APE-2026-000123"
    assert dossier["demarche"] == "Aide aux petites entreprises"
    assert dossier["statut"]
    assert dossier["date_de_depot"] == "1er mars 2026"
    assert dossier["montant_demande"] == "1\u202f234,56\u00a0€"
    assert str(dossier["montant_demande"].raw) == "1234.56"
    assert dossier["date_debut"] == "12 mars 2026"
    assert dossier["categorie"] == "Matériel"
    assert dossier["objet"] == "Achat d'un four"
    assert dossier["pieces"] == [
        {"nom": "kbis", "libelle": "Extrait Kbis", "obligatoire": True, "fournie": False}
    ]
    assert dossier["pieces_manquantes"] == dossier["pieces"]
    assert context["usager"]["nom_complet"] == "Élodie DUPONT"
    assert context["usager"]["prenom"] == "Élodie"
    assert context["usager"]["commune"] == "Lyon"
    assert context["usager"]["civilite"] == ""
    assert context["agent"] == {"prenom": agent.first_name, "nom": agent.last_name}
    assert context["equipe"]["nom"] == case.team.name
    assert context["organisation"]["commune"] == "Lyon"
    assert context["organisation"]["signataire"] == "La directrice, Anne-Sophie Caron"
    assert context["date_du_jour"] == date_longue(timezone.localdate())


def test_missing_values_are_left_out(case):
    case.data = {"objet": "x", "montant_demande": None, "date_debut": ""}
    context = merge_context(case)
    assert "montant_demande" not in context["dossier"]
    assert "date_debut" not in context["dossier"]
    assert context["agent"] == {"prenom": "", "nom": ""}


def test_skeleton_lists_the_procedures_fields(procedure):
    known = context_skeleton(procedure)
    assert {"montant_demande", "date_debut", "reference"} <= known["dossier"]
    assert "kbis" not in known["dossier"]
    assert known["date_du_jour"] is None
    assert "montant_demande" not in context_skeleton(None)["dossier"]


def test_the_organisations_logo_is_inlined_and_printed(case, settings):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image
    from pypdf import PdfReader

    from levier.documents.render import html_to_pdf, render_html

    assert merge_context(case)["organisation"]["logo"] == ""
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (0, 0, 145)).save(buffer, format="PNG")
    organisation = case.procedure.organisation
    organisation.logo.save("logo.png", ContentFile(buffer.getvalue()), save=True)
    logo = merge_context(case)["organisation"]["logo"]
    assert logo.startswith("data:image/png;base64,")
    pdf = html_to_pdf(
        render_html('<img src="{{ organisation.logo }}" alt=""><p>{{ dossier.reference }}</p>',
                    merge_context(case))
    )  # fmt: skip
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert page.images and "APE-2026-000123" in page.extract_text()

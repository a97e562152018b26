"""Services: every write journals; generation stores with its hash; missing data refused."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from levier.documents import services
from levier.documents.models import GeneratedDocument, TemplateKind
from levier.documents.selectors import documents_for_case, templates_for_case
from levier.journal.models import Event
from levier.journal.services import Actor

from .conftest import docx_upload

pytestmark = pytest.mark.django_db


def test_template_services_journal(admin_agent, procedure):
    template = services.document_template_create(
        name="Décision", kind=TemplateKind.HTML, procedure=procedure, actor=admin_agent
    )
    version = services.document_template_add_version(
        template=template, body="<p>{{ dossier.reference }}</p>", actor=admin_agent
    )
    assert (
        version.number == 1 and version.fields == ["dossier.reference"] and not version.is_published
    )
    second = services.document_template_add_version(
        template=template, body="<p>{{ usager.nom }}</p>", actor=admin_agent
    )
    services.document_template_publish(version=version, actor=admin_agent)
    services.document_template_publish(version=second, actor=admin_agent)
    version.refresh_from_db()
    assert not version.is_published and template.published_version == second
    verbs = list(
        Event.objects.filter(target_id=str(template.pk), activity_code="configure-procedure")
        .order_by("id").values_list("verb", flat=True)
    )  # fmt: skip
    assert verbs == ["create-template", "add-template-version", "add-template-version",
                     "publish-template-version", "publish-template-version"]  # fmt: skip


def test_only_administrators_configure(agent, procedure):
    with pytest.raises(PermissionDenied):
        services.document_template_create(name="x", kind=TemplateKind.HTML, actor=agent)


def test_a_docx_version_is_stored(admin_agent):
    template = services.document_template_create(
        name="Lettre", kind=TemplateKind.DOCX, actor=admin_agent
    )
    version = services.document_template_add_version(
        template=template, upload=docx_upload("{{ dossier.reference }}"), actor=admin_agent
    )
    assert version.file.name.endswith(".docx") and version.fields == ["dossier.reference"]
    with pytest.raises(ValidationError):
        services.document_template_add_version(
            template=template, upload=docx_upload("{{ nope }}"), actor=admin_agent
        )
    assert template.versions.count() == 1


def test_generate_stores_hashes_and_journals(html_template, case, agent):
    document = services.document_generate(case=case, template=html_template, actor=agent)
    content = document.file.read()
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content) and document.format == "pdf"
    assert document.created_by == agent
    assert document.file_name == "attestation-APE-2026-000123.pdf"
    event = Event.objects.get(verb="generate-document")
    assert event.activity_code == "generate-document"
    assert event.target_id == str(case.pk)
    assert event.payload["sha256"] == document.sha256
    assert event.payload["version"] == 1 and event.payload["template"] == html_template.pk
    assert list(documents_for_case(case)) == [document]


def test_automation_generates_without_an_agent(docx_template, case):
    document = services.document_generate(
        case=case, template=docx_template, actor=Actor.robot("rules"), format="docx"
    )
    assert document.created_by is None and document.format == "docx"
    assert Event.objects.get(verb="generate-document").automated


def test_missing_merge_data_produces_nothing_and_names_field_and_case(html_template, case, agent):
    case.data = {**case.data, "montant_demande": None}
    case.save()
    with pytest.raises(ValidationError) as caught:
        services.document_generate(case=case, template=html_template, actor=agent)
    message = caught.value.messages[0]
    assert "APE-2026-000123" in message and "montant_demande" in message
    assert GeneratedDocument.objects.count() == 0
    assert not Event.objects.filter(verb="generate-document").exists()


def test_missing_merge_data_message_in_french(html_template, case, agent):
    from django.utils import translation

    case.data = {**case.data, "montant_demande": ""}
    case.save()
    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        services.document_generate(case=case, template=html_template, actor=agent)
    assert caught.value.messages[0] == (
        "Le dossier APE-2026-000123 n'a pas de valeur pour « montant_demande » : "
        "complétez-le ou retirez ce champ du modèle."
    )


def test_generation_is_scoped_to_the_agents_teams(html_template, case, other_agent):
    with pytest.raises(Http404):
        services.document_generate(case=case, template=html_template, actor=other_agent)


def test_a_template_of_another_procedure_is_refused(admin_agent, case, agent):
    from tests.factories import ProcedureFactory

    other = services.document_template_create(
        name="Autre", kind=TemplateKind.HTML, procedure=ProcedureFactory(), actor=admin_agent
    )
    version = services.document_template_add_version(template=other, body="x", actor=admin_agent)
    services.document_template_publish(version=version, actor=admin_agent)
    assert other not in templates_for_case(case)
    with pytest.raises(ValidationError):
        services.document_generate(case=case, template=other, actor=agent)


def test_html_template_cannot_give_docx(html_template, case, agent):
    with pytest.raises(ValidationError, match="PDF"):
        services.document_generate(case=case, template=html_template, actor=agent, format="docx")


def test_demo_templates_are_published_and_idempotent(procedure, case, agent):
    from types import SimpleNamespace

    from levier.documents.demo import ensure_demo_templates

    procedure.field_schema = [*procedure.field_schema,
                              {"name": "amount_requested", "label": "M", "type": "money"}]  # fmt: skip
    procedure.save()
    procedure.versions.update(field_schema=procedure.field_schema)
    setup = SimpleNamespace(procedures={"p": procedure})
    first = ensure_demo_templates(setup)
    assert [t.published_version is not None for t in first] == [True, True]
    assert [t.pk for t in ensure_demo_templates(setup)] == [t.pk for t in first]
    case.data = {**case.data, "amount_requested": "2000000.00"}
    case.procedure_version.refresh_from_db()
    document = services.document_generate(case=case, template=first[0], actor=agent)
    assert document.format == "pdf"

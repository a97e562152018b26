"""Administrators' templates cannot load other templates, nor hang or exhaust a worker.

Security review (issue 10, item 11): `{% include %}`, `{% extends %}`, `{% import %}`,
`{% debug %}` and `range(100000000)` passed validation and made the preview a 500;
`{{ 'a'*100000000 }}` held a worker until gunicorn killed it.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from jinja2.sandbox import SandboxedEnvironment

from levier.documents import services
from levier.documents.emails import render_email, validate_email_template
from levier.documents.formatting import date_longue, en_lettres, montant
from levier.documents.models import DocumentTemplateVersion, EmailTemplate
from levier.documents.render import MergeUndefined, MissingMergeValue, render_html
from levier.documents.validation import check_docx, check_html

from .conftest import make_docx

pytestmark = pytest.mark.django_db

# No time is asserted here (a busy machine would fail it): each error names the bound
# that stopped the bomb (EXPLANATIONS), and the time bound is LEVIER_TEMPLATE_RENDER_SECONDS.

LOADING_TAGS = {
    "include": '{% include "base.html" %}',
    "extends": '{% extends "base.html" %}',
    "import": '{% import "macros.html" as m %}',
    "from": '{% from "macros.html" import signature %}',
    "debug": "{% debug %}",
}

RENDER_BOMBS = {
    "range": "{% for i in range(100000000) %}{{ i }}{% endfor %}",
    "repeated string": "<p>{{ 'a'*100000000 }}</p>",
    "repeated list": "{{ ([dossier.reference]*100000000)|length }}",
    "power": "{{ 9**999999999 }}",
    "output": "{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}",
    "loops without output": (
        "{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000) %}"
        "{% endfor %}{% endfor %}{% endfor %}"
    ),
    "memory": "{% set s = 'a' * 500000 %}{{ ([s] * 500000)|join|length }}",
}


@pytest.fixture
def quick_limits(settings):
    settings.LEVIER_TEMPLATE_RENDER_SECONDS = 3


@pytest.mark.parametrize("tag", sorted(LOADING_TAGS))
def test_loading_tags_are_refused_at_validation_naming_the_tag(procedure, tag):
    body = f"<p>Bonjour</p>\n{LOADING_TAGS[tag]}\n"
    with pytest.raises(ValidationError) as caught:
        check_html(body, procedure)
    error = caught.value.error_list[0]
    assert error.code == "forbidden_tag"
    assert error.params == {"tag": tag, "line": 2}
    with pytest.raises(ValidationError) as caught:
        validate_email_template(subject="Objet", body_text=body, procedure=procedure)
    assert caught.value.error_dict["body_text"][0].code == "forbidden_tag"
    with pytest.raises(ValidationError) as caught:
        check_docx(make_docx("Bonjour", LOADING_TAGS[tag]), procedure)
    assert caught.value.error_list[0].code == "forbidden_tag"


def test_the_admin_shows_the_refusal_in_french(client, admin_agent, procedure):
    client.force_login(admin_agent)
    data = {"name": "Piège", "kind": "html", "procedure": procedure.pk, "is_active": "on",
            "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0",
            "new_body": '<p>a</p>\n{% include "secret.html" %}'}  # fmt: skip
    client.cookies["django_language"] = "fr"
    response = client.post(
        reverse("admin:documents_documenttemplate_add"), data, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.errors["new_body"])
    assert message.startswith(
        "La balise « {% include %} » n’est pas autorisée dans un modèle (ligne 2)"
    )


# What the message names, for each bomb.
EXPLANATIONS = {
    "range": ["range() de 100000000 nombres"],
    "repeated string": ["100 000 000 caractères", "LEVIER_TEMPLATE_MAX_OUTPUT"],
    "repeated list": ["100 000 000 caractères"],
    "power": ["la puissance 9 ** 999999999"],
    "output": ["LEVIER_TEMPLATE_MAX_OUTPUT"],
    "loops without output": ["plus de 3 secondes"],
    "memory": ["Mo de mémoire", "LEVIER_TEMPLATE_MAX_OUTPUT"],
}


def _form_error(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


def _preview(client, template, version, case):
    url = reverse("admin:documents_documenttemplate_preview", args=[template.pk])
    return client.post(url, {"reference": case.reference, "version": version.pk, "format": "pdf"})


@pytest.mark.parametrize("tag", ["include", "extends", "import", "from"])
def test_a_stored_version_that_loads_a_template_previews_with_an_error_not_a_500(
    client, admin_agent, team, html_template, case, tag
):
    """A version saved before validation refused these tags still previews cleanly."""
    admin_agent.teams.add(team)
    client.force_login(admin_agent)
    version = DocumentTemplateVersion.objects.create(
        template=html_template, number=9, body=LOADING_TAGS[tag], created_by=admin_agent
    )
    response = _preview(client, html_template, version, case)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "ne peut pas charger un autre modèle (« " in _form_error(response)


@pytest.mark.parametrize("bomb", sorted(RENDER_BOMBS))
def test_render_bombs_are_stopped_with_a_clear_error_on_the_preview_page(
    client, admin_agent, team, html_template, case, quick_limits, bomb
):
    admin_agent.teams.add(team)
    client.force_login(admin_agent)
    version = services.document_template_add_version(
        template=html_template, body=RENDER_BOMBS[bomb], actor=admin_agent
    )  # each of these passes validation: only rendering can tell
    response = _preview(client, html_template, version, case)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    error = _form_error(response)
    assert error.startswith("Le modèle « Attestation » n'a pas pu être rempli : ")
    assert any(word in error for word in EXPLANATIONS[bomb]), error


def test_generation_is_refused_too_and_nothing_is_kept(admin_agent, team, html_template, case,
                                                       quick_limits):  # fmt: skip
    admin_agent.teams.add(team)
    version = services.document_template_add_version(
        template=html_template, body=RENDER_BOMBS["repeated string"], actor=admin_agent
    )
    services.document_template_publish(version=version, actor=admin_agent)
    with pytest.raises(ValidationError) as caught:
        services.document_generate(case=case, template=html_template, actor=admin_agent)
    assert caught.value.code == "template_error"
    assert not case.generated_documents.exists()


@pytest.mark.parametrize("bomb", ["range", "repeated string", "loops without output"])
def test_email_bombs_are_stopped_on_the_email_preview(
    client, admin_agent, team, case, procedure, quick_limits, bomb
):
    admin_agent.teams.add(team)
    template = EmailTemplate.objects.create(
        name="Piège", procedure=procedure, subject="Objet", body_text=RENDER_BOMBS[bomb]
    )
    client.force_login(admin_agent)
    url = reverse("admin:documents_emailtemplate_preview", args=[template.pk])
    response = client.post(url, {"reference": case.reference})
    assert response.status_code == 200
    assert 'id="email-preview-html"' not in response.content.decode()
    assert any(word in _form_error(response) for word in EXPLANATIONS[bomb])


def _reference_environment() -> SandboxedEnvironment:
    """Jinja's plain sandbox as levier configured it before the bounds."""
    env = SandboxedEnvironment(undefined=MergeUndefined, autoescape=True)
    env.filters.update(montant=montant, en_lettres=en_lettres, date_longue=date_longue)
    return env


def test_the_demo_templates_validate_and_render_as_before():
    from levier.demo.setup import ensure_demo_setup
    from levier.documents.context import merge_context
    from levier.documents.demo import ensure_demo_email_templates, ensure_demo_templates
    from levier.documents.emails import email_context, french_typography
    from tests.factories import CaseFactory

    setup = ensure_demo_setup()
    reference = _reference_environment()
    templates = [t for t in ensure_demo_templates(setup) if t.published_version.body]
    compared = 0
    for template in templates:
        procedure = template.procedure or setup.procedures[0]
        money = {e["name"]: "1234.56" for e in procedure.active_schema if e["type"] == "money"}
        case = CaseFactory(procedure=procedure, data=money)
        body = template.published_version.body
        check_html(body, template.procedure)
        context = merge_context(case)
        try:
            expected = reference.from_string(body).render(context)
        except MissingMergeValue:  # a procedure's field this bare case lacks
            continue
        assert render_html(body, context, title=template.name).count(expected) == 1
        compared += 1
    assert compared
    for email in ensure_demo_email_templates(setup):
        case = CaseFactory(procedure=email.procedure or setup.procedures[0], data={})
        try:
            rendered = render_email(email, case=case)
        except MissingMergeValue:  # a procedure's field this bare case lacks
            continue
        text = reference.overlay(autoescape=False).from_string(email.body_text)
        assert rendered.text == french_typography(text.render(email_context(case)))


@pytest.mark.parametrize("bomb", ["repeated string", "loops without output"])
def test_a_docx_bomb_is_stopped_too(client, admin_agent, team, case, quick_limits, bomb):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from levier.documents.models import TemplateKind

    admin_agent.teams.add(team)
    client.force_login(admin_agent)
    template = services.document_template_create(
        name="Courrier", kind=TemplateKind.DOCX, actor=admin_agent
    )
    upload = SimpleUploadedFile("piege.docx", make_docx("Bonjour", RENDER_BOMBS[bomb]))
    version = services.document_template_add_version(
        template=template, upload=upload, actor=admin_agent
    )
    url = reverse("admin:documents_documenttemplate_preview", args=[template.pk])
    response = client.post(url, {"reference": case.reference, "version": version.pk,
                                 "format": "docx"})  # fmt: skip
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert any(word in _form_error(response) for word in EXPLANATIONS[bomb])

"""Validation at upload: syntax errors by line, unknown merge fields, fake DOCX files."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from levier.documents.validation import check_docx, check_html, is_docx

from .conftest import LETTER, make_docx

pytestmark = pytest.mark.django_db


def test_a_sound_html_template_lists_its_fields(procedure):
    fields = check_html(LETTER, procedure)
    assert "dossier.montant_demande" in fields
    assert "usager.nom_complet" in fields
    assert "date_du_jour" in fields


def test_syntax_error_names_the_line(procedure):
    with pytest.raises(ValidationError) as caught:
        check_html("<p>a</p>\n<p>b</p>\n{% if dossier.reference %}\n<p>c</p>", procedure)
    message = caught.value.messages[0]
    assert "4" in message or "3" in message
    assert caught.value.error_list[0].code == "syntax"
    with pytest.raises(ValidationError) as caught:
        check_html("ligne 1\n{{ dossier.reference }\n", procedure)
    assert caught.value.error_list[0].params["line"] == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ("{{ dossier.montant }}", "dossier.montant"),
        ("{{ usager['age'] }}", "usager.age"),
        ("{{ inconnu }}", "inconnu"),
        ("{{ date_du_jour.annee }}", "date_du_jour.annee"),
    ],
)
def test_unknown_field_is_named_with_the_known_ones(procedure, body, field):
    with pytest.raises(ValidationError) as caught:
        check_html(body, procedure)
    error = caught.value.error_list[0]
    assert error.code == "unknown_field"
    assert error.params["field"] == field
    assert "dossier.montant_demande" in error.params["known"]


def test_loop_variables_and_filters_are_accepted(procedure):
    body = "{% for piece in dossier.pieces %}{{ piece.libelle }}{% endfor %}{{ dossier.montant_demande|en_lettres }}"
    assert check_html(body, procedure) == ["dossier.montant_demande", "dossier.pieces"]


def test_a_template_for_any_procedure_knows_only_the_fixed_fields():
    with pytest.raises(ValidationError):
        check_html("{{ dossier.montant_demande }}", None)
    assert check_html("{{ dossier.reference }}", None) == ["dossier.reference"]


def test_docx_fields_and_errors(procedure):
    content = make_docx("Dossier {{ dossier.reference }}", "{{ dossier.montant_demande|montant }}")
    assert check_docx(content, procedure) == ["dossier.montant_demande", "dossier.reference"]
    with pytest.raises(ValidationError) as caught:
        check_docx(make_docx("Bonjour", "{{ usager.pointure }}"), procedure)
    assert caught.value.error_list[0].params["field"] == "usager.pointure"
    with pytest.raises(ValidationError) as caught:
        check_docx(make_docx("un", "deux", "{% if dossier.reference %}trois"), procedure)
    assert caught.value.error_list[0].code == "syntax"


def test_a_fake_docx_is_refused(procedure):
    assert not is_docx(b"%PDF-1.7 not a docx")
    with pytest.raises(ValidationError) as caught:
        check_docx(b"%PDF-1.7 renamed to .docx", procedure, name="lettre.docx")
    assert caught.value.error_list[0].code == "not_docx"
    assert "lettre.docx" in caught.value.messages[0]
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("hello.txt", "not word")
    with pytest.raises(ValidationError):
        check_docx(buffer.getvalue(), procedure)

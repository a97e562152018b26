"""Rendering: HTML -> PDF/A read back with pypdf, DOCX read back with python-docx."""

from __future__ import annotations

import io
import shutil

import pytest
from docx import Document
from pypdf import PdfReader

from levier.documents import render
from levier.documents.context import merge_context
from levier.documents.render import MissingMergeValue, RenderError, environment

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split()), reader


def test_html_template_gives_a_pdfa_with_the_merged_data(html_template, case, agent):
    version = html_template.published_version
    rendered = render.render_version(version, merge_context(case, agent=agent), output="pdf")
    assert rendered.extension == "pdf" and rendered.content.startswith(b"%PDF")
    text, reader = _text(rendered.content)
    assert "Élodie DUPONT" in text
    assert "1 234,56 €" in text
    assert "mille deux cent trente-quatre euros et cinquante-six centimes" in text
    assert "Lyon, le " in text
    assert "12 mars 2026" in text  # an optional field under a condition
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="3"' in xmp
    fonts = [
        font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()
    ]
    assert fonts
    for font in fonts:  # every font is embedded (PDF/A)
        if "/DescendantFonts" in font:
            font = font["/DescendantFonts"][0].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(font["/FontDescriptor"])


def test_external_urls_are_never_fetched(monkeypatch):
    fetched = []
    from weasyprint.urls import URLFetcher

    monkeypatch.setattr(URLFetcher, "open", lambda self, *a, **k: fetched.append(a) or None)
    html = render.render_html('<img src="http://example.com/x.png"><p>texte</p>', {})
    pdf = render.html_to_pdf(html)
    assert pdf.startswith(b"%PDF")
    assert fetched == []


def test_sandbox_refuses_unsafe_attributes():
    from jinja2.sandbox import SecurityError

    with pytest.raises(SecurityError):
        environment().from_string("{{ x.__class__ }}").render(x=1)
    with pytest.raises(SecurityError):
        environment().from_string("{{ f.__globals__ }}").render(f=lambda: 1)


def test_printing_a_missing_value_names_it():
    with pytest.raises(MissingMergeValue) as caught:
        environment().from_string("{{ dossier.montant|montant }}").render(dossier={})
    assert caught.value.name == "montant"
    assert (
        environment().from_string("{% if dossier.x %}a{% else %}b{% endif %}").render(dossier={})
        == "b"
    )


def test_docx_template_gives_a_docx_with_loop_and_condition(docx_template, case, agent):
    rendered = render.render_version(
        docx_template.published_version, merge_context(case, agent=agent), output="docx"
    )
    assert rendered.extension == "docx"
    text = "\n".join(p.text for p in Document(io.BytesIO(rendered.content)).paragraphs)
    assert "Élodie DUPONT" in text
    assert "APE-2026-000123" in text
    assert "Extrait Kbis (obligatoire)" in text
    assert "{{" not in text and "{%" not in text


def test_docx_to_pdf_without_libreoffice_says_what_to_do(docx_template, case, monkeypatch):
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    with pytest.raises(RenderError, match="HTML"):
        render.render_version(docx_template.published_version, merge_context(case), output="pdf")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_docx_to_pdf_with_libreoffice(docx_template, case):
    rendered = render.render_version(
        docx_template.published_version, merge_context(case), output="pdf"
    )
    text, _reader = _text(rendered.content)
    assert "APE-2026-000123" in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_docx_template_gives_an_odt_where_asked(docx_template, case):
    import zipfile

    rendered = render.render_version(
        docx_template.published_version, merge_context(case), output="odt"
    )
    assert rendered.extension == "odt"
    with zipfile.ZipFile(io.BytesIO(rendered.content)) as odt:
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        assert "APE-2026-000123" in odt.read("content.xml").decode()


def test_an_html_template_refuses_odt(html_template, case):
    with pytest.raises(RenderError, match="PDF"):
        render.render_version(html_template.published_version, merge_context(case), output="odt")

"""Rendering templates: one sandboxed Jinja2 environment for DOCX and HTML.

Administrators write these templates, so the environment is a bounded sandbox
(`sandbox.py`) and every fill runs in a child process bounded in time and memory
(`bounded_run.py`); LibreOffice's conversion has its own timeout.

HTML is rendered by Jinja2 then printed to PDF/A by WeasyPrint, with a fetcher that
refuses every URL but `data:` and this app's own static files (no network at run
time). DOCX is rendered by docxtpl with the same environment; a DOCX becomes a PDF
only when LibreOffice (`soffice`) is installed.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, UndefinedError
from jinja2.utils import missing

from .formatting import date_longue, en_lettres, montant
from .sandbox import BoundedSandbox

STATIC_DIR = Path(__file__).resolve().parent / "static" / "documents"
LETTER_CSS = STATIC_DIR / "letter.css"
PDF_VARIANT = "pdf/a-3u"  # PDF/A-3 level B plus Unicode text: archivable and searchable
SOFFICE_TIMEOUT = 120


class MissingMergeValue(UndefinedError):
    """A template printed a value the case does not hold."""

    def __init__(self, message: str | None = None, *, name: str = "") -> None:
        super().__init__(message)
        self.name = name


class RenderError(Exception):
    """The document cannot be produced in the asked format (explained in the message)."""


class MergeUndefined(StrictUndefined):
    """Strict: printing, comparing or computing with a missing value fails, naming it.

    Only truth tests are lenient, so `{% if dossier.champ %}` works on an optional field.
    """

    __slots__ = ()

    def __init__(self, hint=None, obj=missing, name=None, exc=UndefinedError) -> None:
        if exc is UndefinedError:  # the sandbox passes SecurityError for unsafe attributes
            exc = functools.partial(MissingMergeValue, name=str(name or ""))
        super().__init__(hint, obj, name, exc)

    def __bool__(self) -> bool:
        return False


@functools.cache
def environment() -> BoundedSandbox:
    """The one environment for every template (autoescaped: HTML and DOCX XML alike)."""
    env = BoundedSandbox(undefined=MergeUndefined, autoescape=True)
    env.filters.update(montant=montant, en_lettres=en_lettres, date_longue=date_longue)
    return env


@dataclass(frozen=True)
class RenderedFile:
    content: bytes
    extension: str  # "pdf", "docx" or "odt"


# ---------------------------------------------------------------------------
# HTML -> PDF
# ---------------------------------------------------------------------------

HTML_SHELL = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>
<body>{body}</body></html>"""


def render_html(body: str, context: dict[str, Any], *, title: str = "") -> str:
    html = environment().from_string(body).render(context)
    if "<html" not in html.lower():
        from markupsafe import escape

        html = HTML_SHELL.format(title=escape(title), body=html)
    return html


@functools.cache
def _warm_up() -> None:
    """Print one tiny letter in this process, so that every child process inherits the
    loaded fonts, stylesheet and layout caches instead of loading them again."""
    html_to_pdf(HTML_SHELL.format(title="", body="<p>levier</p>"))


def _html_template_to_pdf(body: str, context: dict[str, Any], title: str) -> bytes:
    return html_to_pdf(render_html(body, context, title=title))


def _local_fetcher():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        """Fetches `data:` URLs and this app's static files; refuses everything else."""

        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "data":
                return super().fetch(url, headers)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if path.is_relative_to(STATIC_DIR):
                    return super().fetch(url, headers)
            raise ValueError(f"levier documents fetch no external resource: {url[:80]}")

    return LocalOnlyFetcher(allowed_protocols={"data", "file"})


@functools.cache
def _fonts():
    """One font configuration per process: finding and loading fonts again for every
    letter costs a fifth of the rendering. (Workers are processes, not threads.)"""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@functools.cache
def _letter_stylesheet():
    """The letter stylesheet, parsed once per process (it is the same for every letter)."""
    from weasyprint import CSS

    return CSS(filename=str(LETTER_CSS), url_fetcher=_local_fetcher(), font_config=_fonts())


def html_to_pdf(html: str, *, extra_css: Path | None = None) -> bytes:
    """`extra_css`: a stylesheet of the caller's own (e.g. the scheduled reports'), applied
    after the letter's; a file, since the pages' policy forbids <style> elements."""
    from weasyprint import CSS, HTML

    fetcher = _local_fetcher()
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    stylesheets = [_letter_stylesheet()]
    if extra_css is not None:
        stylesheets.append(CSS(filename=str(extra_css), url_fetcher=fetcher, font_config=_fonts()))
    return document.write_pdf(
        stylesheets=stylesheets, pdf_variant=PDF_VARIANT, font_config=_fonts()
    )


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------


def render_docx(content: bytes, context: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate

    template = DocxTemplate(io.BytesIO(content))
    template.render(context, jinja_env=environment(), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def soffice_path() -> str | None:
    return shutil.which("soffice")


def docx_to_pdf(content: bytes) -> bytes:
    """Convert with LibreOffice when installed; RenderError otherwise."""
    return convert_docx(content, "pdf")


def convert_docx(content: bytes, target: str) -> bytes:
    """A DOCX converted by LibreOffice headless to `target` ("pdf" or "odt")."""
    soffice = soffice_path()
    if soffice is None:
        raise RenderError(
            _(
                "A PDF or ODT from a DOCX template needs LibreOffice installed on the server. "
                "Choose the DOCX format, or use an HTML template for a PDF."
            )
        )
    filters = {"pdf": "pdf:writer_pdf_Export", "odt": "odt"}
    with tempfile.TemporaryDirectory(prefix="levier-soffice-") as tmp:
        source = Path(tmp) / "document.docx"
        source.write_bytes(content)
        command = [
            soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
            "--norestore", "--convert-to", filters[target], "--outdir", tmp, str(source),
        ]  # fmt: skip
        try:
            subprocess.run(
                command, check=True, capture_output=True, timeout=SOFFICE_TIMEOUT,
                env={**os.environ, "HOME": tmp},
            )  # fmt: skip
        except (subprocess.SubprocessError, OSError) as error:
            raise RenderError(_("LibreOffice could not convert the document.")) from error
        result = Path(tmp) / f"document.{target}"
        if not result.exists():
            raise RenderError(_("LibreOffice could not convert the document."))
        return result.read_bytes()


# ---------------------------------------------------------------------------
# One entry point
# ---------------------------------------------------------------------------


def render_version(version, context: dict[str, Any], *, output: str) -> RenderedFile:
    """Render a DocumentTemplateVersion with a merge context in the `output` format."""
    from .bounded_run import run_bounded
    from .models import OutputFormat, TemplateKind

    kind = version.template.kind
    if kind == TemplateKind.HTML:
        if output != OutputFormat.PDF:
            raise RenderError(_("An HTML template gives a PDF only: choose the PDF format."))
        _warm_up()
        pdf = run_bounded(_html_template_to_pdf, version.body, context, version.template.name)
        return RenderedFile(pdf, "pdf")
    with version.file.open("rb") as handle:
        source = handle.read()
    docx = run_bounded(render_docx, source, context)
    if output in (OutputFormat.PDF, OutputFormat.ODT):
        return RenderedFile(convert_docx(docx, output), output)
    return RenderedFile(docx, "docx")

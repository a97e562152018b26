"""Documents generated from a template on a case, and previews of a version.

Rendering happens before the transaction (it is slow and writes nothing); a document
whose merge data is incomplete is never produced. When sealing is configured, a PDF is
sealed before it is stored.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from jinja2.exceptions import SecurityError, TemplateError

from levier.cases.models import Case
from levier.core.models import Agent
from levier.journal.services import record, record_read

from .. import seal
from ..context import merge_context
from ..models import DocumentTemplate, DocumentTemplateVersion, GeneratedDocument, OutputFormat
from ..render import MissingMergeValue, RenderedFile, RenderError, render_version
from .access import check_may_configure, check_may_see


def _check_usable(
    template: DocumentTemplate, case: Case, version: DocumentTemplateVersion | None = None
) -> DocumentTemplateVersion:
    if version is None or version.template_id != template.pk:
        version = template.published_version
    if (
        not template.is_active
        or version is None
        or template.procedure_id not in (None, case.procedure_id)
    ):
        raise ValidationError(
            _("The template “%(template)s” cannot be used on case %(reference)s."),
            code="unusable_template",
            params={"template": template.name, "reference": case.reference},
        )
    return version


def render_for_case(
    *, version: DocumentTemplateVersion, case: Case, agent: Agent | None = None, output: str
) -> RenderedFile:
    """Render `version` on `case`; ValidationError naming what is missing or wrong."""
    if output not in OutputFormat.values:
        raise ValidationError(_("Unknown format “%(format)s”."), params={"format": output})
    try:
        return render_version(version, merge_context(case, agent=agent), output=output)
    except MissingMergeValue as error:
        raise ValidationError(
            _(
                "Case %(reference)s has no value for “%(field)s”: complete it or remove "
                "this field from the template."
            ),
            code="missing_merge_value",
            params={"reference": case.reference, "field": error.name},
        ) from error
    except RenderError as error:
        raise ValidationError(str(error), code="render") from error
    except (SecurityError, TemplateError) as error:
        raise ValidationError(
            _("The template “%(template)s” could not be filled: %(error)s"),
            code="template_error",
            params={"template": version.template.name, "error": str(error)},
        ) from error


def _seal_if_enabled(rendered: RenderedFile) -> tuple[bytes, bool]:
    """The PDF sealed when sealing is configured (a DOCX is never sealed); (bytes, sealed)."""
    if rendered.extension != OutputFormat.PDF or not seal.sealing_enabled():
        return rendered.content, False
    try:
        return seal.seal_pdf(rendered.content), True
    except seal.AlreadySealed:  # a template cannot carry our seal, but never seal twice
        return rendered.content, True


def document_generate(
    *,
    case: Case,
    template: DocumentTemplate,
    actor: Any,
    format: str = OutputFormat.PDF,
    version: DocumentTemplateVersion | None = None,
) -> GeneratedDocument:
    """Fill the template's published version with the case's data and keep the result.

    `actor` is an Agent, or a journal Actor (robot) for automation. `version` pins a
    version of `template` (a mail merge keeps the one it started with); the published
    one otherwise. When sealing is configured, a PDF is sealed before it is stored.
    """
    check_may_see(actor, case)
    version = _check_usable(template, case, version)
    agent = actor if isinstance(actor, Agent) else None
    rendered = render_for_case(version=version, case=case, agent=agent, output=format)
    content, sealed = _seal_if_enabled(rendered)
    digest = hashlib.sha256(content).hexdigest()
    file_name = f"{slugify(template.name) or 'document'}-{case.reference}.{rendered.extension}"
    with transaction.atomic():
        document = GeneratedDocument(
            case=case,
            template_version=version,
            format=rendered.extension,
            file_name=file_name,
            sha256=digest,
            size=len(content),
            created_by=agent,
        )
        document.file.save(file_name, ContentFile(content), save=False)
        document.save()
        record(
            actor=actor,
            verb="generate-document",
            target=case,
            activity="generate-document",
            payload={
                "document": document.pk,
                "template": template.pk,
                "template_name": template.name,
                "version": version.number,
                "format": document.format,
                "sha256": digest,
                "sealed": sealed,
            },
        )
    return document


def document_preview(
    *, version: DocumentTemplateVersion, case: Case, actor: Any, format: str = OutputFormat.PDF
) -> RenderedFile:
    """Render a (possibly unpublished) version on a case for its author; stores nothing."""
    check_may_configure(actor)
    check_may_see(actor, case)
    rendered = render_for_case(
        version=version, case=case, agent=actor if isinstance(actor, Agent) else None, output=format
    )
    if isinstance(actor, Agent):
        record_read(agent=actor, target=case, what=f"template preview {version.pk}")
    return rendered

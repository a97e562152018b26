"""Every write on document templates and generated documents.

Each service checks permission, changes the data in one transaction and writes one
journal event. Rendering happens before the transaction (it is slow and writes
nothing); a document whose merge data is incomplete is never produced.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _
from jinja2 import TemplateError
from jinja2.sandbox import SecurityError

from levier.cases.models import Case, Procedure
from levier.core.models import Agent, Role
from levier.journal.services import record, record_read

from .context import merge_context
from .models import (
    DocumentTemplate,
    DocumentTemplateVersion,
    GeneratedDocument,
    OutputFormat,
    TemplateKind,
)
from .render import MissingMergeValue, RenderedFile, RenderError, render_version
from .validation import check_docx, check_html


def _check_may_configure(actor: Any) -> None:
    if isinstance(actor, Agent) and not (
        actor.is_superuser
        or actor.role == Role.ADMINISTRATOR
        or actor.has_perm("documents.add_documenttemplate")
    ):
        raise PermissionDenied("Only administrators configure document templates.")


def _check_may_see(actor: Any, case: Case) -> None:
    """Same rule as the case pages: a case outside the agent's teams does not exist."""
    if isinstance(actor, Agent) and case.team_id not in actor.visible_team_ids():
        raise Http404("No such case.")


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------


def document_template_save(*, template: DocumentTemplate, actor: Any) -> DocumentTemplate:
    """Create or update a template's description (name, kind, procedure, active)."""
    _check_may_configure(actor)
    created = template.pk is None
    if not created:
        previous = DocumentTemplate.objects.filter(pk=template.pk).values_list("kind", flat=True)
        if previous and previous[0] != template.kind and template.versions.exists():
            raise ValidationError(
                _("The kind of a template with versions cannot change: create a new template."),
                code="kind_locked",
            )
    with transaction.atomic():
        template.save()
        record(
            actor=actor,
            verb="create-template" if created else "update-template",
            target=template,
            activity="configure-procedure",
            payload={"name": template.name, "kind": template.kind, "active": template.is_active},
        )
    return template


def document_template_create(
    *, name: str, kind: str, actor: Any, procedure: Procedure | None = None, is_active: bool = True
) -> DocumentTemplate:
    template = DocumentTemplate(name=name, kind=kind, procedure=procedure, is_active=is_active)
    return document_template_save(template=template, actor=actor)


def validate_template_source(
    *, template: DocumentTemplate, upload: Any = None, body: str | None = None
) -> tuple[bytes | None, list[str]]:
    """Check a new version's source; return (DOCX bytes or None, merge fields used)."""
    if template.kind == TemplateKind.DOCX:
        if upload is None:
            raise ValidationError(_("Choose the DOCX file of the new version."), code="required")
        upload.seek(0)
        content = upload.read()
        return content, check_docx(content, template.procedure, name=getattr(upload, "name", ""))
    if not (body or "").strip():
        raise ValidationError(_("Write the HTML body of the new version."), code="required")
    return None, check_html(body or "", template.procedure)


def document_template_add_version(
    *, template: DocumentTemplate, actor: Any, upload: Any = None, body: str | None = None
) -> DocumentTemplateVersion:
    """Validate and store a new, unpublished version (versions are never changed after)."""
    _check_may_configure(actor)
    content, fields = validate_template_source(template=template, upload=upload, body=body)
    with transaction.atomic():
        DocumentTemplate.objects.select_for_update().filter(pk=template.pk).first()
        last = template.versions.order_by("-number").values_list("number", flat=True).first()
        version = DocumentTemplateVersion(
            template=template,
            number=(last or 0) + 1,
            body=(body or "") if template.kind == TemplateKind.HTML else "",
            fields=fields,
            created_by=actor if isinstance(actor, Agent) else None,
        )
        if content is not None:
            file_name = f"{slugify(template.name) or 'modele'}.docx"
            version.file.save(file_name, ContentFile(content), save=False)
        version.save()
        record(
            actor=actor,
            verb="add-template-version",
            target=template,
            activity="configure-procedure",
            payload={"version": version.number, "fields": fields},
        )
    return version


def document_template_publish(
    *, version: DocumentTemplateVersion, actor: Any
) -> DocumentTemplateVersion:
    """Make `version` the one generation uses (the previous one stays, unpublished)."""
    _check_may_configure(actor)
    with transaction.atomic():
        DocumentTemplate.objects.select_for_update().filter(pk=version.template_id).first()
        DocumentTemplateVersion.objects.filter(
            template_id=version.template_id, is_published=True
        ).exclude(pk=version.pk).update(is_published=False)
        DocumentTemplateVersion.objects.filter(pk=version.pk).update(is_published=True)
        version.is_published = True
        record(
            actor=actor,
            verb="publish-template-version",
            target=version.template,
            activity="configure-procedure",
            payload={"version": version.number},
        )
    return version


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------


def _check_usable(template: DocumentTemplate, case: Case) -> DocumentTemplateVersion:
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
    *, version: DocumentTemplateVersion, case: Case, agent: Any = None, output: str
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


def document_generate(
    *, case: Case, template: DocumentTemplate, actor: Any, format: str = OutputFormat.PDF
) -> GeneratedDocument:
    """Fill the template's published version with the case's data and keep the result.

    `actor` is an Agent, or a journal Actor (robot) for automation.
    """
    _check_may_see(actor, case)
    version = _check_usable(template, case)
    agent = actor if isinstance(actor, Agent) else None
    rendered = render_for_case(version=version, case=case, agent=agent, output=format)
    digest = hashlib.sha256(rendered.content).hexdigest()
    file_name = f"{slugify(template.name) or 'document'}-{case.reference}.{rendered.extension}"
    with transaction.atomic():
        document = GeneratedDocument(
            case=case,
            template_version=version,
            format=rendered.extension,
            file_name=file_name,
            sha256=digest,
            size=len(rendered.content),
            created_by=agent,
        )
        document.file.save(file_name, ContentFile(rendered.content), save=False)
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
            },
        )
    return document


def document_preview(
    *, version: DocumentTemplateVersion, case: Case, actor: Any, format: str = OutputFormat.PDF
) -> RenderedFile:
    """Render a (possibly unpublished) version on a case for its author; stores nothing."""
    _check_may_configure(actor)
    _check_may_see(actor, case)
    rendered = render_for_case(
        version=version, case=case, agent=actor if isinstance(actor, Agent) else None, output=format
    )
    if isinstance(actor, Agent):
        record_read(agent=actor, target=case, what=f"template preview {version.pk}")
    return rendered

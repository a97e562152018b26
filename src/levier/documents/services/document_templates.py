"""Document templates and their versions: describe, add a version, publish.

A version is validated (syntax, merge fields the procedure knows) before it is stored,
and never changed after; generation uses the one published version.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from levier.cases.models import Procedure
from levier.core.models import Agent
from levier.journal.services import record

from ..models import DocumentTemplate, DocumentTemplateVersion, TemplateKind
from ..validation import check_docx, check_html
from .access import check_may_configure


def document_template_save(*, template: DocumentTemplate, actor: Any) -> DocumentTemplate:
    """Create or update a template's description (name, kind, procedure, active)."""
    check_may_configure(actor)
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
    *, template: DocumentTemplate, upload: File[bytes] | None = None, body: str | None = None
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
    *,
    template: DocumentTemplate,
    actor: Any,
    upload: File[bytes] | None = None,
    body: str | None = None,
) -> DocumentTemplateVersion:
    """Validate and store a new, unpublished version (versions are never changed after)."""
    check_may_configure(actor)
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
    check_may_configure(actor)
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

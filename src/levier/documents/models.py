"""Document templates (DOCX or HTML), their immutable versions, and generated documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from levier.cases.models import Case, Procedure


class TemplateKind(models.TextChoices):
    DOCX = "docx", _("Word document (DOCX)")
    HTML = "html", _("HTML page printed as PDF")


class OutputFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    DOCX = "docx", _("DOCX (Word)")


class DocumentTemplate(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=4, choices=TemplateKind.choices)
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document_templates",
        verbose_name=_("procedure"),
        help_text=_("Leave empty for a template usable on the cases of every procedure."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def published_version(self) -> DocumentTemplateVersion | None:
        return self.versions.filter(is_published=True).order_by("-number").first()


def template_file_path(instance: DocumentTemplateVersion, filename: str) -> str:
    return f"document-templates/{instance.template_id}/v{instance.number}-{filename}"


class DocumentTemplateVersion(models.Model):
    """One immutable state of a template; generation uses the published one."""

    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    file = models.FileField(
        _("DOCX file"), upload_to=template_file_path, max_length=300, blank=True
    )
    body = models.TextField(_("HTML body"), blank=True)
    fields = models.JSONField(_("merge fields used"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="unique_template_version"),
            models.UniqueConstraint(
                fields=["template"],
                condition=models.Q(is_published=True),
                name="one_published_template_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


def generated_document_path(instance: GeneratedDocument, filename: str) -> str:
    return f"generated/{instance.case_id}/{instance.sha256[:16]}-{filename}"


class GeneratedDocument(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="generated_documents")
    template_version = models.ForeignKey(
        DocumentTemplateVersion, on_delete=models.PROTECT, related_name="generated_documents"
    )
    format = models.CharField(_("format"), max_length=4, choices=OutputFormat.choices)
    file = models.FileField(upload_to=generated_document_path, max_length=300)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when an automation generated the document."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def content_type(self) -> str:
        if self.format == OutputFormat.PDF:
            return "application/pdf"
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

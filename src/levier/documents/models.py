"""Document templates (DOCX or HTML), their immutable versions, and generated documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from levier.cases.models import Case, CaseStatus, Procedure


class TemplateKind(models.TextChoices):
    DOCX = "docx", _("Word document (DOCX)")
    HTML = "html", _("HTML page printed as PDF")


class OutputFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    DOCX = "docx", _("DOCX (Word)")
    ODT = "odt", _("ODT (LibreOffice)")


CONTENT_TYPES = {
    OutputFormat.PDF: "application/pdf",
    OutputFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    OutputFormat.ODT: "application/vnd.oasis.opendocument.text",
}


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
        return CONTENT_TYPES[self.format]


class MergeStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


def merge_zip_path(instance: MergeBatch, filename: str) -> str:
    return f"merges/{instance.pk}/{filename}"


class MergeBatch(models.Model):
    """A mail merge: one document per case of a frozen list, resumable where it stopped."""

    template_version = models.ForeignKey(
        DocumentTemplateVersion, on_delete=models.PROTECT, related_name="merge_batches"
    )
    format = models.CharField(_("format"), max_length=4, choices=OutputFormat.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    # The cases chosen when the merge started, in order: a resumed merge does the same ones.
    case_ids = models.JSONField(default=list)
    done_count = models.PositiveIntegerField(_("documents generated"), default=0)
    # [{"case_id": 1, "reference": "APE-…", "reason": "…"}] for the cases that could not be merged.
    failures = models.JSONField(_("failures"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MergeStatus.choices, default=MergeStatus.QUEUED
    )
    zip_file = models.FileField(_("ZIP"), upload_to=merge_zip_path, max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mail merge")
        verbose_name_plural = _("mail merges")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.template_version} ({self.done_count}/{len(self.case_ids)})"


class EmailTemplate(models.Model):
    """An email with the documents' merge context, sent on a case's status change or by hand.

    Subject and bodies use the same Jinja merge fields as document templates. A template
    with a status is sent when a case of its procedure (or of any procedure) reaches it.
    """

    name = models.CharField(_("name"), max_length=200)
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email_templates",
        verbose_name=_("procedure"),
    )
    status = models.CharField(
        _("sent when the case becomes"), max_length=30, blank=True, choices=CaseStatus.choices,
        help_text=_("Leave empty for an email sent by hand only."),
    )  # fmt: skip
    subject = models.CharField(_("subject"), max_length=250)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML version"), blank=True)
    attach_template = models.ForeignKey(
        DocumentTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attach a document generated from"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "status"],
                condition=models.Q(is_active=True) & ~models.Q(status=""),
                name="one_active_email_template_per_procedure_status",
            )
        ]

    def __str__(self) -> str:
        return self.name

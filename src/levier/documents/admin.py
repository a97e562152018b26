"""Administration of document templates: new versions (validated), publication, preview."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from jinja2 import TemplateError

from levier.cases.admin import WithoutDrafts
from levier.cases.models import Case
from levier.journal.admin_configure import JournaledConfigurationAdmin
from levier.journal.admin_reads import JournaledReadsAdmin
from levier.journal.services import record_read

from . import services
from .emails import render_email
from .forms import PreviewForm
from .models import (
    CONTENT_TYPES,
    DocumentTemplate,
    DocumentTemplateVersion,
    EmailTemplate,
    GeneratedDocument,
    TemplateKind,
)
from .render import MissingMergeValue

FIELDS_HELP = _(
    "Merge fields: dossier.reference, dossier.demarche, dossier.statut, dossier.date_de_depot, "
    "dossier.<field of the procedure>, dossier.pieces (list), usager.nom_complet, "
    "usager.adresse, usager.code_postal, usager.commune, agent.prenom, agent.nom, equipe.nom, "
    "organisation.nom, organisation.signataire, date_du_jour. Filters: montant, en_lettres, "
    "date_longue. Letter classes: expediteur, destinataire, date, objet, corps, signature."
)


class PreviewAgainstCase:
    """An admin page rendering a template against a case of the administrator's teams."""

    preview_template = ""

    def get_urls(self):
        meta = self.model._meta
        custom = [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name=f"{meta.app_label}_{meta.model_name}_preview",
            )
        ]
        return custom + super().get_urls()

    def preview_target(self, request: HttpRequest, pk: int):
        template = get_object_or_404(self.model, pk=pk)
        if not self.has_view_permission(request, template):
            raise PermissionDenied
        return template

    @staticmethod
    def case_named(request: HttpRequest, form) -> Case | None:
        """The case of the form's reference among the agent's teams (a form error otherwise)."""
        reference = form.cleaned_data["reference"].strip().upper()
        case = Case.objects.visible_to(request.user).filter(reference=reference).first()
        if case is None:
            form.add_error("reference", _("No case with this reference in your teams."))
        return case

    def preview_page(self, request: HttpRequest, template, form, **extra) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": template,
            "title": _("Preview “%(name)s” against a case") % {"name": template.name},
            "form": form,
            **extra,
        }
        return TemplateResponse(request, self.preview_template, context)


class DocumentTemplateAdminForm(forms.ModelForm):
    new_file = forms.FileField(
        label=_("New version: DOCX file"),
        required=False,
        help_text=_("For a DOCX template: the Word file with its merge fields."),
    )
    new_body = forms.CharField(
        label=_("New version: HTML body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100, "spellcheck": "false"}),
        help_text=FIELDS_HELP,
    )
    publish = forms.ModelChoiceField(
        label=_("Version to publish"),
        queryset=DocumentTemplateVersion.objects.none(),
        required=False,
        help_text=_("Preview a version against a case before publishing it."),
    )
    publish_new = forms.BooleanField(
        label=_("Publish the new version at once"), required=False, initial=False
    )

    class Meta:
        model = DocumentTemplate
        fields = ["name", "kind", "procedure", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["publish"].queryset = self.instance.versions.order_by("-number")
            if self.instance.published_version:
                self.fields["publish"].initial = self.instance.published_version.pk
            if self.instance.versions.exists():
                self.fields["kind"].disabled = True
        if self.instance.pk and self.instance.kind == TemplateKind.HTML:
            latest = self.instance.versions.order_by("-number").first()
            if latest:
                self.fields["new_body"].initial = latest.body

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind") or self.instance.kind
        upload, body = cleaned.get("new_file"), cleaned.get("new_body") or ""
        latest = self.instance.versions.order_by("-number").first() if self.instance.pk else None
        self.new_version_wanted = bool(upload) or (
            kind == TemplateKind.HTML and body.strip() and (latest is None or latest.body != body)
        )
        if not self.new_version_wanted:
            return cleaned
        probe = DocumentTemplate(kind=kind, procedure=cleaned.get("procedure"))
        field = "new_file" if kind == TemplateKind.DOCX else "new_body"
        try:
            services.validate_template_source(template=probe, upload=upload, body=body)
        except ValidationError as error:
            self.add_error(field, error)
        return cleaned


class DocumentTemplateVersionInline(admin.TabularInline):
    model = DocumentTemplateVersion
    extra = 0
    can_delete = False
    fields = ["number", "is_published", "created_by", "created_at", "fields", "file"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(JournaledConfigurationAdmin, PreviewAgainstCase, admin.ModelAdmin):
    preview_template = "admin/documents/preview.html"
    form = DocumentTemplateAdminForm
    list_display = ["name", "kind", "procedure", "is_active", "published"]
    list_filter = ["kind", "is_active", "procedure"]
    search_fields = ["name"]
    readonly_fields = ["preview_link"]
    inlines = [DocumentTemplateVersionInline]

    @admin.display(description=_("Published version"))
    def published(self, obj: DocumentTemplate) -> str:
        version = obj.published_version
        return f"v{version.number}" if version else "—"

    @admin.display(description=_("Preview"))
    def preview_link(self, obj: DocumentTemplate) -> str:
        if not obj.pk or not obj.versions.exists():
            return _("Save a first version to preview it against a case.")
        url = reverse("admin:documents_documenttemplate_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview against a case"))

    def save_model(self, request, obj, form, change):
        services.document_template_save(template=obj, actor=request.user)
        data = form.cleaned_data
        if getattr(form, "new_version_wanted", False):
            version = services.document_template_add_version(
                template=obj,
                actor=request.user,
                upload=data.get("new_file"),
                body=data.get("new_body"),
            )
            messages.info(request, _("Version %(number)s saved.") % {"number": version.number})
            if data.get("publish_new"):
                services.document_template_publish(version=version, actor=request.user)
                return
        chosen = data.get("publish")
        if chosen and not chosen.is_published:
            services.document_template_publish(version=chosen, actor=request.user)

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = self.preview_target(request, pk)
        latest = template.versions.order_by("-number").first()
        form = PreviewForm(
            request.POST or None,
            template=template,
            initial={"version": latest.pk if latest else None},
        )
        if request.method == "POST" and form.is_valid():
            case = self.case_named(request, form)
            if case is not None:
                try:
                    rendered = services.document_preview(
                        version=form.cleaned_data["version"],
                        case=case,
                        actor=request.user,
                        format=form.cleaned_data["format"],
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    response = HttpResponse(
                        rendered.content, content_type=CONTENT_TYPES[rendered.extension]
                    )
                    disposition = "inline" if rendered.extension == "pdf" else "attachment"
                    response["Content-Disposition"] = (
                        f'{disposition}; filename="preview-{case.reference}.{rendered.extension}"'
                    )
                    return response
        return self.preview_page(request, template, form)


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(
    JournaledConfigurationAdmin, WithoutDrafts, JournaledReadsAdmin, admin.ModelAdmin
):
    case_status = "case__status"
    list_display = ["file_name", "case", "format", "created_by", "created_at"]
    list_filter = ["format"]
    search_fields = ["file_name", "case__reference", "sha256"]
    readonly_fields = [
        "case", "template_version", "format", "file", "file_name", "sha256", "size",
        "created_by", "created_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def journaled_subject(self, obj):
        return obj.case


# ---------------------------------------------------------------------------
# Email templates
# ---------------------------------------------------------------------------

EMAIL_FIELDS_HELP = _(
    "The merge fields of the document templates, plus dossier.motif (the reason given with "
    "the status). Narrow no-break spaces and apostrophes are set when the email is sent."
)


class EmailTemplateAdminForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = [
            "name", "procedure", "status", "subject", "body_text", "body_html",
            "attach_template", "is_active",
        ]  # fmt: skip
        widgets = {
            "body_text": forms.Textarea(attrs={"rows": 14, "cols": 100, "spellcheck": "true"}),
            "body_html": forms.Textarea(attrs={"rows": 10, "cols": 100, "spellcheck": "false"}),
        }
        help_texts = {"body_text": EMAIL_FIELDS_HELP}

    def clean(self):
        cleaned = super().clean()
        from .emails import validate_email_template

        if "subject" in cleaned and "body_text" in cleaned:
            try:
                validate_email_template(
                    subject=cleaned["subject"],
                    body_text=cleaned["body_text"],
                    body_html=cleaned.get("body_html") or "",
                    procedure=cleaned.get("procedure"),
                )
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    self.add_error(field, errors)
        attach = cleaned.get("attach_template")
        procedure = cleaned.get("procedure")
        if attach is not None and attach.procedure_id not in (None, getattr(procedure, "pk", None)):
            self.add_error(
                "attach_template",
                _("Choose a document template of the same procedure, or one for every procedure."),
            )
        return cleaned


class EmailPreviewForm(forms.Form):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=30,
        help_text=_("For example APE-2026-000123: the email is filled with this case's data."),
    )


@admin.register(EmailTemplate)
class EmailTemplateAdmin(JournaledConfigurationAdmin, PreviewAgainstCase, admin.ModelAdmin):
    preview_template = "admin/documents/email_preview.html"
    form = EmailTemplateAdminForm
    list_display = ["name", "procedure", "status", "attach_template", "is_active"]
    list_filter = ["is_active", "status", "procedure"]
    search_fields = ["name", "subject"]
    readonly_fields = ["preview_link"]

    @admin.display(description=_("Preview"))
    def preview_link(self, obj: EmailTemplate) -> str:
        if not obj.pk:
            return _("Save the email to preview it against a case.")
        url = reverse("admin:documents_emailtemplate_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview against a case"))

    def save_model(self, request, obj, form, change):
        services.email_template_save(template=obj, actor=request.user)

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = self.preview_target(request, pk)
        form = EmailPreviewForm(request.POST or None)
        rendered = None
        if request.method == "POST" and form.is_valid():
            case = self.case_named(request, form)
            if case is not None:
                try:
                    rendered = render_email(template, case=case, agent=request.user)
                except MissingMergeValue as error:
                    form.add_error(
                        None,
                        _("Case %(reference)s has no value for “%(field)s”.")
                        % {"reference": case.reference, "field": error.name},
                    )
                except TemplateError as error:
                    form.add_error(None, str(error))
                else:
                    record_read(agent=request.user, target=case, what=f"email preview {pk}")
        return self.preview_page(request, template, form, rendered=rendered)

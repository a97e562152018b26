"""Administration of procedures (field schema, versions) and a read-mostly view of cases."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from levier.journal.admin_configure import JournaledConfigurationAdmin
from levier.journal.admin_reads import JournaledReadsAdmin, RevealInAdmin

from .models import (
    AGENT_STATUS_CHOICES,
    Case,
    CaseStatus,
    Comment,
    Procedure,
    ProcedureVersion,
    SupportingDocument,
)
from .schema import FIELD_TYPES, display_rows, maskable_fields, validate_schema
from .services import procedure_publish_version

SCHEMA_HELP = _(
    "A JSON list of fields, e.g. "
    '[{"name": "amount", "label": "Amount requested", "type": "money", '
    '"required": true, "min": 0}]. '
    "Keys: name, label, type, required, help, choices (choice fields), "
    "min and max (number and money). "
    "Types: %(types)s."
)


class ProcedureAdminForm(forms.ModelForm):
    publish = forms.BooleanField(
        label=_("Publish the schema as a new version on save"),
        required=False,
        initial=True,
        help_text=_("New cases are submitted on the newest version; existing cases keep theirs."),
    )

    class Meta:
        model = Procedure
        fields = [
            "organisation", "name", "slug", "description", "reference_prefix", "team",
            "published", "instruction_days", "field_schema",
        ]  # fmt: skip
        widgets = {
            "field_schema": forms.Textarea(attrs={"rows": 20, "cols": 100, "spellcheck": "false"})
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field_schema"].help_text = SCHEMA_HELP % {"types": ", ".join(FIELD_TYPES)}

    def clean_field_schema(self):
        schema = self.cleaned_data.get("field_schema")
        if schema is None:
            schema = []
        validate_schema(schema)
        return schema


class ProcedureVersionInline(admin.TabularInline):
    model = ProcedureVersion
    extra = 0
    can_delete = False
    fields = ["number", "created_at", "schema_summary"]
    readonly_fields = fields
    ordering = ["-number"]

    @admin.display(description=_("fields"))
    def schema_summary(self, obj: ProcedureVersion) -> str:
        return ", ".join(f"{entry.get('name')} ({entry.get('type')})" for entry in obj.field_schema)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    form = ProcedureAdminForm
    list_display = [
        "name",
        "slug",
        "reference_prefix",
        "team",
        "published",
        "instruction_days",
        "version_number",
    ]
    list_filter = ["published", "team", "organisation"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProcedureVersionInline]
    actions = ["publish_new_version"]
    fieldsets = [
        (
            None,
            {"fields": ["organisation", "name", "slug", "description", "reference_prefix", "team"]},
        ),
        (_("Portal and deadline"), {"fields": ["published", "instruction_days"]}),
        (_("Form"), {"fields": ["field_schema", "publish"]}),
    ]

    @admin.display(description=_("version"))
    def version_number(self, obj: Procedure) -> str:
        version = obj.current_version
        return str(version.number) if version else "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.cleaned_data.get("publish"):
            self._publish(request, form.instance)

    def _publish(self, request, procedure: Procedure) -> ProcedureVersion | None:
        previous = procedure.current_version
        try:
            version = procedure_publish_version(procedure=procedure, actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            text = "; ".join(getattr(error, "messages", [str(error)]))
            self.message_user(request, f"{procedure}: {text}", messages.ERROR)
            return None
        if previous is None or version.pk != previous.pk:
            self.message_user(
                request,
                _("%(procedure)s: version %(number)s of the form is published.")
                % {"procedure": procedure, "number": version.number},
                messages.SUCCESS,
            )
        return version

    @admin.action(description=_("Publish the schema as a new version"))
    def publish_new_version(self, request, queryset):
        published = 0
        for procedure in queryset:
            previous = procedure.current_version
            version = self._publish(request, procedure)
            if version is not None and (previous is None or previous.pk != version.pk):
                published += 1
        self.message_user(
            request,
            ngettext(
                "%(count)s new version published.", "%(count)s new versions published.", published
            )
            % {"count": published},
        )


class WithoutDrafts:
    """Admin pages that never list nor open a draft, nor anything hanging on one.

    A draft belongs to its usager until they submit it: administrators configure levier
    and have no need to read an unsubmitted NIR, IBAN or tax notice, so the admin, like
    the agents' pages, acts as if drafts did not exist (a draft's page answers "does not
    exist"). `case_status` is the lookup from the admin's model to the case's status.
    """

    case_status = "status"

    def get_queryset(self, request):
        rows = super().get_queryset(request)  # type: ignore[misc]
        return rows.exclude(**{self.case_status: CaseStatus.DRAFT})


class SubmittedStatusFilter(admin.SimpleListFilter):
    """The status filter without "Draft", which the admin never lists."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return AGENT_STATUS_CHOICES

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class SupportingDocumentInline(admin.TabularInline):
    model = SupportingDocument
    extra = 0
    can_delete = False
    fields = [
        "field_name",
        "original_name",
        "content_type",
        "size",
        "page_count",
        "sha256",
        "uploaded_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    can_delete = False
    fields = ["created_at", "author", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(
    JournaledConfigurationAdmin, WithoutDrafts, RevealInAdmin, JournaledReadsAdmin, admin.ModelAdmin
):
    """Cases change through the agent pages (and their services); the admin only looks,
    and never at a draft.

    Its pages are journaled reads; NIR and IBAN fields of the declared data are masked
    until revealed (a journaled POST)."""

    list_display = [
        "reference",
        "procedure",
        "contact",
        "status",
        "team",
        "assignee",
        "submitted_at",
        "due_at",
    ]
    list_filter = [SubmittedStatusFilter, "procedure", "team"]
    list_select_related = ["procedure", "contact", "team", "assignee"]
    search_fields = ["reference", "search_text"]
    date_hierarchy = "submitted_at"
    show_full_result_count = False
    inlines = [SupportingDocumentInline, CommentInline]
    readonly_fields = [
        "reference", "procedure", "procedure_version", "contact", "team", "assignee", "status",
        "status_reason", "declared_data", "created_at", "submitted_at", "due_at", "decided_at",
        "updated_at",
    ]  # fmt: skip
    fields = readonly_fields

    def _shown_fields(self, request, obj: Case | None) -> list[str]:
        if self.is_revealed(request, obj):
            return [name if name != "declared_data" else "declared_data_revealed"
                    for name in self.readonly_fields]  # fmt: skip
        return list(self.readonly_fields)

    def get_fields(self, request, obj=None):
        return self._shown_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self._shown_fields(request, obj)

    def reveal_field_names(self, obj: Case) -> list[str]:
        schema = obj.procedure_version.field_schema
        return sorted(name for name in maskable_fields(schema) if (obj.data or {}).get(name))

    @admin.display(description=_("declared data"))
    def declared_data(self, obj: Case) -> str:
        schema = obj.procedure_version.field_schema
        data = dict(obj.data or {})
        for row in display_rows(schema, data, revealed=frozenset()):
            if row.masked:
                data[row.name] = row.value
        return json.dumps(data, ensure_ascii=False, indent=2)

    @admin.display(description=_("declared data"))
    def declared_data_revealed(self, obj: Case) -> str:
        return json.dumps(obj.data, ensure_ascii=False, indent=2)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Administration of controls: rules, comparison rules, anomaly models; flags read-only.

Every configuration is validated against the procedure's field schema on save, with a
message naming the problem and the fix; a protected variable (social status, precarity,
nationality, sex, age) cannot become a model input.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from levier.cases.admin import WithoutDrafts
from levier.cases.schema import field_labels
from levier.journal.admin_configure import JournaledConfigurationAdmin
from levier.journal.admin_reads import JournaledReadsAdmin

from .anomalies.spec import ModelSpec, check_inputs
from .batch_scoring import DERIVED_GROUPS
from .models import AnomalyModel, DocumentCheck, FieldComparison, Flag, Rule
from .reading import types as document_types
from .rule_kinds import KINDS, example_json, validate_parameters


def rule_kinds_help() -> str:
    """Each kind of rule with its description and an example of parameters, from the
    registry of rule kinds (the admin's help text is HTML, so every part is escaped)."""
    return format_html_join(
        "",
        "<br><strong>{}</strong>: {} {} <code>{}</code>",
        (
            (kind.label, kind.description, _("Parameters, for example:"), example_json(code))
            for code, kind in KINDS.items()
        ),
    )


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["procedure", "name", "kind", "parameters", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].help_text = rule_kinds_help()

    def clean(self):
        cleaned = super().clean()
        procedure, kind = cleaned.get("procedure"), cleaned.get("kind")
        if procedure and kind:
            try:
                cleaned["parameters"] = validate_parameters(
                    kind, cleaned.get("parameters") or {}, procedure.active_schema
                )
            except ValidationError as error:
                self.add_error("parameters", error)
        return cleaned


@admin.register(Rule)
class RuleAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    form = RuleForm
    list_display = ["name", "procedure", "kind", "active"]
    list_filter = ["procedure", "kind", "active"]


class FieldComparisonForm(forms.ModelForm):
    class Meta:
        model = FieldComparison
        fields = [
            "procedure",
            "document_kind",
            "found_field",
            "declared_field",
            "method",
            "tolerance",
        ]

    def clean(self):
        cleaned = super().clean()
        kind, procedure = cleaned.get("document_kind"), cleaned.get("procedure")
        if kind and kind not in document_types.KINDS:
            self.add_error(
                "document_kind",
                _("Unknown type of document. Use one of: %(kinds)s.")
                % {"kinds": ", ".join(document_types.KINDS)},
            )
        declared = (cleaned.get("declared_field") or "").split(".")[0]
        if procedure and declared and declared not in field_labels(procedure.active_schema):
            self.add_error(
                "declared_field",
                _("The procedure has no field “%(name)s”: use the name of one of its fields.")
                % {"name": declared},
            )
        return cleaned


@admin.register(FieldComparison)
class FieldComparisonAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    form = FieldComparisonForm
    list_display = FieldComparisonForm.Meta.fields
    list_filter = ["procedure", "document_kind"]


class AnomalyModelForm(forms.ModelForm):
    class Meta:
        model = AnomalyModel
        fields = [
            "procedure", "inputs", "ratios", "peer_group", "thresholds", "contamination",
            "isolation_forest", "random_sample_rate", "active",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        procedure = cleaned.get("procedure")
        if not procedure:
            return cleaned
        labels = field_labels(procedure.active_schema)
        inputs, ratios = cleaned.get("inputs") or [], cleaned.get("ratios") or []
        groups = cleaned.get("peer_group") or []
        if not isinstance(inputs, list) or not all(isinstance(name, str) for name in inputs):
            self.add_error("inputs", _('Give a JSON list of field names, e.g. ["turnover"].'))
            return cleaned
        if not isinstance(ratios, list) or not all(
            isinstance(pair, list) and len(pair) == 2 for pair in ratios
        ):
            self.add_error("ratios", _('Give a JSON list of pairs, e.g. [["a", "b"]] for a / b.'))
            return cleaned
        known = set(labels) | set(DERIVED_GROUPS)
        for name in [*inputs, *(n for pair in ratios for n in pair), *groups]:
            if name not in known:
                self.add_error(
                    None,
                    _("The procedure has no field “%(name)s”: use one of %(known)s.")
                    % {"name": name, "known": ", ".join(sorted(known))},
                )
                return cleaned
        spec = ModelSpec(
            inputs=tuple(inputs),
            ratios=tuple(tuple(pair) for pair in ratios),
            peer_group=tuple(groups),
        )
        try:
            check_inputs(spec, labels)
        except ValueError as error:
            self.add_error(None, str(error))
        contamination = cleaned.get("contamination")
        if contamination is not None and not 0 < contamination <= 0.2:
            self.add_error("contamination", _("Between 0.001 and 0.2: flag at most 20 % of cases."))
        return cleaned


@admin.register(AnomalyModel)
class AnomalyModelAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    form = AnomalyModelForm
    list_display = ["procedure", "contamination", "random_sample_rate", "active", "last_run_at"]
    readonly_fields = ["last_run_at", "last_run_cases"]


@admin.register(Flag)
class FlagAdmin(JournaledConfigurationAdmin, WithoutDrafts, JournaledReadsAdmin, admin.ModelAdmin):
    """Flags name a case: their pages are journaled as reads of that case."""

    case_status = "case__status"
    list_display = ["case", "source", "score", "territory", "result", "advice", "raised_at"]
    list_filter = ["source", "result", "advice", "procedure"]
    search_fields = ["case__reference"]
    readonly_fields = [field.name for field in Flag._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def journaled_subject(self, obj):
        return obj.case


@admin.register(DocumentCheck)
class DocumentCheckAdmin(
    JournaledConfigurationAdmin, WithoutDrafts, JournaledReadsAdmin, admin.ModelAdmin
):
    case_status = "case__status"
    list_display = ["document", "case", "kind", "outcome", "source", "checked_at"]
    list_filter = ["outcome", "kind", "source"]
    search_fields = ["case__reference"]
    readonly_fields = [field.name for field in DocumentCheck._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def journaled_subject(self, obj):
        return obj.case

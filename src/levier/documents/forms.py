"""Forms of the documents app: generating on a case, previewing in the admin."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DocumentTemplate, DocumentTemplateVersion, OutputFormat


class GenerateForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=DocumentTemplate.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the templates offered for this case.")},
    )
    format = forms.ChoiceField(label=_("Format"), choices=OutputFormat.choices)

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates


class PreviewForm(forms.Form):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=30,
        help_text=_("For example APE-2026-000123: the template is filled with this case's data."),
    )
    version = forms.ModelChoiceField(
        label=_("Version"), queryset=DocumentTemplateVersion.objects.none(), empty_label=None
    )
    format = forms.ChoiceField(label=_("Format"), choices=OutputFormat.choices)

    def __init__(self, *args, template: DocumentTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = template.versions.order_by("-number")


class MergeForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=DocumentTemplate.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Choose one of the templates offered for this procedure.")
        },
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=OutputFormat.choices,
        initial=OutputFormat.PDF,
        widget=forms.RadioSelect,
        help_text=_(
            "An HTML template gives a PDF; a Word template gives a DOCX, or a PDF when the "
            "server can convert it."
        ),
    )

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates

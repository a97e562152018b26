"""Forms of the controls pages (DSFR)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import AdviceState, ControlResult, FlagSource

STATES = [("open", _("To control")), ("decided", _("Controlled")), ("all", _("All"))]


class FlagFilterForm(DsfrBaseForm):
    procedure = forms.ModelChoiceField(queryset=None, required=False, label=_("Procedure"),
                                       empty_label=_("All procedures"))  # fmt: skip
    source = forms.ChoiceField(
        choices=[("", _("All sources")), *FlagSource.choices], required=False, label=_("Source")
    )
    state = forms.ChoiceField(choices=STATES, required=False, label=_("State"))

    def __init__(self, *args, procedures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = procedures

    def filters(self) -> dict:
        """Keyword arguments for selectors.flags_for (the defaults when the form is invalid)."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound and not self.errors else {}
        return {
            "procedure": data.get("procedure"),
            "source": data.get("source") or "",
            "state": data.get("state") or "open",
        }


class ControlResultForm(DsfrBaseForm):
    result = forms.ChoiceField(
        choices=ControlResult.choices, widget=forms.RadioSelect, label=_("Result of the control")
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        label=_("Note"),
        help_text=_("What you checked and concluded; required when an irregularity is confirmed."),
    )


class AdviceForm(DsfrBaseForm):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label=_("Personal word added to the letter (optional)"),
    )


class AdviceOutcomeForm(DsfrBaseForm):
    state = forms.ChoiceField(
        choices=[
            (AdviceState.CORRECTED, AdviceState.CORRECTED.label),
            (AdviceState.NO_ANSWER, AdviceState.NO_ANSWER.label),
        ],  # fmt: skip
        widget=forms.RadioSelect,
        label=_("After the friendly letter"),
    )

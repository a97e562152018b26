"""Forms of the controls pages (DSFR)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import AdviceState, ControlResult, FlagSource
from .selectors import INACCURATE, TARGETED

STATES = [("open", _("To control")), ("decided", _("Controlled")), ("all", _("All"))]


class FlagFilterForm(DsfrBaseForm):
    procedure = forms.ModelChoiceField(queryset=None, required=False, label=_("Procedure"),
                                       empty_label=_("All procedures"))  # fmt: skip
    source = forms.ChoiceField(
        choices=[
            ("", _("All sources")),
            (TARGETED, _("Proposed by levier (all but the random controls)")),
            *FlagSource.choices,
        ],
        required=False,
        label=_("Source"),
    )
    state = forms.ChoiceField(choices=STATES, required=False, label=_("State"))
    result = forms.ChoiceField(
        choices=[
            ("", _("Any result")),
            (INACCURATE, _("Inaccurate declaration (irregularity or good faith)")),
            *ControlResult.choices,
        ],
        required=False,
        label=_("Result of the control"),
    )
    # The dashboards' links (insights): a team's controls of a period.
    team = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    controlled_from = forms.DateField(
        label=_("Controlled from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    controlled_to = forms.DateField(
        label=_("Controlled until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, procedures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = procedures

    @property
    def narrowed(self) -> bool:
        """Whether a filter beyond the page's defaults is set (the count of rows is shown)."""
        data = self.filters()
        return any(data[name] for name in ("procedure", "source", "result", "team_id",
                                           "controlled_from", "controlled_to"))  # fmt: skip

    def filters(self) -> dict:
        """Keyword arguments for selectors.flags_for (the defaults when the form is invalid)."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound and not self.errors else {}
        return {
            "procedure": data.get("procedure"),
            "source": data.get("source") or "",
            "state": data.get("state") or "open",
            "result": data.get("result") or "",
            "team_id": data.get("team"),
            "controlled_from": data.get("controlled_from"),
            "controlled_to": data.get("controlled_to"),
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

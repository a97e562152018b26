"""The scheduled report's form: the scope offered is what the agent may have sent (their
teams; the department for managers and administrators)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from levier.core import policy
from levier.core.forms import LevierForm

from ..dashboards.selectors import dashboard_teams
from ..models import AnnexFormat, ReportFrequency

DEPARTMENT = "department"


class ReportForm(LevierForm):
    name = forms.CharField(label=_("Name of the report"), max_length=120)
    scope = forms.ChoiceField(label=_("Dashboard"))
    frequency = forms.ChoiceField(label=_("Frequency"), choices=ReportFrequency.choices)
    recipients = forms.CharField(
        label=_("Recipients"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Email addresses, one per line."),
    )
    annex_format = forms.ChoiceField(
        label=_("Spreadsheet annex"), choices=AnnexFormat.choices, initial=AnnexFormat.XLSX
    )
    active = forms.BooleanField(label=_("Send it (uncheck to pause)"), required=False, initial=True)

    def __init__(self, *args: Any, agent: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {str(team.pk): team for team in dashboard_teams(agent)}
        choices: list[tuple[str, Any]] = []
        if policy.may(agent, policy.Action.VIEW_DEPARTMENT_DASHBOARD):
            choices.append((DEPARTMENT, _("Whole department")))
        choices += [(key, team.name) for key, team in self.teams.items()]
        self.fields["scope"].choices = choices

    def chosen_team(self) -> Any:
        scope = self.cleaned_data["scope"]
        return None if scope == DEPARTMENT else self.teams[scope]

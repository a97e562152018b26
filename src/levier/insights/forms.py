"""The process map's filters (a GET form): what, which procedure or channel, team, period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from levier.cases.models import Procedure
from levier.cases.schema.form_fields import DateInput
from levier.core.forms import LevierForm
from levier.core.models import Team
from levier.enquiries.models import Channel

# The period shown when none is asked for.
DEFAULT_DAYS = 90
# A longer period is refused: the page reads the journal while the manager waits.
MAX_DAYS = 3 * 366

SUBJECT_CHOICES = [("case", _("Cases")), ("enquiry", _("Enquiries"))]


class ProcessFilterForm(LevierForm):
    subject = forms.ChoiceField(label=_("Show"), choices=SUBJECT_CHOICES, required=False)
    procedure = forms.TypedChoiceField(
        label=_("Procedure"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Cases only"),
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, help_text=_("Enquiries only"))
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    start = forms.DateField(
        label=pgettext_lazy("period", "From"), required=False, widget=DateInput()
    )
    end = forms.DateField(
        label=pgettext_lazy("period", "Until (included)"), required=False, widget=DateInput()
    )

    def __init__(
        self,
        *args: Any,
        procedures: list[Procedure] | tuple[()] = (),
        teams: list[Team] | tuple[()] = (),
        **kwargs: Any,
    ) -> None:
        if args and args[0] is not None:
            # The default period (the last DEFAULT_DAYS days) shows in the date fields.
            data = args[0].copy()
            today = timezone.localdate()
            if not data.get("end"):
                data["end"] = today.isoformat()
            if not data.get("start"):
                data["start"] = (today - dt.timedelta(days=DEFAULT_DAYS)).isoformat()
            args = (data, *args[1:])
        super().__init__(*args, **kwargs)
        self.procedures = {p.pk: p for p in procedures}
        self.teams = {t.pk: t for t in teams}
        self.fields["procedure"].choices = [("", _("All procedures"))] + [
            (p.pk, p.name) for p in procedures
        ]
        self.fields["team"].choices = [("", _("All my teams"))] + [(t.pk, t.name) for t in teams]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:  # both valid
            if start > end:
                self.add_error("end", _("The end date comes before the start date."))
            elif (end - start).days > MAX_DAYS:
                self.add_error(
                    "start",
                    _("Choose a period of at most %(days)s days.") % {"days": MAX_DAYS},
                )
        return cleaned

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for selectors.process_map_for (the form must be valid)."""
        cleaned = self.cleaned_data
        zone = timezone.get_current_timezone()
        start = dt.datetime.combine(cleaned["start"], dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(cleaned["end"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        procedure_id, team_id = cleaned.get("procedure"), cleaned.get("team")
        return {
            "subject": cleaned.get("subject") or "case",
            "procedure": self.procedures.get(procedure_id) if procedure_id else None,
            "team": self.teams.get(team_id) if team_id else None,
            "channel": cleaned.get("channel") or "",
            "start": start,
            "end": end,
        }


class MapFilterForm(LevierForm):
    """The map's filters (/pilotage/carte/): figure, procedure, period of submission."""

    metric = forms.ChoiceField(label=_("Figure"), required=False)
    procedure = forms.TypedChoiceField(
        label=_("Procedure"), coerce=int, required=False, empty_value=None
    )
    start = forms.DateField(
        label=pgettext_lazy("period", "Submitted from"), required=False, widget=DateInput()
    )
    end = forms.DateField(
        label=pgettext_lazy("period", "Submitted until (included)"),
        required=False,
        widget=DateInput(),
    )

    def __init__(
        self,
        data: Any,
        *,
        metrics: dict[str, Any],
        procedures: list[Procedure] | tuple[()] = (),
    ) -> None:
        data = data.copy()
        today = timezone.localdate()
        if not data.get("end"):
            data["end"] = today.isoformat()
        if not data.get("start"):
            data["start"] = (today - dt.timedelta(days=DEFAULT_DAYS)).isoformat()
        super().__init__(data)
        self.procedures = {p.pk: p for p in procedures}
        self.fields["metric"].choices = list(metrics.items())
        self.fields["procedure"].choices = [("", _("All procedures"))] + [
            (p.pk, p.name) for p in procedures
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("The end date comes before the start date."))
            elif (end - start).days > MAX_DAYS:
                self.add_error(
                    "start",
                    _("Choose a period of at most %(days)s days.") % {"days": MAX_DAYS},
                )
        return cleaned

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for maps.departement_map (the form must be valid)."""
        cleaned = self.cleaned_data
        procedure_id = cleaned.get("procedure")
        return {
            "metric": cleaned.get("metric") or "incoming",
            "procedure": self.procedures.get(procedure_id) if procedure_id else None,
            "start": cleaned["start"],
            "end": cleaned["end"],
        }

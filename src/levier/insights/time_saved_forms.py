"""The filters of "time saved" (/pilotage/temps-gagne/), of the journal events behind a figure
(/pilotage/gestes/) and the administrator's "adopt the measured median" (GET and POST forms).

Periods are whole months ("2026-03"): the figures are by month, so a month's link opens
exactly the events of that month."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from levier.core.forms import LevierForm
from levier.core.models import Team
from levier.journal.models import ActorKind
from levier.journal.services import MAX_STANDARD_SECONDS

# The period shown when none is asked for: the last 12 months, this one included.
DEFAULT_MONTHS = 12
# A longer period is refused (the calibration reads the journal while the page waits).
MAX_MONTHS = 36

MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
FRENCH_MONTH = re.compile(r"^\s*(\d{1,2})/(\d{4})\s*$")


class MonthInput(forms.TextInput):
    """A text box, not the browser's month picker: Chromium draws that one in English
    whatever the page's language."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})


class MonthField(forms.CharField):
    """A month written 2026-03 (what a month picker sends) or 03/2026; cleans to its first day."""

    widget = MonthInput

    def clean(self, value: Any) -> dt.date | None:
        text = super().clean(value)
        if not text:
            return None
        match = MONTH.match(text)
        if match:
            year, month = int(match[1]), int(match[2])
        elif match := FRENCH_MONTH.match(text):
            month, year = int(match[1]), int(match[2])
        else:
            raise forms.ValidationError(
                _("“%(text)s” is not a month: write it as 2026-03 (year-month) or 03/2026.")
                % {"text": text[:20]}
            )
        if not (1 <= month <= 12 and 2000 <= year <= 2100):
            raise forms.ValidationError(
                _("“%(text)s” is not a month between 2000 and 2100: write it as 2026-03.")
                % {"text": text[:20]}
            )
        return dt.date(year, month, 1)


def month_end(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def months_back(first: dt.date, count: int) -> dt.date:
    index = first.year * 12 + first.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


class PeriodForm(LevierForm):
    """A period of whole months, defaulting to the last DEFAULT_MONTHS months."""

    start = MonthField(
        label=pgettext_lazy("period", "From (month)"),
        required=False,
        help_text=_("Format: 2026-03"),
    )
    end = MonthField(
        label=pgettext_lazy("period", "Until (month, included)"),
        required=False,
        help_text=_("Format: 2026-03"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and args[0] is not None:
            data = args[0].copy()
            this_month = timezone.localdate().replace(day=1)
            if data.get("month"):  # one month: a figure's link
                data["start"] = data["end"] = data["month"]
            if not data.get("end"):
                data["end"] = this_month.strftime("%Y-%m")
            if not data.get("start"):
                data["start"] = months_back(this_month, DEFAULT_MONTHS - 1).strftime("%Y-%m")
            args = (data, *args[1:])
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            months = (end.year - start.year) * 12 + end.month - start.month + 1
            if months < 1:
                self.add_error("end", _("The last month comes before the first one."))
            elif months > MAX_MONTHS:
                self.add_error(
                    "start",
                    _("Choose a period of at most %(months)s months.") % {"months": MAX_MONTHS},
                )
        return cleaned

    def period(self) -> tuple[dt.date, dt.date]:
        """(first day, last day) of the period (the form must be valid)."""
        return self.cleaned_data["start"], month_end(self.cleaned_data["end"])


class TimeSavedFilterForm(PeriodForm):
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, teams: list[Team] | tuple[()] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("All my teams"))] + [(t.pk, t.name) for t in teams]

    def team_ids(self) -> list[int] | None:
        team = self.cleaned_data.get("team")
        return None if team is None else [team]


YES_NO = [("", _("All")), ("1", _("Yes")), ("0", _("No"))]


class GestesFilterForm(PeriodForm):
    """The query string of a figure's link: which gestes, whose, when, where."""

    activity = forms.SlugField(label=_("Geste"), required=False, max_length=60)
    automated = forms.ChoiceField(label=_("Automated"), choices=YES_NO, required=False)
    actor = forms.ChoiceField(label=_("Done by"), required=False)
    team = forms.IntegerField(label=_("Team"), required=False, min_value=1)
    procedure = forms.IntegerField(label=_("Procedure"), required=False, min_value=1)
    enquiries = forms.BooleanField(label=_("Enquiries only"), required=False)
    # Days, for a dashboard's figure over a week or a custom period (months otherwise).
    from_day = forms.DateField(label=_("From (day)"), required=False)
    to_day = forms.DateField(label=_("Until (day, included)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", _("Anyone")), *ActorKind.choices]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, last = cleaned.get("from_day"), cleaned.get("to_day")
        if (first is None) != (last is None):
            self.add_error("to_day", _("Give both days of the period, or neither."))
        elif first and last and last < first:
            self.add_error("to_day", _("The last day comes before the first one."))
        return cleaned

    def period(self) -> tuple[dt.date, dt.date]:
        cleaned = self.cleaned_data
        if cleaned.get("from_day") and cleaned.get("to_day"):
            return cleaned["from_day"], cleaned["to_day"]
        return super().period()

    def filters(self) -> dict[str, Any]:
        """Keyword arguments of time_saved.gestes_for (the form must be valid)."""
        cleaned = self.cleaned_data
        start, end = self.period()
        automated = {"1": True, "0": False}.get(cleaned.get("automated") or "")
        return {
            "start": start,
            "end": end,
            "activity": cleaned.get("activity") or "",
            "automated": automated,
            "actor_kind": cleaned.get("actor") or "",
            "team_id": cleaned.get("team"),
            "procedure_id": cleaned.get("procedure"),
            "enquiries_only": bool(cleaned.get("enquiries")),
        }


class AdoptStandardForm(PeriodForm):
    """The administrator's button: the geste and the period whose measured median to adopt
    (the median is computed again on the server, never taken from the page)."""

    activity = forms.SlugField(max_length=60)
    team = forms.IntegerField(required=False, min_value=1)
    expected = forms.IntegerField(
        min_value=1,
        max_value=MAX_STANDARD_SECONDS,
        help_text=_("The median the page showed, in seconds."),
    )

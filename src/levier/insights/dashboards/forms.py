"""The dashboards' period picker (a GET form): a calendar week, month, quarter or year
around a date, or custom dates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from levier.cases.schema.form_fields import DateInput
from levier.core.forms import LevierForm

from .periods import MAX_DAYS, PERIOD_CHOICES, Period, PeriodKind, calendar_period


class PeriodForm(LevierForm):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    day = forms.DateField(
        label=_("Including the day"),
        required=False,
        widget=DateInput(),
        help_text=_("The week, month, quarter or year that holds this day"),
    )
    start = forms.DateField(
        label=pgettext_lazy("period", "From"),
        required=False,
        widget=DateInput(),
        help_text=_("Custom dates only"),
    )
    end = forms.DateField(
        label=pgettext_lazy("period", "Until (included)"),
        required=False,
        widget=DateInput(),
        help_text=_("Custom dates only"),
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # Always bound: an empty query shows the current month, in the fields too.
        data = data.copy() if data is not None else {}
        if not data.get("period"):
            data["period"] = PeriodKind.MONTH.value
        if data["period"] != PeriodKind.CUSTOM and not data.get("day"):
            data["day"] = timezone.localdate().isoformat()
        super().__init__(data, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (cleaned.get("period") or PeriodKind.MONTH) != PeriodKind.CUSTOM:
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        for name in ("start", "end"):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("Give both dates of a custom period, or choose a month."))
        if start and end:
            if start > end:
                self.add_error("end", _("The end date comes before the start date."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error(
                    "start", _("Choose a period of at most %(days)s days.") % {"days": MAX_DAYS}
                )
        return cleaned

    def chosen(self) -> Period:
        """The period asked for; the current month when the form is empty or invalid."""
        today = timezone.localdate()
        if not self.is_valid():
            return calendar_period(PeriodKind.MONTH, today)
        cleaned = self.cleaned_data
        kind = cleaned.get("period") or PeriodKind.MONTH
        if kind == PeriodKind.CUSTOM:
            return Period(start=cleaned["start"], end=cleaned["end"])
        return calendar_period(kind, cleaned.get("day") or today, today)

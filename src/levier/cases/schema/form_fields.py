"""Form fields for the typed values of a schema: amounts and numbers typed the French way,
dates, supporting documents."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from levier.core.french import FrenchFormatError, parse_decimal
from levier.core.uploads import ACCEPTED_TYPES, CheckedFile, check_upload

from .definitions import to_decimal
from .display import format_money, format_number


def parse_french_decimal(text: str) -> Decimal | None:
    """'1 234,56', '1234.56', '1.234,56 €', '-12' -> Decimal; None when it is not a number
    (core.french.parse_decimal says why)."""
    try:
        return parse_decimal(text)
    except FrenchFormatError:
        return None


def shown_bound(bound: Decimal, kind: str) -> str:
    return format_money(bound) if kind == "money" else format_number(bound)


class _BoundedDecimalField(forms.CharField):
    """A French-typed decimal text field with optional bounds (money, numbers)."""

    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def __init__(self, *, minimum: Any = None, maximum: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(max_length=40, **kwargs)
        self.minimum = to_decimal(minimum) if minimum is not None else None
        self.maximum = to_decimal(maximum) if maximum is not None else None

    def check_bounds(self, number: Decimal, shown: str) -> None:
        if self.minimum is not None and number < self.minimum:
            raise ValidationError(
                _("Enter a value of at least %(min)s.") % {"min": shown_bound(self.minimum, shown)},
                code="min_value",
            )
        if self.maximum is not None and number > self.maximum:
            raise ValidationError(
                _("Enter a value of at most %(max)s.") % {"max": shown_bound(self.maximum, shown)},
                code="max_value",
            )


class MoneyField(_BoundedDecimalField):
    """An amount in euros typed the French way; cleans to the Decimal string '1234.56'."""

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if text in self.empty_values:
            return ""
        try:
            number = parse_decimal(text)
        except FrenchFormatError as error:  # its message names the problem and the fix
            raise ValidationError(str(error), code="invalid_money") from error
        rounded = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if rounded != number:
            raise ValidationError(
                _("Enter at most two digits after the comma (cents)."), code="cents"
            )
        self.check_bounds(rounded, "money")
        return f"{rounded:.2f}"


class FrenchNumberField(_BoundedDecimalField):
    """A number typed the French way ('12,5', '1 000'); cleans to a Decimal."""

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            number = parse_decimal(text)
        except FrenchFormatError as error:
            raise ValidationError(str(error), code="invalid_number") from error
        self.check_bounds(number, "number")
        return number


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class UploadInput(forms.FileInput):
    group_class = "fr-upload-group"  # the wrapper django-dsfr's field template draws


class CheckedFileField(forms.FileField):
    """A supporting document: cleaned to a core.uploads.CheckedFile (type sniffed, size checked)."""

    def __init__(self, **kwargs: Any) -> None:
        accept = ",".join(sorted({ext for exts in ACCEPTED_TYPES.values() for ext in exts}))
        kwargs.setdefault("widget", UploadInput(attrs={"class": "fr-upload", "accept": accept}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> CheckedFile | None:
        uploaded = super().clean(data, initial)
        if not uploaded:
            return None
        return check_upload(uploaded)

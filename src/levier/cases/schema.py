"""Typed field schemas of procedures: validation, form building, display.

A schema is a JSON list of field dicts::

    {"name": "amount", "label": "Montant demandé", "type": "money",
     "required": true, "help": "En euros", "min": 0, "max": 50000}

`validate_schema()` refuses a bad schema with a message naming the faulty field,
`build_form_class()` turns a schema into a DSFR form, `cleaned_to_data()` turns a
valid form into the JSON stored on the case, and `display_rows()` lays stored data
out by the schema's labels for the case page.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from dsfr.forms import DsfrBaseForm

from levier.contacts.identifiers import IdentifierField
from levier.core.masking import MASKED_KINDS, mask_identifier
from levier.core.uploads import ACCEPTED_TYPES, CheckedFile, check_upload

FIELD_TYPES: dict[str, Any] = {
    "text": gettext_lazy("Text"),
    "number": gettext_lazy("Number"),
    "money": gettext_lazy("Amount in euros"),
    "date": gettext_lazy("Date"),
    "choice": gettext_lazy("Choice in a list"),
    "email": gettext_lazy("Email address"),
    "phone": gettext_lazy("Phone number"),
    "address": gettext_lazy("Postal address"),
    "siren": gettext_lazy("SIREN"),
    "siret": gettext_lazy("SIRET"),
    "nir": gettext_lazy("Social security number (NIR)"),
    "iban": gettext_lazy("IBAN"),
    "file": gettext_lazy("Supporting document (file)"),
}
IDENTIFIER_TYPES = {"siren", "siret", "nir", "iban", "phone"}
BOUNDED_TYPES = {"number", "money"}
ALLOWED_KEYS = {"name", "label", "type", "required", "help", "choices", "min", "max"}
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
# Sub-fields of an address field, as they appear in the form (`<name>__street`...).
ADDRESS_PARTS = ("street", "postal_code", "city")
ADDRESS_SEPARATOR = "__"
TEXT_MAX_LENGTH = 2000


# ---------------------------------------------------------------------------
# Schema validation
# ---------------------------------------------------------------------------


def _field_title(position: int, entry: Any) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    if isinstance(name, str) and name:
        return _("Field “%(name)s” (no. %(position)s)") % {"name": name, "position": position}
    return _("Field no. %(position)s") % {"position": position}


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float | str)
        and not isinstance(value, bool)
        and _to_decimal(value) is not None
    )


def _to_decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def choice_pairs(choices: Iterable[Any]) -> list[tuple[str, str]]:
    """Choices as (value, label): a string is both, a pair or a {value, label} dict is split."""
    pairs = []
    for choice in choices:
        if isinstance(choice, str):
            pairs.append((choice, choice))
        elif isinstance(choice, list | tuple) and len(choice) == 2:
            pairs.append((str(choice[0]), str(choice[1])))
        elif isinstance(choice, dict):
            pairs.append(
                (str(choice.get("value", "")), str(choice.get("label", choice.get("value", ""))))
            )
    return pairs


def _choice_problem(choices: Any) -> str | None:
    if not isinstance(choices, list) or not choices:
        return _("a choice field needs a non-empty list of choices under “choices”")
    values = []
    for choice in choices:
        if isinstance(choice, str):
            value = choice
        elif (
            isinstance(choice, list | tuple)
            and len(choice) == 2
            and all(isinstance(c, str) for c in choice)
        ):
            value = choice[0]
        elif isinstance(choice, dict) and isinstance(choice.get("value"), str):
            value = choice["value"]
        else:
            return _("each choice must be a text, a [value, label] pair or a {value, label} object")
        if not value.strip():
            return _("a choice cannot be empty")
        values.append(value)
    if len(set(values)) != len(values):
        return _("the same choice appears twice")
    return None


def _entry_problem(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return _("each field must be an object with at least name, label and type")
    unknown = sorted(set(entry) - ALLOWED_KEYS)
    if unknown:
        return _("unknown key(s) %(keys)s; allowed keys are %(allowed)s") % {
            "keys": ", ".join(unknown),
            "allowed": ", ".join(sorted(ALLOWED_KEYS)),
        }
    name = entry.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or ADDRESS_SEPARATOR in name:
        return _(
            "“name” must start with a lower-case letter and hold only lower-case letters, digits "
            "and single underscores (60 characters at most)"
        )
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        return _("“label” is missing: give the question as the usager will read it")
    field_type = entry.get("type")
    if field_type not in FIELD_TYPES:
        return _("unknown type “%(type)s”; use one of %(types)s") % {
            "type": field_type,
            "types": ", ".join(FIELD_TYPES),
        }
    if "required" in entry and not isinstance(entry["required"], bool):
        return _("“required” must be true or false")
    if "help" in entry and not isinstance(entry["help"], str):
        return _("“help” must be a text")
    if field_type == "choice":
        problem = _choice_problem(entry.get("choices"))
        if problem:
            return problem
    elif "choices" in entry:
        return _("“choices” is only allowed on a field of type choice")
    bounds = {}
    for key in ("min", "max"):
        if key not in entry:
            continue
        if field_type not in BOUNDED_TYPES:
            return _("“%(key)s” is only allowed on number and money fields") % {"key": key}
        if not _is_number(entry[key]):
            return _("“%(key)s” must be a number") % {"key": key}
        bounds[key] = _to_decimal(entry[key])
    if len(bounds) == 2 and bounds["min"] > bounds["max"]:
        return _("“min” is greater than “max”")
    return None


def validate_schema(schema: Any) -> None:
    """Raise ValidationError naming the first faulty field; return None when the schema is sound."""
    if not isinstance(schema, list):
        raise ValidationError(_("The field schema must be a list of fields."), code="not_a_list")
    seen: set[str] = set()
    for position, entry in enumerate(schema, start=1):
        problem = _entry_problem(entry)
        if problem is None and entry["name"] in seen:
            problem = _("the name is used by another field; each field needs its own name")
        if problem:
            raise ValidationError(
                _("%(field)s: %(problem)s."),
                code="invalid_field",
                params={"field": _field_title(position, entry), "problem": problem},
            )
        seen.add(entry["name"])


def field_labels(schema: list[dict]) -> dict[str, str]:
    """Each field's label by name (the name when a field has no label)."""
    return {
        entry["name"]: entry.get("label") or entry["name"]
        for entry in schema
        if isinstance(entry, dict) and isinstance(entry.get("name"), str)
    }


def file_field_names(schema: list[dict]) -> list[str]:
    return [entry["name"] for entry in schema if entry.get("type") == "file"]


# ---------------------------------------------------------------------------
# Parsing helpers and form fields
# ---------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


def parse_french_decimal(text: str) -> Decimal | None:
    """'1 234,56', '1234.56', '1.234,56 €', '-12' -> Decimal; None when it is not a number."""
    value = _SPACES.sub("", str(text)).replace("€", "").replace("EUR", "").replace("eur", "")
    if not value:
        return None
    if "," in value and "." in value:
        # The last separator is the decimal mark, the other one groups thousands.
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif "," in value:
        if value.count(",") > 1:
            return None
        value = value.replace(",", ".")
    elif value.count(".") > 1:
        # '1.234.567' groups thousands with dots.
        if not re.fullmatch(r"-?\d{1,3}(\.\d{3})+", value):
            return None
        value = value.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?|-?\.\d+", value):
        return None
    return Decimal(value)


class _BoundedDecimalMixin:
    """A French-typed decimal text field with optional bounds (money, numbers)."""

    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def __init__(self, *, minimum=None, maximum=None, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(max_length=40, **kwargs)
        self.minimum = _to_decimal(minimum) if minimum is not None else None
        self.maximum = _to_decimal(maximum) if maximum is not None else None

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


def shown_bound(bound: Decimal, kind: str) -> str:
    return format_money(bound) if kind == "money" else format_number(bound)


class MoneyField(_BoundedDecimalMixin, forms.CharField):
    """An amount in euros typed the French way; cleans to the Decimal string '1234.56'."""

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return ""
        number = parse_french_decimal(text)
        if number is None:
            raise ValidationError(
                _("Enter an amount in euros, for example 1 234,56."), code="invalid_money"
            )
        rounded = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if rounded != number:
            raise ValidationError(
                _("Enter at most two digits after the comma (cents)."), code="cents"
            )
        self.check_bounds(rounded, "money")
        return f"{rounded:.2f}"


class FrenchNumberField(_BoundedDecimalMixin, forms.CharField):
    """A number typed the French way ('12,5', '1 000'); cleans to a Decimal."""

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        number = parse_french_decimal(text)
        if number is None:
            raise ValidationError(
                _("Enter a number, for example 12 or 12,5."), code="invalid_number"
            )
        self.check_bounds(number, "number")
        return number


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CheckedFileField(forms.FileField):
    """A supporting document: cleaned to a core.uploads.CheckedFile (type sniffed, size checked)."""

    def __init__(self, **kwargs):
        accept = ",".join(sorted({ext for exts in ACCEPTED_TYPES.values() for ext in exts}))
        widget = forms.FileInput(attrs={"class": "fr-upload", "accept": accept})
        widget.group_class = "fr-upload-group"
        kwargs.setdefault("widget", widget)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if not uploaded:
            return None
        return check_upload(uploaded)


# ---------------------------------------------------------------------------
# Form building
# ---------------------------------------------------------------------------


def _address_fields(entry: dict) -> dict[str, forms.Field]:
    label = entry["label"]
    required = bool(entry.get("required", False))
    street = forms.CharField(
        label=_("%(label)s — number and street") % {"label": label},
        max_length=200,
        required=required,
        help_text=entry.get("help", ""),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postal_code = forms.RegexField(
        label=_("%(label)s — postal code") % {"label": label},
        regex=r"^\d{5}$",
        max_length=5,
        required=required,
        error_messages={"invalid": _("Enter the 5 digits of the postal code, for example 69001.")},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    city = forms.CharField(
        label=_("%(label)s — commune") % {"label": label},
        max_length=100,
        required=required,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    name = entry["name"]
    return {
        f"{name}{ADDRESS_SEPARATOR}street": street,
        f"{name}{ADDRESS_SEPARATOR}postal_code": postal_code,
        f"{name}{ADDRESS_SEPARATOR}city": city,
    }


def _simple_field(entry: dict) -> forms.Field:
    field_type = entry["type"]
    common: dict[str, Any] = {
        "label": entry["label"],
        "required": bool(entry.get("required", False)),
        "help_text": entry.get("help", ""),
    }
    if field_type == "text":
        return forms.CharField(max_length=TEXT_MAX_LENGTH, **common)
    if field_type == "number":
        return FrenchNumberField(minimum=entry.get("min"), maximum=entry.get("max"), **common)
    if field_type == "money":
        return MoneyField(minimum=entry.get("min"), maximum=entry.get("max"), **common)
    if field_type == "date":
        return forms.DateField(
            widget=DateInput(),
            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
            error_messages={"invalid": _("Enter a date, for example 31/12/2025.")},
            **common,
        )
    if field_type == "choice":
        choices = choice_pairs(entry["choices"])
        return forms.ChoiceField(choices=[("", _("— Select —")), *choices], **common)
    if field_type == "email":
        return forms.EmailField(
            max_length=254,
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            error_messages={"invalid": _("Enter an email address like name@example.fr.")},
            **common,
        )
    if field_type in IDENTIFIER_TYPES:
        # Checked and normalised by the contacts validators (python-stdnum underneath).
        widget = forms.TextInput()
        if field_type == "phone":
            widget.input_type = "tel"
        return IdentifierField(kind=field_type, max_length=60, widget=widget, **common)
    if field_type == "file":
        return CheckedFileField(**common)
    raise ValidationError(_("Unknown field type “%(type)s”.") % {"type": field_type})


class SchemaForm(DsfrBaseForm):
    """Base of the forms built from a schema; `schema` is set on each built class."""

    schema: list[dict] = []

    def get_context(self):
        # forms.Form's context: DsfrBaseForm's own warns about a transitional setting
        # (required or optional marks follow settings.DSFR_MARK_OPTIONAL_FIELDS).
        return forms.Form.get_context(self)


def build_form_class(schema: list[dict]) -> type[SchemaForm]:
    """A DSFR form class with one field per schema entry (three for an address)."""
    validate_schema(schema)
    fields: dict[str, Any] = {}
    for entry in schema:
        if entry["type"] == "address":
            fields.update(_address_fields(entry))
        else:
            fields[entry["name"]] = _simple_field(entry)
    attrs = {"schema": list(schema), **fields}
    return type("ProcedureForm", (SchemaForm,), attrs)


def _json_number(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def cleaned_to_data(form: SchemaForm) -> dict[str, Any]:
    """The declared data of a valid form, JSON-serialisable; files are left out (cleaned_files)."""
    data: dict[str, Any] = {}
    cleaned = form.cleaned_data
    for entry in form.schema:
        name, field_type = entry["name"], entry["type"]
        if field_type == "file":
            continue
        if field_type == "address":
            parts = {
                part: cleaned.get(f"{name}{ADDRESS_SEPARATOR}{part}", "") or ""
                for part in ADDRESS_PARTS
            }
            data[name] = parts if any(parts.values()) else None
            continue
        value = cleaned.get(name)
        if field_type == "number":
            data[name] = None if value is None else _json_number(value)
        elif field_type == "date":
            data[name] = value.isoformat() if value else None
        elif field_type == "money":
            data[name] = value or None
        else:
            data[name] = value or ""
    return data


def cleaned_files(form: SchemaForm) -> list[tuple[str, CheckedFile]]:
    """The supporting documents of a valid form, as (field name, checked file)."""
    return [
        (entry["name"], form.cleaned_data[entry["name"]])
        for entry in form.schema
        if entry["type"] == "file" and form.cleaned_data.get(entry["name"])
    ]


# ---------------------------------------------------------------------------
# Display
# ---------------------------------------------------------------------------


def format_number(value: Any) -> str:
    number = _to_decimal(value)
    if number is None:
        return str(value)
    sign = "-" if number < 0 else ""
    number = abs(number)
    integer, _dot, fraction = f"{number:f}".partition(".")
    grouped = f"{int(integer):,}".replace(",", "\u202f")
    fraction = fraction.rstrip("0")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def format_money(value: Any) -> str:
    """'1234.5' -> '1 234,50 €' (narrow no-break spaces, as French typography asks)."""
    number = _to_decimal(value)
    if number is None:
        return str(value)
    sign = "-" if number < 0 else ""
    integer, _dot, fraction = f"{abs(number):.2f}".partition(".")
    grouped = f"{int(integer):,}".replace(",", "\u202f")
    return f"{sign}{grouped},{fraction}\u00a0€"


def _format_date(value: Any) -> str:
    try:
        return datetime.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _format_address(value: Any) -> str:
    if isinstance(value, dict):
        street = value.get("street", "")
        town = " ".join(
            part for part in (value.get("postal_code", ""), value.get("city", "")) if part
        )
        return "\n".join(part for part in (street, town) if part)
    return str(value)


_FORMATTERS: dict[str, Callable[[Any, dict], str]] = {
    "money": lambda value, entry: format_money(value),
    "number": lambda value, entry: format_number(value),
    "date": lambda value, entry: _format_date(value),
    "address": lambda value, entry: _format_address(value),
    "choice": lambda value, entry: dict(choice_pairs(entry.get("choices", []))).get(
        str(value), str(value)
    ),
}


@dataclass(frozen=True)
class DisplayRow:
    name: str
    label: str
    value: str
    type: str
    masked: bool = False


def display_rows(
    schema: list[dict], data: dict[str, Any], *, revealed: frozenset[str] | None = None
) -> list[DisplayRow]:
    """Declared data laid out by the schema's labels; keys unknown to the schema come last.

    NIR and IBAN fields are masked (last characters only) unless named in `revealed`;
    `revealed=None` shows everything (documents, exports to the usager)."""
    rows = []
    known = set()
    for entry in schema:
        name = entry.get("name", "")
        known.add(name)
        if entry.get("type") == "file":
            continue
        value = data.get(name)
        if value in (None, "", {}):
            shown = "—"
        else:
            formatter = _FORMATTERS.get(entry.get("type", ""))
            shown = formatter(value, entry) if formatter else str(value)
        kind = entry.get("type", "text")
        if revealed is not None and kind in MASKED_KINDS and name not in revealed and shown != "—":
            rows.append(
                DisplayRow(name, entry.get("label", name), mask_identifier(shown), kind, True)
            )
            continue
        rows.append(DisplayRow(name, entry.get("label", name), shown, kind))
    for name, value in data.items():
        if name not in known:
            rows.append(DisplayRow(name, name, "—" if value in (None, "") else str(value), "text"))
    return rows


def maskable_fields(schema: list[dict]) -> set[str]:
    """Names of the schema's fields shown masked until revealed (NIR, IBAN)."""
    return {entry.get("name", "") for entry in schema if entry.get("type") in MASKED_KINDS}

"""The form a usager fills in for a procedure, built from its schema, and the data it gives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from dsfr.forms import DsfrBaseForm

from levier.contacts.identifiers import IdentifierField
from levier.core.uploads import CheckedFile

from .definitions import (
    ADDRESS_PARTS,
    ADDRESS_SEPARATOR,
    IDENTIFIER_TYPES,
    TEXT_MAX_LENGTH,
    FieldEntry,
    choice_pairs,
)
from .form_fields import CheckedFileField, DateInput, FrenchNumberField, MoneyField
from .validation import validate_schema


def _address_fields(entry: FieldEntry) -> dict[str, forms.Field]:
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


def _simple_field(entry: FieldEntry) -> forms.Field:
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


class SchemaForm(DsfrBaseForm):  # type: ignore[misc]  # django-dsfr ships no type hints
    """Base of the forms built from a schema; `schema` is set on each built class."""

    schema: list[FieldEntry] = []

    def get_context(self) -> dict[str, Any]:
        # forms.Form's context: DsfrBaseForm's own warns about a transitional setting
        # (required or optional marks follow settings.DSFR_MARK_OPTIONAL_FIELDS).
        return forms.Form.get_context(self)


def build_form_class(schema: list[FieldEntry]) -> type[SchemaForm]:
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

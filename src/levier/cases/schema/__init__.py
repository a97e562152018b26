"""Typed field schemas of procedures: validation, form building, display.

A schema is a JSON list of field dicts::

    {"name": "amount", "label": "Montant demandé", "type": "money",
     "required": true, "help": "En euros", "min": 0, "max": 50000}

`validate_schema()` (validation.py) refuses a bad schema with a message naming the faulty
field, `build_form_class()` (forms.py, with the typed fields of form_fields.py) turns a
schema into a DSFR form, `cleaned_to_data()` turns a valid form into the JSON stored on the
case, and `display_rows()` (display.py) lays stored data out by the schema's labels for the
case page. definitions.py holds what a schema may contain. Import from this package: the
modules are how it is laid out, not its interface.
"""

from __future__ import annotations

from .definitions import (
    ADDRESS_PARTS,
    ADDRESS_SEPARATOR,
    ALLOWED_KEYS,
    BOUNDED_TYPES,
    FIELD_TYPES,
    IDENTIFIER_TYPES,
    NAME_PATTERN,
    TEXT_MAX_LENGTH,
    FieldEntry,
    choice_pairs,
    field_labels,
    file_field_names,
)
from .display import (
    DisplayRow,
    display_rows,
    format_address,
    format_date,
    format_money,
    format_number,
    maskable_fields,
)
from .form_fields import (
    CheckedFileField,
    DateInput,
    FrenchNumberField,
    MoneyField,
    parse_french_decimal,
    shown_bound,
)
from .forms import SchemaForm, build_form_class, cleaned_files, cleaned_to_data
from .validation import validate_schema

# The name documents.context imported before the split, when it was private here.
_format_address = format_address

__all__ = [
    "ADDRESS_PARTS",
    "ADDRESS_SEPARATOR",
    "ALLOWED_KEYS",
    "BOUNDED_TYPES",
    "FIELD_TYPES",
    "IDENTIFIER_TYPES",
    "NAME_PATTERN",
    "TEXT_MAX_LENGTH",
    "CheckedFileField",
    "DateInput",
    "DisplayRow",
    "FieldEntry",
    "FrenchNumberField",
    "MoneyField",
    "SchemaForm",
    "build_form_class",
    "choice_pairs",
    "cleaned_files",
    "cleaned_to_data",
    "display_rows",
    "field_labels",
    "file_field_names",
    "format_address",
    "format_date",
    "format_money",
    "format_number",
    "maskable_fields",
    "parse_french_decimal",
    "shown_bound",
    "validate_schema",
]

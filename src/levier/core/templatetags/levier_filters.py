"""Filter-form fields rendered in Python.

List pages render their filter form on every view; Django's template-based widgets
render one sub-template per <option>, which costs more than the whole list query at a
million rows. These tags write the same DSFR markup (label, hint, control, errors)
directly. Forms that users fill in keep the regular widgets.
"""

from django import forms, template
from django.utils.html import format_html, format_html_join

from levier.core.french import FrenchFormatError, format_number

register = template.Library()


def _errors(field) -> str:
    if not field.errors:
        return ""
    return format_html(
        '<p id="{}-desc-error" class="fr-error-text">{}</p>', field.auto_id, " ".join(field.errors)
    )


def _hint(field) -> str:
    if not field.help_text:
        return ""
    return format_html('<span class="fr-hint-text">{}</span>', field.help_text)


@register.simple_tag
def filter_field(field: forms.BoundField) -> str:
    """One DSFR input or select group for a GET filter form field."""
    widget = field.field.widget
    group = "fr-select-group" if isinstance(widget, forms.Select) else "fr-input-group"
    error_class = f" {group}--error" if field.errors else ""
    label = format_html(
        '<label class="fr-label" for="{}">{}{}</label>',
        field.id_for_label,
        field.label,
        _hint(field),
    )
    if isinstance(widget, forms.Select):
        current = "" if field.value() is None else str(field.value())
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, " selected" if str(value) == current else "", text)
                for value, text in field.field.choices
            ),
        )
        control = format_html(
            '<select class="fr-select" id="{}" name="{}">{}</select>',
            field.auto_id,
            field.html_name,
            options,
        )
    else:
        input_type = widget.attrs.get("type") or getattr(widget, "input_type", "text")
        value = field.value()
        control = format_html(
            '<input class="fr-input" type="{}" id="{}" name="{}" value="{}"{}>',
            input_type,
            field.auto_id,
            field.html_name,
            "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else value),
            format_html(' aria-describedby="{}-desc-error"', field.auto_id) if field.errors else "",
        )
    return format_html(
        '<div class="{}{}">{}{}{}</div>', group, error_class, label, control, _errors(field)
    )


@register.filter
def french_number(value):
    """3348 -> '3 348' (narrow no-break space, core.french); anything else as it is."""
    try:
        return format_number(value)
    except (FrenchFormatError, TypeError):
        return value

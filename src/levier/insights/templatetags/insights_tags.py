"""Filters of the insights pages: durations and changes as a person reads them."""

from __future__ import annotations

from django import template

from levier.insights.views import duration_text

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    return duration_text(seconds)


@register.filter
def signed(value: int | None) -> str:
    """+3, −2 (a real minus sign), 0; an em dash for no value."""
    if value is None:
        return "—"
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{-value}"
    return "0"

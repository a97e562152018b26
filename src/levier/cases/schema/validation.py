"""Checking a procedure's field schema before it is saved: the first faulty field is named,
with what to change."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .definitions import (
    ADDRESS_SEPARATOR,
    ALLOWED_KEYS,
    BOUNDED_TYPES,
    FIELD_TYPES,
    NAME_PATTERN,
    to_decimal,
)


def _field_title(position: int, entry: Any) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    if isinstance(name, str) and name:
        return _("Field “%(name)s” (no. %(position)s)") % {"name": name, "position": position}
    return _("Field no. %(position)s") % {"position": position}


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float | str)
        and not isinstance(value, bool)
        and to_decimal(value) is not None
    )


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
    bounds: dict[str, Decimal | None] = {}
    for key in ("min", "max"):
        if key not in entry:
            continue
        if field_type not in BOUNDED_TYPES:
            return _("“%(key)s” is only allowed on number and money fields") % {"key": key}
        if not _is_number(entry[key]):
            return _("“%(key)s” must be a number") % {"key": key}
        bounds[key] = to_decimal(entry[key])
    low, high = bounds.get("min"), bounds.get("max")
    if low is not None and high is not None and low > high:
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

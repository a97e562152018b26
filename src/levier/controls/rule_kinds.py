"""Kinds of control rules and the validation of their parameters against a field schema.

An administrator configures a rule as a kind plus JSON parameters, e.g.::

    threshold          {"field": "amount_requested", "operator": "<=", "value": "15000"}
    coherence          {"left": "amount_requested", "operator": "<=", "right": "project_cost",
                        "factor": "0.5"}
    required_document  {"document": "tax_notice", "when_field": "housing_type",
                        "equals": "Location dans le parc privé"}
    date_order         {"before": "company_created_on", "after": "submitted_on",
                        "min_days": 0, "max_days": null}
    duplicate_iban     {"field": "iban"}
    duplicate_document {}

`validate_parameters()` checks them against the procedure's schema and returns cleaned
parameters, or raises a ValidationError naming the parameter and the fix. The cleaned
parameters also carry the types of the fields they name (`field_type`, `left_type`...):
the engine needs them to compare and format values, and sees no schema.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from levier.cases.schema import choice_pairs
from levier.core import french
from levier.core.french import FrenchFormatError

OPERATORS = ("<", "<=", ">", ">=", "==", "!=")
NUMERIC_TYPES = frozenset({"number", "money"})
COMPARABLE_TYPES = NUMERIC_TYPES | {"date"}
# Fields a required_document condition may test ("equals", or filled in at all).
CONDITION_TYPES = COMPARABLE_TYPES | {"text", "choice", "email", "siren", "siret"}
# Dates every case has, usable in date_order rules besides the schema's date fields.
PSEUDO_DATES = ("submitted_on", "today")
# Amounts beyond this are typing mistakes, not ceilings (and would format to huge strings).
LARGEST_EXPONENT = 15
CENT = Decimal("0.01")


def _fail(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


# ---------------------------------------------------------------------------
# Reading parameters
# ---------------------------------------------------------------------------


def _check_keys(parameters: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(parameters) - allowed)
    if unknown:
        raise _fail(
            _("Unknown parameter(s) %(keys)s; this kind of rule accepts %(allowed)s.")
            % {
                "keys": ", ".join(f"“{key}”" for key in unknown),
                "allowed": ", ".join(f"“{key}”" for key in sorted(allowed)) or _("none"),
            },
            "unknown_parameter",
        )


def _fields_of_types(schema: list[dict[str, Any]], types: frozenset[str] | set[str]) -> list[str]:
    return [entry["name"] for entry in schema if entry.get("type") in types and "name" in entry]


def _schema_entry(
    schema: list[dict[str, Any]], parameter: str, name: Any, types: frozenset[str] | set[str]
) -> dict[str, Any]:
    """The schema entry named by `parameter`, which must be a field of one of `types`."""
    candidates = ", ".join(_fields_of_types(schema, types)) or _("none")
    if not isinstance(name, str) or not name.strip():
        raise _fail(
            _(
                "“%(parameter)s” is missing: give the name of a field of this procedure (%(fields)s)."
            )
            % {"parameter": parameter, "fields": candidates},
            "missing_field",
        )
    entry = next((e for e in schema if e.get("name") == name), None)
    if entry is None:
        raise _fail(
            _("“%(parameter)s”: this procedure has no field “%(name)s”; use one of %(fields)s.")
            % {"parameter": parameter, "name": name, "fields": candidates},
            "unknown_field",
        )
    if entry.get("type") not in types:
        raise _fail(
            _(
                "“%(parameter)s”: the field “%(name)s” is of type %(type)s, which this rule "
                "cannot use; use a field of type %(types)s (%(fields)s)."
            )
            % {
                "parameter": parameter,
                "name": name,
                "type": entry.get("type"),
                "types": ", ".join(sorted(types)),
                "fields": candidates,
            },
            "wrong_field_type",
        )
    return entry


def _operator(parameters: dict[str, Any]) -> str:
    operator = parameters.get("operator")
    if operator not in OPERATORS:
        raise _fail(
            _("“operator”: “%(operator)s” is not an operator; use one of %(operators)s.")
            % {"operator": operator, "operators": " ".join(OPERATORS)},
            "bad_operator",
        )
    return cast(str, operator)  # one of OPERATORS


def parse_number(value: Any) -> Decimal | None:
    """A finite, plausibly sized number from JSON or French text; None otherwise."""
    try:
        number = french.to_decimal(value)  # JSON numbers and plain text ('1234.5')
    except FrenchFormatError:
        try:
            number = french.parse_decimal(str(value))  # French text ('1 234,5 €')
        except FrenchFormatError:
            return None
    if number.adjusted() > LARGEST_EXPONENT:
        return None
    return number


def parse_date(value: Any) -> datetime.date | None:
    """An ISO date (as stored on a case) or a date object; None otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return datetime.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _number_parameter(parameters: dict[str, Any], key: str, field_type: str) -> str:
    number = parse_number(parameters.get(key)) if key in parameters else None
    if number is None or isinstance(parameters.get(key), bool):
        raise _fail(
            _('“%(parameter)s” must be a number, for example "15000" or "0.5" (got %(value)s).')
            % {"parameter": key, "value": _shown(parameters.get(key))},
            "not_a_number",
        )
    if field_type == "money":
        if number.quantize(CENT, rounding=ROUND_HALF_UP) != number:
            raise _fail(
                _("“%(parameter)s” is an amount in euros: give at most two decimals (cents).")
                % {"parameter": key},
                "cents",
            )
        return f"{number:.2f}"
    return format(number.normalize(), "f")


def _date_parameter(parameters: dict[str, Any], key: str) -> str:
    day = parse_date(parameters.get(key))
    if day is None:
        raise _fail(
            _(
                '“%(parameter)s” must be a date written YYYY-MM-DD, for example "2026-01-31" (got %(value)s).'
            )
            % {"parameter": key, "value": _shown(parameters.get(key))},
            "not_a_date",
        )
    return day.isoformat()


def _days_parameter(parameters: dict[str, Any], key: str, default: int | None) -> int | None:
    value = parameters.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(
            _("“%(parameter)s” must be a whole number of days, 0 or more (got %(value)s).")
            % {"parameter": key, "value": _shown(value)},
            "bad_days",
        )
    return value


def _shown(value: Any) -> str:
    return "—" if value is None else f"“{value}”"


# ---------------------------------------------------------------------------
# One validator per kind
# ---------------------------------------------------------------------------


def _clean_threshold(parameters: dict[str, Any], schema: list[dict[str, Any]]) -> dict[str, Any]:
    _check_keys(parameters, {"field", "operator", "value", "field_type"})
    entry = _schema_entry(schema, "field", parameters.get("field"), COMPARABLE_TYPES)
    operator = _operator(parameters)
    field_type = entry["type"]
    if field_type == "date":
        value = _date_parameter(parameters, "value")
    else:
        value = _number_parameter(parameters, "value", field_type)
    return {"field": entry["name"], "operator": operator, "value": value, "field_type": field_type}


def _clean_coherence(parameters: dict[str, Any], schema: list[dict[str, Any]]) -> dict[str, Any]:
    _check_keys(parameters, {"left", "operator", "right", "factor", "left_type", "right_type"})
    left = _schema_entry(schema, "left", parameters.get("left"), COMPARABLE_TYPES)
    operator = _operator(parameters)
    right = _schema_entry(schema, "right", parameters.get("right"), COMPARABLE_TYPES)
    if left["name"] == right["name"]:
        raise _fail(
            _("“left” and “right” name the same field “%(name)s”; compare two different fields.")
            % {"name": left["name"]},
            "same_field",
        )
    left_is_date, right_is_date = left["type"] == "date", right["type"] == "date"
    if left_is_date != right_is_date:
        raise _fail(
            _(
                "“left” (%(left)s, %(left_type)s) and “right” (%(right)s, %(right_type)s) cannot "
                "be compared: compare two dates, or two amounts or numbers."
            )
            % {
                "left": left["name"],
                "left_type": left["type"],
                "right": right["name"],
                "right_type": right["type"],
            },
            "incomparable_fields",
        )
    factor = "1"
    if "factor" in parameters:
        factor = _number_parameter(parameters, "factor", "number")
        if left_is_date and Decimal(factor) != 1:
            raise _fail(
                _("“factor” only applies to amounts and numbers; for dates use a date_order rule."),
                "factor_on_dates",
            )
        if Decimal(factor) <= 0:
            raise _fail(
                _('“factor” must be greater than 0, for example "0.5" for half.'),
                "bad_factor",
            )
    return {
        "left": left["name"],
        "operator": operator,
        "right": right["name"],
        "factor": factor,
        "left_type": left["type"],
        "right_type": right["type"],
    }


def _clean_required_document(
    parameters: dict[str, Any], schema: list[dict[str, Any]]
) -> dict[str, Any]:
    _check_keys(parameters, {"document", "when_field", "equals", "above", "when_type"})
    document = _schema_entry(schema, "document", parameters.get("document"), {"file"})
    cleaned: dict[str, Any] = {"document": document["name"]}
    has_condition = "equals" in parameters or "above" in parameters
    if parameters.get("when_field") in (None, ""):
        if has_condition:
            raise _fail(
                _("“equals” and “above” need “when_field”: name the field the condition is on."),
                "condition_without_field",
            )
        return cleaned
    if "equals" in parameters and "above" in parameters:
        raise _fail(
            _("Give either “equals” or “above”, not both."),
            "two_conditions",
        )
    types = NUMERIC_TYPES if "above" in parameters else CONDITION_TYPES
    condition = _schema_entry(schema, "when_field", parameters["when_field"], types)
    cleaned |= {"when_field": condition["name"], "when_type": condition["type"]}
    if "above" in parameters:
        cleaned["above"] = _number_parameter(parameters, "above", condition["type"])
    elif "equals" in parameters:
        cleaned["equals"] = _equals_parameter(parameters["equals"], condition)
    return cleaned


def _equals_parameter(value: Any, condition: dict[str, Any]) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value).strip() == "":
        raise _fail(
            _("“equals” must be a non-empty text, the value that makes the document required."),
            "bad_equals",
        )
    value = str(value)
    if condition["type"] == "choice":
        pairs = choice_pairs(condition.get("choices", []))
        values = [v for v, _label in pairs]
        # Accept a choice's label too: administrators read labels, cases store values.
        by_label = {label: v for v, label in pairs}
        if value not in values and value not in by_label:
            raise _fail(
                _("“equals”: “%(value)s” is not a choice of “%(field)s”; use one of %(choices)s.")
                % {
                    "value": value,
                    "field": condition["name"],
                    "choices": ", ".join(f"“{v}”" for v in values),
                },
                "unknown_choice",
            )
        return value if value in values else by_label[value]
    if condition["type"] == "date":
        return _date_parameter({"equals": value}, "equals")
    if condition["type"] in NUMERIC_TYPES:
        return _number_parameter({"equals": value}, "equals", condition["type"])
    return cast(str, value)


def _date_side(schema: list[dict[str, Any]], parameters: dict[str, Any], key: str) -> str:
    name = parameters.get(key)
    if name in PSEUDO_DATES:
        return cast(str, name)
    try:
        return cast(str, _schema_entry(schema, key, name, {"date"})["name"])
    except ValidationError as error:
        raise _fail(
            _("%(problem)s You may also use “submitted_on” or “today”.")
            % {"problem": error.messages[0]},
            error.code or "bad_date_field",
        ) from None


def _clean_date_order(parameters: dict[str, Any], schema: list[dict[str, Any]]) -> dict[str, Any]:
    _check_keys(parameters, {"before", "after", "min_days", "max_days"})
    before = _date_side(schema, parameters, "before")
    after = _date_side(schema, parameters, "after")
    if before == after:
        raise _fail(
            _("“before” and “after” name the same date “%(name)s”; compare two different dates.")
            % {"name": before},
            "same_field",
        )
    if before in PSEUDO_DATES and after in PSEUDO_DATES:
        # Submission always precedes today: such a rule would tell nothing about the case.
        raise _fail(
            _(
                "Compare at least one date field of the procedure; “submitted_on” and “today” "
                "alone tell nothing about the case."
            ),
            "only_pseudo_dates",
        )
    min_days = _days_parameter(parameters, "min_days", 0)
    max_days = _days_parameter(parameters, "max_days", None)
    if max_days is not None and max_days < (min_days or 0):
        raise _fail(
            _(
                "“max_days” (%(max)s) is less than “min_days” (%(min)s); raise “max_days” or "
                "lower “min_days”."
            )
            % {"max": max_days, "min": min_days},
            "max_below_min",
        )
    return {"before": before, "after": after, "min_days": min_days, "max_days": max_days}


def _clean_duplicate_iban(
    parameters: dict[str, Any], schema: list[dict[str, Any]]
) -> dict[str, Any]:
    _check_keys(parameters, {"field"})
    name = parameters.get("field")
    ibans = _fields_of_types(schema, {"iban"})
    if name in (None, "") and len(ibans) == 1:
        name = ibans[0]  # the only IBAN field of the procedure: no need to name it
    return {"field": _schema_entry(schema, "field", name, {"iban"})["name"]}


def _clean_duplicate_document(
    parameters: dict[str, Any], schema: list[dict[str, Any]]
) -> dict[str, Any]:
    _check_keys(parameters, set())
    if not _fields_of_types(schema, {"file"}):
        raise _fail(
            _("This procedure asks for no supporting document; add a field of type file first."),
            "no_file_field",
        )
    return {}


@dataclass(frozen=True, slots=True)
class RuleKind:
    """A kind of control rule: the one place for its code, the label administrators and the
    public register show, a description, an example of parameters and their checker.
    The rule engine's evaluator of each kind is keyed by the same code
    (`rule_engine.EVALUATORS`, tested against this registry)."""

    code: str
    label: Promise
    description: Promise
    example: dict[str, Any]
    clean: Callable[[dict[str, Any], list[dict[str, Any]]], dict[str, Any]]


KINDS: dict[str, RuleKind] = {
    kind.code: kind
    for kind in (
        RuleKind(
            code="threshold",
            label=gettext_lazy("Threshold on a field"),
            description=gettext_lazy("A declared amount, number or date compared with a value."),
            example={"field": "amount_requested", "operator": "<=", "value": "15000"},
            clean=_clean_threshold,
        ),
        RuleKind(
            code="coherence",
            label=gettext_lazy("Coherence between two fields"),
            description=gettext_lazy(
                "Two declared fields compared with each other, the second one times a factor if given."
            ),
            example={
                "left": "amount_requested",
                "operator": "<=",
                "right": "project_cost",
                "factor": "0.5",
            },
            clean=_clean_coherence,
        ),
        RuleKind(
            code="required_document",
            label=gettext_lazy("Document required in a situation"),
            description=gettext_lazy(
                "A type of supporting document the case must have: always, or when a field "
                "has a given value or is above an amount."
            ),
            example={
                "document": "tax_notice",
                "when_field": "housing_type",
                "equals": "Location dans le parc privé",
            },
            clean=_clean_required_document,
        ),
        RuleKind(
            code="date_order",
            label=gettext_lazy("Coherent dates"),
            description=gettext_lazy(
                "One date before another, with a minimum and maximum number of days between."
            ),
            example={
                "before": "company_created_on",
                "after": "submitted_on",
                "min_days": 0,
                "max_days": None,
            },
            clean=_clean_date_order,
        ),
        RuleKind(
            code="duplicate_iban",
            label=gettext_lazy("Same IBAN on unrelated cases"),
            description=gettext_lazy("The case's IBAN declared on cases of other usagers."),
            example={"field": "iban"},
            clean=_clean_duplicate_iban,
        ),
        RuleKind(
            code="duplicate_document",
            label=gettext_lazy("Same document submitted twice"),
            description=gettext_lazy("A supporting document identical to one of another case."),
            example={},
            clean=_clean_duplicate_document,
        ),
    )
}
# The model field's choices and the administrators' starting points, read from KINDS.
KIND_CHOICES: list[tuple[str, Promise]] = [(kind.code, kind.label) for kind in KINDS.values()]
KIND_EXAMPLES: dict[str, dict[str, Any]] = {code: kind.example for code, kind in KINDS.items()}


def label_of(code: str) -> str:
    """A kind's label, or its code when no kind has it (a rule of a removed kind)."""
    kind = KINDS.get(code)
    return str(kind.label) if kind else code


def validate_parameters(
    kind: str, parameters: dict[str, Any], schema: list[dict[str, Any]]
) -> dict[str, Any]:
    """Cleaned parameters of a rule of `kind` on a procedure of `schema`; ValidationError
    naming the parameter and the fix otherwise."""
    if kind not in KINDS:
        raise _fail(
            _("Unknown kind of rule “%(kind)s”; use one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(KINDS)},
            "unknown_kind",
        )
    if not isinstance(parameters, dict):
        raise _fail(
            _("The parameters must be a JSON object, for example %(example)s.")
            % {"example": example_json(kind)},
            "not_an_object",
        )
    schema = [entry for entry in schema or [] if isinstance(entry, dict)]
    return KINDS[kind].clean(parameters, schema)


def example_json(kind: str) -> str:
    return json.dumps(KIND_EXAMPLES[kind], ensure_ascii=False)

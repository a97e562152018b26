"""Parameters of control rules, validated against a procedure's field schema."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from levier.controls.rule_kinds import KIND_EXAMPLES, KINDS, validate_parameters


@pytest.fixture(autouse=True, scope="module")
def _msgids():
    """Sentences as their English msgids, whatever the catalogue holds; values stay French."""
    with translation.override("en"):
        yield


SCHEMA = [
    {"name": "amount_requested", "label": "Montant demandé", "type": "money"},
    {"name": "project_cost", "label": "Coût du projet", "type": "money"},
    {"name": "household_size", "label": "Personnes au foyer", "type": "number"},
    {
        "name": "housing_type",
        "label": "Type de logement",
        "type": "choice",
        "choices": [["owner", "Propriétaire"], "Location dans le parc privé"],
    },
    {"name": "tax_notice", "label": "Avis d'impôt", "type": "file"},
    {"name": "company_created_on", "label": "Date de création", "type": "date"},
    {"name": "works_start_on", "label": "Début des travaux", "type": "date"},
    {"name": "iban", "label": "IBAN", "type": "iban"},
    {"name": "comment", "label": "Commentaire", "type": "text"},
]


def message_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_every_example_is_valid_against_a_fitting_schema():
    for kind in KINDS:
        assert isinstance(validate_parameters(kind, KIND_EXAMPLES[kind], SCHEMA), dict)


def test_threshold_is_cleaned_with_the_field_type_and_cents():
    cleaned = validate_parameters(
        "threshold", {"field": "amount_requested", "operator": "<=", "value": 15000}, SCHEMA
    )
    assert cleaned == {
        "field": "amount_requested",
        "operator": "<=",
        "value": "15000.00",
        "field_type": "money",
    }


def test_threshold_accepts_french_amounts_and_dates():
    french = validate_parameters(
        "threshold", {"field": "amount_requested", "operator": ">", "value": "1 500,5"}, SCHEMA
    )
    assert french["value"] == "1500.50"
    dated = validate_parameters(
        "threshold", {"field": "works_start_on", "operator": ">=", "value": "2026-01-01"}, SCHEMA
    )
    assert dated == {
        "field": "works_start_on",
        "operator": ">=",
        "value": "2026-01-01",
        "field_type": "date",
    }


def test_cleaning_is_idempotent():
    for kind in KINDS:
        once = validate_parameters(kind, KIND_EXAMPLES[kind], SCHEMA)
        assert validate_parameters(kind, once, SCHEMA) == once


def test_coherence_defaults_its_factor_to_one():
    cleaned = validate_parameters(
        "coherence", {"left": "amount_requested", "operator": "<=", "right": "project_cost"}, SCHEMA
    )
    assert cleaned["factor"] == "1"
    assert cleaned["left_type"] == cleaned["right_type"] == "money"


def test_required_document_accepts_a_choice_label_and_stores_its_value():
    cleaned = validate_parameters(
        "required_document",
        {"document": "tax_notice", "when_field": "housing_type", "equals": "Propriétaire"},
        SCHEMA,
    )
    assert cleaned["equals"] == "owner"
    assert cleaned["when_type"] == "choice"


def test_required_document_without_condition_and_with_above():
    assert validate_parameters("required_document", {"document": "tax_notice"}, SCHEMA) == {
        "document": "tax_notice"
    }
    cleaned = validate_parameters(
        "required_document",
        {"document": "tax_notice", "when_field": "amount_requested", "above": "10000"},
        SCHEMA,
    )
    assert cleaned["above"] == "10000.00"


def test_date_order_accepts_pseudo_dates_and_defaults():
    cleaned = validate_parameters(
        "date_order", {"before": "today", "after": "works_start_on"}, SCHEMA
    )
    assert cleaned == {
        "before": "today",
        "after": "works_start_on",
        "min_days": 0,
        "max_days": None,
    }


def test_duplicate_iban_defaults_to_the_only_iban_field():
    assert validate_parameters("duplicate_iban", {}, SCHEMA) == {"field": "iban"}


# Each bad parameter: the error names the parameter and says what to do.
BAD = [
    ("threshold", {"field": "amount", "operator": "<=", "value": "1"}, "unknown_field",
     ["“field”", "amount", "amount_requested"]),
    ("threshold", {"operator": "<=", "value": "1"}, "missing_field", ["“field”", "is missing"]),
    ("threshold", {"field": "comment", "operator": "<=", "value": "1"}, "wrong_field_type",
     ["comment", "text", "date, money, number"]),
    ("threshold", {"field": "amount_requested", "operator": "=<", "value": "1"}, "bad_operator",
     ["“operator”", "=<", "<="]),
    ("threshold", {"field": "amount_requested", "operator": "<=", "value": "beaucoup"},
     "not_a_number", ["“value”", "beaucoup", "15000"]),
    ("threshold", {"field": "amount_requested", "operator": "<=", "value": True},
     "not_a_number", ["“value”"]),
    ("threshold", {"field": "amount_requested", "operator": "<=", "value": "10.005"}, "cents",
     ["“value”", "two decimals"]),
    ("threshold", {"field": "works_start_on", "operator": "<=", "value": "31/12/2026"},
     "not_a_date", ["“value”", "YYYY-MM-DD"]),
    ("threshold", {"field": "amount_requested", "operator": "<=", "value": "1", "limit": "2"},
     "unknown_parameter", ["“limit”", "“value”"]),
    ("coherence", {"left": "amount_requested", "operator": "<=", "right": "amount_requested"},
     "same_field", ["“left”", "“right”", "two different fields"]),
    ("coherence", {"left": "amount_requested", "operator": "<=", "right": "works_start_on"},
     "incomparable_fields", ["works_start_on", "two dates"]),
    ("coherence", {"left": "amount_requested", "operator": "<=", "right": "project_cost",
                   "factor": "0"}, "bad_factor", ["“factor”", "greater than 0"]),
    ("coherence", {"left": "company_created_on", "operator": "<=", "right": "works_start_on",
                   "factor": "2"}, "factor_on_dates", ["“factor”", "date_order"]),
    ("required_document", {"document": "comment"}, "wrong_field_type", ["“document”", "file"]),
    ("required_document", {"document": "tax_notice", "equals": "x"}, "condition_without_field",
     ["“when_field”"]),
    ("required_document", {"document": "tax_notice", "when_field": "housing_type",
                           "equals": "Caravane"}, "unknown_choice",
     ["“equals”", "Caravane", "“owner”"]),
    ("required_document", {"document": "tax_notice", "when_field": "housing_type",
                           "above": "3"}, "wrong_field_type", ["“when_field”", "choice"]),
    ("required_document", {"document": "tax_notice", "when_field": "amount_requested",
                           "equals": "1", "above": "2"}, "two_conditions", ["“equals”", "“above”"]),
    ("required_document", {"document": "tax_notice", "when_field": "comment", "equals": ""},
     "bad_equals", ["“equals”"]),
    ("date_order", {"before": "works_start_on", "after": "works_start_on"}, "same_field",
     ["“before”", "“after”"]),
    ("date_order", {"before": "submitted_on", "after": "today"}, "only_pseudo_dates",
     ["“submitted_on”", "“today”"]),
    ("date_order", {"before": "creation", "after": "today"}, "unknown_field",
     ["“before”", "creation", "company_created_on", "“submitted_on”"]),
    ("date_order", {"before": "company_created_on", "after": "today", "min_days": -1},
     "bad_days", ["“min_days”"]),
    ("date_order", {"before": "company_created_on", "after": "today", "min_days": "1"},
     "bad_days", ["“min_days”"]),
    ("date_order", {"before": "company_created_on", "after": "today", "min_days": 10,
                    "max_days": 5}, "max_below_min", ["“max_days”", "“min_days”"]),
    ("duplicate_iban", {"field": "comment"}, "wrong_field_type", ["“field”", "iban"]),
    ("duplicate_document", {"field": "tax_notice"}, "unknown_parameter", ["“field”", "none"]),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "parameters", "code", "fragments"), BAD)
def test_a_bad_parameter_is_named_with_its_fix(kind, parameters, code, fragments):
    with pytest.raises(ValidationError) as caught:
        validate_parameters(kind, parameters, SCHEMA)
    assert caught.value.code == code
    for fragment in fragments:
        assert fragment in message_of(caught.value)


def test_unknown_kind_lists_the_kinds():
    with pytest.raises(ValidationError) as caught:
        validate_parameters("ceiling", {}, SCHEMA)
    assert caught.value.code == "unknown_kind"
    assert "threshold" in message_of(caught.value)


def test_parameters_must_be_an_object():
    with pytest.raises(ValidationError) as caught:
        validate_parameters("threshold", ["amount_requested"], SCHEMA)
    assert caught.value.code == "not_an_object"
    assert '"operator": "<="' in message_of(caught.value)


def test_duplicate_document_needs_a_file_field():
    with pytest.raises(ValidationError) as caught:
        validate_parameters("duplicate_document", {}, [SCHEMA[0]])
    assert caught.value.code == "no_file_field"


def test_duplicate_iban_must_be_named_when_there_are_several():
    schema = [*SCHEMA, {"name": "iban_2", "label": "IBAN 2", "type": "iban"}]
    with pytest.raises(ValidationError) as caught:
        validate_parameters("duplicate_iban", {}, schema)
    assert caught.value.code == "missing_field"
    assert "iban, iban_2" in message_of(caught.value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
PARAMETER_NAMES = st.sampled_from(
    ["field", "operator", "value", "left", "right", "factor", "document", "when_field",
     "equals", "above", "before", "after", "min_days", "max_days"]
)  # fmt: skip
FIELD_NAMES = st.sampled_from([entry["name"] for entry in SCHEMA] + ["today", "submitted_on"])


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(list(KINDS)),
    parameters=st.dictionaries(PARAMETER_NAMES, JSON | FIELD_NAMES, max_size=6),
)
def test_arbitrary_parameters_are_cleaned_or_refused_never_crash(kind, parameters):
    try:
        cleaned = validate_parameters(kind, parameters, SCHEMA)
    except ValidationError as error:
        assert error.messages[0]
    else:
        assert validate_parameters(kind, cleaned, SCHEMA) == cleaned

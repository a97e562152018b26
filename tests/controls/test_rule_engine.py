"""Evaluation of control rules on case facts: outcomes, explanations, evidence.

Explanations are checked as their English msgids (the catalogue has no entry for them
yet), with the French formatting of values.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from levier.cases.schema import format_money
from levier.controls.rule_engine import (
    FAILED,
    NOT_APPLICABLE,
    OUTCOMES,
    PASSED,
    CaseFacts,
    DuplicateIndex,
    RuleResult,
    RuleSpec,
    evaluate,
    evaluate_all,
    field_labels,
)
from levier.controls.rule_kinds import KIND_EXAMPLES, KINDS, validate_parameters

from .test_rule_kinds import JSON, SCHEMA


@pytest.fixture(autouse=True, scope="module")
def _msgids():
    """Sentences as their English msgids, whatever the catalogue holds; values stay French."""
    with translation.override("en"):
        yield


LABELS = field_labels(SCHEMA)
SUBMITTED = datetime.date(2026, 3, 2)
TODAY = datetime.date(2026, 3, 10)
IBAN = "FR7630006000011234567890189"


def make_rule(kind: str, rule_id: int = 1, **parameters) -> RuleSpec:
    return RuleSpec(rule_id, kind, kind, validate_parameters(kind, parameters, SCHEMA))


def make_facts(case_id=1, contact_id=10, documents=None, **data) -> CaseFacts:
    return CaseFacts(case_id, contact_id, data, SUBMITTED, documents or {})


def run(rule: RuleSpec, facts: CaseFacts, index: DuplicateIndex | None = None) -> RuleResult:
    result = evaluate(rule, facts, labels=LABELS, index=index, today=TODAY)
    json.dumps(result.evidence)  # evidence is always JSON-serialisable
    return result


# ---------------------------------------------------------------------------
# threshold
# ---------------------------------------------------------------------------

CEILING = make_rule("threshold", field="amount_requested", operator="<=", value="15000")


def test_threshold_failed_names_the_amount_and_the_ceiling():
    result = run(CEILING, make_facts(amount_requested="16000.00"))
    assert result.outcome == FAILED
    assert result.explanation == (
        f"Montant demandé ({format_money('16000')}) is above the ceiling of "
        f"{format_money('15000')}."
    )
    assert result.evidence == {
        "field": "amount_requested",
        "value": "16000.00",
        "operator": "<=",
        "limit": "15000.00",
    }


def test_threshold_passed_at_the_ceiling():
    result = run(CEILING, make_facts(amount_requested="15000.00"))
    assert result.outcome == PASSED
    assert "within the ceiling" in result.explanation


@pytest.mark.parametrize("value", [None, "", {}])
def test_threshold_not_applicable_when_not_filled(value):
    result = run(CEILING, make_facts(amount_requested=value))
    assert result.outcome == NOT_APPLICABLE
    assert result.explanation == "Montant demandé is not filled in."


@pytest.mark.parametrize("value", ["beaucoup", True, [1], "9e999999999", float("nan")])
def test_threshold_not_applicable_when_unreadable(value):
    result = run(CEILING, make_facts(amount_requested=value))
    assert result.outcome == NOT_APPLICABLE
    assert "is not a number that can be read" in result.explanation


def test_threshold_on_a_number_and_on_a_date():
    size = make_rule("threshold", field="household_size", operator=">=", value=2)
    assert run(size, make_facts(household_size=1)).explanation == (
        "Personnes au foyer (1) is below the minimum of 2."
    )
    start = make_rule("threshold", field="works_start_on", operator=">", value="2026-01-01")
    result = run(start, make_facts(works_start_on="2025-12-01"))
    assert result.outcome == FAILED
    assert result.explanation == (
        "Début des travaux (1er décembre 2025) is not after 1er janvier 2026."
    )
    assert run(start, make_facts(works_start_on="2026-02-01")).outcome == PASSED
    assert run(start, make_facts(works_start_on="31/12/2026")).outcome == NOT_APPLICABLE


@pytest.mark.parametrize(
    ("operator", "value", "outcome"),
    [("<", 5, FAILED), ("<", 4, PASSED), (">", 5, FAILED), (">", 6, PASSED),
     ("==", 5, PASSED), ("==", 4, FAILED), ("!=", 5, FAILED), ("!=", 4, PASSED)],
)  # fmt: skip
def test_threshold_operators(operator, value, outcome):
    rule = make_rule("threshold", field="household_size", operator=operator, value=5)
    assert run(rule, make_facts(household_size=value)).outcome == outcome


# ---------------------------------------------------------------------------
# coherence
# ---------------------------------------------------------------------------

HALF_COST = make_rule(
    "coherence", left="amount_requested", operator="<=", right="project_cost", factor="0.5"
)


def test_coherence_failed_names_both_values_and_the_bound():
    result = run(HALF_COST, make_facts(amount_requested="16000.00", project_cost="20000.00"))
    assert result.outcome == FAILED
    assert result.explanation == (
        f"Montant demandé ({format_money('16000')}) is above the ceiling of 50\u202f% of "
        f"Coût du projet ({format_money('20000')}), that is {format_money('10000')}."
    )
    assert result.evidence["bound"] == "10000.000"
    assert result.evidence["right_value"] == "20000.00"


def test_coherence_passed():
    result = run(HALF_COST, make_facts(amount_requested="9000.00", project_cost="20000.00"))
    assert result.outcome == PASSED


def test_coherence_not_applicable_when_a_side_is_missing_or_unreadable():
    missing = run(HALF_COST, make_facts(amount_requested="9000.00"))
    assert missing.outcome == NOT_APPLICABLE
    assert missing.explanation == "Coût du projet is not filled in."
    unreadable = run(HALF_COST, make_facts(amount_requested="9000.00", project_cost="?"))
    assert unreadable.outcome == NOT_APPLICABLE
    assert "Coût du projet (“?”)" in unreadable.explanation


def test_coherence_of_two_dates():
    rule = make_rule("coherence", left="company_created_on", operator="<", right="works_start_on")
    result = run(rule, make_facts(company_created_on="2026-05-01", works_start_on="2026-04-01"))
    assert result.outcome == FAILED
    assert result.explanation == (
        "Date de création (1er mai 2026) is not before Début des travaux (1er avril 2026)."
    )


# ---------------------------------------------------------------------------
# required_document
# ---------------------------------------------------------------------------

TAX_NOTICE_FOR_TENANTS = make_rule(
    "required_document",
    document="tax_notice",
    when_field="housing_type",
    equals="Location dans le parc privé",
)


def test_required_document_missing_when_the_condition_holds():
    result = run(TAX_NOTICE_FOR_TENANTS, make_facts(housing_type="Location dans le parc privé"))
    assert result.outcome == FAILED
    assert result.explanation == (
        "Avis d'impôt is missing, although Type de logement is “Location dans le parc privé”."
    )
    assert result.evidence["count"] == 0


def test_required_document_present():
    facts = make_facts(
        housing_type="Location dans le parc privé", documents={"tax_notice": ["a" * 64]}
    )
    result = run(TAX_NOTICE_FOR_TENANTS, facts)
    assert result.outcome == PASSED
    assert result.explanation == "Avis d'impôt is present."


def test_required_document_not_applicable_when_the_condition_does_not_hold():
    result = run(TAX_NOTICE_FOR_TENANTS, make_facts(housing_type="owner"))
    assert result.outcome == NOT_APPLICABLE
    assert result.explanation == (
        "Not required: Type de logement is “owner”, not “Location dans le parc privé”."
    )
    assert run(TAX_NOTICE_FOR_TENANTS, make_facts()).outcome == NOT_APPLICABLE


def test_required_document_above_an_amount_and_unconditional():
    rule = make_rule(
        "required_document", document="tax_notice", when_field="amount_requested", above="10000"
    )
    failed = run(rule, make_facts(amount_requested="12000.00"))
    assert failed.outcome == FAILED
    assert failed.explanation == (
        f"Avis d'impôt is missing, although Montant demandé ({format_money('12000')}) is "
        f"above {format_money('10000')}."
    )
    assert run(rule, make_facts(amount_requested="10000.00")).outcome == NOT_APPLICABLE
    assert run(rule, make_facts(amount_requested="n/a")).outcome == NOT_APPLICABLE
    always = make_rule("required_document", document="tax_notice")
    assert run(always, make_facts()).explanation == "Avis d'impôt is missing."


# ---------------------------------------------------------------------------
# date_order
# ---------------------------------------------------------------------------

ONE_YEAR_OLD = make_rule(
    "date_order", before="company_created_on", after="submitted_on", min_days=365
)


def test_date_order_passed():
    result = run(ONE_YEAR_OLD, make_facts(company_created_on="2020-01-15"))
    assert result.outcome == PASSED
    assert result.explanation.startswith("Submission date (2 mars 2026) comes ")
    assert result.evidence["days"] == (SUBMITTED - datetime.date(2020, 1, 15)).days


def test_date_order_too_close():
    result = run(ONE_YEAR_OLD, make_facts(company_created_on="2025-06-01"))
    assert result.outcome == FAILED
    assert result.explanation == (
        "Only 274 days between Date de création (1er juin 2025) and Submission date "
        "(2 mars 2026); at least 365 required."
    )


def test_date_order_reversed_dates_and_future_creation():
    not_in_future = make_rule("date_order", before="company_created_on", after="today")
    result = run(not_in_future, make_facts(company_created_on="2026-04-01"))
    assert result.outcome == FAILED
    assert result.explanation == (
        "Today (10 mars 2026) comes before Date de création (1er avril 2026), which cannot be."
    )


def test_date_order_too_far_apart():
    rule = make_rule("date_order", before="submitted_on", after="works_start_on", max_days=90)
    result = run(rule, make_facts(works_start_on="2026-12-01"))
    assert result.outcome == FAILED
    assert "; at most 90 allowed." in result.explanation
    assert run(rule, make_facts(works_start_on="2026-03-03")).outcome == PASSED


def test_date_order_not_applicable():
    assert run(ONE_YEAR_OLD, make_facts()).outcome == NOT_APPLICABLE
    unreadable = run(ONE_YEAR_OLD, make_facts(company_created_on="l'an dernier"))
    assert unreadable.outcome == NOT_APPLICABLE
    assert "is not a date that can be read" in unreadable.explanation


# ---------------------------------------------------------------------------
# duplicate_iban and duplicate_document
# ---------------------------------------------------------------------------

SAME_IBAN = make_rule("duplicate_iban", field="iban")
SAME_DOCUMENT = make_rule("duplicate_document")


def test_duplicate_iban_fails_on_cases_of_other_contacts_only():
    mine = make_facts(case_id=1, contact_id=10, iban=IBAN)
    my_other_case = make_facts(case_id=2, contact_id=10, iban=IBAN)
    stranger = make_facts(case_id=3, contact_id=20, iban="fr76 3000 6000 0112 3456 7890 189")
    index = DuplicateIndex.build([mine, my_other_case, stranger])
    assert index.cases_with_iban("FR76 3000-6000 0112 3456 7890 189") == [(1, 10), (2, 10), (3, 20)]

    result = run(SAME_IBAN, mine, index)
    assert result.outcome == FAILED
    assert result.explanation == (
        "IBAN (FR76…0189) also appears on the case of another usager: case n°\u00a03."
    )
    assert result.evidence["other_case_ids"] == [3]
    assert result.evidence["iban"] == IBAN

    alone = DuplicateIndex.build([mine, my_other_case])
    passed = run(SAME_IBAN, mine, alone)
    assert passed.outcome == PASSED
    assert passed.explanation == "IBAN (FR76…0189) appears on no case of another usager."


def test_duplicate_iban_lists_a_bounded_number_of_cases_and_counts_them_all():
    index = DuplicateIndex.build(
        make_facts(case_id=n, contact_id=n, iban=IBAN) for n in range(1, 101)
    )
    result = run(SAME_IBAN, make_facts(case_id=1, contact_id=1, iban=IBAN), index)
    assert result.evidence["other_count"] == 99
    assert len(result.evidence["other_case_ids"]) == 20
    assert result.explanation.endswith("and 79 others.")


def test_duplicate_index_is_idempotent_and_follows_a_merge():
    index = DuplicateIndex()
    index.add(make_facts(case_id=1, contact_id=10, iban=IBAN))
    index.add(make_facts(case_id=1, contact_id=10, iban=IBAN))
    index.add(make_facts(case_id=2, contact_id=20, iban=IBAN))
    index.add(make_facts(case_id=2, contact_id=10, iban=IBAN))  # contact 20 merged into 10
    assert index.cases_with_iban(IBAN) == [(1, 10), (2, 10)]
    assert run(SAME_IBAN, make_facts(case_id=1, contact_id=10, iban=IBAN), index).outcome == PASSED


def test_duplicate_rules_not_applicable_without_index_or_value():
    facts = make_facts(iban=IBAN, documents={"tax_notice": ["a" * 64]})
    for rule in (SAME_IBAN, SAME_DOCUMENT):
        result = run(rule, facts, None)
        assert result.outcome == NOT_APPLICABLE
        assert "Other cases were not looked at" in result.explanation
    assert run(SAME_IBAN, make_facts(), DuplicateIndex()).outcome == NOT_APPLICABLE
    assert run(SAME_DOCUMENT, make_facts(), DuplicateIndex()).outcome == NOT_APPLICABLE


def test_duplicate_document_on_any_other_case():
    sha = "ab" * 32
    mine = make_facts(case_id=1, contact_id=10, documents={"tax_notice": [sha]})
    mine_again = make_facts(case_id=2, contact_id=10, documents={"tax_notice": [sha.upper()]})
    index = DuplicateIndex.build([mine, mine_again])
    assert index.cases_with_document(sha) == [1, 2]
    result = run(SAME_DOCUMENT, mine, index)
    assert result.outcome == FAILED
    assert result.explanation == (
        "The same file (Avis d'impôt) was also submitted on case n°\u00a02."
    )
    assert result.evidence["other_case_ids"] == [2]
    assert result.evidence["duplicates"] == [
        {"field": "tax_notice", "sha256": sha, "other_case_ids": [2]}
    ]
    alone = run(SAME_DOCUMENT, mine, DuplicateIndex.build([mine]))
    assert alone.outcome == PASSED
    assert alone.explanation == "The 1 supporting document was submitted on no other case."


# ---------------------------------------------------------------------------
# Robustness and batch
# ---------------------------------------------------------------------------


def test_misconfigured_rules_are_not_applicable():
    for rule in (
        RuleSpec(7, "ceiling", "Plafond", {}),
        RuleSpec(8, "threshold", "Plafond", {"field": "amount_requested"}),
        RuleSpec(9, "threshold", "Plafond", ["not", "a", "dict"]),
    ):
        result = run(rule, make_facts(amount_requested="1.00"))
        assert result.outcome == NOT_APPLICABLE
        assert "is misconfigured" in result.explanation
        assert result.rule_id == rule.id


def test_evaluate_all_keeps_the_order_of_the_rules():
    rules = [make_rule(kind, n, **KIND_EXAMPLES[kind]) for n, kind in enumerate(KINDS)]
    facts = make_facts(amount_requested="100.00", project_cost="1000.00")
    results = evaluate_all(rules, facts, labels=LABELS, index=DuplicateIndex.build([facts]))
    assert [r.rule_id for r in results] == list(range(len(KINDS)))


ALL_RULES = [
    CEILING, HALF_COST, TAX_NOTICE_FOR_TENANTS, ONE_YEAR_OLD, SAME_IBAN, SAME_DOCUMENT,
    make_rule("threshold", field="works_start_on", operator="==", value="2026-01-01"),
    make_rule("required_document", document="tax_notice", when_field="amount_requested",
              above="10"),
    make_rule("date_order", before="today", after="works_start_on", max_days=3),
]  # fmt: skip
FIELD_NAMES = [entry["name"] for entry in SCHEMA]


@settings(max_examples=200, deadline=None)
@given(
    data=st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=5), JSON, max_size=8),
    documents=st.dictionaries(st.text(max_size=12), JSON, max_size=3),
    contact_id=st.integers(1, 3),
)
def test_arbitrary_json_data_never_raises(data, documents, contact_id):
    facts = CaseFacts(1, contact_id, data, SUBMITTED, documents)
    other = CaseFacts(2, 2, data, SUBMITTED, documents)
    index = DuplicateIndex.build([facts, other])
    for result in evaluate_all(ALL_RULES, facts, labels=LABELS, index=index, today=TODAY):
        assert result.outcome in OUTCOMES
        assert result.explanation
        json.dumps(result.evidence)


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from([*KINDS, "other"]),
    parameters=st.dictionaries(st.text(max_size=12), JSON, max_size=6) | JSON,
    data=st.dictionaries(st.sampled_from(FIELD_NAMES), JSON, max_size=6),
)
def test_arbitrary_parameters_never_raise(kind, parameters, data):
    result = run(RuleSpec(1, kind, "x", parameters), make_facts(**data), DuplicateIndex())
    assert result.outcome in OUTCOMES


RULE_KEYS = st.sampled_from(
    sorted({key for example in KIND_EXAMPLES.values() for key in example}
           | {"field_type", "left_type", "right_type", "when_type", "above"})
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(list(KINDS)),
    parameters=st.dictionaries(
        RULE_KEYS, JSON | st.sampled_from([*FIELD_NAMES, "today", "<=", "money"]), max_size=7
    ),
    data=st.dictionaries(st.sampled_from(FIELD_NAMES), JSON, max_size=6),
)
def test_unvalidated_parameters_with_the_right_keys_never_raise(kind, parameters, data):
    result = run(RuleSpec(1, kind, "x", parameters), make_facts(**data), DuplicateIndex())
    assert result.outcome in OUTCOMES

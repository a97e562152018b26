"""Comparison rules: exact, within a percentage, fuzzy names; missing values; SIREN in SIRET."""

from __future__ import annotations

from levier.controls.comparison import ComparisonRule, compare, values_match
from levier.controls.reading.types import Evidence, ExtractedField


def found(name: str, value: str) -> ExtractedField:
    return ExtractedField(name, value, value, Evidence(1, f"{name} {value}"), "text")


def test_methods():
    assert values_match("1000.00", "1000", method="exact", tolerance=0)
    assert not values_match("1000.00", "1000.01", method="exact", tolerance=0)
    assert values_match("1000.00", "1009.00", method="percent", tolerance=1)
    assert not values_match("1000.00", "1011.00", method="percent", tolerance=1)
    assert values_match("SCI Rivière", "S.C.I. RIVIERE", method="fuzzy", tolerance=80)
    assert not values_match("SCI Rivière", "Agence Dupont", method="fuzzy", tolerance=80)
    assert values_match("73282932000074", "732829320", method="exact", tolerance=0)
    assert values_match("FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189",
                        method="exact", tolerance=0)  # fmt: skip


def test_a_value_the_document_does_not_show_is_missing_and_nothing_declared_is_skipped():
    rules = [
        ComparisonRule("invoice", "total_excl_tax", "project_cost", "percent", 1),
        ComparisonRule("invoice", "issuer_siret", "supplier_siret"),
    ]
    report = compare(
        kind="invoice", extracted=[], reading=None, data={"project_cost": "1200.00"},
        rules=rules, labels={},
    )  # fmt: skip
    [row] = report.comparisons
    assert (row.status, row.declared, row.found) == ("missing", "1200.00", "")
    assert report.outcome == "incomplete"


def test_rules_of_another_kind_are_ignored():
    rules = [ComparisonRule("rib", "iban", "iban")]
    report = compare(kind="invoice", extracted=[found("iban", "X")], reading=None,
                     data={"iban": "Y"}, rules=rules, labels={})  # fmt: skip
    assert report.comparisons == [] and report.outcome == "not_compared"


def test_a_name_signed_in_upper_case_ascii_is_the_printed_name():
    from levier.controls.comparison import printed_as_signed

    assert printed_as_signed("LEROUX Cécile", "LEROUX CECILE")
    assert printed_as_signed("18 274,00", "18274")
    assert not printed_as_signed("18274.00", "45488.20")
    assert not printed_as_signed("LEROUX Cécile", "MARTIN CECILE")

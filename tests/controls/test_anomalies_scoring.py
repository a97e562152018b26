"""Atypical declarations: planted anomalies are found, and explained against their peers."""

import numpy as np
import pytest
from django.utils import translation

from levier.controls.anomalies.detector import PeerTailDetector
from levier.controls.anomalies.scoring import format_number, score_columns, score_declarations
from levier.controls.anomalies.spec import Declaration, ModelSpec

SECTORS = ("A", "C", "F", "G", "J")
SPEC = ModelSpec(
    inputs=("turnover", "headcount", "amount_requested"),
    ratios=(("amount_requested", "project_cost"),),
    peer_group=("naf_section",),
    amounts=("turnover", "amount_requested", "project_cost"),
)


def ordinary_declarations(n: int, seed: int = 1) -> list[Declaration]:
    rng = np.random.default_rng(seed)
    declarations = []
    for i in range(n):
        sector = SECTORS[i % len(SECTORS)]
        scale = 1.0 + SECTORS.index(sector)  # sectors differ: peers matter
        turnover = rng.lognormal(11 + scale, 0.6)
        cost = rng.lognormal(9 + scale * 0.5, 0.5)
        declarations.append(
            Declaration(
                case_id=i,
                declarant=f"c{i}",
                year=2025,
                values={
                    "turnover": turnover,
                    "headcount": float(rng.poisson(5 * scale) + 1),
                    "amount_requested": cost * rng.uniform(0.3, 0.7),
                    "project_cost": cost,
                },
                group={"naf_section": sector},
            )
        )
    return declarations


def plant(declarations: list[Declaration]) -> dict[int, str]:
    """Five atypical declarations, each atypical in one field; returns case id -> field."""
    planted = {}
    for case_id, field, factor in (
        (10, "turnover", 40.0),  # sector A (small amounts) declaring like far bigger firms
        (111, "turnover", 1 / 60),
        (222, "headcount", 12.0),
        (333, "amount_requested", 4.0),  # also pushes the requested/cost ratio over 100 %
        (444, "turnover", 30.0),
    ):
        declaration = declarations[case_id]
        declaration.values[field] = declaration.values[field] * factor
        planted[case_id] = field
    return planted


def test_planted_anomalies_are_in_the_flagged_two_percent():
    declarations = ordinary_declarations(5000)
    planted = plant(declarations)
    results = {r.case_id: r for r in score_declarations(declarations, SPEC)}
    found = [case_id for case_id in planted if results[case_id].flagged]
    assert len(found) >= 4
    assert sum(r.flagged for r in results.values()) == 100  # 2 % of 5,000


def test_reasons_name_the_field_and_a_range_containing_most_peers():
    declarations = ordinary_declarations(5000)
    plant(declarations)
    result = {r.case_id: r for r in score_declarations(declarations, SPEC)}[10]
    reason = result.reasons[0]
    assert reason.field == "turnover" and reason.code == "high-for-peers"
    peers = np.array([d.values["turnover"] for d in declarations if d.group["naf_section"] == "A"])
    inside = np.mean((peers >= reason.low) & (peers <= reason.high))
    assert 0.85 <= inside <= 0.95
    assert reason.peers == 1000
    assert format_number(reason.value, "€") in reason.text
    assert "1000" not in reason.text and "1\u202f000" in reason.text  # French digit grouping


def test_ratio_reason_is_given_as_a_percentage():
    declarations = ordinary_declarations(5000)
    plant(declarations)
    result = {r.case_id: r for r in score_declarations(declarations, SPEC)}[333]
    codes = {reason.code for reason in result.reasons}
    assert "ratio" in codes
    ratio = next(r for r in result.reasons if r.code == "ratio")
    assert "%" in ratio.text and ratio.value > 1


def test_small_peer_group_falls_back_to_the_whole_procedure():
    declarations = ordinary_declarations(3000)
    odd = declarations[7]
    declarations[7] = Declaration(
        odd.case_id, odd.declarant, odd.year, {**odd.values, "turnover": 1e9}, {"naf_section": "Z"}
    )
    with translation.override("en"):
        result = {r.case_id: r for r in score_declarations(declarations, SPEC)}[7]
    assert result.flagged
    reason = next(r for r in result.reasons if r.field == "turnover")
    assert reason.peers == 3000
    assert "whole procedure" in reason.text


def test_missing_values_and_constant_columns_do_not_crash():
    rng = np.random.default_rng(3)
    n = 2000
    turnover = rng.lognormal(12, 1, n)
    turnover[::7] = np.nan
    columns = {
        "turnover": turnover,
        "headcount": np.full(n, 4.0),  # constant
        "amount_requested": np.where(rng.random(n) < 0.5, np.nan, 1000.0),
        "project_cost": np.zeros(n),  # every ratio divides by zero
    }
    columns["headcount"][5] = 40.0  # differs from every peer
    spec = ModelSpec(
        inputs=("turnover", "headcount", "amount_requested"),
        ratios=(("amount_requested", "project_cost"),),
    )
    scores, flagged, reasons = score_columns(columns, None, spec)
    assert np.isfinite(scores).all() and ((scores >= 0) & (scores <= 1)).all()
    assert flagged[5] and reasons[5][0].field == "headcount"
    assert flagged.sum() == 40


def test_no_declarations_gives_no_result():
    assert score_declarations([], SPEC) == []


def test_detector_scores_far_values_higher_on_both_sides():
    rng = np.random.default_rng(0)
    X = rng.lognormal(10, 1, (5000, 2))
    detector = PeerTailDetector().fit(X)
    probe = np.array([[np.exp(10), np.exp(10)], [np.exp(16), np.exp(10)], [np.exp(4), np.exp(10)]])
    scores, signed = detector.score_and_contributions(probe)
    assert scores[0] < 0.5 < scores[1] and scores[0] < scores[2]
    assert signed[1, 0] > 0 > signed[2, 0]


@pytest.mark.parametrize(
    "value, text", [(2_400_000, "2\u202f400\u202f000\u00a0€"), (12.5, "12,5"), (3, "3")]
)
def test_french_number_format(value, text):
    assert format_number(value, "€" if value > 100 else "") == text

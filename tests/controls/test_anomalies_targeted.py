"""Targeted tests: Benford's law, year-over-year jumps, values just under a threshold."""

import numpy as np

from levier.controls.anomalies.scoring import score_declarations
from levier.controls.anomalies.spec import Declaration, ModelSpec
from levier.controls.anomalies.targeted import benford_test, threshold_bunching

SPEC = ModelSpec(
    inputs=("amount_requested", "turnover"),
    amounts=("amount_requested", "turnover"),
    thresholds={"amount_requested": 15000.0},
)


def test_uniform_first_digits_are_not_benford():
    rng = np.random.default_rng(5)
    fabricated = rng.integers(1, 10, 200) * 10 ** rng.integers(2, 5, 200) + rng.integers(0, 99, 200)
    result = benford_test(fabricated)
    assert result is not None and not result.conforming


def test_lognormal_amounts_follow_benford():
    rng = np.random.default_rng(6)
    for seed in range(5):
        genuine = np.random.default_rng(seed).lognormal(9, 2, 200)
        assert benford_test(genuine).conforming
    assert benford_test(rng.lognormal(9, 2, 10)) is None  # too few amounts to say


def population(n: int = 400) -> list[Declaration]:
    rng = np.random.default_rng(8)
    return [
        Declaration(
            i,
            f"c{i}",
            2025,
            {
                "amount_requested": float(rng.lognormal(9, 1.2)),
                "turnover": float(rng.lognormal(12, 1.5)),
            },
            {},
        )
        for i in range(n)
    ]


def test_jump_of_five_times_is_flagged():
    declarations = population()
    current = declarations[0]
    current.values["turnover"] = 500_000.0
    past = [Declaration(9000, "c0", 2024, {"turnover": 100_000.0, "amount_requested": 5000.0}, {})]
    results = score_declarations(declarations, SPEC, history={"c0": past})
    jump = next(r for r in results[0].reasons if r.code == "jump")
    assert results[0].flagged and jump.field == "turnover" and jump.low == 100_000.0
    assert "2024" in jump.text and "5" in jump.text


def test_value_at_99_percent_of_threshold_is_flagged():
    declarations = population()
    declarations[3].values["amount_requested"] = 14_850.0
    results = score_declarations(declarations, SPEC)
    reason = next(r for r in results[3].reasons if r.code == "just-under-threshold")
    assert results[3].flagged and reason.high == 15000.0
    assert "15\u202f000" in reason.text


def test_benford_is_not_tested_where_the_procedure_does_not_follow_it():
    rng = np.random.default_rng(11)
    declarations = [
        Declaration(
            i,
            f"c{i % 20}",
            2025,
            {"amount_requested": float(rng.normal(5000, 300)), "turnover": 0.0},
            {},
        )
        for i in range(400)
    ]
    history = {}
    for declaration in declarations:
        history.setdefault(declaration.declarant, []).append(declaration)
    results = score_declarations(declarations, SPEC, history=history)
    assert not any(r.code == "benford" for result in results for r in result.reasons)


def test_bunching_counts_the_excess_under_the_threshold():
    rng = np.random.default_rng(9)
    values = np.concatenate([rng.uniform(10_000, 20_000, 5000), np.full(100, 14_900.0)])
    bunching = threshold_bunching(values, 15_000)
    assert bunching.in_band > 1.5 * bunching.expected  # 100 planted over about 150


def test_fabricated_history_is_flagged_by_benford():
    rng = np.random.default_rng(10)
    declarations = population()
    past = [
        Declaration(
            10_000 + k,
            "c1",
            2000 + k,
            {
                "amount_requested": float(d * 1000 + rng.integers(0, 99)),
                "turnover": float(d * 10_000),
            },
            {},
        )
        for k, d in enumerate(np.tile(np.arange(1, 10), 8))
    ]
    results = score_declarations(declarations, SPEC, history={"c1": past})
    assert any(r.code == "benford" for r in results[1].reasons)
    assert results[1].flagged

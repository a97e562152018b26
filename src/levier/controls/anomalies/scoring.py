"""Score declarations of a procedure: flag the atypical ones, with reasons in words.

Two entry points: `score_declarations` (Declaration objects, history tests included) and
`score_columns` (numpy columns, the fast path the benchmark measures). Both only flag:
an agent reads the reasons and decides.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext

from levier.core import french
from levier.core.french import NBSP, group_digits

from .detector import PeerTailDetector, logistic_score
from .spec import Declaration, ModelSpec, Reason, Scored, check_inputs
from .targeted import (
    THRESHOLD_BAND,
    benford_applies,
    benford_test,
    just_under_threshold,
    threshold_bunching,
    year_over_year_jump,
)

MAX_REASONS = 3  # fields named per flagged declaration
OUTSIDE_RANGE = math.log(10.0)  # two-sided tail <= 10 %: outside the 5th-95th percentile range


@dataclass(frozen=True)
class Features:
    names: tuple[str, ...]  # inputs, then "numerator/denominator" for ratios
    ratio: tuple[bool, ...]
    matrix: np.ndarray  # rows x features, NaN where missing


# -- formatting -------------------------------------------------------------------------


def format_number(value: float, unit: str = "") -> str:
    """French formatting: 2 400 000 €, 12,5 ; thin spaces between thousands."""
    if value is None or not math.isfinite(value):
        return "?"
    if abs(value) >= 100 or value == int(value):
        text = group_digits(int(round(value)))
    else:
        text = french.format_number(f"{value:.2f}")
    return f"{text}{NBSP}{unit}" if unit else text


def format_percent(value: float) -> str:
    return format_number(round(value * 100, 1), "%")


# -- features and groups ----------------------------------------------------------------


def build_features(columns: Mapping[str, np.ndarray], spec: ModelSpec) -> Features:
    """Declared inputs plus ratios; missing values and zero denominators become NaN."""
    arrays = [np.asarray(columns[name], dtype=np.float64) for name in spec.inputs]
    names, ratio = list(spec.inputs), [False] * len(spec.inputs)
    for numerator, denominator in spec.ratios:
        top = np.asarray(columns[numerator], dtype=np.float64)
        bottom = np.asarray(columns[denominator], dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            arrays.append(np.where(bottom != 0, top / bottom, np.nan))
        names.append(f"{numerator}/{denominator}")
        ratio.append(True)
    return Features(tuple(names), tuple(ratio), np.column_stack(arrays))


def factorize(groups: np.ndarray | None, n: int) -> np.ndarray | None:
    """Integer codes 0..G-1 for peer-group labels (small non-negative ints are kept as they are)."""
    if groups is None:
        return None
    groups = np.asarray(groups)
    if (
        groups.dtype.kind in "iu"
        and len(groups)
        and groups.min() >= 0
        and groups.max() < 4 * n + 1024
    ):
        return groups.astype(np.int64, copy=False)
    return np.unique(groups, return_inverse=True)[1].reshape(-1)


def top_share(scores: np.ndarray, share: float) -> np.ndarray:
    """Mask of the `share` highest scores (at least one row when there are rows)."""
    flagged = np.zeros(len(scores), dtype=bool)
    count = min(len(scores), max(1, math.ceil(share * len(scores)))) if len(scores) else 0
    if count:
        flagged[np.argpartition(-scores, count - 1)[:count]] = True
    return flagged


# -- reasons ----------------------------------------------------------------------------


def in_sentence(label: str) -> str:
    """A field label inside a sentence: 'Nombre de personnes' -> 'nombre de personnes' (not 'NAF')."""
    label = str(label)
    return label[0].lower() + label[1:] if label[1:2].islower() else label


class ReasonWriter:
    """Turns contributions into sentences; templates are translated once per batch."""

    def __init__(self, spec: ModelSpec, labels: Mapping[str, str]):
        self.spec, self.labels = spec, labels
        self.peer_text = self._peer_description()
        self.whole_text = gettext("the whole procedure")
        self.high_low = gettext(
            "%(field)s declared: %(value)s, while 90%% of comparable declarations "
            "(%(peers)s, %(count)s cases) declare between %(low)s and %(high)s."
        )
        self.ratio = gettext(
            "%(field)s: %(value)s, while for 90%% of comparable declarations "
            "(%(peers)s, %(count)s cases) it lies between %(low)s and %(high)s."
        )

    def label(self, name: str) -> str:
        if "/" in name:
            numerator, denominator = name.split("/", 1)
            return gettext("%(numerator)s to %(denominator)s") % {
                "numerator": self.label(numerator),
                "denominator": self.label(denominator),
            }
        return self.labels.get(name, name)

    def amount(self, name: str, value: float) -> str:
        return format_number(value, "€" if name in self.spec.amounts else "")

    def _peer_description(self) -> str:
        if not self.spec.peer_group:
            return gettext("the whole procedure")
        return ", ".join(
            gettext("same %(key)s") % {"key": in_sentence(self.labels.get(key, key))}
            for key in self.spec.peer_group
        )

    def peers_template(self, is_ratio: bool) -> str:
        return self.ratio if is_ratio else self.high_low

    def show(self, name: str, is_ratio: bool, value: float) -> str:
        if not is_ratio:
            return self.amount(name, value)
        numerator, denominator = name.split("/", 1)
        amounts = self.spec.amounts
        if numerator in amounts and denominator in amounts:
            return format_percent(value)  # a share: requested / cost
        return self.amount(numerator, value)  # a rate: rent per member of the household

    def threshold_reason(self, name: str, value: float, bunching) -> Reason:
        text = gettext(
            "%(field)s declared: %(value)s, just under the %(threshold)s threshold "
            "(less than %(band)s below it); %(count)s declarations of this procedure lie in "
            "that band, where about %(expected)s would be expected."
        ) % {
            "field": self.label(name),
            "value": self.amount(name, value),
            "threshold": self.amount(name, bunching.threshold),
            "band": format_percent(bunching.band),
            "count": format_number(bunching.in_band),
            "expected": format_number(round(bunching.expected)),
        }
        low = bunching.threshold * (1 - bunching.band)
        return Reason("just-under-threshold", name, float(value), low, bunching.threshold, 0, text)

    def jump_reason(self, name: str, jump) -> Reason:
        text = gettext(
            "%(field)s declared: %(value)s, %(factor)s times the %(previous)s declared for %(year)s."
        ) % {
            "field": self.label(name),
            "value": self.amount(name, jump.value),
            "factor": format_number(round(jump.factor, 1)),
            "previous": self.amount(name, jump.previous),
            "year": jump.previous_year,
        }
        return Reason("jump", name, jump.value, jump.previous, None, 0, text)

    def benford_reason(self, result) -> Reason:
        text = gettext(
            "The first digits of the %(count)s amounts this usager has declared do not follow "
            "the usual distribution (Benford's law): %(share)s start with 1 where about 30%% "
            "would be expected, which happens with invented figures."
        ) % {"count": result.count, "share": format_percent(result.first_digit_shares[0])}
        return Reason("benford", "", result.mad, None, None, result.count, text)


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector while tens of thousands of small, acyclic
    objects (reasons, their strings, lists from numpy) are made: its passes, triggered by
    the allocations alone, took two thirds of the time of writing the reasons."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def peer_reasons(
    writer: ReasonWriter,
    features: Features,
    detector: PeerTailDetector,
    rows: np.ndarray,
    signed: np.ndarray,
    table_rows: np.ndarray,
) -> list[list[Reason]]:
    """For each flagged row, the (up to 3) features furthest in their peers' tails.

    The loop over flagged rows only assembles sentences: the choice of features, the
    ranges and their French formatting (once per peer group) are computed beforehand.
    """
    strength = np.abs(signed)
    order = np.argsort(-strength, axis=1)[:, :MAX_REASONS]
    ranked = np.take_along_axis(strength, order, axis=1)
    # Keep features outside the usual range; when none is, the strongest one still explains.
    keep = ((ranked >= OUTSIDE_RANGE) | (np.arange(order.shape[1]) == 0)) & (ranked > 0)
    used, inverse = np.unique(table_rows, return_inverse=True)
    whole_row = len(detector.group_sizes_)
    names, ratio = features.names, features.ratio
    ranges = [detector.usual_range(used, j) for j in range(len(names))]
    range_text = [
        [
            (writer.show(names[j], ratio[j], lo), writer.show(names[j], ratio[j], hi))
            for lo, hi in zip(*ranges[j], strict=True)
        ]
        for j in range(len(names))
    ]
    peers = detector.peer_count_[used].tolist()
    peers_text = [
        {
            "peers": writer.whole_text if row == whole_row else writer.peer_text,
            "count": format_number(count),
        }
        for row, count in zip(used.tolist(), peers, strict=True)
    ]
    labels = [writer.label(name) for name in names]
    # Each sentence is the same but for its value, per (feature, peer group): fill the
    # template once with a marker, split it there, and only join the value row by row.
    marker = "\x00"
    around = [
        [
            tuple(
                (writer.peers_template(ratio[j]) % {
                    "field": labels[j], "value": marker, "low": range_text[j][g][0],
                    "high": range_text[j][g][1], **peers_text[g],
                }).split(marker, 1)
            )
            for g in range(len(used))
        ]
        for j in range(len(names))
    ]  # fmt: skip
    chosen_values = np.take_along_axis(features.matrix[rows], order, axis=1)
    values = chosen_values.tolist()
    # Whole euros for amounts of 100 or more: rounded here, in one go, not row by row.
    whole = np.abs(chosen_values) >= 100
    rounded = np.where(whole, np.rint(np.nan_to_num(chosen_values)), 0).astype(np.int64).tolist()
    whole = whole.tolist()
    units = [NBSP + "€" if name in writer.spec.amounts else "" for name in names]
    signs = np.take_along_axis(signed, order, axis=1).tolist()
    low_values = [ranges[j][0].tolist() for j in range(len(names))]
    high_values = [ranges[j][1].tolist() for j in range(len(names))]
    reasons: list[list[Reason]] = []
    for i, (group, chosen, kept) in enumerate(
        zip(inverse.tolist(), order.tolist(), keep.tolist(), strict=True)
    ):
        found = []
        for rank, j in enumerate(chosen):
            if not kept[rank]:
                continue
            value = values[i][rank]
            code = (
                "ratio"
                if ratio[j]
                else ("high-for-peers" if signs[i][rank] > 0 else "low-for-peers")
            )
            shown = (
                group_digits(int(rounded[i][rank])) + units[j]
                if whole[i][rank] and not ratio[j]
                else writer.show(names[j], ratio[j], value)
            )
            before, after = around[j][group]
            found.append(
                Reason(
                    code,
                    names[j],
                    value,
                    low_values[j][group],
                    high_values[j][group],
                    peers[group],
                    before + shown + after,
                )
            )
        reasons.append(found)
    return reasons


# -- entry points -----------------------------------------------------------------------


def score_columns(
    columns: Mapping[str, np.ndarray],
    groups: np.ndarray | None,
    spec: ModelSpec,
    *,
    labels: Mapping[str, str] | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[int, tuple[Reason, ...]]]:
    """Scores in [0, 1], the flagged mask, and the reasons of each flagged row (by row index).

    `columns` holds every input, ratio term and threshold field; `groups` one peer-group
    label per row (any dtype), or None to compare every row with the whole procedure.
    """
    check_inputs(spec, dict(labels or {}))
    features = build_features(columns, spec)
    n = len(features.matrix)
    codes = factorize(groups, n)
    detector = PeerTailDetector(min_peers=spec.min_peers, isolation=spec.isolation)
    detector.fit(features.matrix, codes)
    raw, signed = detector.raw_and_contributions(features.matrix, codes)
    scores = logistic_score(raw)
    detected = top_share(raw, spec.contamination)
    flagged = detected.copy()
    writer = ReasonWriter(spec, labels or {})

    threshold_hits = {}
    for name, threshold in spec.thresholds.items():
        values = np.asarray(columns[name], dtype=np.float64)
        hits = just_under_threshold(values, threshold, THRESHOLD_BAND)
        if hits.any():
            threshold_hits[name] = (hits, threshold_bunching(values, threshold, THRESHOLD_BAND))
            flagged |= hits

    detected_rows = np.flatnonzero(detected)
    table_rows = detector.table_rows(codes, n)[detected_rows]
    with gc_paused():
        by_row = peer_reasons(
            writer, features, detector, detected_rows, signed[detected_rows], table_rows
        )
    reasons: dict[int, tuple[Reason, ...]] = dict(
        zip(detected_rows.tolist(), map(tuple, by_row), strict=True)
    )
    for name, (hits, bunching) in threshold_hits.items():
        values = columns[name]
        for row in np.flatnonzero(hits).tolist():
            reason = writer.threshold_reason(name, float(values[row]), bunching)
            reasons[row] = (*reasons.get(row, ()), reason)
    return scores, flagged, reasons


def score_declarations(
    declarations: Sequence[Declaration],
    spec: ModelSpec,
    *,
    history: Mapping[str, Sequence[Declaration]] | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[Scored]:
    """Score a procedure's declarations against their peers and their declarant's history.

    `history` maps a declarant to their declarations of earlier years (the current one
    may be included: it is recognised by its case id). `labels` names fields for the
    reasons (field -> translated label).
    """
    if not declarations:
        return []
    fields = set(spec.inputs) | {t for pair in spec.ratios for t in pair} | set(spec.thresholds)
    columns = {
        name: np.array(
            [_number(declaration.values.get(name)) for declaration in declarations],
            dtype=np.float64,
        )
        for name in fields
    }
    groups = (
        np.array(
            ["\x1f".join(d.group.get(key, "") for key in spec.peer_group) for d in declarations]
        )
        if spec.peer_group
        else None
    )
    scores, flagged, reasons = score_columns(columns, groups, spec, labels=labels)
    writer = ReasonWriter(spec, labels or {})
    amount_fields = spec.amounts or spec.inputs
    everyone = np.concatenate([columns[name] for name in amount_fields if name in columns])
    # None: Benford's law does not describe this procedure's amounts, no declarant is tested.
    benford_cache: dict[str, Reason | None] | None = (
        {} if benford_applies(everyone[~np.isnan(everyone)]) else None
    )
    results = []
    for i, declaration in enumerate(declarations):
        found = list(reasons.get(i, ()))
        past = list((history or {}).get(declaration.declarant, ()))
        if past:
            found += history_reasons(writer, spec, declaration, past, benford_cache)
        results.append(
            Scored(declaration.case_id, float(scores[i]), bool(flagged[i] or found), tuple(found))
        )
    return results


def history_reasons(
    writer: ReasonWriter,
    spec: ModelSpec,
    declaration: Declaration,
    past: Sequence[Declaration],
    benford_cache: dict[str, Reason | None] | None,
) -> list[Reason]:
    """Year-over-year jumps of each input, and Benford's law on the declarant's amounts."""
    earlier = [d for d in past if d.case_id != declaration.case_id]
    found = []
    for name in spec.inputs:
        by_year = {d.year: _number(d.values.get(name)) for d in earlier}
        by_year = {year: value for year, value in by_year.items() if not math.isnan(value)}
        jump = year_over_year_jump(_number(declaration.values.get(name)), by_year, declaration.year)
        if jump:
            found.append(writer.jump_reason(name, jump))
    if benford_cache is None:
        return found
    if declaration.declarant not in benford_cache:
        fields = spec.amounts or spec.inputs
        amounts = [_number(d.values.get(name)) for d in [*earlier, declaration] for name in fields]
        result = benford_test([a for a in amounts if not math.isnan(a)])
        conforming = result is None or result.conforming
        benford_cache[declaration.declarant] = None if conforming else writer.benford_reason(result)
    if benford_cache[declaration.declarant]:
        found.append(benford_cache[declaration.declarant])
    return found


def _number(value) -> float:
    try:
        return float(value) if value is not None else math.nan
    except (TypeError, ValueError):
        return math.nan

"""Targeted tests: Benford's law on a declarant's amounts, jumps from one year to the
next, and values bunched just under a threshold.

Each test returns plain figures; the scoring module turns hits into reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2

# Benford's first-digit probabilities, log10(1 + 1/d) for d = 1..9.
BENFORD = np.log10(1.0 + 1.0 / np.arange(1, 10))
BENFORD_MIN_AMOUNTS = 20
BENFORD_MIN_VALUE = 10.0  # small counts (headcount...) do not follow Benford's law
# Nigrini's bound for first digits: a mean absolute deviation above 0.015 is nonconformity.
# The chi-square level is strict because every declarant is tested.
BENFORD_MAD_LIMIT = 0.015
BENFORD_ALPHA = 0.001
JUMP_FACTOR = 3.0
THRESHOLD_BAND = 0.02  # "just under" a threshold: within 2 % below it


@dataclass(frozen=True)
class BenfordResult:
    count: int  # amounts tested
    first_digit_shares: tuple[float, ...]  # observed shares of digits 1..9
    mad: float  # mean absolute deviation from Benford's shares
    p_value: float  # chi-square goodness of fit
    conforming: bool


def first_digits(amounts: np.ndarray) -> np.ndarray:
    """Leading digit (1..9) of each positive amount."""
    magnitude = np.floor(np.log10(amounts))
    digits = np.floor(amounts / 10.0**magnitude).astype(np.int64)
    return np.clip(digits, 1, 9)  # guards float rounding such as 9.999... -> 9


def benford_test(amounts, *, min_count: int = BENFORD_MIN_AMOUNTS) -> BenfordResult | None:
    """Compare the first digits of the amounts with Benford's law; None when too few amounts."""
    values = np.abs(np.asarray([a for a in amounts if a is not None], dtype=np.float64))
    values = values[np.isfinite(values) & (values >= BENFORD_MIN_VALUE)]
    if len(values) < min_count:
        return None
    counts = np.bincount(first_digits(values) - 1, minlength=9)
    shares = counts / len(values)
    mad = float(np.abs(shares - BENFORD).mean())
    expected = BENFORD * len(values)
    statistic = float(((counts - expected) ** 2 / expected).sum())
    p_value = float(chi2.sf(statistic, df=8))
    conforming = not (mad > BENFORD_MAD_LIMIT and p_value < BENFORD_ALPHA)
    return BenfordResult(len(values), tuple(shares.round(4)), mad, p_value, conforming)


def benford_applies(amounts) -> bool:
    """Whether the procedure's own amounts follow Benford's law (mean deviation <= 0.015).

    Benford's law holds for amounts spanning several orders of magnitude, not for, say,
    rents of one town: testing a declarant against it is only fair where the whole
    procedure conforms.
    """
    result = benford_test(amounts, min_count=100)
    return result is not None and result.mad <= BENFORD_MAD_LIMIT


@dataclass(frozen=True)
class Jump:
    value: float
    previous: float
    previous_year: int
    factor: float


def year_over_year_jump(
    value: float | None, history: dict[int, float | None], year: int, *, factor: float = JUMP_FACTOR
) -> Jump | None:
    """The jump of `value` against the latest earlier year's value, if it is `factor` times or more."""
    earlier = [y for y, v in history.items() if y < year and v is not None and v > 0]
    if value is None or not earlier or not np.isfinite(value):
        return None
    previous_year = max(earlier)
    previous = float(history[previous_year])
    ratio = value / previous
    return Jump(float(value), previous, previous_year, ratio) if ratio >= factor else None


@dataclass(frozen=True)
class Bunching:
    threshold: float
    band: float
    in_band: int  # values within the band just under the threshold
    expected: float  # what a smooth distribution predicts there (from the two bands below)

    @property
    def excess(self) -> float:
        return self.in_band / self.expected if self.expected > 0 else float("inf")


def just_under_threshold(
    values: np.ndarray, threshold: float, band: float = THRESHOLD_BAND
) -> np.ndarray:
    """Mask of values in [threshold * (1 - band), threshold)."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return (values >= threshold * (1 - band)) & (values < threshold)


def threshold_bunching(
    values: np.ndarray, threshold: float, band: float = THRESHOLD_BAND
) -> Bunching:
    """Count values just under the threshold against the average of the two bands below it."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    width = threshold * band
    edges = threshold - width * np.arange(3, -1, -1)  # t-3w, t-2w, t-w, t
    # Half-open bands [a, b): a value at the threshold itself is not "under" it.
    counts = np.diff(np.searchsorted(np.sort(values), edges, side="left"))
    return Bunching(threshold, band, int(counts[2]), float(counts[:2].mean()))

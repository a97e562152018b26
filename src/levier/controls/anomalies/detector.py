"""levier's detector of atypical rows: per-peer-group empirical tails, explainable by design.

Each feature is compared with the same feature among the row's peers (its peer group):
the contribution of a feature is its two-sided tail surprisal, -log(2 * min(P(X <= x),
P(X >= x))), measured on the peers' empirical distribution (as ECOD does, but per peer
group). The score is the sum of contributions, so the features with the largest
contributions ARE the explanation, and the peers' usual range is what they are compared
with. An Isolation Forest on the same (log-transformed) features can be added to catch
combinations of values that are each ordinary alone; it is off by default, because its
part of the score is not explained feature by feature (and it is slow on a million
rows). On the ADBench sets it lifts the mean ROC-AUC by about 0.04 (bench/controls_anomalies.py).

Speed: peers' distributions are summarised at fit time (on a bounded sample per group)
as cumulative tables on a uniform grid of the (signed log1p) values, so scoring is
arithmetic and gathers only: no search, no loop over rows or groups.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

GLOBAL = -1  # code of the whole population, used by groups too small to be peers
MAX_SURPRISAL = 30.0  # -log of about 1e-13: beyond that, "far outside" is all we can say
LN9 = math.log(9.0)
# Above this many rows, features are scored in parallel threads.
PARALLEL_ROWS = 100_000
MIN_TAIL_VALUES = 5
FLOOR = 0.5 * math.exp(-MAX_SURPRISAL)


def signed_log1p(values: np.ndarray) -> np.ndarray:
    """Compress skewed amounts (and keep the sign): power-law tails become exponential ones."""
    return np.sign(values) * np.log1p(np.abs(values))


def signed_expm1(values: np.ndarray) -> np.ndarray:
    return np.sign(values) * np.expm1(np.abs(values))


def logistic_score(raw: np.ndarray) -> np.ndarray:
    """Logistic of the standardised score: 0.5 at the median, 0.9 at the 90th percentile."""
    return 1.0 / (1.0 + np.exp(-LN9 * raw))


class PeerTailDetector:
    """Score rows by how far each feature lies in its peer group's tails.

    `fit(X, groups)` / `score(X, groups)` -> array in [0, 1], higher is more atypical
    (0.5 at the fitted rows' median score, 0.9 at their 90th percentile). `groups` are
    integer codes (0..G-1) or None; groups with fewer than `min_peers` fitted rows, and
    codes unseen at fit time, are compared with the whole population.
    """

    def __init__(
        self,
        *,
        min_peers: int = 30,
        max_fit_rows: int = 4096,
        bins: int = 256,
        tail_share: float = 0.005,
        log_transform: bool = True,
        isolation: bool = False,
        isolation_weight: float = 0.7,
        random_state: int = 0,
    ):
        self.min_peers = min_peers
        self.max_fit_rows = max_fit_rows  # per group: the tables need a sample, not everything
        self.bins = bins
        self.tail_share = tail_share  # beyond this share on each side, tails are extrapolated
        self.log_transform = log_transform
        self.isolation = isolation
        self.isolation_weight = isolation_weight
        self.random_state = random_state

    # -- fitting ----------------------------------------------------------------------

    def fit(self, X: np.ndarray, groups: np.ndarray | None = None) -> PeerTailDetector:
        X = self._transform(X)
        n, d = X.shape
        codes = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups, np.int64)
        rng = np.random.default_rng(self.random_state)
        n_groups = int(codes.max()) + 1 if n else 0
        counts = np.bincount(codes, minlength=n_groups) if n else np.zeros(0, np.int64)
        self.n_features_ = d
        self.group_sizes_ = counts
        # Row G of every table is the whole population: the fallback of small groups.
        self.peer_count_ = np.append(counts, n)
        self.table_row_ = np.where(counts >= self.min_peers, np.arange(n_groups), n_groups)
        order = np.argsort(codes.astype(np.int32 if n_groups > 32767 else np.int16), kind="stable")
        bounds = np.concatenate([[0], np.cumsum(counts)])
        shape = (n_groups + 1, d)
        self.lo_, self.hi_ = np.zeros(shape), np.zeros(shape)
        self.inv_step_ = np.zeros(shape)
        self.scale_lo_, self.scale_hi_ = np.ones(shape), np.ones(shape)
        self.p_lo_, self.p_hi_ = np.ones(shape), np.ones(shape)
        self.q05_, self.q95_ = np.full(shape, np.nan), np.full(shape, np.nan)
        self.cdf_le_ = np.zeros((n_groups + 1, d, self.bins + 1))
        self.cdf_lt_ = np.zeros((n_groups + 1, d, self.bins + 1))
        for group in range(n_groups):
            if counts[group] >= self.min_peers:
                rows = order[bounds[group] : bounds[group + 1]]
                self._fit_group(group, X[self._sample(rows, rng)])
        everyone = (
            np.arange(n)
            if n <= 8 * self.max_fit_rows
            else rng.choice(n, 8 * self.max_fit_rows, replace=False)
        )
        self._fit_group(n_groups, X[everyone])
        self._fit_calibration(X, codes, rng)
        return self

    def _sample(self, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if len(rows) <= self.max_fit_rows:
            return rows
        return rows[rng.choice(len(rows), self.max_fit_rows, replace=False)]

    def _fit_group(self, row: int, sample: np.ndarray) -> None:
        for feature in range(sample.shape[1]):
            values = np.sort(sample[:, feature])
            values = values[~np.isnan(values)]
            if len(values):
                self._fit_feature(row, feature, values)

    def _fit_feature(self, row: int, feature: int, values: np.ndarray) -> None:
        n = len(values)
        # The tables stop a few values short of the extremes (at least 5, at most a tenth),
        # so that an outlier in the fitted rows is scored by the extrapolated tail too.
        k0 = max(1, min(max(math.ceil(self.tail_share * n), MIN_TAIL_VALUES), n // 10))
        lo, hi = values[k0 - 1], values[n - k0]
        edges = np.linspace(lo, hi, self.bins + 1)
        self.lo_[row, feature], self.hi_[row, feature] = lo, hi
        self.inv_step_[row, feature] = self.bins / (hi - lo) if hi > lo else 0.0
        self.cdf_le_[row, feature] = np.searchsorted(values, edges, side="right") / n
        self.cdf_lt_[row, feature] = np.searchsorted(values, edges, side="left") / n
        p_lo = self.p_lo_[row, feature] = self.cdf_le_[row, feature, 0]
        p_hi = self.p_hi_[row, feature] = 1.0 - self.cdf_lt_[row, feature, -1]
        # Exponential tails beyond [lo, hi], through the quantile ten times less extreme.
        level = min(0.25, 10 * k0 / n)
        q_low, q50, q_high = np.quantile(values, [level, 0.5, 1 - level])
        fallback = max(abs(hi - lo), abs(q50), 1.0) * 1e-3
        # Ties at the table's edge (many declarations of one round amount) flatten the
        # fitted tail; no tail decays slower than the bulk's robust spread (IQR / 1.349).
        q25, q75 = np.quantile(values, [0.25, 0.75])
        widest = max((q75 - q25) / 1.349, fallback)
        self.scale_hi_[row, feature] = min(_tail_scale(hi - q_high, level, p_hi, fallback), widest)
        self.scale_lo_[row, feature] = min(_tail_scale(q_low - lo, level, p_lo, fallback), widest)
        q05, q95 = np.quantile(values, [0.05, 0.95])
        self.q05_[row, feature], self.q95_[row, feature] = q05, q95

    def _fit_calibration(self, X: np.ndarray, codes: np.ndarray, rng: np.random.Generator) -> None:
        sample = rng.choice(len(X), min(len(X), 8 * self.max_fit_rows), replace=False)
        signed = self._signed_surprisal(X[sample], self.table_rows(codes[sample], len(sample)))
        tail = np.abs(signed).sum(axis=1)
        self.tail_median_, self.tail_spread_ = _median_spread(tail)
        if self.isolation:
            from sklearn.ensemble import IsolationForest

            self.fill_ = np.nan_to_num(np.nanmedian(X[sample], axis=0))
            filled = self._filled(X[sample])
            self.forest_ = IsolationForest(random_state=self.random_state).fit(filled)
            isolated = -self.forest_.score_samples(filled)
            self.forest_median_, self.forest_spread_ = _median_spread(isolated)

    # -- scoring ----------------------------------------------------------------------

    def score(self, X: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
        return self.score_and_contributions(X, groups)[0]

    def contributions(self, X: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
        """Signed surprisal per feature: > 0 when high for peers, < 0 when low, 0 when missing."""
        return self._signed_surprisal(self._transform(X), self._codes(X, groups))

    def score_and_contributions(
        self, X: np.ndarray, groups: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        raw, signed = self.raw_and_contributions(X, groups)
        return logistic_score(raw), signed

    def raw_and_contributions(
        self, X: np.ndarray, groups: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The standardised score before the logistic, which saturates at 1.0 for the most
        atypical rows: rank by this one, or those rows tie."""
        transformed = self._transform(X)
        signed = self._signed_surprisal(transformed, self._codes(transformed, groups))
        raw = (np.abs(signed).sum(axis=1) - self.tail_median_) / self.tail_spread_
        if self.isolation:
            isolated = -self.forest_.score_samples(self._filled(transformed))
            forest = (isolated - self.forest_median_) / self.forest_spread_
            raw = (1 - self.isolation_weight) * raw + self.isolation_weight * forest
        return raw, signed

    def table_rows(self, groups: np.ndarray | None, n: int) -> np.ndarray:
        """Which peers each row is compared with: its group, or the whole population (G)."""
        whole = len(self.group_sizes_)
        codes = np.zeros(n, np.int64) if groups is None else np.asarray(groups, np.int64)
        known = (codes >= 0) & (codes < whole)
        return np.where(known, self.table_row_[np.clip(codes, 0, max(whole - 1, 0))], whole)

    def usual_range(self, table_rows: np.ndarray, feature: int) -> tuple[np.ndarray, np.ndarray]:
        """The peers' 5th and 95th percentiles of a feature, in the original units."""
        low, high = self.q05_[table_rows, feature], self.q95_[table_rows, feature]
        if self.log_transform:
            return signed_expm1(low), signed_expm1(high)
        return low, high

    def _codes(self, X: np.ndarray, groups: np.ndarray | None) -> np.ndarray:
        return self.table_rows(groups, len(X))

    def _filled(self, transformed: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(transformed), self.fill_, transformed)

    def _transform(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X[:, None]
        return signed_log1p(X) if self.log_transform else X

    def _signed_surprisal(self, X: np.ndarray, table_rows: np.ndarray) -> np.ndarray:
        signed = np.empty_like(X)
        # Index of (table row, feature) in the flattened per-feature parameters.
        base = table_rows * self.n_features_

        def one(feature: int) -> None:
            signed[:, feature] = self._feature_surprisal(X[:, feature], base + feature)

        if len(X) < PARALLEL_ROWS or X.shape[1] < 2:
            for feature in range(X.shape[1]):
                one(feature)
        else:
            # numpy releases the GIL in gathers and ufuncs: features in parallel threads.
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                list(pool.map(one, range(X.shape[1])))
        return signed

    def _feature_surprisal(self, x: np.ndarray, cell_of: np.ndarray) -> np.ndarray:
        """Signed two-sided tail surprisal of one feature; `cell_of` indexes (table row, feature)."""
        missing = np.isnan(x)
        lo, hi = self.lo_.reshape(-1)[cell_of], self.hi_.reshape(-1)[cell_of]
        position = (x - lo) * self.inv_step_.reshape(-1)[cell_of]
        np.clip(position, 0, self.bins, out=position)
        if missing.any():
            position[missing] = 0.0
        cell = np.minimum(position.astype(np.int64), self.bins - 1)
        frac = position - cell
        flat = cell_of * (self.bins + 1) + cell
        le, lt = self.cdf_le_.reshape(-1), self.cdf_lt_.reshape(-1)
        le_here, lt_next = le[flat], lt[flat + 1]
        # P(X <= x) and P(X >= x) = 1 - P(X < x), interpolated between grid points; on a
        # grid point (frac 0, or the last one) ties count on both sides, as ECOD does.
        p_left = le_here + frac * (lt_next - le_here)
        p_right = 1.0 - p_left
        exact = np.flatnonzero(frac == 0)
        p_right[exact] = 1.0 - lt[flat[exact]]
        last = np.flatnonzero(position == self.bins)
        p_left[last], p_right[last] = le[flat[last] + 1], 1.0 - lt_next[last]
        # Beyond the tables (a few rows), exponential tails keep ranking the extremes.
        above = np.flatnonzero(x > hi)
        where = cell_of[above]
        p_right[above] = self.p_hi_.reshape(-1)[where] * np.exp(
            -(x[above] - hi[above]) / self.scale_hi_.reshape(-1)[where]
        )
        below = np.flatnonzero(x < lo)
        where = cell_of[below]
        p_left[below] = self.p_lo_.reshape(-1)[where] * np.exp(
            -(lo[below] - x[below]) / self.scale_lo_.reshape(-1)[where]
        )
        high = p_right < p_left
        tail = np.minimum(p_left, p_right)
        np.clip(tail, FLOOR, 0.5, out=tail)
        surprisal = -np.log(2.0 * tail)
        surprisal[~high] *= -1.0
        if missing.any():
            surprisal[missing] = 0.0
        return surprisal


def _tail_scale(distance: float, level: float, p_edge: float, fallback: float) -> float:
    """Scale s of P(tail) = p_edge * exp(-d / s), through (level, distance) and (p_edge, 0)."""
    if distance <= 0 or p_edge >= level or p_edge <= 0:
        return fallback
    return max(distance / math.log(level / p_edge), fallback)


def _median_spread(values: np.ndarray) -> tuple[float, float]:
    if len(values) == 0:
        return 0.0, 1.0
    median, q90 = np.quantile(values, [0.5, 0.9])
    return float(median), float(q90 - median) if q90 > median else 1.0

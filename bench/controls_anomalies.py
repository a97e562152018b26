"""Benchmark: levier's anomaly detector, against PyOD baselines and DuckDB.

    python bench/controls_anomalies.py [--quick]

No database. (1) ROC-AUC on the ADBench tabular sets (`LEVIER_ADBENCH_DIR`, default
<repo>/../shared/data/adbench; skipped with a message when absent) of levier's
`PeerTailDetector` (the explainable tail core used for declarations, and with its
Isolation Forest added) against PyOD's `IForest()` and `ECOD()` with default
parameters, each fitted and scored on the same X in the same run. Sets over 50,000
rows are subsampled (seeded). `--quick` takes a few small sets.

(2) Scoring 1,000,000 synthetic declarations (6 lognormal amounts, 40 peer groups;
100,000 with `--quick`) with the reasons of the flagged 2 %, through
`score_columns`, against DuckDB reading the same columns from a Parquet file and
computing every group's 5th/50th/95th percentiles and mean of every column.
Printed last as `scoring_vs_duckdb_aggregate` (goal <= 3x).

One figure per line, `name: value`. Benchmarks assert nothing about time.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds queue.py: keep this folder off sys.path, or it would shadow the standard
# library's `queue` (as bench/queue.py explains).
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]

import argparse  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))
from bench.common import emit  # noqa: E402

QUICK_SETS = ("14_glass", "39_vertebral", "42_WBC", "4_breastw", "7_Cardiotocography", "37_Stamps")
MAX_ROWS = 50_000
GROUPS = 40
COLUMNS = 6


def setup_django() -> None:
    """gettext needs settings; the lead's runner may have set them up already."""
    from django.conf import settings

    if not settings.configured:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "levier.settings")
        import django

        django.setup()


def adbench_dir() -> Path:
    default = HERE.parent.parent / "shared" / "data" / "adbench"
    return Path(os.environ.get("LEVIER_ADBENCH_DIR", default))


def load_set(path: Path, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    data = np.load(path, allow_pickle=True)
    X, y = data["X"].astype(np.float64), data["y"].astype(np.int64)
    if len(X) > MAX_ROWS:
        rows = rng.choice(len(X), MAX_ROWS, replace=False)
        X, y = X[rows], y[rows]
    return X, y


def detector_aucs(X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    from pyod.models.ecod import ECOD
    from pyod.models.iforest import IForest
    from sklearn.metrics import roc_auc_score

    from levier.controls.anomalies.detector import PeerTailDetector

    aucs = {}
    for name, detector in (
        ("levier", PeerTailDetector()),
        ("levier_iforest", PeerTailDetector(isolation=True)),
    ):
        aucs[name] = roc_auc_score(y, detector.fit(X).score(X))
    for name, model in (("iforest", IForest()), ("ecod", ECOD())):
        model.fit(X)
        aucs[name] = roc_auc_score(y, model.decision_scores_)
    return aucs


def bench_adbench(quick: bool) -> None:
    folder = adbench_dir()
    paths = sorted(folder.glob("*.npz"))
    if not paths:
        print(f"adbench: skipped, no *.npz in {folder} (set LEVIER_ADBENCH_DIR)", flush=True)
        return
    if quick:
        paths = [path for path in paths if path.stem in QUICK_SETS]
    rng = np.random.default_rng(20240601)
    results = []
    for path in paths:
        X, y = load_set(path, rng)
        if y.min() == y.max():
            continue  # a single class after subsampling: no AUC
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            aucs = detector_aucs(X, y)
        results.append(aucs)
        emit(f"adbench_auc_{path.stem}", " ".join(f"{k}={v:.3f}" for k, v in aucs.items()))
    means = {name: float(np.mean([r[name] for r in results])) for name in results[0]}
    emit("adbench_sets", str(len(results)))
    for name, mean in means.items():
        emit(f"adbench_mean_auc_{name}", f"{mean:.4f}")
    best = max(means["iforest"], means["ecod"])
    wins = sum(r["levier"] >= max(r["iforest"], r["ecod"]) for r in results)
    emit("adbench_sets_levier_best", f"{wins}/{len(results)}")
    emit("auc_levier_iforest_vs_best_baseline", f"{means['levier_iforest'] - best:+.3f}")
    emit("auc_levier_vs_best_baseline", f"{means['levier'] - best:+.3f}")


def synthetic_declarations(n: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(7)
    groups = rng.integers(0, GROUPS, n)
    location = 8.0 + (groups % 8) * 0.5  # groups differ in size of amounts
    columns = {f"amount_{i}": rng.lognormal(location + i * 0.3, 1.0, n) for i in range(COLUMNS)}
    return columns, groups


def bench_scoring(quick: bool) -> None:
    import duckdb

    from levier.controls.anomalies.scoring import score_columns
    from levier.controls.anomalies.spec import ModelSpec

    n = 100_000 if quick else 1_000_000
    columns, groups = synthetic_declarations(n)
    spec = ModelSpec(inputs=tuple(columns), peer_group=("sector",), amounts=tuple(columns))
    score_columns(columns, groups, spec)  # warm-up: imports, translations
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        scores, flagged, reasons = score_columns(columns, groups, spec)
        timings.append(time.perf_counter() - started)
    scoring_seconds = float(np.median(timings))

    with tempfile.TemporaryDirectory(prefix="levier-bench-") as folder:
        path = Path(folder) / "declarations.parquet"
        data = {**columns, "sector": groups}  # noqa: F841 - read by DuckDB's replacement scan
        connection = duckdb.connect()
        connection.execute(f"COPY (SELECT * FROM data) TO '{path}' (FORMAT parquet)")
        aggregates = ", ".join(
            f"quantile_cont({name}, [0.05, 0.5, 0.95]), avg({name})" for name in columns
        )
        query = f"SELECT sector, {aggregates} FROM read_parquet('{path}') GROUP BY sector"
        connection.execute(query).fetchall()  # warm-up
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            connection.execute(query).fetchall()
            timings.append(time.perf_counter() - started)
        duckdb_seconds = float(np.median(timings))

    emit("declarations", f"{n:,}")
    emit("flagged", f"{int(flagged.sum()):,} ({sum(len(r) for r in reasons.values()):,} reasons)")
    emit("scoring_seconds", f"{scoring_seconds:.3f}")
    emit("scoring_rows_per_s", f"{n / scoring_seconds:,.0f}")
    emit("duckdb_aggregate_seconds", f"{duckdb_seconds:.3f}")
    emit("scoring_vs_duckdb_aggregate", f"{scoring_seconds / duckdb_seconds:.1f}x (goal <= 3x)")


def run(quick: bool) -> None:
    setup_django()
    bench_adbench(quick)
    bench_scoring(quick)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few small sets, 100,000 rows")
    run(parser.parse_args().quick)


if __name__ == "__main__":
    main()

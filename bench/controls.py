"""Benchmark of controls: atypical declarations and document reading, against baselines.

    python bench/controls.py [--quick]

Runs, in one process and one after the other:

1. `controls_anomalies.py`: ROC-AUC of levier's detector against PyOD's IForest and
   ECOD defaults on the ADBench sets, then scoring 1,000,000 declarations with their
   explanations against DuckDB reading and aggregating the same columns
   (`scoring_vs_duckdb_aggregate`, goal <= 3x);
2. `controls_documents.py`: documents checked per second (text layer, OCR), and OCR
   against bare Tesseract on the same pages (`ocr_vs_bare_tesseract`, goal <= 1.3x).

One figure per line, `name: value`; see bench/README.md. No database needed.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds queue.py: keep this folder off sys.path, or it would shadow the standard
# library's `queue` (as bench/queue.py explains); import the parts by file instead.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]

import argparse  # noqa: E402
import importlib.util  # noqa: E402


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute")
    quick = parser.parse_args().quick
    load("controls_anomalies").run(quick)
    load("controls_documents").run(quick)


if __name__ == "__main__":
    main()

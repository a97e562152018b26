"""Benchmark: hostile PDFs checked at upload, against reading them in the web worker.

    python bench/uploads.py [--quick]

No database. The review's attack files, built byte by byte: one page object referenced
N times from the /Kids array of the page tree (tests/hostile_pdfs.py).

(a) Baseline: what levier did before, in the worker: `len(PdfReader(...).pages)` on
    each file (pypdf flattens the tree; 200,000 references raise LimitReachedError,
    which became a 500).
(b) levier: `levier.core.pdf_checks.inspect_pdf` on the same files under one request
    budget: a child process with memory, CPU and time limits refuses them.

Printed: seconds and the worker's Python memory peak (tracemalloc, a separate pass) for
each, and last `five_99000_page_pdfs_worker_seconds_vs_before` (goal <= 0.2x; `two_…` with
--quick).
Benchmarks assert nothing about time.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
from bench.common import emit  # noqa: E402
from tests.hostile_pdfs import page_tree_pdf  # noqa: E402


def before(files: list[bytes]) -> None:
    from pypdf import PdfReader

    for content in files:
        try:
            len(PdfReader(io.BytesIO(content)).pages)
        except Exception:  # noqa: BLE001 - the 500 of the review
            pass


def after(files: list[bytes]) -> None:
    from django.core.exceptions import ValidationError

    from levier.core.pdf_checks import check_budget, inspect_pdf

    with check_budget():
        for number, content in enumerate(files):
            try:
                inspect_pdf(content, f"piece-{number}.pdf")
            except ValidationError:
                pass


def measure(action, files: list[bytes]) -> tuple[float, float]:
    started = time.perf_counter()
    action(files)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    action(files)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two files instead of five")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "levier.settings")
    import django

    django.setup()
    count = 2 if args.quick else 5
    cases = {
        "one_200000_page_pdf": [page_tree_pdf(200_000)],
        f"{'two' if args.quick else 'five'}_99000_page_pdfs": [page_tree_pdf(99_000)] * count,
    }
    ratio = 0.0
    for name, files in cases.items():
        old_seconds, old_mb = measure(before, files)
        new_seconds, new_mb = measure(after, files)
        emit(f"{name}_before_seconds", f"{old_seconds:.2f}")
        emit(f"{name}_before_worker_peak_mb", f"{old_mb:.0f}")
        emit(f"{name}_levier_seconds", f"{new_seconds:.2f}")
        emit(f"{name}_levier_worker_peak_mb", f"{new_mb:.1f}")
        ratio = new_seconds / old_seconds
    emit(f"{name}_worker_seconds_vs_before", f"{ratio:.2f}x (goal <= 0.2x)")


if __name__ == "__main__":
    main()

"""Benchmark: wrong values taken as certain on degraded scans, before and after certainty.

    python bench/ocr_certainty.py [--quick]

No database. Demo documents (tax notices, payslips, RIBs, invoices) are printed, then
scanned at several degradation levels (`levier.demo.scans.scan_like`: noise, blur, JPEG
quality) and read by levier once. Each value read is compared with what the document
really prints:
- before: every value read counts as certain (what levier did before values carried
  their OCR confidence and pairing);
- after: values marked "to check by hand" are not taken as certain.
Headline: `wrong_values_marked_valid_after_vs_before`, the share of wrong values still
taken as certain (goal 0).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))
from bench.common import emit  # noqa: E402

# (name, scan_like arguments): light is a good office scan; reviewer is about the mean
# OCR confidence (~65) of the reviewer's own degraded tax notice; heavy is barely legible.
LEVELS = (
    ("light", {"noise": 0.1, "blur": 0.6, "jpeg_quality": 85}),
    ("medium", {"noise": 0.3, "blur": 1.2, "jpeg_quality": 30}),
    ("reviewer", {"noise": 0.4, "blur": 1.4, "jpeg_quality": 20}),
    ("heavy", {"noise": 0.5, "blur": 1.6, "jpeg_quality": 15}),
)
KINDS = ("tax_notice", "payslip", "rib", "invoice")
# Names are compared with the declaration by similarity, not letter for letter.
NAMES = {"declarants", "holder", "customer_name", "employer_name", "employee_name"}
NAME_SIMILARITY = 85


def is_right(name: str, value: str, truth: str) -> bool:
    from rapidfuzz import fuzz

    from levier.core.text import fold

    if name in NAMES:  # punctuation apart (a speck read as a dot), by similarity
        words = [" ".join(re.findall(r"\w+", fold(text))) for text in (value, truth)]
        return fuzz.token_set_ratio(*words) >= NAME_SIMILARITY
    return value == truth


def _configure_django() -> None:
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)


def _documents(per_kind: int):
    from tests.controls.reading_samples import demo_documents, other_documents

    documents = demo_documents(per_kind) + other_documents(per_kind)
    picked = []
    for kind in KINDS:
        picked += [pair for pair in documents if pair[0].kind == kind][:per_kind]
    return picked


def run(quick: bool, verbose: bool = False) -> None:
    _configure_django()
    if shutil.which("tesseract") is None:
        emit("wrong_values_marked_valid_after_vs_before", "not measured (install tesseract)")
        return
    from tests.controls.test_reading_extract import expected

    from levier.controls.reading.extract import extract_fields
    from levier.controls.reading.text import read_document
    from levier.demo.scans import scan_like

    documents = _documents(1 if quick else 2)
    levels = LEVELS[1:3] if quick else LEVELS
    counts = dict.fromkeys(
        ("read", "right", "wrong", "wrong_valid", "wrong_certain", "right_certain"), 0
    )
    scans, confidences = 0, []
    started = time.perf_counter()
    per_level = []
    for level_index, (_name, arguments) in enumerate(levels):
        before = dict(counts)
        level_confidences = len(confidences)
        for index, (spec, document) in enumerate(documents):
            image = scan_like(
                document.content, output="jpeg", seed=level_index * 100 + index, **arguments
            )
            read = read_document(image, "image/jpeg")
            scans += 1
            confidences += [page.confidence for page in read.pages if page.confidence]
            truth = expected(spec)
            for item in extract_fields(spec.kind, read):
                if item.name not in truth:
                    continue
                right = is_right(item.name, item.value, truth[item.name])
                counts["read"] += 1
                counts["right" if right else "wrong"] += 1
                if not right and item.valid:
                    counts["wrong_valid"] += 1
                if item.valid and not item.to_check:
                    counts["right_certain" if right else "wrong_certain"] += 1
                if verbose and not right:
                    print(
                        f"  {_name} {spec.kind} {item.name}: read {item.value!r}, "
                        f"printed {truth[item.name]!r}, confidence {item.confidence}, "
                        f"to check: {item.check_reason or 'no'}",
                        file=sys.stderr,
                    )
        level = {key: counts[key] - before[key] for key in counts}
        mean = sum(confidences[level_confidences:]) / max(len(confidences) - level_confidences, 1)
        per_level.append((_name, mean, level))
    seconds = time.perf_counter() - started
    for name, mean, level in per_level:
        emit(
            f"level_{name}",
            f"OCR confidence {mean:.0f}, {level['right']} right and {level['wrong']} wrong "
            f"values, right taken as certain {level['right_certain']}, wrong marked valid "
            f"{level['wrong_valid']} before, {level['wrong_certain']} after",
        )
    emit("scans", str(scans))
    emit("levels", ", ".join(name for name, _arguments in levels))
    emit("mean_ocr_confidence", f"{sum(confidences) / max(len(confidences), 1):.0f}")
    emit("values_read", str(counts["read"]))
    emit("right_values", str(counts["right"]))
    emit("wrong_values", str(counts["wrong"]))
    emit("wrong_values_marked_valid_before", str(counts["wrong_valid"]))
    emit("wrong_values_marked_valid_after", str(counts["wrong_certain"]))
    emit("right_values_certain_after", f"{counts['right_certain']} of {counts['right']}")
    emit("s_per_scan", f"{seconds / max(scans, 1):.1f}")
    before, after = counts["wrong_valid"], counts["wrong_certain"]
    emit(
        "wrong_values_marked_valid_after_vs_before",
        f"{after} vs {before} ({after / before if before else 0:.0%}, goal 0)",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute")
    parser.add_argument("--verbose", action="store_true", help="each wrong value, on stderr")
    arguments = parser.parse_args()
    run(arguments.quick, arguments.verbose)

"""Benchmark: reading supporting documents (text layer and OCR), against bare Tesseract.

    python bench/controls_documents.py [--quick]

No database. Demo documents printed before the clock starts.
- Text layer: documents read (pypdfium2), classified and their fields extracted, per second.
- OCR: the same documents as scans (turned 0/90/180, skewed, noised, via
  `levier.demo.scans.scan_like`), read by levier (deskew, one Tesseract `--psm 1` pass,
  orientation, rows), classified and extracted; against bare `tesseract page.png - -l fra`
  on the very same page images, in the same run. Headline: `ocr_vs_bare_tesseract`.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))
from bench.common import emit  # noqa: E402


def _configure_django() -> None:
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)


def _documents(cases: int):
    from tests.controls.reading_samples import demo_documents, other_documents

    return demo_documents(cases) + other_documents(cases)


def _read_classify_extract(content: bytes, content_type: str) -> int:
    """Words read."""
    from levier.controls.reading.classify import classify
    from levier.controls.reading.extract import extract_fields
    from levier.controls.reading.text import read_document

    document = read_document(content, content_type)
    extract_fields(classify(document.text).kind, document)
    return len(document.text.split())


def bench_text_layer(documents) -> None:
    started = time.perf_counter()
    for _spec, document in documents:
        _read_classify_extract(document.content, document.content_type)
    seconds = time.perf_counter() - started
    emit("text_layer_documents", str(len(documents)))
    emit("text_layer_documents_per_s", f"{len(documents) / seconds:.0f}")


def bench_ocr(documents, pages: int) -> None:
    from levier.demo.scans import scan_like

    if shutil.which("tesseract") is None:
        emit("ocr_vs_bare_tesseract", "not measured (install tesseract-ocr tesseract-ocr-fra)")
        return
    turns = [(0, 2.0), (90, -2.5), (180, 3.0), (0, -1.5)]
    scans = [
        scan_like(document.content, rotate=turns[index % 4][0], skew=turns[index % 4][1],
                  noise=0.05, seed=index)
        for index, (_spec, document) in enumerate(documents[:pages])
    ]  # fmt: skip
    _read_classify_extract(scans[0], "image/png")  # languages listed, caches warm
    started = time.perf_counter()
    levier_words = sum(_read_classify_extract(scan, "image/png") for scan in scans)
    levier_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="levier-bench-ocr-") as folder:
        paths = []
        for index, scan in enumerate(scans):
            paths.append(Path(folder, f"page-{index}.png"))
            paths[-1].write_bytes(scan)
        started = time.perf_counter()
        bare_words = 0
        for path in paths:
            done = subprocess.run(["tesseract", str(path), "-", "-l", "fra"], check=True,
                                  capture_output=True)  # fmt: skip
            bare_words += len(done.stdout.split())
        bare_seconds = time.perf_counter() - started
    emit("ocr_pages", str(len(scans)))
    emit("ocr_documents_per_s", f"{len(scans) / levier_seconds:.2f}")
    emit("ocr_s_per_page", f"{levier_seconds / len(scans):.2f}")
    emit("bare_tesseract_s_per_page", f"{bare_seconds / len(scans):.2f}")
    # Deskewed and turned upright, levier's pages give Tesseract more words to recognise
    # than the bare run finds on the same skewed or rotated images.
    emit("ocr_words_levier_vs_bare", f"{levier_words} vs {bare_words}")
    emit("ocr_vs_bare_tesseract", f"{levier_seconds / bare_seconds:.2f}x (goal <= 1.3x)")


def run(quick: bool) -> None:
    _configure_django()
    documents = _documents(20 if quick else 100)
    bench_text_layer(documents)
    bench_ocr(documents, 6 if quick else 24)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute")
    run(parser.parse_args().quick)

"""Text layers are read as printed; scans are OCR'd upright with rotation and skew recorded."""

from __future__ import annotations

import shutil

import pytest

from levier.controls.reading import ocr
from levier.controls.reading.text import read_document
from levier.controls.reading.types import UnreadableDocument

from .reading_samples import demo_documents

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (apt install tesseract-ocr tesseract-ocr-fra)",
)


@pytest.fixture(scope="module")
def notice():
    return next(document for spec, document in demo_documents(2) if spec.kind == "tax_notice")


def test_text_layer_is_read_in_printed_order(notice):
    document = read_document(notice.content, "application/pdf")
    page = document.pages[0]
    assert page.source == "text" and page.confidence is None and not document.rasters
    lines = page.text.split("\n")
    assert lines[0].startswith("SPÉCIMEN")
    assert any(line.startswith("Revenu fiscal de référence") for line in lines)


@pytest.fixture(scope="module")
def scans(notice):
    from levier.demo.scans import scan_like

    return {
        rotate: read_document(
            scan_like(notice.content, rotate=rotate, skew=2.5, noise=0.05, seed=rotate),
            "image/png",
        )
        for rotate in (90, 180)
    }


@needs_tesseract
@pytest.mark.parametrize("rotate", [90, 180])
def test_scans_are_turned_upright_and_deskewed(scans, rotate):
    document = scans[rotate]
    page = document.pages[0]
    assert page.source == "ocr" and page.confidence > 70
    assert page.rotation == rotate  # scan_like turns clockwise; levier turns back anticlockwise
    assert 1.0 <= abs(page.skew) <= 4.0
    assert "Revenu fiscal de référence" in page.text
    raster = document.rasters[0]
    assert raster.mode == "L" and raster.height > raster.width  # kept upright, portrait


def test_missing_tesseract_is_reported_to_the_administrator(monkeypatch, notice):
    from levier.demo.scans import scan_like

    monkeypatch.setenv("LEVIER_TESSERACT_CMD", "/nonexistent/tesseract")
    ocr.tesseract_settings.cache_clear()
    try:
        with pytest.raises(UnreadableDocument) as caught:
            read_document(scan_like(notice.content, dpi=50), "image/png")
    finally:
        ocr.tesseract_settings.cache_clear()
    assert caught.value.code == "ocr-unavailable" and "tesseract-ocr-fra" in caught.value.reason

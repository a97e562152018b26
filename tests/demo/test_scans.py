"""Scanned-like renders of demo PDFs: images or image-only PDFs, deterministic per seed."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image
from pypdf import PdfReader

from levier.demo.pdfs import print_document
from levier.demo.scans import scan_like

from .specs import RIB


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return print_document(RIB).content


def test_png_and_jpeg_are_a4_pages_at_the_requested_resolution(pdf):
    png = Image.open(io.BytesIO(scan_like(pdf, output="png", dpi=100)))
    jpeg = Image.open(io.BytesIO(scan_like(pdf, output="jpeg", dpi=100, noise=0.3)))
    assert (png.format, jpeg.format) == ("PNG", "JPEG")
    assert png.mode == "L" and abs(png.width - 827) <= 2 and abs(png.height - 1169) <= 2


def test_rotation_and_skew_turn_the_page(pdf):
    turned = Image.open(io.BytesIO(scan_like(pdf, rotate=90, dpi=100)))
    assert turned.width > turned.height
    skewed = Image.open(io.BytesIO(scan_like(pdf, skew=3.0, dpi=100)))
    assert skewed.width > 830 and skewed.getpixel((0, 0)) > 200  # white fill in the corners
    with pytest.raises(ValueError):
        scan_like(pdf, rotate=45)
    with pytest.raises(ValueError):
        scan_like(pdf, output="tiff")


def test_pdf_output_has_no_text_layer(pdf):
    scanned = PdfReader(io.BytesIO(scan_like(pdf, output="pdf", dpi=100, noise=0.2)))
    assert len(scanned.pages) == 1
    assert scanned.pages[0].extract_text().strip() == ""
    assert "BERNARD" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_same_seed_same_bytes_other_seed_other_noise(pdf):
    first = scan_like(pdf, noise=0.5, skew=1.0, dpi=100, seed=4)
    assert first == scan_like(pdf, noise=0.5, skew=1.0, dpi=100, seed=4)
    assert first != scan_like(pdf, noise=0.5, skew=1.0, dpi=100, seed=5)
    assert Decimal(len(first)) > 0

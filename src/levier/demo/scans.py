"""Scanned-looking copies of the demo PDFs: what usagers really send.

A phone photo or a cheap scanner turns the page, skews it a little, blurs it and adds
noise, and leaves no text layer. `scan_like` does the same to page 1 of a demo PDF,
deterministically for a seed, so OCR and 2D-Doc reading can be tested on it.
`two_column_page` prints a header of two blocks side by side, a layout that OCR must
read by columns.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy
import pypdfium2
from fpdf import FPDF
from PIL import Image, ImageFilter

OUTPUTS = ("png", "jpeg", "pdf")
JPEG_QUALITY = 85


def scan_like(
    document_bytes: bytes,
    *,
    rotate: int = 0,
    skew: float = 0.0,
    noise: float = 0.0,
    output: str = "png",
    dpi: int = 200,
    seed: int = 0,
    blur: float = 0.6,
    jpeg_quality: int = JPEG_QUALITY,
) -> bytes:
    """Page 1 of a PDF as a scan: turned by `rotate` (0/90/180/270, clockwise) and `skew`
    degrees, with `noise` (0..1: share of speckled pixels and grain strength) and a
    `blur` (Gaussian radius in pixels, slight by default); returned as PNG, JPEG (of
    `jpeg_quality`, 1-95) or an image-only PDF."""
    if rotate not in (0, 90, 180, 270):
        raise ValueError(f"rotate must be 0, 90, 180 or 270, not {rotate}")
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, not {output!r}")
    if not 1 <= jpeg_quality <= 95:
        raise ValueError(f"jpeg_quality must be between 1 and 95, not {jpeg_quality}")
    image = _render_first_page(document_bytes, dpi)
    image = _turn(image, rotate, skew)
    image = _degrade(image, noise, numpy.random.default_rng(seed), blur)
    return _encode(image, output, dpi, jpeg_quality)


def _render_first_page(document_bytes: bytes, dpi: int) -> Image.Image:
    document = pypdfium2.PdfDocument(document_bytes)
    try:
        page = document[0]
        image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        page.close()
        return image
    finally:
        document.close()


def _turn(image: Image.Image, rotate: int, skew: float) -> Image.Image:
    # PIL turns counter-clockwise; a page fed upside down or sideways is any of them.
    if rotate:
        image = image.rotate(-rotate, expand=True)
    if skew:
        image = image.rotate(-skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return image


def _degrade(
    image: Image.Image, noise: float, rng: numpy.random.Generator, blur: float
) -> Image.Image:
    # Blur first: lenses and scanner optics soften edges before the sensor adds grain.
    if blur > 0:
        image = image.filter(ImageFilter.GaussianBlur(radius=blur))
    if noise <= 0:
        return image
    pixels = numpy.asarray(image, dtype=numpy.float32)
    pixels = pixels * (1 - 0.15 * noise) + 20 * noise  # duller contrast, greyish paper
    pixels += rng.normal(0, 25 * noise, pixels.shape)  # sensor grain
    speckled = rng.random(pixels.shape)
    share = 0.02 * noise  # salt and pepper: dust and dead pixels
    pixels[speckled < share / 2] = 0
    pixels[speckled > 1 - share / 2] = 255
    return Image.fromarray(numpy.clip(pixels, 0, 255).astype(numpy.uint8), mode="L")


def _encode(image: Image.Image, output: str, dpi: int, jpeg_quality: int) -> bytes:
    buffer = io.BytesIO()
    if output == "png":
        image.save(buffer, format="PNG", dpi=(dpi, dpi))
    elif output == "jpeg":
        image.save(buffer, format="JPEG", quality=jpeg_quality, dpi=(dpi, dpi))
    else:
        # PIL's PDF writer embeds the page as one image: no text layer, as from a scanner.
        image.save(buffer, format="PDF", resolution=float(dpi))
    return buffer.getvalue()


def two_column_page(
    left: Sequence[str], right: Sequence[str], body: Sequence[str] = (), *, title: str = ""
) -> bytes:
    """A one-page PDF whose header prints two blocks side by side, as many banks' RIBs
    (the holder beside the branch's address) and payslips (the employer beside the
    title) do: the first line of each block in bold, then `body` below, full width."""
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 15, 18)
    pdf.set_auto_page_break(auto=False)
    pdf.core_fonts_encoding = "windows-1252"  # the core fonts print € and accents with it
    pdf.add_page()
    if title:
        pdf.set_font("Helvetica", "B", 15)
        pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    top = pdf.get_y()
    for x, block in ((18.0, left), (115.0, right)):
        pdf.set_xy(x, top)
        for index, text in enumerate(block):
            pdf.set_font("Helvetica", "B" if index == 0 else "", 10)
            pdf.set_x(x)
            pdf.cell(80, 6, text, new_x="LEFT", new_y="NEXT")
    pdf.set_xy(18, top + 6 * max(len(left), len(right)) + 8)
    pdf.set_font("Helvetica", "", 10)
    for text in body:
        pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

"""OCR of page rasters with Tesseract: one pass per page, rotation and skew corrected.

Cost matters (a case can carry a dozen scans), so a page gets one Tesseract run:
`--psm 1` does orientation detection and layout in that single run. The page's
orientation is then read back from the direction in which the recognised words run,
and the skew is measured by `deskew` on a small copy (~0.07 s) and corrected before.
Lines are rebuilt from word positions rather than taken from Tesseract's blocks, so
that a label and its value printed far apart on one row stay on one line; each line
keeps its words with their positions and confidences (Tesseract's word-level TSV), so
that extraction can tell columns apart and say how sure a value is.
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import statistics
from dataclasses import dataclass

import numpy as np
import pytesseract
from deskew import determine_skew
from django.utils.translation import gettext as _
from PIL import Image

from .types import LineWord, UnreadableDocument

SKEW_SAMPLE_SIDE = 600  # pixels of the copy deskew looks at
MIN_SKEW = 0.3  # degrees: below, rotating costs more than it gains
MAX_SKEW = 15.0  # beyond, it is an orientation problem Tesseract's OSD handles
OCR_TIMEOUT = 120  # seconds for one page


@dataclass(frozen=True)
class TesseractSettings:
    command: str
    language: str


@dataclass(frozen=True)
class OcrPage:
    text: str
    confidence: float  # mean word confidence, 0-100
    rotation: int  # degrees (counter-clockwise) the page was turned to read it upright
    skew: float  # degrees of skew corrected before OCR
    upright: Image.Image  # the raster as read: deskewed and upright
    layout: tuple[tuple[LineWord, ...], ...] = ()  # each line's words, as in `text`


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float
    x: float  # centre, in the frame of the raster given to Tesseract
    y: float
    width: float
    height: float
    line: tuple[int, int, int]  # Tesseract's (block, paragraph, line)


@functools.cache
def tesseract_settings() -> TesseractSettings:
    """Tesseract's command and language, read once from the environment."""
    command = shutil.which(os.environ.get("LEVIER_TESSERACT_CMD", "tesseract"))
    language = os.environ.get("LEVIER_OCR_LANGUAGE", "fra")
    if command is None:
        raise _ocr_unavailable()
    pytesseract.pytesseract.tesseract_cmd = command
    try:
        installed = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractError, OSError):
        raise _ocr_unavailable() from None
    if not set(language.split("+")) <= installed:
        raise _ocr_unavailable()
    return TesseractSettings(command, language)


def _ocr_unavailable() -> UnreadableDocument:
    return UnreadableDocument(
        _(
            "Scanned documents cannot be read: the OCR engine is missing on the server. "
            "An administrator must install the tesseract-ocr and tesseract-ocr-fra packages."
        ),
        code="ocr-unavailable",
    )


def measure_skew(image: Image.Image) -> float:
    """Skew in degrees (counter-clockwise correction), 0 when too small or implausible."""
    sample = image.copy()
    sample.thumbnail((SKEW_SAMPLE_SIDE, SKEW_SAMPLE_SIDE))
    angle = determine_skew(np.asarray(sample))
    if angle is None or not MIN_SKEW <= abs(angle) <= MAX_SKEW:
        return 0.0
    return round(float(angle), 2)


def ocr_page(image: Image.Image) -> OcrPage:
    """Read one grayscale page raster."""
    settings = tesseract_settings()
    skew = measure_skew(image)
    if skew:
        image = image.rotate(skew, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    words = _recognise(image, settings)
    rotation = orientation_of(words)
    layout = layout_of(words, rotation)
    text = "\n".join(" ".join(word.text for word in line) for line in layout)
    confidences = [word.confidence for word in words]
    confidence = round(statistics.fmean(confidences), 1) if confidences else 0.0
    upright = image.rotate(rotation, expand=True) if rotation else image
    return OcrPage(text, confidence, rotation, skew, upright, layout)


def _recognise(image: Image.Image, settings: TesseractSettings) -> list[Word]:
    # BMP: pytesseract hands Tesseract a temporary file; PNG compression would cost ~0.3 s.
    image = image.copy()
    image.format = "BMP"
    try:
        data = pytesseract.image_to_data(
            image,
            lang=settings.language,
            config="--psm 1",
            output_type=pytesseract.Output.DICT,
            timeout=OCR_TIMEOUT,
        )
    except (pytesseract.TesseractError, RuntimeError):
        return []  # an unreadable page is an empty page: the checks will say nothing was found
    words = []
    for index, text in enumerate(data["text"]):
        confidence = float(data["conf"][index])
        if not text.strip() or confidence < 0:
            continue
        left, top = data["left"][index], data["top"][index]
        width, height = data["width"][index], data["height"][index]
        words.append(
            Word(
                text=text.strip(),
                confidence=confidence,
                x=left + width / 2,
                y=top + height / 2,
                width=width,
                height=height,
                line=(data["block_num"][index], data["par_num"][index], data["line_num"][index]),
            )
        )
    return words


def orientation_of(words: list[Word]) -> int:
    """0, 90, 180 or 270: the counter-clockwise turn that makes the text run left to right.

    Read from the direction from a line's first word to its last, voted by words.
    """
    votes: dict[int, int] = {}
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    for line in lines.values():
        if len(line) < 2:
            continue
        dx, dy = line[-1].x - line[0].x, line[-1].y - line[0].y
        quarter = round(math.degrees(math.atan2(dy, dx)) / 90) % 4 * 90
        votes[quarter] = votes.get(quarter, 0) + len(line)
    return max(votes, key=votes.__getitem__) if votes else 0


def rows_of(words: list[Word], rotation: int) -> list[str]:
    """Words grouped into printed rows of the upright page, left to right."""
    return [" ".join(word.text for word in line) for line in layout_of(words, rotation)]


def layout_of(words: list[Word], rotation: int) -> tuple[tuple[LineWord, ...], ...]:
    """Words grouped into printed rows of the upright page, left to right, each word placed
    (left and right edges along the row) with its confidence."""
    if not words:
        return ()
    angle = math.radians(rotation)
    cos, sin = round(math.cos(angle)), round(math.sin(angle))
    placed = []
    for word in words:
        along = word.x * cos + word.y * sin
        across = -word.x * sin + word.y * cos
        height, width = (
            (word.height, word.width) if rotation in (0, 180) else (word.width, word.height)
        )
        placed.append((across, along, height, width, word))
    placed.sort(key=lambda item: (item[0], item[1]))
    tolerance = 0.5 * statistics.median(item[2] for item in placed)
    rows: list[list[tuple[float, float, float, float, Word]]] = []
    for item in placed:
        if rows and abs(item[0] - statistics.fmean(r[0] for r in rows[-1])) <= tolerance:
            rows[-1].append(item)
        else:
            rows.append([item])
    return tuple(
        tuple(
            LineWord(word.text, word.confidence, along - width / 2, along + width / 2, height)
            for _across, along, height, width, word in sorted(row, key=lambda r: r[1])
        )
        for row in rows
    )

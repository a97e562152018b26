"""Open uploaded files safely: refuse, with a reason naming the fix, what levier won't read.

Every check runs before the expensive work and in bounded memory: a PDF's streams are
inflated chunk by chunk against a budget before pdfium sees them, an image's size is
read from its header before its pixels are decoded.
"""

from __future__ import annotations

import io
import re
import warnings
import zlib
from collections.abc import Iterator
from struct import error as struct_error

import pypdfium2 as pdfium
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps

from .types import UnreadableDocument

MAX_PAGES = 30
MAX_PIXELS = 40_000_000
OCR_DPI = 300
POINTS_PER_INCH = 72
# Inflated size of all a PDF's streams together: a 30-page scan at 300 dpi is ~300 MB raw.
MAX_INFLATED_BYTES = 400_000_000
# A single stream inflating more than this many times its size is a bomb, not a document.
MAX_INFLATE_RATIO = 2_000
INFLATE_RATIO_FLOOR = 20_000_000  # small streams may compress well (blank pages, zeros)
INFLATE_CHUNK = 1 << 20

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
SUPPORTED_TYPES = (PDF, JPEG, PNG)
IMAGE_FORMATS = {JPEG: "JPEG", PNG: "PNG"}


def sniff(content: bytes, content_type: str) -> str:
    """The type the bytes really are, among those levier reads; refuse the others."""
    if not content:
        raise UnreadableDocument(
            _("The file is empty (0 bytes). Send the document again."), code="empty"
        )
    if content_type not in SUPPORTED_TYPES:
        raise UnreadableDocument(
            _("Files of type %(type)s cannot be read. Send a PDF, JPEG or PNG file.")
            % {"type": content_type or "?"},
            code="unsupported",
        )
    if b"%PDF-" in content[:1024]:
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    raise UnreadableDocument(
        _(
            "The file is not a readable %(type)s: it is damaged or of another type. "
            "Export it again as PDF, JPEG or PNG."
        )
        % {"type": IMAGE_FORMATS.get(content_type, "PDF")},
        code="corrupt",
    )


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------

_STREAM_RE = re.compile(rb"stream\r?\n")
_IMAGE_SIZE_RE = re.compile(rb"/(Width|Height)\s+(\d{1,12})")


def check_pdf_streams(content: bytes) -> None:
    """Inflate every Flate stream with a budget, and read images' declared sizes.

    pdfium would inflate whatever a page asks for; this pass bounds memory first.
    """
    inflated_total = 0
    previous_end = 0
    for start, end in _streams(content):
        _check_declared_image(content[previous_end:start])
        previous_end = end
        inflated = _inflated_size(content, start, end, MAX_INFLATED_BYTES - inflated_total)
        stream_size = max(end - start, 1)
        if inflated > INFLATE_RATIO_FLOOR and inflated / stream_size > MAX_INFLATE_RATIO:
            raise _bomb()
        inflated_total += inflated
        if inflated_total >= MAX_INFLATED_BYTES:
            raise _bomb()


def _streams(content: bytes) -> Iterator[tuple[int, int]]:
    position = 0
    while True:
        match = _STREAM_RE.search(content, position)
        if match is None:
            return
        start = match.end()
        end = content.find(b"endstream", start)
        if end < 0:
            end = len(content)
        yield start, end
        position = end + 1


def _inflated_size(content: bytes, start: int, end: int, budget: int) -> int:
    """Bytes a stream inflates to, counting at most about `budget` (0 if not Flate)."""
    inflater = zlib.decompressobj()
    total, position, pending = 0, start, b""
    try:
        while total <= budget and not inflater.eof:
            if not pending:
                if position >= end:
                    break
                pending = content[position : min(end, position + INFLATE_CHUNK)]
                position += len(pending)
            total += len(inflater.decompress(pending, INFLATE_CHUNK))
            pending = inflater.unconsumed_tail
    except zlib.error:
        pass  # not Flate (JPEG image, plain text) or damaged: pdfium decides
    return total


def _check_declared_image(dictionary: bytes) -> None:
    """An image dictionary declaring more pixels than allowed is refused before decoding."""
    tail = dictionary[-2000:]
    if b"/Image" not in tail:
        return
    sizes = {key: int(value) for key, value in _IMAGE_SIZE_RE.findall(tail)}
    if sizes.get(b"Width", 0) * sizes.get(b"Height", 0) > 4 * MAX_PIXELS:
        raise _too_many_pixels()


def open_pdf(content: bytes) -> pdfium.PdfDocument:
    """Open a PDF with pdfium once its streams and size have been checked."""
    check_pdf_streams(content)
    try:
        document = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as error:
        raise _pdf_error(error) from None
    try:
        _check_pages(document)
    except pdfium.PdfiumError:
        document.close()
        raise _pdf_error(pdfium.PdfiumError("page")) from None
    except UnreadableDocument:
        document.close()
        raise
    return document


def _check_pages(document: pdfium.PdfDocument) -> None:
    page_count = len(document)
    if page_count == 0:
        raise UnreadableDocument(_("The PDF has no page. Send the document again."), code="empty")
    if page_count > MAX_PAGES:
        raise UnreadableDocument(
            _(
                "The PDF has %(count)d pages; levier reads at most %(max)d. "
                "Send only the pages asked for, or split the file."
            )
            % {"count": page_count, "max": MAX_PAGES},
            code="too-many-pages",
        )
    for index in range(page_count):
        width, height = document.get_page_size(index)
        if _pixels_at_ocr_resolution(width, height) > MAX_PIXELS:
            raise _too_many_pixels()


def _pixels_at_ocr_resolution(width_points: float, height_points: float) -> float:
    scale = OCR_DPI / POINTS_PER_INCH
    return abs(width_points * scale) * abs(height_points * scale)


def _pdf_error(error: pdfium.PdfiumError) -> UnreadableDocument:
    if getattr(error, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
        return UnreadableDocument(
            _(
                "The PDF is protected by a password. Send it without the password "
                "(print it to a new PDF, or remove the protection)."
            ),
            code="encrypted",
        )
    if getattr(error, "err_code", None) == pdfium.raw.FPDF_ERR_SECURITY:
        return UnreadableDocument(
            _("The PDF uses an unsupported protection. Send it without protection."),
            code="encrypted",
        )
    return UnreadableDocument(
        _("The PDF is damaged or incomplete. Export or download it again, then send it."),
        code="corrupt",
    )


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------


def open_image(content: bytes, kind: str) -> Image.Image:
    """Decode a JPEG or PNG to grayscale, upright (EXIF orientation), pixels bounded."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(content), formats=[IMAGE_FORMATS[kind]])
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels()
            if width == 0 or height == 0:
                raise UnreadableDocument(_("The image is empty."), code="empty")
            _load_strictly(image)
            image = ImageOps.exif_transpose(image)
            return image.convert("L")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb() from None
        except UnreadableDocument:
            raise
        except (OSError, ValueError, SyntaxError, EOFError, KeyError, IndexError,
                TypeError, ZeroDivisionError, struct_error, MemoryError):  # fmt: skip
            raise UnreadableDocument(
                _("The image is damaged or incomplete. Take the photo or scan again."),
                code="corrupt",
            ) from None


def _load_strictly(image: Image.Image) -> None:
    """Decode every pixel, refusing a truncated file. WeasyPrint (documents) sets Pillow's
    process-wide LOAD_TRUNCATED_IMAGES on import, which would fill the missing part grey."""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _too_many_pixels() -> UnreadableDocument:
    return UnreadableDocument(
        _(
            "The image or page is too large (more than %(max)d million pixels). "
            "Scan it at 300 dpi or less, or reduce the photo's size."
        )
        % {"max": MAX_PIXELS // 1_000_000},
        code="too-many-pixels",
    )


def _bomb() -> UnreadableDocument:
    return UnreadableDocument(
        _(
            "The file expands to far more data than a document holds (a compression bomb) "
            "and was not read. Export or scan the document again."
        ),
        code="bomb",
    )

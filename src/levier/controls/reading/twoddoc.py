"""Find, decode and verify the 2D-Doc printed on a supporting document.

A 2D-Doc is a DataMatrix (sometimes a QR code) whose content starts with `DC`, signed
by a certification authority that ANTS lists. zxing-cpp reads the barcode from page
images; py2ddoc parses the message and checks the signature.

Trust is explicit: py2ddoc's bundled ANTS list, plus the certificates named in
`settings.LEVIER_2DDOC_TRUSTED_CERTIFICATES` (`"CAID:/path/to/cert.pem"` entries; the
demo's own authority is trusted only this way). py2ddoc falls back to every
certificate it knows when the CA id is unknown; levier does not: an issuer missing
from the trust store is not authentic, whatever the signature.
"""

from __future__ import annotations

import datetime
import io
import logging
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from py2ddoc.exceptions import ParseError, SignatureError
from py2ddoc.fields import get_doc_type_label
from py2ddoc.parser import ParsedDoc, parse
from py2ddoc.tsl import TrustStore
from py2ddoc.verifier import verify

from .types import TwoDDocReading

logger = logging.getLogger(__name__)

MAX_PAGES = 3  # 2D-Docs sit on the first page; a few more cover a scan's cover sheet
RENDER_DPI = 200
MAX_PIXELS = 60_000_000  # larger images are not scanned (decompression bombs)
BARCODE_PREFIX = b"DC"

TAX_NOTICE_TYPES = {"0001"}
PAYSLIP_TYPES = {"0007"}
ADDRESS_PROOF_TYPES = {"0013", "0014", "0015", "0016"}


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def read_two_d_doc(
    content: bytes, content_type: str, rasters: list | None = None
) -> TwoDDocReading:
    """Look for a 2D-Doc in a PDF or an image and verify it; never raises on bad input.

    `rasters` are page images already made by the reading step (OCR): they are
    scanned instead of rasterising the document again.
    """
    try:
        images = list(rasters[:MAX_PAGES]) if rasters else _page_images(content, content_type)
    except Exception:  # a corrupt or hostile file must not break the reading pipeline
        logger.info("2D-Doc: could not rasterise the document", exc_info=True)
        return TwoDDocReading(
            found=False, problem=_("The document could not be opened to look for a 2D-Doc.")
        )
    payload = find_payload(images)
    if payload is None:
        return TwoDDocReading(found=False)
    return decode_and_verify(payload)


def decode_and_verify(
    payload: bytes | str, trust_store: TrustStore | None = None
) -> TwoDDocReading:
    """Parse a 2D-Doc message, map its fields to levier's names and verify its signature."""
    try:
        parsed = parse(payload)
    except (ParseError, ValueError, UnicodeError):
        return TwoDDocReading(
            found=True,
            authentic=None,
            problem=_("A 2D-Doc was found but its content could not be decoded."),
        )
    fields = levier_fields(parsed)
    common = {
        "found": True,
        "issuer": parsed.ca_id,
        "doc_type": parsed.doc_type,
        "doc_type_label": get_doc_type_label(parsed.doc_type),
        "fields": fields,
    }
    authentic, problem = _verify(parsed, trust_store or configured_trust_store())
    return TwoDDocReading(authentic=authentic, problem=problem, **common)


def _verify(parsed: ParsedDoc, store: TrustStore) -> tuple[bool | None, str]:
    if not store.get(parsed.ca_id):
        return False, _(
            "The 2D-Doc is signed by an unknown certification authority (%(issuer)s): "
            "it cannot be trusted."
        ) % {"issuer": parsed.ca_id}
    try:
        verify(parsed, store)
    except SignatureError:
        return False, _(
            "The 2D-Doc signature does not match its content: the document may have been altered."
        )
    except Exception:  # a malformed signature (bad base32, wrong length) is not a valid one
        logger.info("2D-Doc: signature could not be checked", exc_info=True)
        return None, _("The 2D-Doc signature could not be checked (malformed signature).")
    return True, ""


# ---------------------------------------------------------------------------
# Trust store
# ---------------------------------------------------------------------------


def configured_trust_store() -> TrustStore:
    """ANTS' bundled list plus the certificates the settings add."""
    entries = tuple(getattr(settings, "LEVIER_2DDOC_TRUSTED_CERTIFICATES", None) or ())
    return _trust_store(entries)


@lru_cache(maxsize=8)
def _trust_store(entries: tuple[str, ...]) -> TrustStore:
    store = TrustStore.default()
    for entry in entries:
        ca_id, _colon, path = entry.partition(":")
        ca_id, path = ca_id.strip(), path.strip()
        if len(ca_id) != 4 or not path:
            logger.warning(
                "LEVIER_2DDOC_TRUSTED_CERTIFICATES: ignoring %r (want CAID:/path)", entry
            )
            continue
        try:
            store = store.merge(TrustStore.from_pem(ca_id, Path(path).read_bytes()))
        except (OSError, ValueError):
            logger.warning("LEVIER_2DDOC_TRUSTED_CERTIFICATES: cannot load %s", path)
    return store


# ---------------------------------------------------------------------------
# Finding the barcode
# ---------------------------------------------------------------------------


def find_payload(images: list) -> bytes | None:
    """The raw content of the first DataMatrix or QR code starting with `DC`."""
    for image in images[:MAX_PAGES]:
        try:
            payload = _payload_on_page(image)
        except Exception:  # one unreadable page must not hide a barcode on the next
            logger.info("2D-Doc: barcode reader failed on a page", exc_info=True)
            continue
        if payload is not None:
            return payload
    return None


def _payload_on_page(image) -> bytes | None:
    gray = image.convert("L") if hasattr(image, "convert") else image
    payload = _decode_barcodes(gray)
    if payload is None and hasattr(gray, "filter"):
        # A median filter removes the speckles of noisy scans that break the finder
        # pattern; on demo scans it rescued the few misses, at ~50 ms a page, so only then.
        from PIL import ImageFilter

        payload = _decode_barcodes(gray.filter(ImageFilter.MedianFilter(3)))
    return payload


def _decode_barcodes(image) -> bytes | None:
    import zxingcpp

    formats = (zxingcpp.BarcodeFormat.DataMatrix, zxingcpp.BarcodeFormat.QRCode)
    for barcode in zxingcpp.read_barcodes(image, formats=formats):
        if barcode.bytes.startswith(BARCODE_PREFIX):
            return bytes(barcode.bytes)
    return None


def _page_images(content: bytes, content_type: str) -> list:
    if content.startswith(b"%PDF") or content_type == "application/pdf":
        return _pdf_pages(content)
    return _image_frames(content)


def _pdf_pages(content: bytes) -> list:
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    try:
        images = []
        for index in range(min(len(document), MAX_PAGES)):
            page = document[index]
            width, height = page.get_size()
            scale = RENDER_DPI / 72
            if width * height * scale * scale > MAX_PIXELS:
                scale = (MAX_PIXELS / (width * height)) ** 0.5
            images.append(page.render(scale=scale, grayscale=True).to_pil())
            page.close()
        return images
    finally:
        document.close()


def _image_frames(content: bytes) -> list:
    from PIL import Image, ImageSequence

    image = Image.open(io.BytesIO(content))
    if image.width * image.height > MAX_PIXELS:
        raise ValueError("image too large")
    frames = []
    for frame in ImageSequence.Iterator(image):
        frames.append(frame.convert("L"))
        if len(frames) == MAX_PAGES:
            break
    return frames


# ---------------------------------------------------------------------------
# Fields in levier's names, normalised
# ---------------------------------------------------------------------------


def levier_fields(parsed: ParsedDoc) -> dict[str, str]:
    """The 2D-Doc's values under levier's field names (see reading.types for formats)."""
    raw = {key: value.strip() for key, value in parsed.fields.items()}
    if parsed.doc_type in TAX_NOTICE_TYPES:
        fields = {
            "notice_reference": compact(raw.get("01", "")),
            "reference_tax_income": amount(raw.get("02", "")),
            "parts": count(raw.get("03", "")),
            "income_year": raw.get("07", ""),
            "tax_year": raw.get("08", ""),
            "declarants": join_names(raw.get("09", ""), raw.get("0A", "")),
        }
    elif parsed.doc_type in PAYSLIP_TYPES:
        fields = {
            "employee_name": join_names(raw.get("01", ""), raw.get("02", "")),
            "period": period(raw.get("05", "")),
            "gross_pay": amount(raw.get("07", "")),
            "net_pay": amount(raw.get("08", "")),
            "employer_name": raw.get("0A", ""),
            "employer_siret": compact(raw.get("0B", "")),
        }
    elif parsed.doc_type in ADDRESS_PROOF_TYPES:
        issued_on = iso_date(raw.get("06", ""))
        if not issued_on and parsed.doc_date:
            issued_on = parsed.doc_date.isoformat()
        fields = {
            "holder": join_names(raw.get("01", ""), raw.get("02", "")),
            "address": raw.get("03", ""),
            "postal_code": compact(raw.get("04", "")),
            "city": raw.get("05", ""),
            "issued_on": issued_on,
            "issuer": raw.get("07", ""),
        }
    else:
        fields = {}
    return {name: value for name, value in fields.items() if value}


def compact(value: str) -> str:
    return re.sub(r"\s+", "", value)


def join_names(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _decimal(value: str) -> Decimal | None:
    text = compact(value).replace("€", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def amount(value: str) -> str:
    """'23456' or '1 234,5' -> '23456.00' / '1234.50'; unreadable values kept as they are."""
    number = _decimal(value)
    if number is None:
        return compact(value)
    return f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def count(value: str) -> str:
    """Number of parts: '2,5' -> '2.5', '1.00' -> '1'."""
    number = _decimal(value)
    if number is None:
        return compact(value)
    return f"{number.normalize():f}"


def _parse_date(value: str) -> datetime.date | None:
    for pattern in ("%d%m%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


def iso_date(value: str) -> str:
    day = _parse_date(value)
    return day.isoformat() if day else ""


def period(value: str) -> str:
    """Pay period from its first day: '01032026' -> '2026-03'."""
    day = _parse_date(value)
    return f"{day:%Y-%m}" if day else ""

"""Find, decode and verify the 2D-Doc printed on a supporting document.

A 2D-Doc is a DataMatrix (sometimes a QR code) whose content starts with `DC`, signed
by a certification authority that ANTS lists. zxing-cpp reads the barcode from page
images; `twoddoc_parse` reads its content as the ANTS specification defines it and
`twoddoc_verify` checks the signature against the certificates levier trusts (see that
module for the trust rules: an authority missing from the trust store is not authentic,
whatever the signature; the test authority FR00 only when configured).
"""

from __future__ import annotations

import datetime
import io
import logging
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .twoddoc_parse import TwoDDoc, TwoDDocError, parse
from .twoddoc_spec import (
    ADDRESS_PROOF_TYPES,
    BANK_DETAILS_TYPES,
    PAYSLIP_TYPES,
    TAX_NOTICE_TYPES,
)
from .twoddoc_verify import TrustStore, Verification, trust_store, verify
from .types import TwoDDocReading

logger = logging.getLogger(__name__)

MAX_PAGES = 3  # 2D-Docs sit on the first page; a few more cover a scan's cover sheet
RENDER_DPI = 200
MAX_PIXELS = 60_000_000  # larger images are not scanned (decompression bombs)
BARCODE_PREFIX = b"DC"

__all__ = [
    "ADDRESS_PROOF_TYPES",
    "BANK_DETAILS_TYPES",
    "PAYSLIP_TYPES",
    "TAX_NOTICE_TYPES",
    "configured_trust_store",
    "decode_and_verify",
    "levier_fields",
    "read_two_d_doc",
    "signed_fields",
]


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


def decode_and_verify(payload: bytes | str, store: TrustStore | None = None) -> TwoDDocReading:
    """Parse a 2D-Doc message, map its fields to levier's names and verify its signature."""
    try:
        document = parse(payload)
    except TwoDDocError as error:
        logger.info("2D-Doc: content not decoded: %s", error)
        return TwoDDocReading(
            found=True,
            authentic=None,
            problem=_("A 2D-Doc was found but its content could not be decoded."),
        )
    if document.problems:
        logger.info("2D-Doc: %s", "; ".join(document.problems))
    verification = verify(document, store or configured_trust_store())
    return TwoDDocReading(
        found=True,
        authentic=verification.authentic,
        problem=_problem(document, verification),
        issuer=document.header.authority,
        doc_type=document.header.doc_type,
        doc_type_label=document.header.doc_type_label,
        fields=levier_fields(document),
    )


def _problem(document: TwoDDoc, verification: Verification) -> str:
    header = document.header
    if verification.status == "valid":
        certificate = verification.certificate
        if verification.signed_within_validity is False and certificate is not None:
            # The signature is genuine, but the issuer dated it outside its certificate's
            # validity: worth a look, not a forgery (see twoddoc_verify, Expiry).
            return _(
                "The 2D-Doc signature is genuine, but the document says it was signed on "
                "%(signed)s, outside the validity of certificate %(certificate)s of "
                "%(issuer)s (%(start)s to %(end)s): check the document's date with its issuer."
            ) % {
                "signed": date_format(header.signed_on),
                "certificate": header.certificate,
                "issuer": header.authority,
                "start": date_format(certificate.not_valid_before_utc.date()),
                "end": date_format(certificate.not_valid_after_utc.date()),
            }
        return ""
    if verification.status == "unknown_authority":
        return _(
            "The 2D-Doc is signed by an unknown certification authority (%(issuer)s): "
            "it cannot be trusted."
        ) % {"issuer": header.authority}
    if verification.status == "unknown_certificate":
        return _(
            "The 2D-Doc is signed with certificate %(certificate)s of the certification "
            "authority %(issuer)s, which levier does not hold: its signature could not be "
            "checked. An administrator can add that certificate, published by the authority, "
            "to LEVIER_2DDOC_TRUSTED_CERTIFICATES."
        ) % {"certificate": header.certificate, "issuer": header.authority}
    if verification.status == "altered":
        return _(
            "The 2D-Doc signature does not match its content: the document may have been altered."
        )
    logger.info("2D-Doc: signature not checked: %s", verification.detail)
    if document.signature_problem.startswith("malformed"):
        return _("The 2D-Doc signature could not be checked (malformed signature).")
    return _("The 2D-Doc carries no signature levier can read: it could not be checked.")


# ---------------------------------------------------------------------------
# Trust store
# ---------------------------------------------------------------------------


def configured_trust_store() -> TrustStore:
    """ANTS' listed authorities plus the certificates the settings add."""
    entries = tuple(getattr(settings, "LEVIER_2DDOC_TRUSTED_CERTIFICATES", None) or ())
    return trust_store(entries)


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


def signed_fields(message: bytes | str) -> dict[str, str]:
    """levier's fields of a 2D-Doc message, without verifying it ({} if unreadable)."""
    try:
        return levier_fields(parse(message))
    except TwoDDocError:
        return {}


def levier_fields(document: TwoDDoc) -> dict[str, str]:
    """The 2D-Doc's values under levier's field names (see reading.types for formats).

    The specification's identifiers (section 7 of the ANTS specification) that levier
    compares with declared data, by document type; other fields are not mapped.
    """
    raw = {key: value.strip() for key, value in document.texts().items()}
    doc_type = document.header.doc_type
    if doc_type in TAX_NOTICE_TYPES:
        income_year = raw.get("45", "")
        fields = {
            "notice_reference": compact(raw.get("44", "")),
            "reference_tax_income": amount(raw.get("41", "")),
            "parts": count(raw.get("43", "")),
            "income_year": income_year,
            # Not in the 2D-Doc: a notice taxes the previous year's income.
            "tax_year": str(int(income_year) + 1) if income_year.isdigit() else "",
            "declarants": " ET ".join(name for name in (raw.get("46"), raw.get("48")) if name),
            "tax_number": compact(raw.get("47", "")),
        }
    elif doc_type in PAYSLIP_TYPES:
        start = document.value("53")
        fields = {
            "employee_name": person(raw),
            "period": f"{start:%Y-%m}" if isinstance(start, datetime.date) else "",
            "gross_pay": amount(raw.get("5A", "")),
            "net_pay": amount(raw.get("5C", "")),
            "employer_name": raw.get("5M", ""),
            "employer_siret": compact(raw.get("50", "")),
        }
    elif doc_type in ADDRESS_PROOF_TYPES:
        issued_on = document.header.issued_on
        fields = {
            "holder": person(raw),
            "address": raw.get("22", ""),
            "postal_code": compact(raw.get("24", "")),
            "city": raw.get("25", ""),
            "issued_on": issued_on.isoformat() if issued_on else "",
        }
    elif doc_type in BANK_DETAILS_TYPES:
        fields = {
            "holder": without_title(raw.get("30", "")),
            "iban": compact(raw.get("31", "")),
            "bic": compact(raw.get("32", "")),
        }
    else:
        fields = {}
    return {name: value for name, value in fields.items() if value}


def without_title(value: str) -> str:
    """'MME/SPECIMEN/NATACHA' -> 'SPECIMEN NATACHA': with '/', the order is title/name/first."""
    parts = [part.strip() for part in value.split("/")]
    if len(parts) >= 3:
        parts = parts[1:]
    return " ".join(part for part in parts if part)


def person(raw: dict[str, str]) -> str:
    """The beneficiary: address line 1 (10), else first name (12) and name (13)."""
    if raw.get("10"):
        return without_title(raw["10"])
    return join_names(raw.get("12", ""), raw.get("13", ""))


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
    if number is None or abs(number) >= 10**15:  # '1E999' is a Decimal, not an amount
        return compact(value)
    return f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def count(value: str) -> str:
    """Number of parts: '2,5' -> '2.5', '1.00' -> '1'."""
    number = _decimal(value)
    if number is None:
        return compact(value)
    return f"{number.normalize():f}"

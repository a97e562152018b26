"""Parse a 2D-Doc (C40 format, versions 01 to 04) as the ANTS specification defines it.

    header   DC + version (2) + authority (4) + certificate (4) + issue date (4)
             + signature date (4) + document type (2)          = 22 characters (01, 02)
             + perimeter (2)                                   = 24 characters (03)
             + perimeter (2) + issuing country (2)             = 26 characters (04)
    message  fields: identifier (2) + value; a fixed-length value has no separator, a
             variable one ends with <GS> (0x1D), <RS> (0x1E, truncated) or its maximum
             length or the end of the message
    <US>     (0x1F) then the signature in base32 without padding (versions 02 to 04)
    annex    (04) after the signature and a <GS> or <RS>; not signed

Header dates are days since 2000-01-01 in hexadecimal, FFFF meaning none. The signed
data is the header and the message, the bytes before <US>.

`parse` raises only `TwoDDocError`, whose message says what is wrong; values that do not
follow their field's encoding are kept as read and listed in `TwoDDoc.problems`.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .twoddoc_spec import (
    DATE_DDMMYYYY,
    DATE_HEX,
    DECIMAL,
    FIELDS,
    PERIMETER_ANTS,
    FieldSpec,
    document_type_label,
)

GS, RS, US = "\x1d", "\x1e", "\x1f"
BASE_DATE = datetime.date(2000, 1, 1)
NO_DATE = "FFFF"
MAX_LENGTH = 8192  # a DataMatrix holds at most 3116 bytes; anything longer is not a 2D-Doc
HEADER_LENGTHS = {1: 22, 2: 22, 3: 24, 4: 26}
_ALPHANUMERIC = re.compile(r"[A-Z0-9]+")
_HEX = re.compile(r"[0-9A-F]{4}")


class TwoDDocError(ValueError):
    """The content is not a 2D-Doc levier can read; the message says why."""


@dataclass(frozen=True)
class Header:
    version: int  # 1 to 4
    authority: str  # certification authority id, e.g. FR03
    certificate: str  # certificate id within that authority, e.g. 0001
    issued_on: datetime.date | None  # None: FFFF (undated document)
    signed_on: datetime.date | None
    doc_type: str  # 2 characters, see twoddoc_spec.DOCUMENT_TYPES
    perimeter: str  # "01" (implicit before version 03)
    country: str  # issuing country (version 04), "" before
    length: int  # characters

    @property
    def doc_type_label(self) -> str:
        return document_type_label(self.doc_type) if self.perimeter == PERIMETER_ANTS else ""


@dataclass(frozen=True)
class DataField:
    id: str
    text: str  # as encoded in the barcode
    spec: FieldSpec | None  # None: identifier unknown to the specification
    truncated: bool = False  # ended by <RS>: the issuer shortened the value

    @property
    def key(self) -> str:
        return self.spec.key if self.spec else f"di_{self.id.lower()}"

    def value(self) -> str | Decimal | datetime.date | None:
        """The value decoded by its encoding; None when it does not follow it."""
        encoding = self.spec.encoding if self.spec else ""
        if encoding == DATE_DDMMYYYY:
            return ddmmyyyy_date(self.text)
        if encoding == DATE_HEX:
            return hex_date(self.text)
        if encoding == DECIMAL:
            return decimal_value(self.text)
        return self.text


@dataclass(frozen=True)
class TwoDDoc:
    header: Header
    fields: tuple[DataField, ...]
    message: bytes  # the signed data: header and message, before <US>
    signature: bytes  # raw signature (r || s for ECDSA); b"" when there is none
    annex: tuple[DataField, ...] = ()  # not covered by the signature
    problems: tuple[str, ...] = field(default=())  # fields not following the specification
    signature_problem: str = ""  # why the signature could not be read (then b"")

    def get(self, field_id: str) -> str | None:
        for item in self.fields:
            if item.id == field_id:
                return item.text
        return None

    def value(self, field_id: str) -> str | Decimal | datetime.date | None:
        """The first field with this identifier, decoded (see DataField.value)."""
        for item in self.fields:
            if item.id == field_id:
                return item.value()
        return None

    def texts(self) -> dict[str, str]:
        """Field identifier -> text, the first occurrence of each."""
        values: dict[str, str] = {}
        for item in self.fields:
            values.setdefault(item.id, item.text)
        return values


# ---------------------------------------------------------------------------
# Value encodings
# ---------------------------------------------------------------------------


def hex_date(text: str) -> datetime.date | None:
    """'125E' -> 2012-11-15 (days since 2000-01-01); 'FFFF' or anything else -> None."""
    if not _HEX.fullmatch(text) or text == NO_DATE:
        return None
    return BASE_DATE + datetime.timedelta(days=int(text, 16))


def encode_hex_date(day: datetime.date | None) -> str:
    if day is None:
        return NO_DATE
    days = (day - BASE_DATE).days
    if not 0 <= days < 0xFFFF:
        raise ValueError(f"{day} cannot be written as a 2D-Doc date")
    return f"{days:04X}"


def ddmmyyyy_date(text: str) -> datetime.date | None:
    if not re.fullmatch(r"\d{8}", text):
        return None
    try:
        return datetime.date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        return None


def decimal_value(text: str) -> Decimal | None:
    """'2,75' -> 2.75, '-12,5' -> -12.5; None when not a number."""
    if not re.fullmatch(r"-?\d+(?:[,.]\d+)?", text.strip()):
        return None
    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def parse(payload: bytes | str) -> TwoDDoc:
    """Parse a 2D-Doc's content as read from the barcode; raises TwoDDocError only."""
    raw = payload.encode("latin-1", "replace") if isinstance(payload, str) else bytes(payload)
    if not raw:
        raise TwoDDocError("empty content")
    if raw[0] == 0xDC:
        raise TwoDDocError("binary 2D-Doc (version 04 binary format): not supported")
    if len(raw) > MAX_LENGTH:
        raise TwoDDocError(f"content too long for a 2D-Doc ({len(raw)} bytes)")
    # Barcode readers return the C40/ASCII content as bytes; Latin-1 maps every byte.
    text = raw.decode("latin-1")
    header = parse_header(text)
    signed, separator, rest = text.partition(US)
    if header.version == 1 or not separator:
        # Version 01 signs in binary (Base256) without a separator: the message and the
        # signature cannot be told apart reliably, so the signature is not read.
        signed, rest = text, ""
    problems: list[str] = []
    fields = _parse_fields(signed[header.length :], problems)
    signature_text, annex_text = _split_signature(rest)
    annex = _parse_fields(annex_text, problems) if annex_text else ()
    signature, signature_problem = _decode_signature(signature_text)
    if header.version == 1:
        signature_problem = "version 01 signatures are binary and not read"
    elif not separator:
        signature_problem = "no signature (no <US> separator)"
    return TwoDDoc(
        header=header,
        fields=fields,
        message=signed.encode("latin-1"),
        signature=signature,
        annex=annex,
        problems=tuple(problems),
        signature_problem=signature_problem,
    )


def parse_header(text: str) -> Header:
    if not text.startswith("DC"):
        raise TwoDDocError("not a 2D-Doc: the content does not start with DC")
    version_text = text[2:4]
    if not (version_text.isdigit() and int(version_text) in HEADER_LENGTHS):
        raise TwoDDocError(f"unsupported 2D-Doc version {version_text!r} (01 to 04 are read)")
    version = int(version_text)
    length = HEADER_LENGTHS[version]
    header = text[:length]
    if len(header) < length:
        raise TwoDDocError(
            f"truncated header: version {version_text} has {length} characters, {len(header)} read"
        )
    if not _ALPHANUMERIC.fullmatch(header):
        raise TwoDDocError("malformed header: only A-Z and 0-9 are allowed")
    dates = header[12:16], header[16:20]
    for date_text in dates:
        if not _HEX.fullmatch(date_text):
            raise TwoDDocError(f"malformed header date {date_text!r} (4 hexadecimal digits)")
    return Header(
        version=version,
        authority=header[4:8],
        certificate=header[8:12],
        issued_on=hex_date(dates[0]),
        signed_on=hex_date(dates[1]),
        doc_type=header[20:22],
        perimeter=header[22:24] if version >= 3 else PERIMETER_ANTS,
        country=header[24:26] if version >= 4 else "",
        length=length,
    )


def _parse_fields(data: str, problems: list[str]) -> tuple[DataField, ...]:
    fields: list[DataField] = []
    position = 0
    while position < len(data):
        if data[position] in (GS, RS):  # a stray separator (some issuers end with one)
            position += 1
            continue
        field_id = data[position : position + 2]
        if len(field_id) < 2:
            raise TwoDDocError(f"truncated message: a field identifier {field_id!r} alone")
        if not _ALPHANUMERIC.fullmatch(field_id):
            raise TwoDDocError(f"malformed message: {field_id!r} is not a field identifier")
        position += 2
        spec = FIELDS.get(field_id)
        if spec is None:
            problems.append(f"field {field_id}: identifier unknown to the specification")
        if spec is not None and spec.fixed:
            length = spec.min_length
            value = data[position : position + length]
            if len(value) < length or GS in value or RS in value:
                raise TwoDDocError(
                    f"truncated message: field {field_id} has a fixed length of {length}"
                )
            fields.append(DataField(field_id, value, spec))
            position += length
            continue
        limit = spec.max_length if spec is not None else None
        end = position
        while end < len(data) and data[end] not in (GS, RS):
            if limit is not None and end - position == limit:
                break
            end += 1
        value = data[position:end]
        truncated = end < len(data) and data[end] == RS
        if end < len(data) and data[end] in (GS, RS):
            end += 1
        if spec is not None and len(value) < spec.min_length:
            problems.append(f"field {field_id}: shorter than {spec.min_length} characters")
        fields.append(DataField(field_id, value, spec, truncated))
        position = end
    return tuple(fields)


def _split_signature(rest: str) -> tuple[str, str]:
    """The signature, then the annex (version 04) after a <GS> or <RS>."""
    match = re.search(f"[{GS}{RS}]", rest)
    if match is None:
        return rest, ""
    return rest[: match.start()], rest[match.end() :]


def _decode_signature(text: str) -> tuple[bytes, str]:
    """Base32 without padding -> bytes; a malformed signature is a problem, not an error."""
    cleaned = text.strip().rstrip("=")
    if not cleaned:
        return b"", ""
    if not re.fullmatch(r"[A-Z2-7]+", cleaned):
        return b"", "malformed signature: not base32"
    try:
        return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8)), ""
    except (binascii.Error, ValueError):
        return b"", "malformed signature: not a whole number of base32 bytes"

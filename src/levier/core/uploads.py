"""Checking uploaded files before anything is stored.

The real content type is sniffed from the bytes (puremagic), never trusted from
the browser or the file name; a file whose bytes do not match its extension, an
unsupported type or an oversized file is refused with a message naming the file
and the fix.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import PurePath

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Accepted content types and the extensions each may carry.
ACCEPTED_TYPES: dict[str, set[str]] = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "text/plain": {".txt"},
    "application/vnd.oasis.opendocument.text": {".odt"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
}
EXTENSION_TYPES = {ext: mime for mime, exts in ACCEPTED_TYPES.items() for ext in exts}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    content_type: str
    size: int
    sha256: str
    page_count: int | None


def _sniff(content: bytes, extension: str) -> str | None:
    if extension == ".txt":
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain" if b"\x00" not in content else None
    try:
        matches = puremagic.magic_string(content, filename=f"x{extension}")
    except (puremagic.PureError, ValueError):
        return None
    for match in matches:
        mime = match.mime_type
        if mime in ACCEPTED_TYPES:
            return mime
        if match.extension in EXTENSION_TYPES:
            return EXTENSION_TYPES[match.extension]
    return None


def _pdf_page_count(content: bytes, name: str) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise ValidationError(
                _("“%(name)s” is password-protected. Send a copy without a password.") % {"name": name}
            )
        return len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise ValidationError(
            _("“%(name)s” is a damaged PDF that cannot be opened. Export it again and send the new file.")
            % {"name": name}
        ) from error


def check_upload(uploaded, *, max_bytes: int | None = None) -> CheckedFile:
    """Validate one uploaded file (Django UploadedFile or any object with name/size/read)."""
    limit = max_bytes or settings.LEVIER_UPLOAD_MAX_BYTES
    name = PurePath(uploaded.name or "document").name[:200]
    if uploaded.size is not None and uploaded.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; the limit is %(limit)s. Reduce its size (scan in lower resolution, or split it) and send it again.")
            % {"name": name, "size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)}
        )
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _("“%(name)s” is larger than the limit of %(limit)s. Reduce its size and send it again.")
            % {"name": name, "limit": filesizeformat(limit)}
        )
    if not content:
        raise ValidationError(_("“%(name)s” is empty. Choose the file again.") % {"name": name})
    extension = PurePath(name).suffix.lower()
    if extension not in EXTENSION_TYPES:
        raise ValidationError(
            _("“%(name)s”: this type of file is not accepted. Send a PDF, JPEG or PNG file.") % {"name": name}
        )
    sniffed = _sniff(content, extension)
    claimed = EXTENSION_TYPES[extension]
    if sniffed != claimed:
        raise ValidationError(
            _("“%(name)s” is not a real %(ext)s file: its content does not match its name. Send the original document.")
            % {"name": name, "ext": extension.lstrip(".").upper()}
        )
    page_count = _pdf_page_count(content, name) if claimed == "application/pdf" else None
    return CheckedFile(
        name=name,
        content=content,
        content_type=claimed,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=page_count,
    )


def store_checked(instance, checked: CheckedFile) -> None:
    """Save an upload row (SupportingDocument, Attachment) with its checked file's bytes and metadata."""
    instance.original_name = checked.name
    instance.content_type = checked.content_type
    instance.size = checked.size
    instance.sha256 = checked.sha256
    instance.page_count = checked.page_count
    instance.file.save(checked.name, ContentFile(checked.content), save=False)
    instance.save()

"""Checking uploaded files before anything is stored.

The real content type is sniffed from the bytes (puremagic), never trusted from
the browser or the file name; a file whose bytes do not match its extension, an
unsupported type or an oversized file is refused with a message naming the file
and the fix. A PDF is opened only in a child process with hard limits (pdf_checks).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .pdf_checks import inspect_pdf

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

# What core/pdf_probe.py reports, in the words shown to agents next to the document.
ACTIVE_CONTENT_LABELS = {
    "javascript": gettext_lazy("JavaScript code"),
    "launch": gettext_lazy("an action that starts a program"),
    "embedded-file": gettext_lazy("files embedded in the PDF"),
    "rich-media": gettext_lazy("multimedia content (Flash)"),
    "xfa": gettext_lazy("a dynamic form (XFA)"),
    "submit-form": gettext_lazy("a form that sends data elsewhere"),
    "html": gettext_lazy("a web page hidden in the file"),
}


def active_content_labels(codes) -> list[str]:
    return [str(ACTIVE_CONTENT_LABELS.get(code, code)) for code in codes or ()]


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    content_type: str
    size: int
    sha256: str
    page_count: int | None
    # Codes of active content found (see core/pdf_probe.py): "javascript", "html"…
    active_content: tuple[str, ...] = ()


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


def check_upload(uploaded, *, max_bytes: int | None = None) -> CheckedFile:
    """Validate one uploaded file (Django UploadedFile or any object with name/size/read)."""
    limit = max_bytes or settings.LEVIER_UPLOAD_MAX_BYTES
    name = PurePath(uploaded.name or "document").name[:200]
    # BoundedUploadHandler keeps limit + 1 bytes of a larger file: its real size is unknown.
    if uploaded.size is not None and uploaded.size > limit + 1:
        raise ValidationError(
            _(
                "“%(name)s” is %(size)s; the limit is %(limit)s. Reduce its size (scan in lower resolution, or split it) and send it again."
            )
            % {"name": name, "size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)}
        )
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _(
                "“%(name)s” is larger than the limit of %(limit)s. Reduce its size and send it again."
            )
            % {"name": name, "limit": filesizeformat(limit)}
        )
    if not content:
        raise ValidationError(_("“%(name)s” is empty. Choose the file again.") % {"name": name})
    extension = PurePath(name).suffix.lower()
    if extension not in EXTENSION_TYPES:
        raise ValidationError(
            _("“%(name)s”: this type of file is not accepted. Send a PDF, JPEG or PNG file.")
            % {"name": name}
        )
    sniffed = _sniff(content, extension)
    claimed = EXTENSION_TYPES[extension]
    if sniffed != claimed:
        raise ValidationError(
            _(
                "“%(name)s” is not a real %(ext)s file: its content does not match its name. Send the original document."
            )
            % {"name": name, "ext": extension.lstrip(".").upper()}
        )
    page_count, active_content = None, ()
    if claimed == "application/pdf":
        facts = inspect_pdf(content, name)
        page_count, active_content = facts.page_count, facts.active_content
    return CheckedFile(
        name=name,
        content=content,
        content_type=claimed,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=page_count,
        active_content=active_content,
    )


def store_checked(instance, checked: CheckedFile) -> None:
    """Save an upload row (SupportingDocument, Attachment) with its checked file's bytes and metadata."""
    instance.original_name = checked.name
    instance.content_type = checked.content_type
    instance.size = checked.size
    instance.sha256 = checked.sha256
    instance.page_count = checked.page_count
    instance.active_content = list(checked.active_content)
    instance.file.save(checked.name, ContentFile(checked.content), save=False)
    instance.save()

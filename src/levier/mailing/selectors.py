"""Reads of inbound mail."""

from __future__ import annotations

import hashlib

from .models import InboundMail


def find_imported(raw: bytes) -> InboundMail | None:
    """The row of an .eml file imported earlier with the same bytes, if any."""
    sha256 = hashlib.sha256(raw).hexdigest()
    return InboundMail.objects.filter(mailbox__isnull=True, sha256=sha256).first()

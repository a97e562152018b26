"""Masked identifiers: a NIR or an IBAN is shown by its last characters until revealed.

An agent rarely needs the whole number to recognise a file; showing it only on demand,
each time journaled, keeps it off screens, screenshots and the browser's cache.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-]+")

MASKED_KINDS = frozenset({"nir", "iban"})
MASKED_CONTACT_FIELDS = ("nir", "iban")
VISIBLE_CHARACTERS = 4


def mask_identifier(value: str) -> str:
    """'1 85 04 69 381 123 88' -> '• • • 23 88'; '' stays ''."""
    plain = _SEPARATORS.sub("", str(value or "")).upper()
    if not plain:
        return ""
    tail = plain[-VISIBLE_CHARACTERS:] if len(plain) > VISIBLE_CHARACTERS else ""
    pairs = " ".join(tail[index : index + 2] for index in range(0, len(tail), 2))
    return f"• • • {pairs}".strip()

"""Masked identifiers: a NIR or an IBAN is shown by its last characters until revealed.

An agent rarely needs the whole number to recognise a file; showing it only on demand,
each time journaled, keeps it off screens, screenshots and the browser's cache.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext

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


def masked_display(value: str, revealed: bool) -> str:
    """An identifier for a read-only admin field: in full once revealed, else its end."""
    if not value:
        return "—"
    if revealed:
        return value
    return gettext("%(masked)s (masked: use “Reveal the masked identifiers” above)") % {
        "masked": mask_identifier(value)
    }

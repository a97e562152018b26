"""Separating what the sender just wrote from the earlier messages they quote.

mail-parser-reply knows the reply headers of many mail clients, French ones
included (« Le 12 mars 2026 à 10:00, X a écrit : », « De : … Envoyé : … »).
"""

from __future__ import annotations

import logging
import re

from mailparser_reply.parser import EmailMessage

logger = logging.getLogger(__name__)

# Beyond this, stripping is not worth its cost: the whole text is shown.
MAX_CHARS = 100_000


def split_reply(text: str) -> tuple[str, str]:
    """(body, quoted): the new text without quotes and signature, and what was removed.

    When nothing would be left, the body is the whole text: better too much than nothing.
    """
    if not text.strip() or len(text) > MAX_CHARS:
        return text.strip(), ""
    # Long runs of blank lines make the library's regexes backtrack for nothing.
    compact = re.sub(r"\n[ \t]*(?:\n[ \t]*){2,}", "\n\n", text)
    try:
        # Hyphen lists ("- first point") are content, not a signature.
        message = EmailMessage(text=compact, languages=["fr", "en"], keep_hyphen_lists=True).read()
    except Exception:
        logger.warning("reply stripping failed", exc_info=True)
        return text.strip(), ""
    if not message.replies:
        return text.strip(), ""
    first = message.replies[0]
    body = _drop_trailing_quote(first.body)
    trailing = first.body[len(body) :] if first.body.startswith(body) else ""
    start = message.text.find(first.content)
    rest = message.text[start + len(first.content) :] if start >= 0 else ""
    removed = [trailing, first.signatures, *first.disclaimers, rest]
    quoted = "\n\n".join(part.strip() for part in removed if part and part.strip())
    if not body.strip():
        return text.strip(), ""
    return body.strip(), quoted


def _drop_trailing_quote(body: str) -> str:
    """Lines quoted with '>' at the end, with no header before them, are quotes too."""
    lines = body.rstrip().split("\n")
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines)

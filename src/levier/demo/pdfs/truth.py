"""What a demo document proves: the declared, printed and signed values, and the printed file."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from functools import cached_property

from ..twoddoc import clean_value
from .common import KEYWORD_PREFIX


def signed_value(message: str | None, field_name: str) -> str | None:
    """The value the 2D-Doc message signs for one of levier's fields (None without one)."""
    if not message:
        return None
    # Imported here: the reading layer (Django settings) is not needed to print.
    from levier.controls.reading.twoddoc import signed_fields

    return signed_fields(message).get(field_name)


@dataclass(frozen=True)
class DocumentTruth:
    """What the usager declared and what the document actually prints."""

    kind: str
    field: str
    declared: str
    printed: str
    # The same field's value in the document's signed 2D-Doc (None: no 2D-Doc). A
    # printed value that differs from the signed one is what a forger's edit looks like.
    signed: str | None = None

    @property
    def matches(self) -> bool:
        return self.declared == self.printed

    @property
    def printed_matches_signed(self) -> bool | None:
        if self.signed is None:
            return None
        # 2D-Doc values are upper-case ASCII: compare folded text.
        return _fold(self.printed) == _fold(self.signed)

    def as_keywords(self) -> str:
        return KEYWORD_PREFIX + json.dumps(
            {
                **asdict(self),
                "matches": self.matches,
                "printed_matches_signed": self.printed_matches_signed,
            },
            ensure_ascii=False,
        )


def _fold(value: str) -> str:
    return " ".join(clean_value(value).split())


def truth_from_keywords(keywords: str | None) -> dict | None:
    """Read back the truth written in a demo PDF's keywords (None for any other PDF)."""
    if not keywords or not keywords.startswith(KEYWORD_PREFIX):
        return None
    return json.loads(keywords[len(KEYWORD_PREFIX) :])


@dataclass
class PrintedDocument:
    kind: str
    field_name: str
    original_name: str
    content: bytes
    truth: DocumentTruth
    page_count: int = 1
    content_type: str = "application/pdf"

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def storage_name(self) -> str:
        """Content-addressed path under MEDIA_ROOT: the same bytes are stored once."""
        return f"demo/{self.kind}/{self.sha256[:16]}-{self.original_name}"

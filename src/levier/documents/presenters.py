"""Generated documents as the case page shows them."""

from __future__ import annotations

from dataclasses import dataclass

from .models import GeneratedDocument


@dataclass(frozen=True)
class GeneratedDocumentRow:
    """A generated document in the case page's list, and whether it carries the seal."""

    document: GeneratedDocument
    sealed: bool

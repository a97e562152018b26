"""What reading a supporting document produces, shared by every reading step.

Values are normalised so that comparing them with declared data is plain equality:
amounts as '1234.50' (Decimal text, two decimals), dates ISO 'YYYY-MM-DD', periods
'YYYY-MM', identifiers compact (no spaces), names as printed (comparison folds them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Source = Literal["text", "ocr", "2ddoc"]

# Kinds of document levier recognises; "unknown" below the confidence floor.
KINDS = (
    "tax_notice",  # avis d'impôt sur le revenu
    "payslip",  # bulletin de paie
    "invoice",  # facture ou devis
    "rib",  # relevé d'identité bancaire
    "kbis",  # extrait d'immatriculation au RCS
    "address_proof",  # justificatif de domicile (facture d'énergie, quittance...)
    "budget",  # budget prévisionnel d'association
)


class UnreadableDocument(Exception):
    """A file levier refuses to read: `reason` names the problem and the fix (translated)."""

    def __init__(self, reason: str, *, code: str):
        super().__init__(reason)
        self.reason = reason
        self.code = (
            code  # encrypted, corrupt, empty, too-many-pages, too-many-pixels, bomb, unsupported
        )


@dataclass(frozen=True)
class LineWord:
    """A word OCR read, placed on the upright page (pixels), with its confidence."""

    text: str
    confidence: float  # 0-100, Tesseract's word confidence
    left: float
    right: float
    height: float


@dataclass(frozen=True)
class PageText:
    number: int  # 1-based
    text: str
    source: Source  # "text" (PDF text layer) or "ocr"
    confidence: float | None = None  # OCR mean word confidence, 0-100
    rotation: int = 0  # degrees the page was turned before OCR
    skew: float = 0.0  # degrees of skew corrected before OCR
    # OCR only: the words of each line of `text`, in order (the page's layout).
    layout: tuple[tuple[LineWord, ...], ...] = field(default=(), repr=False)


@dataclass
class ReadDocument:
    pages: list[PageText]
    # Page rasters (PIL images) when the document was rasterised (OCR or images):
    # the 2D-Doc reader looks for barcodes in them rather than rasterising again.
    rasters: list = field(default_factory=list, repr=False)

    @property
    def text(self) -> str:
        return "\n\f".join(page.text for page in self.pages)

    @property
    def source(self) -> str:
        sources = {page.source for page in self.pages}
        return sources.pop() if len(sources) == 1 else "mixed"


@dataclass(frozen=True)
class Classification:
    kind: str  # one of KINDS, or "unknown"
    confidence: float  # 0..1
    scores: dict[str, float]  # every kind's score, for the explanation


@dataclass(frozen=True)
class Evidence:
    page: int
    snippet: str  # the line (or few words) the value was read from


@dataclass(frozen=True)
class ExtractedField:
    name: str  # levier's name for the field, e.g. "reference_tax_income"
    value: str  # normalised (see module docstring)
    raw: str  # as printed
    evidence: Evidence
    source: Source
    valid: bool = True  # checksum / format check passed
    problem: str = ""  # why not valid, translated
    # OCR: the lowest confidence (0-100) of the words the value was read from; None when
    # read from a text layer or a 2D-Doc, which are exact.
    confidence: float | None = None
    # Not sure enough to compare: low OCR confidence, unclear label-value pairing or an
    # implausible value. Shown to the agent as "to check by hand", never flagged alone.
    to_check: bool = False
    check_reason: str = ""  # why to check by hand, translated


@dataclass(frozen=True)
class TwoDDocReading:
    """A 2D-Doc found on the document (or not), decoded and verified."""

    found: bool
    authentic: bool | None = None  # None: found but could not be verified
    issuer: str = ""  # certification authority id, e.g. FR01
    doc_type: str = ""  # 2D-Doc type code, e.g. 0001
    doc_type_label: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # levier names, normalised values
    problem: str = ""  # why it could not be decoded or verified, translated

"""Find the values a document check compares with declared data, line by line.

Labels are matched on folded text with spaces ignored ('Revenu fiscal de reference',
'Revenufiscal de référence' both match), then fuzzily for long labels, so a missing
accent, a broken space or a misread letter from OCR does not lose the value. Each
value keeps the line it was read on as evidence for the agent.
"""

from __future__ import annotations

import itertools
import os
import re
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from . import normalise
from .normalise import fold
from .types import Evidence, ExtractedField, LineWord, PageText, ReadDocument

FUZZY_LABEL_CUTOFF = 88
FUZZY_MIN_LABEL = 8  # shorter labels must match exactly: 'tva' fuzzily matches anything
MIN_PARTS, MAX_PARTS = Decimal(1), Decimal(10)  # a household's number of parts, in quarters

Parser = Callable[[str], "Parsed | None"]

# A gap between two words of a row wider than this many word heights separates columns
# (two blocks printed side by side, or a label and its value printed far apart).
COLUMN_GAP = 2.0
# More words than this between a label and its value: the value may not be the label's.
MAX_WORDS_BETWEEN = 2
DEFAULT_MIN_CONFIDENCE = 80.0


def min_confidence() -> float:
    """LEVIER_OCR_MIN_CONFIDENCE: below this word confidence (0-100), a value read by OCR
    is to check by hand."""
    try:
        return float(os.environ.get("LEVIER_OCR_MIN_CONFIDENCE", DEFAULT_MIN_CONFIDENCE))
    except ValueError:
        return DEFAULT_MIN_CONFIDENCE


@dataclass(frozen=True)
class Parsed:
    raw: str
    value: str
    valid: bool = True
    problem: str = ""


@dataclass(frozen=True)
class Line:
    page: PageText
    text: str
    index: int  # position in the document, for "the line after"
    # OCR: the words of `text` with their places and confidences (empty for a text layer).
    words: tuple[LineWord, ...] = ()
    column: tuple[float, float] | None = None  # OCR: left and right of this column's words

    def starts(self) -> list[int]:
        """Where each word starts in `text`."""
        starts, position = [], 0
        for word in self.words:
            starts.append(position)
            position += len(word.text) + 1
        return starts

    def confidence(self, start: int = 0, end: int | None = None) -> float | None:
        """The lowest confidence of the words covering text[start:end] (None: not OCR)."""
        if not self.words:
            return None
        end = len(self.text) if end is None else end
        covering = [
            word.confidence
            for word, first in zip(self.words, self.starts(), strict=True)
            if first < end and first + len(word.text) > start
        ]
        return min(covering) if covering else None

    def segments(self) -> list[tuple[int, int]]:
        """Word index ranges [first, last) of the row's columns, left to right."""
        if not self.words:
            return []
        height = statistics.median(word.height for word in self.words)
        cuts = [
            index
            for index in range(1, len(self.words))
            if self.words[index].left - self.words[index - 1].right > COLUMN_GAP * height
        ]
        bounds = [0, *cuts, len(self.words)]
        return list(itertools.pairwise(bounds))

    def part(self, first: int, last: int) -> Line:
        """The words [first, last) as a line of their own (one column of the row)."""
        words = self.words[first:last]
        return Line(
            self.page,
            " ".join(word.text for word in words),
            self.index,
            words,
            (words[0].left, words[-1].right),
        )


def lines_of(document: ReadDocument) -> list[Line]:
    lines = []
    for page in document.pages:
        texts = page.text.split("\n")
        layout = page.layout if len(page.layout) == len(texts) else ()
        for number, text in enumerate(texts):
            text = " ".join(text.split())
            words = layout[number] if layout else ()
            if len(words) != len(text.split()):
                words = ()
            if text:
                lines.append(Line(page, text, len(lines), words))
    return lines


def columns_of(line: Line) -> list[Line]:
    """The row's columns as lines of their own; the whole row for a text layer."""
    segments = line.segments()
    if len(segments) < 2:
        return [line]
    return [line.part(first, last) for first, last in segments]


def next_in_column(lines: list[Line], line: Line) -> Line | None:
    """The line printed under `line`, in the same column when the page has columns."""
    if line.index + 1 >= len(lines):
        return None
    following = lines[line.index + 1]
    if line.column is None:
        return following
    left, right = line.column
    for part in columns_of(following):
        if part.column is None:
            # A row without layout: the whole row.
            return part
        if part.column[0] < right and part.column[1] > left:
            return part
    return None


# ---------------------------------------------------------------------------
# Label matching
# ---------------------------------------------------------------------------


def _compact_folded(text: str) -> tuple[str, list[int]]:
    """Folded characters without spaces, with each one's position in `text`."""
    characters, positions = [], []
    for position, character in enumerate(text):
        for folded in fold(character).replace("’", "'"):
            if not folded.isspace():
                characters.append(folded)
                positions.append(position)
    return "".join(characters), positions


def label_end(text: str, label: str, *, fuzzy: bool) -> int | None:
    """Where `label` ends in `text` (0 for an empty match), or None when it is not there."""
    line, positions = _compact_folded(text)
    target = _compact_folded(label)[0]
    start = line.find(target)
    if start >= 0:
        end = start + len(target)
    elif fuzzy and len(target) >= FUZZY_MIN_LABEL:
        alignment = fuzz.partial_ratio_alignment(target, line, score_cutoff=FUZZY_LABEL_CUTOFF)
        if alignment is None:
            return None
        end = alignment.dest_end
    else:
        return None
    return positions[end - 1] + 1 if end else 0


def after_label(text: str, label: str, *, fuzzy: bool) -> str | None:
    """What follows `label` on the line, or None when the label is not there."""
    end = label_end(text, label, fuzzy=fuzzy)
    return None if end is None else text[end:]


@dataclass(frozen=True)
class Found:
    """A value read after its label, with how sure the reading is."""

    line: Line
    parsed: Parsed
    confidence: float | None = None  # OCR: lowest confidence of the value's words
    unclear: str = ""  # why the label-value pairing is not clear, translated


def _value_after(
    lines: list[Line], line: Line, label: str, parse: Parser, *, fuzzy: bool
) -> Found | None:
    end = label_end(line.text, label, fuzzy=fuzzy)
    if end is None:
        return None
    rest, unclear = line.text[end:], ""
    if line.words:
        # Read the value in the label's column, or the column right after it: a value
        # printed in the next block over (a two-column header) is not the label's.
        segments = [_char_span(line, first, last) for first, last in line.segments()]
        here = next((i for i, (_a, stop) in enumerate(segments) if end <= stop), None)
        if here is not None:
            stop = segments[here][1]
            # Past the label's column when nothing follows it there, and past specks of
            # noise read as punctuation, up to the next column that holds something.
            while not _has_alnum(line.text[end:stop]) and here + 1 < len(segments):
                here += 1
                stop = segments[here][1]
            near = line.text[end:stop]
            if parse(near) is not None:
                rest = near
            else:
                unclear = _("the value is printed far from its label")
    parsed = parse(rest)
    following = lines[line.index + 1] if line.index + 1 < len(lines) else None
    wrapped = False
    if parsed is None and following is not None:
        # The value wrapped to the next line ('... Fait le' / '18/02/2026.').
        parsed = parse(f"{rest} {following.text}")
        wrapped = parsed is not None
    if parsed is None:
        return None
    start = end + _position(rest, parsed.raw)
    if wrapped:
        unclear = _("the value is printed on the line after its label")
        start_next = _position(following.text, parsed.raw) if following else -1
        confidence = (
            following.confidence(start_next, start_next + len(parsed.raw))
            if (following and start_next >= 0)
            else (following.confidence() if following else None)
        )
    else:
        between = line.text[end:start] if start >= end else ""
        if not unclear and len(re.findall(r"[^\W\d_]{2,}", between)) > MAX_WORDS_BETWEEN:
            unclear = _("other words stand between the label and the value")
        confidence = (
            line.confidence(start, start + len(parsed.raw))
            if start >= end
            else line.confidence(end)
        )
    return Found(line, parsed, confidence, unclear if line.words else "")


def _has_alnum(text: str) -> bool:
    return any(character.isalnum() for character in text)


def _char_span(line: Line, first: int, last: int) -> tuple[int, int]:
    starts = line.starts()
    return starts[first], starts[last - 1] + len(line.words[last - 1].text)


def _position(text: str, raw: str) -> int:
    """Where `raw` (as a parser returned it) is in `text`; -1 when it cannot be placed."""
    found = normalise.fix_ocr_digits(text).upper().find(raw.upper())
    return found if found >= 0 else text.upper().find(raw.upper())


def labelled(lines: list[Line], labels: tuple[str, ...], parse: Parser) -> Found | None:
    """The first line holding one of `labels` (exact first, then fuzzy) and a value.

    On a scan, other lines holding the same label with another value make the reading
    unclear (a footnote repeating the label, a misread label elsewhere)."""
    for fuzzy in (False, True):
        for label in labels:
            for line in lines:
                found = _value_after(lines, line, label, parse, fuzzy=fuzzy)
                if found is None:
                    continue
                if line.words and not found.unclear and _other_values(lines, found, label, parse):
                    found = replace(found, unclear=_("the label appears with other values"))
                return found
    return None


def _other_values(lines: list[Line], found: Found, label: str, parse: Parser) -> bool:
    for line in lines:
        if line.index == found.line.index:
            continue
        end = label_end(line.text, label, fuzzy=True)
        if end is None:
            continue
        parsed = parse(line.text[end:])
        if parsed is not None and parsed.value != found.parsed.value:
            return True
    return False


def line_after(lines: list[Line], labels: tuple[str, ...]) -> Line | None:
    """The line printed under a heading such as 'Employeur' (the heading alone on its line,
    or alone in its column when blocks are printed side by side)."""
    for label in labels:
        target = _compact_folded(label)[0]
        for line in lines[:-1]:
            for part in columns_of(line):
                if _compact_folded(part.text)[0] == target:
                    return next_in_column(lines, part)
    return None


def field_from(name: str, line: Line, parsed: Parsed) -> ExtractedField:
    return ExtractedField(
        name=name,
        value=parsed.value,
        raw=parsed.raw,
        evidence=Evidence(line.page.number, line.text),
        source=line.page.source,
        valid=parsed.valid,
        problem=parsed.problem,
        confidence=line.confidence(),
    )


def found_field(name: str, found: Found) -> ExtractedField:
    item = field_from(name, found.line, found.parsed)
    return replace(item, confidence=found.confidence, check_reason=found.unclear)


# ---------------------------------------------------------------------------
# Value parsers
# ---------------------------------------------------------------------------


def money(rest: str) -> Parsed | None:
    found = normalise.money_in(rest)
    return Parsed(*found) if found else None


def number(rest: str) -> Parsed | None:
    """A count such as the number of parts: '2,5' -> '2.5', '3' -> '3'."""
    match = re.search(r"\d+(?:[,.]\d{1,2})?", normalise.fix_ocr_digits(rest))
    if not match:
        return None
    value = match.group(0).replace(",", ".")
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return Parsed(match.group(0), value)


def date(rest: str) -> Parsed | None:
    found = normalise.dates_in(rest)
    return Parsed(*found[0]) if found else None


def period(rest: str) -> Parsed | None:
    value = normalise.parse_period(rest)
    return Parsed(rest.strip(), value) if value else None


def year(rest: str) -> Parsed | None:
    match = re.search(r"(?<!\d)(19|20)\d\d(?!\d)", normalise.fix_ocr_digits(rest))
    return Parsed(match.group(0), match.group(0)) if match else None


def text_value(rest: str) -> Parsed | None:
    value = rest.strip(" :-—\t")
    return Parsed(value, value) if value else None


def identifier(
    pattern: str, check: Callable[[str], tuple[str, bool, str]]
) -> Callable[[str], Parsed | None]:
    """Digits (or letters) matching `pattern` after the label, compacted and checked."""
    compiled = re.compile(pattern)

    def parse(rest: str) -> Parsed | None:
        match = compiled.search(normalise.fix_ocr_digits(rest).upper())
        if not match:
            return None
        value, valid, problem = check(match.group(0))
        return Parsed(match.group(0).strip(), value, valid, problem)

    return parse


SIREN = identifier(r"(?<!\d)\d{3}[\s.]?\d{3}[\s.]?\d{3}(?![\d])", normalise.check_siren)
SIRET = identifier(r"(?<!\d)\d{3}[\s.]?\d{3}[\s.]?\d{3}[\s.]?\d{5}(?!\d)", normalise.check_siret)
TAX_NUMBER = identifier(r"(?<!\d)\d(?:[\s.]?\d){12}(?!\d)", normalise.check_tax_number)
VAT = identifier(r"\bFR\s?[0-9A-Z]{2}\s?\d{3}\s?\d{3}\s?\d{3}\b", normalise.check_vat)
IBAN = identifier(r"\b[A-Z]{2}\s?\d{2}(?:\s?[0-9A-Z]{4}){2,7}(?:\s?[0-9A-Z]{1,4})?\b",
                  normalise.check_iban)  # fmt: skip
BIC = identifier(r"\b[A-Z]{4}[A-Z]{2}[0-9A-Z]{2}(?:[0-9A-Z]{3})?\b", normalise.check_bic)


def compact_text(rest: str) -> Parsed | None:
    """A reference printed in groups: '25 92 H567637 91' -> '2592H56763791'."""
    raw = rest.strip(" :-—\t|")
    # Letters and digits only: specks of noise read as '|' or ':' are not part of it.
    value = re.sub(r"[^0-9A-Za-z]", "", normalise.compact(raw))
    return Parsed(raw, value) if value else None


def _token(rest: str) -> Parsed | None:
    match = re.search(r"[A-Z0-9][A-Z0-9\-/]{2,}", rest.upper().replace("°", " "))
    return Parsed(match.group(0), match.group(0)) if match else None


# ---------------------------------------------------------------------------
# Per kind
# ---------------------------------------------------------------------------

Rule = tuple[str, tuple[str, ...], Parser]

RULES: dict[str, tuple[Rule, ...]] = {
    "tax_notice": (
        ("reference_tax_income", ("revenu fiscal de référence",), money),
        ("parts", ("nombre de parts",), number),
        ("income_year", ("impôt sur les revenus de l'année", "revenus de l'année"), year),
        ("tax_year", ("avis d'impôt", "avis d'imposition"), year),
        ("tax_number", ("numéro fiscal", "n° fiscal"), TAX_NUMBER),
        ("notice_reference", ("référence de l'avis", "référence avis"), compact_text),
    ),
    "payslip": (
        (
            "net_pay",
            (
                "net à payer avant impôt sur le revenu",
                "net à payer avant impôt",
                "net à payer",
                "net payé",
            ),
            money,
        ),
        ("gross_pay", ("salaire brut", "total brut", "brut"), money),
        ("period", ("période du", "période", "mois de", "bulletin de paie"), period),
        ("employer_siret", ("siret",), SIRET),
    ),
    "invoice": (
        ("total_excl_tax", ("total ht", "montant total ht", "total hors taxes"), money),
        ("vat", ("tva 20 %", "tva 10 %", "tva 5,5 %", "total tva", "montant tva", "tva"), money),
        ("total_incl_tax", ("total ttc", "net à payer", "montant ttc"), money),
        ("issuer_siret", ("siret",), SIRET),
        ("issuer_vat", ("tva intracommunautaire", "n° tva", "numéro de tva"), VAT),
        ("issued_on", ("date :", "date de facturation", "date d'émission", "date"), date),
        (
            "number",
            ("facture n°", "devis n°", "facture no", "devis no", "facture n", "devis n"),
            _token,
        ),
    ),  # fmt: skip
    "rib": (
        ("iban", ("iban (international bank account number)", "iban"), IBAN),
        ("bic", ("bic (bank identifier code)", "bic", "code swift"), BIC),
    ),
    "kbis": (
        ("siren", ("immatriculation au rcs, numéro", "numéro d'identification", "r.c.s."), SIREN),
        ("denomination", ("dénomination ou raison sociale", "dénomination"), text_value),
        ("registered_on", ("date d'immatriculation",), date),
    ),
    "address_proof": (
        ("issued_on", ("facture du", "fait le", "date de facture", "émise le"), date),
    ),
    "budget": (
        (
            "project_budget",
            ("budget total du projet", "total des charges", "total du budget"),
            money,
        ),
    ),
}


def extract_fields(kind: str, document: ReadDocument) -> list[ExtractedField]:
    """The fields levier knows how to find on a document of this kind, each saying whether
    it is sure enough to compare or to check by hand."""
    lines = lines_of(document)
    fields = []
    for name, labels, parse in RULES.get(kind, ()):
        found = labelled(lines, labels, parse)
        if found is not None:
            item = found_field(name, found)
            if parse is money and not item.check_reason:
                item = replace(item, check_reason=_year_shaped(item.raw))
            fields.append(item)
    fields.extend(EXTRAS.get(kind, _nothing)(lines))
    return [assess(item) for item in fields]


def assess(item: ExtractedField, threshold: float | None = None) -> ExtractedField:
    """Mark a value to check by hand: low OCR confidence, unclear pairing or implausible."""
    threshold = min_confidence() if threshold is None else threshold
    reason = item.check_reason or _implausible(item)
    if not reason and item.confidence is not None and item.confidence < threshold:
        reason = _("read by OCR with a confidence of %(confidence)s / 100") % {
            "confidence": f"{item.confidence:.0f}"
        }
    return replace(item, to_check=bool(reason), check_reason=reason)


def _year_shaped(raw: str) -> str:
    """An amount printed as a bare year ('2024'): likely a date's year, not the amount."""
    if re.fullmatch(r"(19|20)\d\d", raw.strip()):
        return _("the amount looks like a year, not an amount")
    return ""


def _implausible(item: ExtractedField) -> str:
    if item.name == "parts":
        try:
            parts = Decimal(item.value)
        except InvalidOperation:
            return _("the number of parts is not a number")
        if not (MIN_PARTS <= parts <= MAX_PARTS and (parts * 4) % 1 == 0):
            return _("a number of parts is between 1 and 10, in quarters of a part")
    if item.name == "number" and item.value.endswith(("-", "/")):
        return _("the number looks cut short")
    return ""


def _nothing(lines: list[Line]) -> Iterator[ExtractedField]:
    return iter(())


def _is_banner(line: Line) -> bool:
    return "specimen" in fold(line.text)


def _printed(name: str, line: Line | None) -> Iterator[ExtractedField]:
    if line is not None and not _is_banner(line):
        yield field_from(name, line, Parsed(line.text, line.text))


def _first_printed_line(lines: list[Line]) -> Line | None:
    return next((line for line in lines if not _is_banner(line)), None)


def _tax_notice_declarants(lines: list[Line]) -> Iterator[ExtractedField]:
    """The holder line(s) printed between the notice's title and the address."""
    for line in lines:
        if after_label(line.text, "impôt sur les revenus", fuzzy=True) is None:
            continue
        holders: list[Line] = []
        following = next_in_column(lines, line)
        while following is not None and len(holders) < 3:
            if (
                re.match(r"\s*\d", following.text)
                or after_label(following.text, "numéro fiscal", fuzzy=True) is not None
            ):
                break
            holders.append(following)
            following = next_in_column(lines, following)
        if holders:
            text = " ".join(holder.text for holder in holders)
            confidences = [c for c in (holder.confidence() for holder in holders) if c is not None]
            yield ExtractedField(
                "declarants",
                text,
                text,
                Evidence(holders[0].page.number, text),
                holders[0].page.source,
                confidence=min(confidences) if confidences else None,
            )
        return


def _payslip_parties(lines: list[Line]) -> Iterator[ExtractedField]:
    yield from _printed("employer_name", line_after(lines, ("employeur",)))
    yield from _printed(
        "employee_name", line_after(lines, ("salarié(e)", "salarié", "salariée", "salarie(e)"))
    )


def _invoice_customer(lines: list[Line]) -> Iterator[ExtractedField]:
    yield from _printed("customer_name", line_after(lines, ("client :", "client")))


def _rib_holder(lines: list[Line]) -> Iterator[ExtractedField]:
    yield from _printed("holder", line_after(lines, ("titulaire du compte", "titulaire")))


def _budget_association(lines: list[Line]) -> Iterator[ExtractedField]:
    for line in lines[1:]:
        if after_label(line.text, "association déclarée", fuzzy=True) is not None:
            yield from _printed("association_name", lines[line.index - 1])
            return
    yield from _printed("association_name", _first_printed_line(lines))


POSTAL_CITY_RE = re.compile(r"(?<!\d)(\d{5})\s+(.+)$")


def _address_proof_parties(lines: list[Line]) -> Iterator[ExtractedField]:
    yield from _printed("issuer", _first_printed_line(lines))
    holder = line_after(lines, ("titulaire du contrat", "locataire", "titulaire"))
    yield from _printed("holder", holder)
    labelled_address = labelled(
        lines,
        ("adresse de consommation", "adresse du logement loué", "adresse du logement"),
        _street_postal_city,
    )
    if labelled_address is not None:
        street, postal_code, city = labelled_address.parsed.value.split("\n")
        for name, value in (("address", street), ("postal_code", postal_code), ("city", city)):
            yield found_field(name, replace(labelled_address, parsed=Parsed(value, value)))
        return
    street = next_in_column(lines, holder) if holder is not None else None
    postal_city = next_in_column(lines, street) if street is not None else None
    if street is None or postal_city is None:
        return
    yield from _printed("address", street)
    match = POSTAL_CITY_RE.search(normalise.fix_ocr_digits(postal_city.text))
    if match:
        yield field_from("postal_code", postal_city, Parsed(match.group(1), match.group(1)))
        yield field_from("city", postal_city, Parsed(match.group(2), match.group(2)))


def _street_postal_city(rest: str) -> Parsed | None:
    """'12 rue X, 75001 Paris' -> street, postal code and city joined by newlines."""
    rest = rest.strip(" :")
    street, _comma, postal_city = rest.rpartition(",")
    match = POSTAL_CITY_RE.search(normalise.fix_ocr_digits(postal_city))
    if not street or not match:
        return None
    return Parsed(rest, f"{street.strip()}\n{match.group(1)}\n{match.group(2).strip()}")


EXTRAS: dict[str, Callable[[list[Line]], Iterator[ExtractedField]]] = {
    "tax_notice": _tax_notice_declarants,
    "payslip": _payslip_parties,
    "invoice": _invoice_customer,
    "rib": _rib_holder,
    "budget": _budget_association,
    "address_proof": _address_proof_parties,
}

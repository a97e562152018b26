"""Find the values a document check compares with declared data, line by line.

Labels are matched on folded text with spaces ignored ('Revenu fiscal de reference',
'Revenufiscal de référence' both match), then fuzzily for long labels, so a missing
accent, a broken space or a misread letter from OCR does not lose the value. Each
value keeps the line it was read on as evidence for the agent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz

from . import normalise
from .normalise import fold
from .types import Evidence, ExtractedField, PageText, ReadDocument

FUZZY_LABEL_CUTOFF = 88
FUZZY_MIN_LABEL = 8  # shorter labels must match exactly: 'tva' fuzzily matches anything

Parser = Callable[[str], "Parsed | None"]


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


def lines_of(document: ReadDocument) -> list[Line]:
    lines = []
    for page in document.pages:
        for text in page.text.split("\n"):
            text = " ".join(text.split())
            if text:
                lines.append(Line(page, text, len(lines)))
    return lines


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


def after_label(text: str, label: str, *, fuzzy: bool) -> str | None:
    """What follows `label` on the line, or None when the label is not there."""
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
    return text[positions[end - 1] + 1 :] if end else text


def labelled(
    lines: list[Line], labels: tuple[str, ...], parse: Parser
) -> tuple[Line, Parsed] | None:
    """The first line holding one of `labels` (exact first, then fuzzy) and a value."""
    for fuzzy in (False, True):
        for label in labels:
            for line in lines:
                rest = after_label(line.text, label, fuzzy=fuzzy)
                if rest is None:
                    continue
                parsed = parse(rest)
                if parsed is None and line.index + 1 < len(lines):
                    # The value wrapped to the next line ('... Fait le' / '18/02/2026.').
                    parsed = parse(f"{rest} {lines[line.index + 1].text}")
                if parsed is not None:
                    return line, parsed
    return None


def line_after(lines: list[Line], labels: tuple[str, ...]) -> Line | None:
    """The line printed under a heading such as 'Employeur' (the heading alone on its line)."""
    for label in labels:
        target = _compact_folded(label)[0]
        for line in lines[:-1]:
            if _compact_folded(line.text)[0] == target:
                return lines[line.index + 1]
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
    )


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
    raw = rest.strip(" :-—\t")
    return Parsed(raw, normalise.compact(raw)) if raw else None


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
        ("net_pay", ("net à payer avant impôt", "net à payer", "net payé"), money),
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
        ("iban", ("iban",), IBAN),
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
    """The fields levier knows how to find on a document of this kind."""
    lines = lines_of(document)
    fields = []
    for name, labels, parse in RULES.get(kind, ()):
        found = labelled(lines, labels, parse)
        if found is not None:
            fields.append(field_from(name, *found))
    fields.extend(EXTRAS.get(kind, _nothing)(lines))
    return fields


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
        holders = []
        for following in lines[line.index + 1 : line.index + 4]:
            if (
                re.match(r"\s*\d", following.text)
                or after_label(following.text, "numéro fiscal", fuzzy=True) is not None
            ):
                break
            holders.append(following)
        if holders:
            text = " ".join(holder.text for holder in holders)
            yield ExtractedField(
                "declarants",
                text,
                text,
                Evidence(holders[0].page.number, text),
                holders[0].page.source,
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
        line, parsed = labelled_address
        street, postal_code, city = parsed.value.split("\n")
        for name, value in (("address", street), ("postal_code", postal_code), ("city", city)):
            yield field_from(name, line, Parsed(value, value))
        return
    if holder is None or holder.index + 2 >= len(lines):
        return
    street, postal_city = lines[holder.index + 1], lines[holder.index + 2]
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

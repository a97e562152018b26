"""Entities found in an enquiry's text: references, identifiers, amounts, dates, places.

`extract(text)` reads what usagers write ("mon SIRET 732 829 320 00074", "le
12 mars 2026", "75011 Paris") and returns each entity with its normalised value and
whether its checksum or calendar holds, so that an agent sees a typo before acting on
it. Precision comes before recall: an ordinary word or number is never reported, and
a malformed identifier is reported only where it cannot be anything else (grouped like
one, or named just before).

`highlight(text, entities)` renders the text as HTML with each entity marked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, partial

import phonenumbers
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy
from stdnum import iban as stdnum_iban
from stdnum import numdb
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from levier.core import geo
from levier.core.text import fold

KIND_LABELS = {
    "case_reference": gettext_lazy("Reference"),
    "siren": gettext_lazy("SIREN"),
    "siret": gettext_lazy("SIRET"),
    "nir": gettext_lazy("Social security number"),
    "iban": gettext_lazy("IBAN"),
    "amount": gettext_lazy("Amount"),
    "date": gettext_lazy("Date"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("Email"),
    "commune": gettext_lazy("Commune"),
}

# When two candidates overlap, the longer wins; at equal length, the earlier kind here.
_PRIORITY = {kind: rank for rank, kind in enumerate(KIND_LABELS)}


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str
    text: str  # as found in the message
    value: str  # normalised: compact identifier, ISO date, E.164, Decimal string, INSEE code
    start: int
    end: int
    valid: bool = True
    note: str = ""  # why it is not valid, in the active language


# -- building blocks -----------------------------------------------------------------

_D = "[0-9]"  # not \d: Arabic-Indic and other Unicode digits are not identifiers
_SEP = "[ .\u00a0\u202f]"  # French typography groups digits with (narrow) no-break spaces
_NOT_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_AFTER = r"(?![0-9])"

# Words just before a number that say what it is, so a bad checksum is worth reporting.
_COMPANY_WORDS = re.compile(r"sir[eé]n|siret|rcs|entreprise|soci[eé]t[eé]|[eé]tablissement")
_NIR_WORDS = re.compile(r"\bnir\b|s[eé]cu|n°\s*ss|num[eé]ro\s+ss|insee|assur[eé]")
_CONTEXT_CHARS = 50


def _named_before(text: str, start: int, words: re.Pattern[str]) -> bool:
    return bool(words.search(text[max(0, start - _CONTEXT_CHARS) : start].lower()))


def _compact(found: str) -> str:
    return re.sub(r"[\s.\-]", "", found).upper()


def _grouped(found: str) -> bool:
    return _compact(found) != found.upper()


Finder = Callable[[str], Iterator[Entity]]


# -- case references -----------------------------------------------------------------

_CASE_REFERENCE = re.compile(
    rf"{_NOT_BEFORE}(?P<prefix>[A-Za-z]{{2,5}})(?P<sep>[ \-]?)(?P<year>20{_D}{{2}})"
    rf"(?P=sep)(?P<number>{_D}{{6}}){_NOT_AFTER}"
)


def _case_references(text: str) -> Iterator[Entity]:
    for match in _CASE_REFERENCE.finditer(text):
        prefix = match["prefix"]
        # "sol-2026-000123" yes; "mon 2026 123456" is too likely to be words and numbers.
        if match["sep"] == " " and not prefix.isupper():
            continue
        value = f"{prefix.upper()}-{match['year']}-{match['number']}"
        yield Entity("case_reference", match[0], value, match.start(), match.end())


# -- SIREN, SIRET, NIR ---------------------------------------------------------------

_SIREN = re.compile(rf"{_NOT_BEFORE}{_D}{{3}}(?P<s>{_SEP}?){_D}{{3}}(?P=s){_D}{{3}}{_NOT_AFTER}")
_SIRET = re.compile(
    rf"{_NOT_BEFORE}{_D}{{3}}(?P<s>{_SEP}?){_D}{{3}}(?P=s){_D}{{3}}{_SEP}?"
    rf"(?:{_D}{{5}}|{_D}{{3}}{_SEP}{_D}{{2}}){_NOT_AFTER}"
)
_NIR = re.compile(
    rf"{_NOT_BEFORE}[1-478]{_SEP}?{_D}{{2}}{_SEP}?(?:0[1-9]|1[0-2]|[2-9]{_D}){_SEP}?"
    rf"(?:{_D}{{2}}|2[ABab]){_SEP}?{_D}{{3}}{_SEP}?{_D}{{3}}{_SEP}?{_D}{{2}}{_NOT_AFTER}"
)


def _checked(
    text: str,
    pattern: re.Pattern[str],
    kind: str,
    is_valid: Callable[[str], bool],
    context: re.Pattern[str],
    note: Callable[[], str],
) -> Iterator[Entity]:
    for match in pattern.finditer(text):
        value = _compact(match[0])
        if is_valid(value):
            yield Entity(kind, match[0], value, match.start(), match.end())
        elif _grouped(match[0]) or _named_before(text, match.start(), context):
            yield Entity(kind, match[0], value, match.start(), match.end(), False, note())


def _sirens(text: str) -> Iterator[Entity]:
    yield from _checked(
        text,
        _SIREN,
        "siren",
        stdnum_siren.is_valid,
        _COMPANY_WORDS,
        lambda: gettext("wrong SIREN check digit"),
    )


def _sirets(text: str) -> Iterator[Entity]:
    # stdnum knows La Poste's SIRETs (356 000 000), which follow another rule.
    yield from _checked(
        text,
        _SIRET,
        "siret",
        stdnum_siret.is_valid,
        _COMPANY_WORDS,
        lambda: gettext("wrong SIRET check digit"),
    )


def _nirs(text: str) -> Iterator[Entity]:
    yield from _checked(
        text,
        _NIR,
        "nir",
        stdnum_nir.is_valid,
        _NIR_WORDS,
        lambda: gettext("wrong social security number key"),
    )


# -- IBAN ----------------------------------------------------------------------------

# Upper case only: "de12 ..." in running text is not an IBAN. Groups of any size, then
# cut at the country's length (what follows may be "BIC" or the next word).
_IBAN = re.compile(rf"{_NOT_BEFORE}[A-Z]{{2}}{_D}{{2}}(?:{_SEP}?[A-Z0-9]){{10,34}}")


@cache
def _iban_length(country: str) -> int | None:
    structure = numdb.get("iban").info(country + "00")[0][1].get("bban")
    if not structure:
        return None
    return 4 + sum(int(size) for size in re.findall(r"(\d+)!?[nac]", structure))


def _length_of(found: str, characters: int) -> int:
    """How much of `found` holds its first `characters` letters and digits."""
    count = 0
    for index, char in enumerate(found):
        count += char.isalnum()
        if count == characters:
            return index + 1
    return len(found)


def _ibans(text: str) -> Iterator[Entity]:
    for match in _IBAN.finditer(text):
        expected = _iban_length(match[0][:2])
        if expected is None:
            continue
        length = _length_of(match[0], expected)
        end = match.start() + length
        found = text[match.start() : end]
        value = _compact(found)
        if len(value) < expected:
            note = gettext("IBAN too short for its country")
        elif stdnum_iban.is_valid(value):
            yield Entity("iban", found, value, match.start(), end)
            continue
        elif value[2:4] != stdnum_iban.calc_check_digits(value):
            note = gettext("wrong IBAN check digits")
        else:
            note = gettext("IBAN not in the layout of its country")
        yield Entity("iban", found, value, match.start(), end, False, note)


# -- amounts -------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"(?<![0-9.,])"
    rf"(?P<number>{_D}{{1,3}}(?:(?P<g>[ .\u00a0\u202f']){_D}{{3}})(?:(?P=g){_D}{{3}})*"
    rf"|{_D}+)"
    rf"(?P<decimals>,{_D}{{1,2}}|\.{_D}{{1,2}}(?!{_D}))?"
    r"[ \u00a0\u202f]?"
    r"(?P<unit>(?i:k€|m€|k ?euros?\b|millions? d['’]euros?\b|€|euros?\b|eur\b))"
)
_MULTIPLIERS = {"k": Decimal(1000), "m": Decimal(1_000_000)}
MAX_AMOUNT_DIGITS = 15


def _amount_value(match: re.Match[str]) -> str | None:
    digits = re.sub(r"[^0-9]", "", match["number"])
    if len(digits.lstrip("0")) > MAX_AMOUNT_DIGITS:
        return None  # no amount a usager writes has this many digits: a reference, a typo
    decimals = (match["decimals"] or "")[1:]
    try:
        amount = Decimal(f"{digits}.{decimals or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return None
    multiplier = _MULTIPLIERS.get(match["unit"][0].lower(), Decimal(1))
    return str((amount * multiplier).quantize(Decimal("0.01")))


def _amounts(text: str) -> Iterator[Entity]:
    for match in _AMOUNT.finditer(text):
        value = _amount_value(match)
        if value is not None:
            yield Entity("amount", match[0], value, match.start(), match.end())


# -- dates ---------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(
    r"(?<![0-9./\-])(?P<day>0?[1-9]|[12][0-9]|3[01])(?P<sep>[/.\-])(?P<month>0?[1-9]|1[0-2])"
    r"(?P=sep)(?P<year>[0-9]{4}|[0-9]{2})(?![0-9]|[/.\-][0-9])"
)
_MONTHS = {
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "fév": 2,
    "fev": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7,
    "août": 8, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11, "décembre": 12, "decembre": 12, "déc": 12, "dec": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WORDED_DATE = re.compile(
    rf"(?<!\w)(?P<day>1er|0?[1-9]|[12][0-9]|3[01])[ \u00a0]+(?P<month>(?i:{_MONTH_NAMES}))"
    r"(?:\.|\b)[ \u00a0]+(?P<year>[0-9]{4})(?![0-9])"
)
# "12/03/85" is a birth date in 1985, "12/03/26" a date in 2026.
_CENTURY_PIVOT = 70


def _full_year(year: str) -> int:
    if len(year) == 4:
        return int(year)
    return (1900 if int(year) >= _CENTURY_PIVOT else 2000) + int(year)


def _date_entity(match: re.Match[str], month: int) -> Entity:
    day = 1 if match["day"] == "1er" else int(match["day"])
    year = _full_year(match["year"])
    value = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        dt.date(year, month, day)
    except ValueError:
        return Entity(
            "date", match[0], value, match.start(), match.end(), False, gettext("no such date")
        )
    return Entity("date", match[0], value, match.start(), match.end())


def _dates(text: str) -> Iterator[Entity]:
    for match in _NUMERIC_DATE.finditer(text):
        yield _date_entity(match, int(match["month"]))
    for match in _WORDED_DATE.finditer(text):
        month = _MONTHS.get(match["month"].lower())
        if month is not None:  # IGNORECASE may match odd Unicode case folds
            yield _date_entity(match, month)


# -- phone numbers -------------------------------------------------------------------

_PHONE_SEP = r"[ .\-\u00a0]?"
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+])(?:"
    rf"(?:\+|00)(?:33|262|269|508|590|594|596|687|689){_PHONE_SEP}(?:\(0\){_PHONE_SEP})?"
    rf"[1-9](?:{_PHONE_SEP}[0-9]){{5,8}}"
    rf"|0[1-9](?:{_PHONE_SEP}[0-9]){{8}}"
    rf"|\+[1-9](?:{_PHONE_SEP}[0-9]){{6,13}}"
    rf"){_NOT_AFTER}"
)
# National numbers may be overseas: 0262 is La Réunion (+262), 0690 Guadeloupe (+590).
_REGIONS = ("FR", "RE", "GP", "MQ", "GF", "YT", "PM")


def _phone_value(found: str) -> str | None:
    for region in _REGIONS:
        try:
            number = phonenumbers.parse(found.replace("(0)", ""), region)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if found.startswith(("+", "00")):
            return None  # the country is written: no other region to try
    return None


def _phones(text: str) -> Iterator[Entity]:
    for match in _PHONE.finditer(text):
        value = _phone_value(match[0])
        if value:
            yield Entity("phone", match[0], value, match.start(), match.end())
        elif match[0].startswith("0"):  # ten digits from 0: a French number, mistyped
            note = gettext("no such phone number")
            yield Entity("phone", match[0], _compact(match[0]), *match.span(), False, note)


# -- emails --------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@"
    r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}(?![\w\-])"
)


def _emails(text: str) -> Iterator[Entity]:
    for match in _EMAIL.finditer(text):
        local, _at, domain = match[0].rpartition("@")
        yield Entity("email", match[0], f"{local}@{domain.lower()}", match.start(), match.end())


# -- communes ------------------------------------------------------------------------

_WORD = r"[^\W\d_]+"
# Up to the longest commune name, words joined by a space, hyphen or apostrophe.
_NAME_WORDS = re.compile(rf"{_WORD}(?:(?:[ \-'’\u00a0]|[ \u00a0]?-[ \u00a0]?){_WORD}){{0,9}}")
_WORD_SPANS = re.compile(_WORD)
_POSTAL_CODE = re.compile(rf"(?<![0-9A-Za-z])(?P<code>{_D}{{5}})[ \u00a0]+(?=[^\W\d_])")
# The word before a bare name and the article it hides: "au Mans" is "Le Mans".
_BEFORE_NAME = re.compile(
    r"(?<!\w)(?P<word>(?i:à|de|du|au|aux|des|sur)[ \u00a0]+|(?i:d)['’])(?=[^\W\d_])"
)
_HIDDEN_ARTICLE = {"du": "le ", "au": "le ", "aux": "les ", "des": "les "}
# Communes whose name is more often something else: a company, a city abroad, a word.
_NOT_PLACES = frozenset({"orange", "gap", "vienne", "bruges", "plaisir", "fontaine", "croix"})


def _longest_name(
    text: str, position: int, lookup: Callable[[str], geo.Commune | None]
) -> tuple[int, geo.Commune] | None:
    """The longest run of words from `position` that `lookup` finds: (end, commune)."""
    run = _NAME_WORDS.match(text, position)
    if not run:
        return None
    ends = [word.end() for word in _WORD_SPANS.finditer(text, position, run.end())]
    for end in reversed(ends[: geo.longest_commune_name() + 1]):
        if text[end : end + 1] in ("-", "'", "’"):
            continue  # "Saint-Denis" is not the start of "Saint-Denis-de-Pile"
        commune = lookup(geo.commune_name_key(text[position:end]))
        if commune is not None:
            return end, commune
    return None


def _communes_at_postal_codes(text: str) -> Iterator[Entity]:
    for match in _POSTAL_CODE.finditer(text):
        code = match["code"]
        found = _longest_name(
            text, match.end(), lambda key, code=code: geo.commune_at_postal_code(key, code)
        )
        if found:
            end, commune = found
            yield Entity("commune", text[match.start() : end], commune.code, match.start(), end)


def _followed_by_a_name(text: str, end: int) -> bool:
    """'à Nancy Martin': a person's name, not the city."""
    after = re.match(r"[ \u00a0]+([^\W\d_])", text[end : end + 3])
    return bool(after and after[1].isupper())


def _prominent_named(article: str, key: str) -> geo.Commune | None:
    return None if key in _NOT_PLACES else geo.prominent_commune(article + key)


def _prominent_communes(text: str) -> Iterator[Entity]:
    for match in _BEFORE_NAME.finditer(text):
        start = match.end()
        if not text[start].isupper():
            continue
        article = _HIDDEN_ARTICLE.get(fold(match["word"]).strip(), "")
        found = _longest_name(text, start, partial(_prominent_named, article))
        if found and not _followed_by_a_name(text, found[0]):
            end, commune = found
            yield Entity("commune", text[start:end], commune.code, start, end)


# -- putting it together -------------------------------------------------------------

_FINDERS: tuple[Finder, ...] = (
    _case_references,
    _sirets,
    _sirens,
    _nirs,
    _ibans,
    _amounts,
    _dates,
    _phones,
    _emails,
    _communes_at_postal_codes,
    _prominent_communes,
)


def _without_overlaps(candidates: list[Entity], length: int) -> list[Entity]:
    """Longest first (a SIRET over the SIREN inside it), then the most specific kind."""
    taken = bytearray(length)
    kept = []
    for entity in sorted(candidates, key=lambda e: (e.start - e.end, _PRIORITY[e.kind], e.start)):
        if not any(taken[entity.start : entity.end]):
            taken[entity.start : entity.end] = b"\x01" * (entity.end - entity.start)
            kept.append(entity)
    return sorted(kept, key=lambda e: e.start)


def extract(text: str) -> list[Entity]:
    """The entities of `text`, by position, none overlapping another."""
    if not isinstance(text, str) or not text:
        return []
    candidates = [entity for finder in _FINDERS for entity in finder(text)]
    return _without_overlaps(candidates, len(text))


# -- HTML ----------------------------------------------------------------------------


def _shown_value(entity: Entity) -> str:
    if entity.kind == "commune":
        commune = geo.communes().get(entity.value)
        if commune is not None:
            return f"{commune.name} ({commune.code})"
    return entity.value


def _title(entity: Entity) -> str:
    values = {"label": KIND_LABELS.get(entity.kind, entity.kind), "value": _shown_value(entity)}
    if entity.valid:
        return gettext("%(label)s: %(value)s") % values
    return gettext("%(label)s: %(value)s (%(note)s)") % {**values, "note": entity.note}


def _mark(entity: Entity, found: str, link: tuple[str, str] | None) -> SafeString:
    classes = f"levier-entity levier-entity--{entity.kind}"
    if not entity.valid:
        classes += " levier-entity--invalid"
    inner = escape(found)
    if link is not None:
        inner = format_html('<a href="{}" title="{}">{}</a>', link[0], link[1], found)
    return format_html('<mark class="{}" title="{}">{}</mark>', classes, _title(entity), inner)


def highlight(
    text: str,
    entities: Sequence[Entity],
    links: dict[int, tuple[str, str]] | None = None,
) -> SafeString:
    """`text` as HTML with each entity in a <mark>; `links` maps an entity's index to
    (url, label). Newlines are kept for a `white-space: pre-line` container."""
    links = links or {}
    parts: list[str] = []
    position = 0
    for index, entity in sorted(enumerate(entities), key=lambda pair: pair[1].start):
        if entity.start < position or entity.end > len(text) or entity.start >= entity.end:
            continue  # overlapping or stale: leave that text plain
        parts.append(escape(text[position : entity.start]))
        parts.append(_mark(entity, text[entity.start : entity.end], links.get(index)))
        position = entity.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # every part is escaped above

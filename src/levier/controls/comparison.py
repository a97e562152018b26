"""Comparing what a document says with what the usager declared.

Per field: matches, differs (both values, with the page and line as evidence),
missing (the document does not show it) or to check by hand (the value was read by OCR
without enough confidence, or paired with its label unclearly: it is shown to the agent
with the reason, never compared as if certain, and never raises a flag on its own). A genuine 2D-Doc is the strongest evidence:
its signed values are compared with the declaration, and a printed value that differs
from the signed one is a warning. A document whose names or identifiers are not the
usager's is a warning too. Pure functions: the services store and journal the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from levier.core.text import fold

from .presenters import FOUND_FIELD_LABELS
from .reading.types import Evidence, ExtractedField, TwoDDocReading

# Values read on each kind of document that name its holder (checked against the usager).
HOLDER_FIELDS = {
    "tax_notice": "declarants",
    "payslip": "employee_name",
    "invoice": "customer_name",
    "rib": "holder",
    "kbis": "denomination",
    "address_proof": "holder",
    "budget": "association_name",
}
# Below this similarity (0-100) between the holder's name and the usager's, the document
# may not be the usager's.
HOLDER_MIN_SIMILARITY = 60
DEFAULT_FUZZY_SIMILARITY = 85


# How a value is shown in a sentence, by the declared field it is compared with.
Shown = Callable[[str, str], str]


def as_is(field: str, value: str) -> str:
    return value


@dataclass(frozen=True)
class ComparisonRule:
    document_kind: str
    found_field: str
    declared_field: str  # a case data key, or "key.part" inside an address
    method: str = "exact"  # exact, percent, fuzzy
    tolerance: float = 0.0


@dataclass(frozen=True)
class Comparison:
    field: str
    declared_field: str
    status: str  # matches, differs, missing, to_check
    declared: str
    found: str = ""
    page: int | None = None
    snippet: str = ""
    source: str = ""
    method: str = "exact"
    reason: str = ""  # why to check by hand, translated
    agrees: bool | None = None  # to check: whether the unsure value agrees with the declaration

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ComparisonReport:
    comparisons: list[Comparison] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Doubts on unsure values (a holder's name read badly...): shown, never flagged.
    to_check: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        statuses = {comparison.status for comparison in self.comparisons}
        if "differs" in statuses or self.warnings:
            return "differs"
        if "to_check" in statuses or self.to_check:
            return "to_check"
        if "missing" in statuses:
            return "incomplete"
        return "matches" if statuses else "not_compared"

    def reasons(self, labels: dict[str, str], shown: Shown = as_is) -> list[str]:
        """Sentences for the flag: each difference, then each warning."""
        sentences = [
            _("%(label)s: %(declared)s declared, %(found)s on the document (page %(page)s).")
            % {
                "label": labels.get(c.declared_field, c.declared_field),
                "declared": shown(c.declared_field, c.declared),
                "found": shown(c.declared_field, c.found),
                "page": c.page or "?",
            }
            for c in self.comparisons
            if c.status == "differs"
        ]
        return sentences + list(self.warnings)


def declared_value(data: dict[str, Any], path: str) -> Any:
    key, _dot, part = path.partition(".")
    value = data.get(key)
    if part:
        return value.get(part) if isinstance(value, dict) else None
    return value


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        return None


def _compact(value: Any) -> str:
    return "".join(str(value).split()).upper()


def values_match(declared: Any, found: str, *, method: str, tolerance: float) -> bool:
    if method == "fuzzy":
        minimum = tolerance or DEFAULT_FUZZY_SIMILARITY
        return fuzz.token_set_ratio(fold(str(declared)), fold(found)) >= minimum
    declared_text, found_text = _compact(declared), _compact(found)
    # A SIREN read on the document against a declared SIRET: the SIRET starts with it.
    if len(found_text) == 9 and len(declared_text) == 14 and declared_text.isdigit():
        return declared_text[:9] == found_text
    left, right = _decimal(declared), _decimal(found)
    if left is not None and right is not None:
        if method == "percent":
            return abs(left - right) <= abs(left) * Decimal(str(tolerance)) / 100
        return left == right
    return declared_text == found_text


def _best_values(
    extracted: Sequence[ExtractedField], reading: TwoDDocReading | None
) -> dict[str, ExtractedField]:
    """One value per field: the signed 2D-Doc value when genuine, else the first read."""
    values: dict[str, ExtractedField] = {}
    for item in extracted:
        # A sure reading of a field wins over an unsure one of the same field.
        if item.name not in values or (values[item.name].to_check and not item.to_check):
            values[item.name] = item
    if reading and reading.found and reading.authentic:
        for name, value in reading.fields.items():
            printed = values.get(name)
            page = printed.evidence.page if printed else 1
            snippet = _("signed 2D-Doc barcode")
            values[name] = ExtractedField(
                name=name,
                value=value,
                raw=value,
                evidence=Evidence(page, snippet),
                source="2ddoc",
            )
    return values


def printed_as_signed(printed: str, signed: str) -> bool:
    """2D-Doc text is upper-case ASCII: names compare folded, numbers as numbers."""
    left, right = _decimal(printed), _decimal(signed)
    if left is not None and right is not None:
        return left == right
    return fold(_compact(printed)) == fold(_compact(signed))


def two_d_doc_warnings(
    extracted: Sequence[ExtractedField],
    reading: TwoDDocReading | None,
    labels: dict[str, str],
    shown: Shown = as_is,
    declared_fields: dict[str, str] | None = None,
) -> list[str]:
    if not reading or not reading.found:
        return []
    if reading.authentic is False:
        return [
            _(
                "The 2D-Doc barcode is not genuine (%(problem)s): the document may have been "
                "altered. Ask the usager for the original or check with its issuer."
            )
            % {"problem": reading.problem or _("invalid signature")}
        ]
    if not reading.authentic:
        return []
    warnings = []
    printed = {item.name: item for item in extracted}
    declared_fields = declared_fields or {}
    for name, signed in reading.fields.items():
        item = printed.get(name)
        # An unsure printed value is no evidence of an altered page: the signed one is used.
        if item and not item.to_check and not printed_as_signed(item.value, signed):
            declared_field = declared_fields.get(name, "")
            label = labels.get(declared_field) or FOUND_FIELD_LABELS.get(name, name)
            warnings.append(
                _(
                    "%(label)s printed on page %(page)s (%(printed)s) differs from the value "
                    "signed in the 2D-Doc (%(signed)s): the page was probably altered."
                )
                % {
                    "label": label,
                    "page": item.evidence.page,
                    "printed": item.raw or item.value,
                    "signed": shown(declared_field or name, signed),
                }
            )
    return warnings


def holder_warnings(
    kind: str,
    values: dict[str, ExtractedField],
    *,
    usager_names: Iterable[str],
    usager_identifiers: dict[str, str],
    to_check: list[str] | None = None,
) -> list[str]:
    """Warnings when the document's names or identifiers are not the usager's.

    A name or identifier read unsurely is no ground for a warning: its doubt goes to
    `to_check`, for the agent to look at the document."""
    warnings = []
    doubts = [] if to_check is None else to_check
    names = [name for name in usager_names if name and name.strip()]
    holder = values.get(HOLDER_FIELDS.get(kind, ""))
    if holder and names:
        best = max(fuzz.token_set_ratio(fold(holder.value), fold(name)) for name in names)
        if best < HOLDER_MIN_SIMILARITY:
            if holder.to_check:
                doubts.append(
                    _unsure_sentence(str(FOUND_FIELD_LABELS.get(holder.name, holder.name)), holder)
                )
            else:
                warnings.append(
                    _(
                        "The document is in the name of “%(holder)s” (page %(page)s), not of "
                        "the usager (%(usager)s): it may not belong to them."
                    )
                    % {"holder": holder.value, "page": holder.evidence.page, "usager": names[0]}
                )
    for name, own in usager_identifiers.items():
        item = values.get(name)
        if item and own and not values_match(own, item.value, method="exact", tolerance=0):
            if item.to_check:
                doubts.append(_unsure_sentence(name.upper(), item))
                continue
            warnings.append(
                _(
                    "The %(identifier)s on the document (%(found)s, page %(page)s) is not the "
                    "usager's (%(own)s)."
                )
                % {
                    "identifier": name.upper(),
                    "found": item.value,
                    "page": item.evidence.page,
                    "own": own,
                }
            )
    return warnings


def _unsure_sentence(label: str, item: ExtractedField) -> str:
    return _("%(label)s read as “%(found)s” (page %(page)s) to check by hand: %(reason)s.") % {
        "label": label,
        "found": item.value,
        "page": item.evidence.page,
        "reason": item.check_reason,
    }


def compare(
    *,
    shown: Shown = as_is,
    kind: str,
    extracted: Sequence[ExtractedField],
    reading: TwoDDocReading | None,
    data: dict[str, Any],
    rules: Sequence[ComparisonRule],
    labels: dict[str, str],
    usager_names: Iterable[str] = (),
    usager_identifiers: dict[str, str] | None = None,
) -> ComparisonReport:
    """Compare a document's values with the declared data, by the procedure's rules."""
    values = _best_values(extracted, reading)
    report = ComparisonReport()
    for rule in rules:
        if rule.document_kind != kind:
            continue
        declared = declared_value(data, rule.declared_field)
        if declared in (None, ""):
            continue  # nothing declared: nothing to compare
        declared_text = str(declared)
        item = values.get(rule.found_field)
        if item is None:
            report.comparisons.append(
                Comparison(
                    rule.found_field,
                    rule.declared_field,
                    "missing",
                    declared_text,
                    method=rule.method,
                )
            )
            continue
        same = values_match(declared, item.value, method=rule.method, tolerance=rule.tolerance)
        if item.to_check:
            status = "to_check"
        else:
            status = "matches" if same else "differs"
        report.comparisons.append(
            Comparison(
                field=rule.found_field,
                declared_field=rule.declared_field,
                status=status,
                declared=declared_text,
                found=item.value,
                page=item.evidence.page,
                snippet=item.evidence.snippet[:200],
                source=item.source,
                method=rule.method,
                reason=item.check_reason if item.to_check else "",
                agrees=same if item.to_check else None,
            )
        )
    declared_fields = {rule.found_field: rule.declared_field for rule in rules}
    report.warnings.extend(two_d_doc_warnings(extracted, reading, labels, shown, declared_fields))
    report.warnings.extend(
        holder_warnings(
            kind,
            values,
            usager_names=usager_names,
            usager_identifiers=usager_identifiers or {},
            to_check=report.to_check,
        )
    )
    return report

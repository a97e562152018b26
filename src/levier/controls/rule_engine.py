"""Evaluation of control rules on the facts of a case: pure functions, no database.

`evaluate()` gives one `RuleResult` per rule and case: passed, failed or not applicable,
with a sentence an agent can repeat to the usager naming the values involved, and the
values themselves as JSON evidence. It never raises on a case's data: a value that
cannot be read makes the rule not applicable, with the reason.

Duplicate rules look across cases through a `DuplicateIndex` built once per batch (or
from the other cases when one case is submitted). Parameters are expected as cleaned by
`rule_kinds.validate_parameters()`; a misconfigured rule is not applicable, too.
"""

from __future__ import annotations

import datetime
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import ngettext as django_ngettext

from levier.cases.schema import field_labels  # noqa: F401 (part of this module's API)
from levier.contacts.identifiers import compact
from levier.core.french import NARROW_NBSP, format_long_date, format_money, format_number

from .rule_kinds import NUMERIC_TYPES, OPERATORS, parse_date, parse_number

PASSED, FAILED, NOT_APPLICABLE = "passed", "failed", "not_applicable"
OUTCOMES = (PASSED, FAILED, NOT_APPLICABLE)
# Duplicate evidence lists at most this many other cases (and counts them all).
MAX_LISTED_CASES = 20


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What a rule sees of a case."""

    case_id: int
    contact_id: int
    data: dict  # declared data, JSON as stored
    submitted_on: datetime.date
    documents: dict[str, list[str]]  # file field name -> sha256 of the documents present


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: int
    kind: str
    name: str
    parameters: dict


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule_id: int
    outcome: str  # "passed" | "failed" | "not_applicable"
    explanation: str  # translated sentence naming the values
    evidence: dict  # the values involved, JSON-serialisable


# ---------------------------------------------------------------------------
# Translation, memoised: a batch writes the same few sentences hundreds of thousands
# of times, and Django's catalogue lookups were a third of the evaluation time.
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=2048)
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


@functools.lru_cache(maxsize=2048)
def _translated_plural(language: str | None, singular: str, plural: str, count: int) -> str:
    return django_ngettext(singular, plural, count)


def _(message: str) -> str:
    return _translated(get_language(), message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translated_plural(get_language(), singular, plural, count)


# ---------------------------------------------------------------------------
# Cross-case index for the duplicate rules
# ---------------------------------------------------------------------------


def document_hashes(facts: CaseFacts) -> Iterator[tuple[str, str]]:
    """(file field, sha256) of the case's documents, skipping whatever is not a hash."""
    documents = facts.documents if isinstance(facts.documents, dict) else {}
    for field, hashes in documents.items():
        if isinstance(hashes, list | tuple):
            for sha256 in hashes:
                if isinstance(sha256, str) and sha256:
                    yield field, sha256


def compact_iban(value: Any) -> str:
    """The IBAN as compared across cases: no separators, upper case; '' when not a text."""
    return compact(value) if isinstance(value, str) else ""


class DuplicateIndex:
    """Which cases hold a given IBAN or document hash; adding a case twice changes nothing."""

    def __init__(self, iban_fields: str | Iterable[str] = "iban") -> None:
        self.iban_fields = (iban_fields,) if isinstance(iban_fields, str) else tuple(iban_fields)
        # IBAN -> {case_id: contact_id}, and how many of those cases each contact has.
        self._iban_cases: dict[str, dict[int, int]] = {}
        self._iban_contacts: dict[str, Counter[int]] = {}
        # sha256 -> {case_id: None}, a dict for ordered, de-duplicated case ids.
        self._document_cases: dict[str, dict[int, None]] = {}

    @classmethod
    def build(
        cls, facts: Iterable[CaseFacts], iban_field: str | Iterable[str] = "iban"
    ) -> DuplicateIndex:
        index = cls(iban_field)
        for case in facts:
            index.add(case)
        return index

    def add(self, facts: CaseFacts) -> None:
        data = facts.data if isinstance(facts.data, dict) else {}
        for field in self.iban_fields:
            iban = compact_iban(data.get(field))
            if iban:
                self._add_iban(iban, facts.case_id, facts.contact_id)
        for _field, sha256 in document_hashes(facts):
            self._document_cases.setdefault(sha256.lower(), {})[facts.case_id] = None

    def _add_iban(self, iban: str, case_id: int, contact_id: int) -> None:
        cases = self._iban_cases.setdefault(iban, {})
        contacts = self._iban_contacts.setdefault(iban, Counter())
        previous = cases.get(case_id)
        if previous == contact_id:
            return
        if previous is not None:
            contacts[previous] -= 1
        cases[case_id] = contact_id
        contacts[contact_id] += 1

    def cases_with_iban(self, iban: str) -> list[tuple[int, int]]:
        """(case_id, contact_id) of the cases holding `iban` (compacted, upper-cased)."""
        return list(self._iban_cases.get(compact_iban(iban), {}).items())

    def cases_with_document(self, sha256: str) -> list[int]:
        return list(self._document_cases.get(str(sha256).lower(), ()))

    def other_contacts_cases(
        self, iban: str, *, case_id: int, contact_id: int, limit: int = MAX_LISTED_CASES
    ) -> tuple[list[int], int]:
        """Up to `limit` cases of other contacts holding `iban`, and how many there are."""
        key = compact_iban(iban)
        cases = self._iban_cases.get(key)
        if not cases:
            return [], 0
        total = len(cases) - self._iban_contacts[key][contact_id]
        indexed_contact = cases.get(case_id)
        if indexed_contact is not None and indexed_contact != contact_id:
            total -= 1  # the case itself, indexed under the contact it had before a merge
        listed: list[int] = []
        if total > 0:
            for other_case, other_contact in cases.items():
                if other_contact != contact_id and other_case != case_id:
                    listed.append(other_case)
                    if len(listed) >= limit:
                        break
        return listed, max(total, 0)


# ---------------------------------------------------------------------------
# Values and their French display
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    labels: dict[str, str]
    index: DuplicateIndex | None
    today: datetime.date

    def label(self, name: str) -> str:
        label = self.labels.get(name)
        if label:
            return label
        if name == "submitted_on":
            return _("Submission date")
        if name == "today":
            return _("Today")
        return name


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def _parse(value: Any, field_type: str) -> Decimal | datetime.date | None:
    return parse_date(value) if field_type == "date" else parse_number(value)


def _display(value: Decimal | datetime.date, field_type: str) -> str:
    if field_type == "date":
        return format_long_date(value)
    if field_type == "money":
        return format_money(value)
    return format_number(value)


def _json_value(value: Decimal | datetime.date) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else format(value, "f")


def _raw_shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _type_of(params: dict, key: str) -> str | None:
    """A field type recorded by validation, if it is one."""
    value = params.get(key)
    return value if isinstance(value, str) else None


def _guess_type(*values: Any) -> str:
    """For parameters cleaned before types were recorded: a date if it reads as one."""
    return "date" if any(parse_date(v) is not None for v in values) else "number"


def _result(rule: RuleSpec, outcome: str, explanation: str, **evidence: Any) -> RuleResult:
    return RuleResult(rule.id, outcome, explanation, evidence)


def _unreadable(rule: RuleSpec, ctx: _Context, field: str, value: Any, field_type: str):
    if field_type == "date":
        message = _("%(label)s (“%(value)s”) is not a date that can be read; check it by hand.")
    else:
        message = _("%(label)s (“%(value)s”) is not a number that can be read; check it by hand.")
    return _result(
        rule,
        NOT_APPLICABLE,
        message % {"label": ctx.label(field), "value": _raw_shown(value)},
        field=field,
        value=_raw_shown(value),
    )


def _not_filled(rule: RuleSpec, ctx: _Context, field: str) -> RuleResult:
    return _result(
        rule,
        NOT_APPLICABLE,
        _("%(label)s is not filled in.") % {"label": ctx.label(field)},
        field=field,
    )


def _misconfigured(rule: RuleSpec, problem: str) -> RuleResult:
    return _result(
        rule,
        NOT_APPLICABLE,
        _("The rule “%(name)s” is misconfigured (%(problem)s); an administrator must fix it.")
        % {"name": rule.name, "problem": problem},
        error=problem,
    )


# ---------------------------------------------------------------------------
# Comparisons: one sentence per operator and outcome, for numbers and for dates
# ---------------------------------------------------------------------------

COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
# Marked for translation here, translated when a result is written.
NUMBER_SENTENCES: dict[tuple[str, bool], str] = {
    ("<", True): gettext_noop("%(label)s (%(value)s) is below the limit of %(limit)s."),
    ("<", False): gettext_noop("%(label)s (%(value)s) is not below the limit of %(limit)s."),
    ("<=", True): gettext_noop("%(label)s (%(value)s) is within the ceiling of %(limit)s."),
    ("<=", False): gettext_noop("%(label)s (%(value)s) is above the ceiling of %(limit)s."),
    (">", True): gettext_noop("%(label)s (%(value)s) is above the floor of %(limit)s."),
    (">", False): gettext_noop("%(label)s (%(value)s) is not above the floor of %(limit)s."),
    (">=", True): gettext_noop("%(label)s (%(value)s) reaches the minimum of %(limit)s."),
    (">=", False): gettext_noop("%(label)s (%(value)s) is below the minimum of %(limit)s."),
    ("==", True): gettext_noop("%(label)s (%(value)s) equals the expected %(limit)s."),
    ("==", False): gettext_noop("%(label)s (%(value)s) differs from the expected %(limit)s."),
    ("!=", True): gettext_noop("%(label)s (%(value)s) differs from the excluded %(limit)s."),
    ("!=", False): gettext_noop("%(label)s (%(value)s) equals the excluded %(limit)s."),
}
DATE_SENTENCES: dict[tuple[str, bool], str] = {
    ("<", True): gettext_noop("%(label)s (%(value)s) is before %(limit)s."),
    ("<", False): gettext_noop("%(label)s (%(value)s) is not before %(limit)s."),
    ("<=", True): gettext_noop("%(label)s (%(value)s) is not after %(limit)s."),
    ("<=", False): gettext_noop("%(label)s (%(value)s) is after %(limit)s."),
    (">", True): gettext_noop("%(label)s (%(value)s) is after %(limit)s."),
    (">", False): gettext_noop("%(label)s (%(value)s) is not after %(limit)s."),
    (">=", True): gettext_noop("%(label)s (%(value)s) is not before %(limit)s."),
    (">=", False): gettext_noop("%(label)s (%(value)s) is before %(limit)s."),
    ("==", True): gettext_noop("%(label)s (%(value)s) is the expected date, %(limit)s."),
    ("==", False): gettext_noop("%(label)s (%(value)s) is not the expected date, %(limit)s."),
    ("!=", True): gettext_noop("%(label)s (%(value)s) is not the excluded date, %(limit)s."),
    ("!=", False): gettext_noop("%(label)s (%(value)s) is the excluded date, %(limit)s."),
}


def _comparison_sentence(
    operator: str, holds: bool, field_type: str, label: str, value: str, limit: str
) -> str:
    table = DATE_SENTENCES if field_type == "date" else NUMBER_SENTENCES
    return _(table[(operator, holds)]) % {"label": label, "value": value, "limit": limit}


# ---------------------------------------------------------------------------
# One evaluator per kind
# ---------------------------------------------------------------------------


def _threshold(rule: RuleSpec, facts: CaseFacts, ctx: _Context) -> RuleResult:
    params = rule.parameters
    field, operator = params.get("field"), params.get("operator")
    if not isinstance(field, str) or operator not in OPERATORS:
        return _misconfigured(rule, _("field or operator missing"))
    field_type = _type_of(params, "field_type") or _guess_type(params.get("value"))
    limit = _parse(params.get("value"), field_type)
    if limit is None:
        return _misconfigured(rule, _("the value cannot be read"))
    raw = facts.data.get(field)
    if _is_empty(raw):
        return _not_filled(rule, ctx, field)
    value = _parse(raw, field_type)
    if value is None:
        return _unreadable(rule, ctx, field, raw, field_type)
    holds = COMPARE[operator](value, limit)
    sentence = _comparison_sentence(
        operator,
        holds,
        field_type,
        ctx.label(field),
        _display(value, field_type),
        _display(limit, field_type),
    )
    return _result(
        rule,
        PASSED if holds else FAILED,
        sentence,
        field=field,
        value=_json_value(value),
        operator=operator,
        limit=_json_value(limit),
    )


def _percent(factor: Decimal) -> str:
    return f"{format_number(factor * 100)}{NARROW_NBSP}%"


def _coherence(rule: RuleSpec, facts: CaseFacts, ctx: _Context) -> RuleResult:
    params = rule.parameters
    left, right, operator = params.get("left"), params.get("right"), params.get("operator")
    if not isinstance(left, str) or not isinstance(right, str) or operator not in OPERATORS:
        return _misconfigured(rule, _("left, right or operator missing"))
    left_raw, right_raw = facts.data.get(left), facts.data.get(right)
    left_type = _type_of(params, "left_type") or _guess_type(left_raw)
    right_type = _type_of(params, "right_type") or _guess_type(right_raw)
    factor = parse_number(params.get("factor", "1"))
    if factor is None or (left_type == "date") != (right_type == "date"):
        return _misconfigured(rule, _("the factor or the field types do not fit"))
    for name, raw in ((left, left_raw), (right, right_raw)):
        if _is_empty(raw):
            return _not_filled(rule, ctx, name)
    left_value = _parse(left_raw, left_type)
    if left_value is None:
        return _unreadable(rule, ctx, left, left_raw, left_type)
    right_value = _parse(right_raw, right_type)
    if right_value is None:
        return _unreadable(rule, ctx, right, right_raw, right_type)

    reference = _display(right_value, right_type)
    bound = right_value
    if left_type != "date" and factor != 1:
        bound = right_value * factor
    holds = COMPARE[operator](left_value, bound)
    limit = _coherence_limit(ctx.label(right), reference, factor, bound, left_type)
    sentence = _comparison_sentence(
        operator, holds, left_type, ctx.label(left), _display(left_value, left_type), limit
    )
    return _result(
        rule,
        PASSED if holds else FAILED,
        sentence,
        left=left,
        left_value=_json_value(left_value),
        operator=operator,
        right=right,
        right_value=_json_value(right_value),
        factor=format(factor, "f"),
        bound=_json_value(bound),
    )


def _coherence_limit(
    right_label: str, reference: str, factor: Decimal, bound: Any, left_type: str
) -> str:
    if left_type == "date" or factor == 1:
        return _("%(label)s (%(value)s)") % {"label": right_label, "value": reference}
    return _("%(percent)s of %(label)s (%(value)s), that is %(bound)s") % {
        "percent": _percent(factor),
        "label": right_label,
        "value": reference,
        "bound": _display(bound, left_type),
    }


def _condition_in_words(rule: RuleSpec, facts: CaseFacts, ctx: _Context) -> RuleResult | str:
    """The condition of a required_document rule in words when it holds, else the
    not-applicable result saying why."""
    params = rule.parameters
    field = params["when_field"]
    raw = facts.data.get(field)
    label = ctx.label(field)
    if _is_empty(raw):
        return _not_filled(rule, ctx, field)
    if "above" in params:
        field_type = _type_of(params, "when_type") or "number"
        floor, value = parse_number(params["above"]), parse_number(raw)
        if floor is None:
            return _misconfigured(rule, _("the value of “above” cannot be read"))
        if value is None:
            return _unreadable(rule, ctx, field, raw, field_type)
        shown = {"label": label, "value": _display(value, field_type)}
        shown["limit"] = _display(floor, field_type)
        if value > floor:
            return _("%(label)s (%(value)s) is above %(limit)s") % shown
        return _result(
            rule,
            NOT_APPLICABLE,
            _("Not required: %(label)s (%(value)s) is not above %(limit)s.") % shown,
            field=field,
            value=_json_value(value),
            above=_json_value(floor),
        )
    if "equals" in params:
        expected, actual = str(params["equals"]), _raw_shown(raw)
        shown = {"label": label, "value": actual, "expected": expected}
        if _equals(raw, expected, _type_of(params, "when_type")):
            return _("%(label)s is “%(expected)s”") % shown
        return _result(
            rule,
            NOT_APPLICABLE,
            _("Not required: %(label)s is “%(value)s”, not “%(expected)s”.") % shown,
            field=field,
            value=actual,
            equals=expected,
        )
    return _("%(label)s is filled in") % {"label": label}


def _equals(raw: Any, expected: str, field_type: str | None) -> bool:
    if field_type in NUMERIC_TYPES:
        value, wanted = parse_number(raw), parse_number(expected)
        return value is not None and value == wanted
    if field_type == "date":
        value = parse_date(raw)
        return value is not None and value == parse_date(expected)
    return isinstance(raw, str | int) and not isinstance(raw, bool) and str(raw) == expected


def _required_document(rule: RuleSpec, facts: CaseFacts, ctx: _Context) -> RuleResult:
    document = rule.parameters.get("document")
    if not isinstance(document, str):
        return _misconfigured(rule, _("document missing"))
    condition = None
    when_field = rule.parameters.get("when_field")
    if when_field is not None and not isinstance(when_field, str):
        return _misconfigured(rule, _("when_field is not a field name"))
    if when_field:
        condition = _condition_in_words(rule, facts, ctx)
        if isinstance(condition, RuleResult):
            return condition
    count = sum(1 for field, _sha256 in document_hashes(facts) if field == document)
    shown = {"document": ctx.label(document), "condition": condition}
    if count:
        sentence = _("%(document)s is present.") % shown
    elif condition:
        sentence = _("%(document)s is missing, although %(condition)s.") % shown
    else:
        sentence = _("%(document)s is missing.") % shown
    evidence: dict[str, Any] = {"document": document, "count": count}
    if condition:
        evidence["when_field"] = rule.parameters["when_field"]
        evidence["when_value"] = _raw_shown(facts.data.get(rule.parameters["when_field"]))
    return _result(rule, PASSED if count else FAILED, sentence, **evidence)


def _date_of(name: str, facts: CaseFacts, ctx: _Context) -> tuple[Any, datetime.date | None]:
    if name == "submitted_on":
        return facts.submitted_on, parse_date(facts.submitted_on)
    if name == "today":
        return ctx.today, ctx.today
    raw = facts.data.get(name)
    return raw, parse_date(raw)


def _date_order(rule: RuleSpec, facts: CaseFacts, ctx: _Context) -> RuleResult:
    params = rule.parameters
    before, after = params.get("before"), params.get("after")
    min_days, max_days = params.get("min_days") or 0, params.get("max_days")
    if (
        not isinstance(before, str)
        or not isinstance(after, str)
        or not isinstance(min_days, int)
        or not (max_days is None or isinstance(max_days, int))
    ):
        return _misconfigured(rule, _("before, after or a number of days is wrong"))
    dates = {}
    for name in (before, after):
        raw, day = _date_of(name, facts, ctx)
        if _is_empty(raw):
            return _not_filled(rule, ctx, name)
        if day is None:
            return _unreadable(rule, ctx, name, raw, "date")
        dates[name] = day
    days = (dates[after] - dates[before]).days
    shown = {
        "before": ctx.label(before),
        "before_value": format_long_date(dates[before]),
        "after": ctx.label(after),
        "after_value": format_long_date(dates[after]),
        "days": abs(days),
        "min": min_days,
        "max": max_days,
    }
    evidence = {
        "before": before,
        "before_value": dates[before].isoformat(),
        "after": after,
        "after_value": dates[after].isoformat(),
        "days": days,
        "min_days": min_days,
        "max_days": max_days,
    }
    outcome, sentence = _date_order_sentence(days, min_days, max_days, shown)
    return _result(rule, outcome, sentence, **evidence)


def _date_order_sentence(
    days: int, min_days: int, max_days: int | None, shown: dict
) -> tuple[str, str]:
    if days < 0:
        return FAILED, _(
            "%(after)s (%(after_value)s) comes before %(before)s (%(before_value)s), "
            "which cannot be."
        ) % shown
    if days < min_days:
        return FAILED, ngettext(
            "Only %(days)s day between %(before)s (%(before_value)s) and %(after)s "
            "(%(after_value)s); at least %(min)s required.",
            "Only %(days)s days between %(before)s (%(before_value)s) and %(after)s "
            "(%(after_value)s); at least %(min)s required.",
            days,
        ) % shown
    if max_days is not None and days > max_days:
        return FAILED, ngettext(
            "%(days)s day between %(before)s (%(before_value)s) and %(after)s "
            "(%(after_value)s); at most %(max)s allowed.",
            "%(days)s days between %(before)s (%(before_value)s) and %(after)s "
            "(%(after_value)s); at most %(max)s allowed.",
            days,
        ) % shown
    return PASSED, ngettext(
        "%(after)s (%(after_value)s) comes %(days)s day after %(before)s (%(before_value)s), "
        "as required.",
        "%(after)s (%(after_value)s) comes %(days)s days after %(before)s (%(before_value)s), "
        "as required.",
        days,
    ) % shown


def _no_index(rule: RuleSpec) -> RuleResult:
    return _result(
        rule,
        NOT_APPLICABLE,
        _("Other cases were not looked at; this rule runs with the batch controls."),
    )


def _case_list(case_ids: list[int], total: int) -> str:
    listed = ", ".join(f"n°\u00a0{case_id}" for case_id in case_ids)
    extra = total - len(case_ids)
    if extra > 0:
        listed += ngettext(" and %(count)s other", " and %(count)s others", extra) % {
            "count": extra
        }
    return listed


def _duplicate_iban(rule: RuleSpec, facts: CaseFacts, ctx: _Context) -> RuleResult:
    field = rule.parameters.get("field") or "iban"
    if not isinstance(field, str):
        return _misconfigured(rule, _("field is not a field name"))
    if ctx.index is None:
        return _no_index(rule)
    raw = facts.data.get(field)
    if _is_empty(raw):
        return _not_filled(rule, ctx, field)
    iban = compact_iban(raw)
    if not iban:
        return _unreadable_iban(rule, ctx, field, raw)
    others, total = ctx.index.other_contacts_cases(
        iban, case_id=facts.case_id, contact_id=facts.contact_id
    )
    shown = {"label": ctx.label(field), "iban": _masked_iban(iban)}
    if not total:
        return _result(
            rule,
            PASSED,
            _("%(label)s (%(iban)s) appears on no case of another usager.") % shown,
            field=field,
            iban=iban,
            other_case_ids=[],
            other_count=0,
        )
    shown["cases"] = _case_list(others, total)
    return _result(
        rule,
        FAILED,
        ngettext(
            "%(label)s (%(iban)s) also appears on the case of another usager: case %(cases)s.",
            "%(label)s (%(iban)s) also appears on cases of other usagers: cases %(cases)s.",
            total,
        )
        % shown,
        field=field,
        iban=iban,
        other_case_ids=others,
        other_count=total,
    )


def _unreadable_iban(rule: RuleSpec, ctx: _Context, field: str, raw: Any) -> RuleResult:
    return _result(
        rule,
        NOT_APPLICABLE,
        _("%(label)s (“%(value)s”) is not an IBAN that can be read; check it by hand.")
        % {"label": ctx.label(field), "value": _raw_shown(raw)},
        field=field,
    )


def _masked_iban(iban: str) -> str:
    # Enough for an agent to recognise it, without repeating a full bank account.
    return f"{iban[:4]}…{iban[-4:]}" if len(iban) > 8 else iban


def _duplicate_document(rule: RuleSpec, facts: CaseFacts, ctx: _Context) -> RuleResult:
    if ctx.index is None:
        return _no_index(rule)
    findings = []
    all_others: dict[int, None] = {}
    checked = 0
    for field, sha256 in document_hashes(facts):
        checked += 1
        others = [c for c in ctx.index.cases_with_document(sha256) if c != facts.case_id]
        if others:
            findings.append({"field": field, "sha256": sha256, "other_case_ids": others})
            all_others.update(dict.fromkeys(others))
    if not checked:
        return _result(rule, NOT_APPLICABLE, _("No supporting document to compare."), documents=0)
    if not findings:
        return _result(
            rule,
            PASSED,
            ngettext(
                "The %(count)s supporting document was submitted on no other case.",
                "None of the %(count)s supporting documents was submitted on another case.",
                checked,
            )
            % {"count": checked},
            documents=checked,
            other_case_ids=[],
        )
    others = list(all_others)
    documents_shown = ", ".join(dict.fromkeys(ctx.label(f["field"]) for f in findings))
    return _result(
        rule,
        FAILED,
        ngettext(
            "The same file (%(documents)s) was also submitted on case %(cases)s.",
            "The same file (%(documents)s) was also submitted on cases %(cases)s.",
            len(others),
        )
        % {
            "documents": documents_shown,
            "cases": _case_list(others[:MAX_LISTED_CASES], len(others)),
        },
        documents=checked,
        duplicates=findings,
        other_case_ids=others[:MAX_LISTED_CASES],
        other_count=len(others),
    )


EVALUATORS: dict[str, Callable[[RuleSpec, CaseFacts, _Context], RuleResult]] = {
    "threshold": _threshold,
    "coherence": _coherence,
    "required_document": _required_document,
    "date_order": _date_order,
    "duplicate_iban": _duplicate_iban,
    "duplicate_document": _duplicate_document,
}


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def _evaluate(rule: RuleSpec, facts: CaseFacts, ctx: _Context) -> RuleResult:
    evaluator = EVALUATORS.get(rule.kind)
    if evaluator is None:
        return _misconfigured(rule, _("unknown kind “%(kind)s”") % {"kind": rule.kind})
    if not isinstance(rule.parameters, dict):
        return _misconfigured(rule, _("parameters are not an object"))
    if not isinstance(facts.data, dict):
        return _result(rule, NOT_APPLICABLE, _("The case holds no declared data."))
    return evaluator(rule, facts, ctx)


def evaluate(
    rule: RuleSpec,
    facts: CaseFacts,
    *,
    labels: dict[str, str],
    index: DuplicateIndex | None = None,
    today: datetime.date | None = None,
) -> RuleResult:
    """The result of one rule on one case; never raises on the case's data."""
    ctx = _Context(labels or {}, index, today or timezone.localdate())
    return _evaluate(rule, facts, ctx)


def evaluate_all(
    rules: Iterable[RuleSpec],
    facts: CaseFacts,
    *,
    labels: dict[str, str],
    index: DuplicateIndex | None = None,
    today: datetime.date | None = None,
) -> list[RuleResult]:
    """The results of `rules` on one case, in the order of the rules."""
    ctx = _Context(labels or {}, index, today or timezone.localdate())
    return [_evaluate(rule, facts, ctx) for rule in rules]

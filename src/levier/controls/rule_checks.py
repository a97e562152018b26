"""Evaluating the procedure's rules on cases: on submission, and in batch.

Every evaluation is journaled (one event per case with each rule's outcome); a failed
rule raises the flag "rule-<id>" with its explanation, a passing one withdraws it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from levier.cases.models import Case, SupportingDocument
from levier.cases.schema import field_labels
from levier.journal.services import Actor, record

from .flags import flag_clear, flag_raise
from .models import Rule, RuleResult
from .rule_engine import CaseFacts, DuplicateIndex, RuleSpec, evaluate_all

ROBOT = Actor.robot("règles de contrôle")
BATCH = 500


def rule_specs(procedure_id: int) -> list[RuleSpec]:
    return [
        RuleSpec(id=rule.pk, kind=rule.kind, name=rule.name, parameters=rule.parameters)
        for rule in Rule.objects.filter(procedure_id=procedure_id, active=True)
    ]


def _documents_by_case(case_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    documents: dict[int, dict[str, list[str]]] = {}
    rows = SupportingDocument.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "field_name", "sha256"
    )
    for case_id, field_name, sha256 in rows:
        documents.setdefault(case_id, {}).setdefault(field_name, []).append(sha256)
    return documents


def facts_of(case: Case, documents: dict[str, list[str]]) -> CaseFacts:
    submitted = case.submitted_at or case.created_at
    return CaseFacts(
        case_id=case.pk,
        contact_id=case.contact_id,
        data=case.data,
        submitted_on=timezone.localdate(submitted),
        documents=documents,
    )


def duplicate_index() -> DuplicateIndex:
    """IBANs and document hashes of every case (duplicates are looked for across procedures)."""
    cases = Case.objects.exclude_drafts().only("id", "contact_id", "data", "submitted_at")
    case_ids = list(cases.values_list("id", flat=True))
    documents = _documents_by_case(case_ids)
    return DuplicateIndex.build(
        facts_of(case, documents.get(case.pk, {})) for case in cases.iterator(chunk_size=2000)
    )


def _store(case: Case, results, specs: dict[int, RuleSpec], actor: Any) -> int:
    failed = 0
    now = timezone.now()
    for result in results:
        RuleResult.objects.update_or_create(
            rule_id=result.rule_id,
            case=case,
            defaults={
                "outcome": result.outcome,
                "explanation": result.explanation,
                "evidence": result.evidence,
                "evaluated_at": now,
            },
        )
        code = f"rule-{result.rule_id}"
        if result.outcome == "failed":
            failed += 1
            name = specs[result.rule_id].name
            flag_raise(
                case=case, source="rule", code=code, reasons=[f"{name} : {result.explanation}"]
            )
        else:
            flag_clear(case=case, code=code)
    record(
        actor=actor,
        verb="apply-rules",
        target=case,
        activity="apply-control-rules",
        automated=True,
        payload={
            "rules": {str(result.rule_id): result.outcome for result in results},
            "failed": failed,
        },
    )
    return failed


def rules_evaluate(
    *, case: Case, actor: Any = ROBOT, index: DuplicateIndex | None = None
) -> list[RuleResult]:
    """Evaluate the active rules of the case's procedure on it; returns the stored results."""
    specs = rule_specs(case.procedure_id)
    if not specs:
        return []
    index = index or duplicate_index()
    facts = facts_of(case, _documents_by_case([case.pk]).get(case.pk, {}))
    results = evaluate_all(
        specs, facts, labels=field_labels(case.procedure_version.field_schema), index=index
    )
    with transaction.atomic():
        _store(case, results, {spec.id: spec for spec in specs}, actor)
    return list(RuleResult.objects.filter(case=case).select_related("rule"))


def rules_evaluate_cases(
    cases: Iterable[Case],
    *,
    actor: Any = ROBOT,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Batch: one duplicate index for all, one transaction per case (a retry redoes it)."""
    index = duplicate_index()
    specs_by_procedure: dict[int, list[RuleSpec]] = {}
    counts = {"cases": 0, "failed": 0}
    batch: list[Case] = []

    def flush() -> None:
        documents = _documents_by_case([case.pk for case in batch])
        for case in batch:
            specs = specs_by_procedure.setdefault(case.procedure_id, rule_specs(case.procedure_id))
            if specs:
                facts = facts_of(case, documents.get(case.pk, {}))
                results = evaluate_all(
                    specs,
                    facts,
                    labels=field_labels(case.procedure_version.field_schema),
                    index=index,
                )
                with transaction.atomic():
                    counts["failed"] += _store(case, results, {s.id: s for s in specs}, actor)
            counts["cases"] += 1
            if progress:
                progress(1)
        batch.clear()

    for case in cases:
        batch.append(case)
        if len(batch) >= BATCH:
            flush()
    flush()
    return counts

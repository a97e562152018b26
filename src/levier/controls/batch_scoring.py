"""Scoring a whole procedure for atypical declarations, and drawing the random baseline.

`anomaly_score_procedure` reads every submitted case of the procedure, scores them
within their peer groups (controls.anomalies), raises the flag "atypical" with its
reasons on the flagged ones, withdraws it from the others (unless an agent already
controlled it), and draws a random sample of unflagged cases as the baseline that the
flags' hit rate is compared against. One journal event for the run, one per flag.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from levier.cases.models import Case, Procedure
from levier.cases.schema import field_labels
from levier.journal.services import Actor, record

from .anomalies.scoring import score_declarations
from .anomalies.spec import Declaration, ModelSpec, check_inputs
from .flags import flag_clear, flag_raise
from .models import AnomalyModel, Flag

ROBOT = Actor.robot("repérage des déclarations atypiques")
# Peer-group keys levier derives itself, beside the procedure's declared choice fields.
DERIVED_GROUPS = {
    "naf_division": gettext_lazy("business sector (NAF division)"),
    "size_band": gettext_lazy("size (headcount band)"),
}


@dataclass(frozen=True)
class ScoringSummary:
    procedure: str
    cases: int
    flagged: int
    sampled: int
    cleared: int


def _number(value: Any) -> float | None:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def size_band(headcount: Any) -> str:
    number = _number(headcount)
    if number is None:
        return ""
    if number < 1:
        return "0"
    return "1-9" if number < 10 else "10-49" if number < 50 else "50+"


def group_of(keys: list[str], data: dict, naf_code: str) -> dict[str, str]:
    group = {}
    for key in keys:
        if key == "naf_division":
            group[key] = (naf_code or "")[:2]
        elif key == "size_band":
            group[key] = size_band(data.get("headcount"))
        else:
            group[key] = str(data.get(key) or "")
    return group


def model_spec(model: AnomalyModel, schema: list[dict]) -> ModelSpec:
    money = {entry["name"] for entry in schema if entry.get("type") == "money"}
    names = [*model.inputs, *(name for pair in model.ratios for name in pair)]
    return ModelSpec(
        inputs=tuple(model.inputs),
        ratios=tuple(tuple(pair) for pair in model.ratios),
        peer_group=tuple(model.peer_group),
        contamination=model.contamination,
        thresholds={key: float(value) for key, value in model.thresholds.items()},
        amounts=tuple(dict.fromkeys(name for name in names if name in money)),
        isolation=model.isolation_forest,
    )


def declarations_of(procedure: Procedure, spec: ModelSpec) -> list[Declaration]:
    fields = {*spec.inputs, *(name for pair in spec.ratios for name in pair)}
    rows = (
        Case.objects.filter(procedure=procedure)
        .exclude_drafts()
        .values_list("id", "contact_id", "data", "submitted_at", "created_at", "contact__naf_code")
        .order_by("id")
    )
    return [
        Declaration(
            case_id=case_id,
            declarant=str(contact_id),
            year=(submitted_at or created_at).year,
            values={name: _number(data.get(name)) for name in fields},
            group=group_of(list(spec.peer_group), data, naf_code),
        )
        for case_id, contact_id, data, submitted_at, created_at, naf_code in rows.iterator(
            chunk_size=2000
        )
    ]


def _history(declarations: list[Declaration]) -> dict[str, list[Declaration]]:
    history: dict[str, list[Declaration]] = {}
    for declaration in declarations:
        history.setdefault(declaration.declarant, []).append(declaration)
    return {key: rows for key, rows in history.items() if len(rows) > 1}


def _draw_random_sample(
    procedure: Procedure, excluded: set[int], rate: float, rng: random.Random
) -> list[int]:
    """Cases drawn at random among the unflagged, up to `rate` of the procedure's cases."""
    open_cases = list(Case.objects.filter(procedure=procedure).open().values_list("id", flat=True))
    target = round(len(open_cases) * rate)
    already = Flag.objects.filter(procedure=procedure, source="random", result="").count()
    if target <= already:
        return []
    drawn_before = set(
        Flag.objects.filter(procedure=procedure, code="random").values_list("case_id", flat=True)
    )
    candidates = [
        case_id for case_id in open_cases if case_id not in excluded and case_id not in drawn_before
    ]
    return rng.sample(candidates, min(len(candidates), max(0, target - already)))


def anomaly_score_procedure(
    *,
    procedure: Procedure,
    progress: Callable[[int], None] | None = None,
    seed: int | None = None,
    actor: Any = ROBOT,
) -> ScoringSummary:
    model = AnomalyModel.objects.filter(procedure=procedure, active=True).first()
    if model is None:
        raise ValueError(
            _("Procedure “%(name)s” has no active atypical-declaration model.")
            % {"name": procedure.name}
        )
    spec = model_spec(model, procedure.active_schema)
    labels = field_labels(procedure.active_schema)
    check_inputs(spec, labels)
    declarations = declarations_of(procedure, spec)
    peer_labels = {**labels, **{key: str(text) for key, text in DERIVED_GROUPS.items()}}
    scored = score_declarations(
        declarations, spec, history=_history(declarations), labels=peer_labels
    )
    flagged = {item.case_id: item for item in scored if item.flagged}
    rng = random.Random(seed) if seed is not None else random.SystemRandom()
    cases = Case.objects.select_related("contact").in_bulk(list(flagged))
    cleared = 0
    with transaction.atomic():
        for case_id, item in flagged.items():
            flag_raise(
                case=cases[case_id],
                source="anomaly",
                code="atypical",
                reasons=[reason.text for reason in item.reasons],
                score=round(item.score, 4),
            )
            if progress:
                progress(1)
        stale = (
            Flag.objects.filter(procedure=procedure, code="atypical", result="", advice="")
            .exclude(case_id__in=list(flagged))
            .select_related("case")
        )
        for flag in stale:
            cleared += flag_clear(case=flag.case, code="atypical")
        sampled = _draw_random_sample(procedure, set(flagged), model.random_sample_rate, rng)
        for case in Case.objects.select_related("contact").filter(id__in=sampled):
            flag_raise(
                case=case,
                source="random",
                code="random",
                reasons=[
                    _(
                        "Drawn at random among unflagged cases: its control measures what "
                        "the flags find compared with chance."
                    )
                ],
            )
        model.last_run_at, model.last_run_cases = timezone.now(), len(declarations)
        model.save(update_fields=["last_run_at", "last_run_cases"])
        record(
            actor=actor,
            verb="score",
            target=procedure,
            activity="select-cases-for-control",
            automated=True,
            payload={
                "cases": len(declarations),
                "flagged": len(flagged),
                "sampled": len(sampled),
                "cleared": cleared,
            },
        )
    return ScoringSummary(procedure.slug, len(declarations), len(flagged), len(sampled), cleared)

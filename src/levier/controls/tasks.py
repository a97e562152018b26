"""Background work of controls. Each task loads by id and calls a service; a retry redoes
the same checks (each check replaces the previous one, flags are unique per case)."""

from __future__ import annotations

from django_tasks import task

from levier.cases.models import Case, Procedure

from . import batch_scoring, services


@task()
def check_case(case_id: int) -> dict[str, int] | None:
    case = Case.objects.select_related("contact", "procedure_version").filter(pk=case_id).first()
    if case is None:
        return None  # deleted since: nothing to check
    return services.case_check_now(case=case)


@task()
def score_procedure(procedure_id: int) -> dict[str, int] | None:
    procedure = Procedure.objects.filter(pk=procedure_id).first()
    if procedure is None:
        return None
    summary = batch_scoring.anomaly_score_procedure(procedure=procedure)
    return {"cases": summary.cases, "flagged": summary.flagged, "sampled": summary.sampled}

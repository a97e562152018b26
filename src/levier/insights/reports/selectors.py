"""Scheduled reports' reads: an agent's own reports (every report for an administrator), a
report's archive, one archived run (its report's owner or an administrator; else 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from levier.core import policy
from levier.core.models import Agent, Role

from ..models import ReportRun, ScheduledReport


def _is_administrator(agent: Any) -> bool:
    return isinstance(agent, Agent) and (agent.is_superuser or agent.role == Role.ADMINISTRATOR)


def reports_for(agent: Any) -> QuerySet[ScheduledReport]:
    reports = ScheduledReport.objects.select_related("team").order_by("name", "pk")
    if _is_administrator(agent):
        return reports
    if not isinstance(agent, Agent):
        return reports.none()
    return reports.filter(owner=agent)


def runs_of(report: ScheduledReport) -> QuerySet[ReportRun]:
    return ReportRun.objects.filter(report=report).order_by("-period_start", "-pk")


def get_run_for(agent: Any, run_id: int) -> ReportRun:
    run = ReportRun.objects.select_related("report").filter(pk=run_id).first()
    if (
        run is None
        or not isinstance(agent, Agent)
        or not agent.is_active
        or (run.report.owner_id != agent.pk and not _is_administrator(agent))
    ):
        raise policy.NotFound("No such report.")
    return run


def get_report_for(agent: Any, report_id: int) -> ScheduledReport:
    """A report its owner or an administrator may open; NotFound otherwise (missing alike)."""
    report = ScheduledReport.objects.select_related("team", "owner").filter(pk=report_id).first()
    if report is None or not isinstance(agent, Agent) or not agent.is_active:
        raise policy.NotFound("No such report.")
    if report.owner_id != agent.pk and not _is_administrator(agent):
        raise policy.NotFound("No such report.")
    return report

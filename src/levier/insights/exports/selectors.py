"""Reads of exports: an agent sees their own exports only (anyone else's is a 404)."""

from __future__ import annotations

from django.db.models import QuerySet

from levier.core import policy
from levier.core.models import Agent

from ..models import ExportJob
from .lists import LISTS


def list_names() -> list[str]:
    return list(LISTS)


def export_jobs_of(agent: Agent) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(agent_id=agent.pk).order_by("-created_at", "-id")


def get_export_job_for(agent: Agent, job_id: int) -> ExportJob:
    job = export_jobs_of(agent).filter(pk=job_id).first()
    if job is None:
        raise policy.NotFound("No such export.")
    return job

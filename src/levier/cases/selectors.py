"""Reads of cases, always scoped to what the acting agent may see."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from levier.core.text import search_terms

from .models import OPEN_STATUSES, Case

DUE_SOON = timedelta(days=5)


def case_list_for(
    agent,
    *,
    status: str = "",
    procedure_id: int | None = None,
    team_id: int | None = None,
    assignee: str = "",
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    sla: str = "",
    q: str = "",
) -> QuerySet[Case]:
    """Cases the agent may see, filtered; newest first. `assignee` is 'me', 'none' or an id."""
    cases = Case.objects.visible_to(agent).select_related("procedure", "contact", "team", "assignee")
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    if procedure_id:
        cases = cases.filter(procedure_id=procedure_id)
    if team_id:
        cases = cases.filter(team_id=team_id)
    if assignee == "me":
        cases = cases.filter(assignee_id=agent.pk)
    elif assignee == "none":
        cases = cases.filter(assignee__isnull=True)
    elif assignee.isdigit():
        cases = cases.filter(assignee_id=int(assignee))
    if submitted_from:
        cases = cases.filter(submitted_at__date__gte=submitted_from)
    if submitted_to:
        cases = cases.filter(submitted_at__date__lte=submitted_to)
    if sla:
        now = timezone.now()
        open_cases = cases.filter(status__in=OPEN_STATUSES)
        if sla == "overdue":
            cases = open_cases.filter(due_at__lt=now)
        elif sla == "due_soon":
            cases = open_cases.filter(due_at__gte=now, due_at__lt=now + DUE_SOON)
        elif sla == "on_time":
            cases = open_cases.filter(due_at__gte=now + DUE_SOON)
    for term in search_terms(q):
        cases = cases.filter(search_text__contains=term)
    return cases.order_by("-id")


def my_open_cases(agent) -> QuerySet[Case]:
    return case_list_for(agent, status="open", assignee="me")


def team_queue(agent) -> QuerySet[Case]:
    """Open cases of the agent's teams that nobody has taken yet."""
    return case_list_for(agent, status="open", assignee="none")


def get_case_for(agent, case_id: int) -> Case:
    """One case, or 404 when it does not exist or is outside the agent's teams."""
    case = (
        Case.objects.visible_to(agent)
        .select_related("procedure", "procedure_version", "contact", "team", "assignee")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404("No such case.")
    return case

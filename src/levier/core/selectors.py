from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils import timezone

from . import policy
from .models import Agent, Notification, Team
from .text import search_terms

M = TypeVar("M", bound=Model)


def teams_of(agent: Agent) -> QuerySet[Team]:
    return Team.objects.filter(pk__in=policy.visible_team_ids(agent)).order_by("name")


def colleagues_of(agent: Agent) -> QuerySet[Agent]:
    """Active agents sharing a team with `agent` (candidates for assignment and @mentions)."""
    return (
        Agent.objects.filter(is_active=True, teams__in=policy.visible_team_ids(agent))
        .distinct()
        .order_by("last_name", "first_name")
    )


def notifications_for(agent: Agent) -> QuerySet[Notification]:
    return Notification.objects.filter(agent=agent)


def filter_worklist(
    rows: QuerySet[M],
    *,
    agent: Agent,
    open_rows: Callable[[QuerySet[M]], QuerySet[M]],
    assignee: str,
    date_field: str,
    since: date | None,
    until: date | None,
    deadline_field: str,
    sla: str,
    due_soon: timedelta,
    q: str,
) -> QuerySet[M]:
    """The filters cases and enquiries lists share: assignee ('me', 'none' or an id),
    a date range, the deadline state of open rows, and the search box; newest first."""
    if assignee == "me":
        rows = rows.filter(assignee_id=agent.pk)
    elif assignee == "none":
        rows = rows.filter(assignee__isnull=True)
    elif assignee.isdigit():
        rows = rows.filter(assignee_id=int(assignee))
    if since:
        rows = rows.filter(**{f"{date_field}__date__gte": since})
    if until:
        rows = rows.filter(**{f"{date_field}__date__lte": until})
    if sla:
        now = timezone.now()
        soon = now + due_soon
        ranges = {
            "overdue": {f"{deadline_field}__lt": now},
            "due_soon": {f"{deadline_field}__gte": now, f"{deadline_field}__lt": soon},
            "on_time": {f"{deadline_field}__gte": soon},
        }
        if sla in ranges:
            rows = open_rows(rows).filter(**ranges[sla])
    for term in search_terms(q):
        rows = rows.filter(search_text__contains=term)
    return rows.order_by("-id")

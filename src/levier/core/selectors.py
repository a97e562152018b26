from __future__ import annotations

from django.db.models import QuerySet

from .models import Agent, Notification, Team


def teams_of(agent: Agent) -> QuerySet[Team]:
    return Team.objects.filter(pk__in=agent.visible_team_ids()).order_by("name")


def colleagues_of(agent: Agent) -> QuerySet[Agent]:
    """Active agents sharing a team with `agent` (candidates for assignment and @mentions)."""
    return (
        Agent.objects.filter(is_active=True, teams__in=agent.visible_team_ids())
        .distinct()
        .order_by("last_name", "first_name")
    )


def notifications_for(agent: Agent) -> QuerySet[Notification]:
    return Notification.objects.filter(agent=agent)

"""Reads for the deadlines page: open enquiries past their answer deadline or close to it.

"Close to it" means within the warning window of the enquiry's answer-deadline policy
(in business hours), the same rule `services.enquiries_warn_due` warns by. The page
reads a bounded number of rows and a fixed number of queries whatever the backlog:
policies are loaded once, business hours are computed in Python on the rows shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from levier.core import policy
from levier.core.business_hours import add_business_hours, business_hours_between
from levier.core.models import Agent

from .models import Enquiry, SlaPolicy
from .triage import DEFAULT_WARNING_HOURS

OVERDUE_SHOWN = 50
DUE_SOON_SHOWN = 50
DUE_SOON_SCANNED = 500  # rows inside the widest warning window compared in Python at most
ROW_COLUMNS = (
    "reference",
    "subject",
    "status",
    "channel",
    "sla_due_at",
    "team_id",
    "topic_id",
    "assignee_id",
    "team__name",
    "topic__label",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


@dataclass(frozen=True)
class DeadlineRow:
    enquiry: Enquiry
    business_hours: float  # past the deadline (overdue) or left before it (due soon)
    days: int  # whole calendar days past the deadline; 0 for a row due soon


@dataclass
class TeamCount:
    team_id: int
    name: str
    overdue: int = 0
    due_soon: int = 0


@dataclass
class DeadlineBoard:
    overdue: list[DeadlineRow]
    overdue_total: int
    due_soon: list[DeadlineRow]
    due_soon_total: int
    due_soon_capped: bool  # more rows than scanned fell in the window: counts are a floor
    teams: list[TeamCount] = field(default_factory=list)

    @property
    def overdue_more(self) -> int:
        return self.overdue_total - len(self.overdue)

    @property
    def due_soon_more(self) -> int:
        return self.due_soon_total - len(self.due_soon)


def _open_with_deadline(agent: Agent) -> QuerySet[Enquiry]:
    return Enquiry.objects.visible_to(agent).open().filter(sla_due_at__isnull=False)


def warning_windows(team_ids: list[int]) -> dict[tuple[int, int | None], int]:
    """Warning hours by (team id, topic id or None for the team's default policy)."""
    return {
        (policy.team_id, policy.topic_id): policy.warning_hours
        for policy in SlaPolicy.objects.filter(team_id__in=team_ids).only(
            "team_id", "topic_id", "warning_hours"
        )
    }


def warning_hours_of(enquiry: Enquiry, windows: dict[tuple[int, int | None], int]) -> int:
    """Same precedence as triage.sla_policy: team and topic, then team, then the default."""
    for key in ((enquiry.team_id, enquiry.topic_id), (enquiry.team_id, None)):
        if key in windows:
            return windows[key]
    return DEFAULT_WARNING_HOURS


def deadline_board(agent: Agent, *, now: datetime | None = None) -> DeadlineBoard:
    """The agent's teams' open enquiries past their deadline and due soon, by due date."""
    now = now or timezone.now()
    team_ids = policy.visible_team_ids(agent)
    rows = _open_with_deadline(agent).select_related("team", "topic", "assignee").only(*ROW_COLUMNS)
    teams: dict[int, TeamCount] = {}

    overdue_counts = (
        _open_with_deadline(agent)
        .filter(sla_due_at__lt=now)
        .values("team_id", "team__name")
        .annotate(count=Count("id"))
        .order_by()
    )
    for count in overdue_counts:
        teams[count["team_id"]] = TeamCount(
            count["team_id"], count["team__name"], overdue=count["count"]
        )
    overdue = [
        DeadlineRow(
            enquiry,
            business_hours=business_hours_between(enquiry.sla_due_at, now),
            days=(now - enquiry.sla_due_at).days,
        )
        for enquiry in rows.filter(sla_due_at__lt=now).order_by("sla_due_at", "id")[:OVERDUE_SHOWN]
    ]

    windows = warning_windows(team_ids)
    # A minute more: a deadline during closed hours right after the window is still in it.
    widest = max([DEFAULT_WARNING_HOURS, *windows.values()]) + 1 / 60
    candidates = list(
        rows.filter(sla_due_at__gte=now, sla_due_at__lte=add_business_hours(now, widest)).order_by(
            "sla_due_at", "id"
        )[: DUE_SOON_SCANNED + 1]
    )
    due_soon = []
    for enquiry in candidates[:DUE_SOON_SCANNED]:
        left = business_hours_between(now, enquiry.sla_due_at)
        if left <= warning_hours_of(enquiry, windows):
            due_soon.append(DeadlineRow(enquiry, business_hours=left, days=0))
            team = teams.setdefault(enquiry.team_id, TeamCount(enquiry.team_id, enquiry.team.name))
            team.due_soon += 1

    return DeadlineBoard(
        overdue=overdue,
        overdue_total=sum(team.overdue for team in teams.values()),
        due_soon=due_soon[:DUE_SOON_SHOWN],
        due_soon_total=len(due_soon),
        due_soon_capped=len(candidates) > DUE_SOON_SCANNED,
        teams=sorted(teams.values(), key=lambda team: team.name),
    )

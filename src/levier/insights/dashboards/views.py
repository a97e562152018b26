"""The team dashboard (/pilotage/equipe/<team_id>/: the team's agents and lead, a manager's
whole organisation; any other team is a 404) and the department dashboard
(/pilotage/service/: managers and administrators, every team). Figures about teams, never
about agents; none for a team below 5 agents (selectors.MIN_TEAM_AGENTS)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from levier.core import policy

from . import selectors
from .forms import PeriodForm


def _period_context(request: HttpRequest) -> dict[str, object]:
    form = PeriodForm(request.GET)
    period = form.chosen()
    return {"form": form, "period": period, "previous": period.previous()}


@require_GET
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """The navigation's link: the department for managers, else the agent's first team."""
    if policy.may(request.user, policy.Action.VIEW_DEPARTMENT_DASHBOARD):
        return redirect("insights:department_dashboard")
    policy.check_may(request.user, policy.Action.VIEW_TEAM_DASHBOARD)
    teams = selectors.dashboard_teams(request.user)
    if not teams:
        raise policy.NotFound("No team.")
    return redirect("insights:team_dashboard", team_id=teams[0].pk)


def team_dashboard(request: HttpRequest, team_id: int) -> HttpResponse:
    policy.check_may(request.user, policy.Action.VIEW_TEAM_DASHBOARD)
    team = selectors.get_team_for(request.user, team_id)  # 404 first, whatever the method
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    context = _period_context(request)
    figures = selectors.team_dashboard(request.user, team, context["period"])  # type: ignore[arg-type]
    context.update(
        {
            "title": _("Dashboard: %(team)s") % {"team": team.name},
            "nav": "dashboards",
            "team": team,
            "teams": [figures],
            "other_teams": [t for t in selectors.dashboard_teams(request.user) if t.pk != team.pk],
            "min_agents": selectors.MIN_TEAM_AGENTS,
            "action": request.path,
        }
    )
    return render(request, "insights/dashboard.html", context)


@require_GET
def department_dashboard(request: HttpRequest) -> HttpResponse:
    policy.check_may(request.user, policy.Action.VIEW_DEPARTMENT_DASHBOARD)
    context = _period_context(request)
    context.update(
        {
            "title": _("Department dashboard"),
            "nav": "dashboards",
            "department": True,
            "teams": selectors.department_dashboard(request.user, context["period"]),  # type: ignore[arg-type]
            "min_agents": selectors.MIN_TEAM_AGENTS,
            "action": request.path,
        }
    )
    return render(request, "insights/dashboard.html", context)

"""The permission policy: one place that answers "which rows may this agent see?" (for
selectors) and "may this agent do this to that?" (for services).

The rule, by role and team:
- an agent sees the objects of their teams; managers and administrators those of every
  team of their organisation; without an organisation, own teams only (fail closed,
  `Agent.visible_team_ids` is the data source);
- an object the agent may not see is answered exactly like a missing one: `NotFound`, a
  404, never a 403 that would tell them it exists;
- some actions need a role (campaigns: team leads and up; configuration: administrators);
  refused with `Refused` (a 403 naming who may) only on objects the agent may see; a page
  that exists only for some roles (the automations) is `NotFound` for everyone else.

Apps declare how each of their models hangs on a team with `register_rows`, so a new
model is scoped the day it is declared; asking about an undeclared model fails closed.
Robots, usagers and partners (anything but an `Agent`) are checked upstream, by their
own entry points (portal sessions, API tokens), and pass the row checks here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, Q
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Agent, Role


class NotFound(Http404):
    """Missing and forbidden alike: the one error services raise for an object out of reach."""


class Refused(PermissionDenied):
    """A visible object, an action the agent's role does not allow (the message says who may)."""


class Action(StrEnum):
    RUN_CAMPAIGNS = "run-campaigns"
    CONFIGURE_PROCEDURES = "configure-procedures"
    CONFIGURE_TEMPLATES = "configure-templates"
    AUDIT_PERSONAL_DATA = "audit-personal-data"
    ADMINISTER_AUTOMATIONS = "administer-automations"
    VIEW_PROCESS = "view-process"
    VIEW_TIME_SAVED = "view-time-saved"
    CALIBRATE_STANDARD_TIMES = "calibrate-standard-times"
    VIEW_TEAM_DASHBOARD = "view-team-dashboard"
    VIEW_DEPARTMENT_DASHBOARD = "view-department-dashboard"
    SCHEDULE_REPORTS = "schedule-reports"


@dataclass(frozen=True)
class ActionRule:
    roles: frozenset[str]
    # A Django permission that also grants the action (set in the admin for a few agents).
    permission: str = ""
    # Whether a robot or a command (no agent) may do it; they are trusted by their caller.
    robots: bool = True
    refusal: str | Promise = _("Your role does not allow this action.")
    # A page only these roles know of: refused as `NotFound`, so others never learn of it.
    hidden: bool = False


ACTIONS: dict[Action, ActionRule] = {
    Action.RUN_CAMPAIGNS: ActionRule(
        roles=frozenset({Role.TEAM_LEAD, Role.MANAGER, Role.ADMINISTRATOR}),
        robots=False,
        refusal=_("Only team leads, managers and administrators run campaigns."),
    ),
    Action.CONFIGURE_PROCEDURES: ActionRule(
        roles=frozenset({Role.ADMINISTRATOR}),
        permission="cases.change_procedure",
        refusal=_("Only administrators configure procedures."),
    ),
    Action.CONFIGURE_TEMPLATES: ActionRule(
        roles=frozenset({Role.ADMINISTRATOR}),
        permission="documents.add_documenttemplate",
        refusal=_("Only administrators configure document templates."),
    ),
    Action.AUDIT_PERSONAL_DATA: ActionRule(
        roles=frozenset({Role.DPO, Role.ADMINISTRATOR}),
        robots=False,
        refusal=_("Only the data protection officer and administrators audit reads."),
    ),
    Action.ADMINISTER_AUTOMATIONS: ActionRule(
        roles=frozenset({Role.ADMINISTRATOR}),
        robots=False,
        hidden=True,
    ),
    # The process map (/pilotage/processus/): team figures for those who steer teams.
    Action.VIEW_PROCESS: ActionRule(
        roles=frozenset({Role.TEAM_LEAD, Role.MANAGER, Role.ADMINISTRATOR}),
        robots=False,
        hidden=True,
    ),
    # Time saved and the calibration of standard times (/pilotage/temps-gagne/).
    Action.VIEW_TIME_SAVED: ActionRule(
        roles=frozenset({Role.TEAM_LEAD, Role.MANAGER, Role.ADMINISTRATOR}),
        robots=False,
        hidden=True,
    ),
    # Adopting a measured median as a geste's standard time: whoever may change the activity
    # catalogue (superusers, or the permission), as journal.services checks it (the journal
    # sits below core and cannot ask this policy).
    Action.CALIBRATE_STANDARD_TIMES: ActionRule(
        roles=frozenset(),
        permission="journal.change_activity",
        robots=False,
        hidden=True,
    ),
    # The team dashboard (/pilotage/equipe/<id>/): the team's agents and lead (a manager's
    # whole organisation); the team itself is then checked against visible_team_ids.
    Action.VIEW_TEAM_DASHBOARD: ActionRule(
        roles=frozenset({Role.AGENT, Role.TEAM_LEAD, Role.MANAGER, Role.ADMINISTRATOR}),
        robots=False,
        hidden=True,
    ),
    # The department dashboard (/pilotage/service/): every team, for those who steer them all.
    Action.VIEW_DEPARTMENT_DASHBOARD: ActionRule(
        roles=frozenset({Role.MANAGER, Role.ADMINISTRATOR}),
        robots=False,
        hidden=True,
    ),
    # Scheduled reports (/pilotage/rapports/): a dashboard sent weekly or monthly, the team
    # dashboard for a team lead's teams, the department's for managers and administrators.
    Action.SCHEDULE_REPORTS: ActionRule(
        roles=frozenset({Role.TEAM_LEAD, Role.MANAGER, Role.ADMINISTRATOR}),
        robots=False,
        hidden=True,
    ),
}


# --- which rows ----------------------------------------------------------------------


RowsCondition = Callable[[Agent, str], Q]
ObjectCondition = Callable[[Agent, Any], bool]


@dataclass(frozen=True)
class RowRule:
    rows: RowsCondition  # a condition on the model, with an optional "via__" prefix
    holds: ObjectCondition  # the same rule on one loaded object, without a query


_RULES: dict[str, RowRule] = {}


def visible_team_ids(agent: Any) -> list[int]:
    """The teams whose objects `agent` may see; none for anything but an active agent."""
    if not isinstance(agent, Agent) or not agent.is_active:
        return []
    return agent.visible_team_ids()


def team_rows(team_path: str = "team_id") -> RowRule:
    """The rule of a model that belongs to a team through `team_path` ("team_id",
    "procedure__team_id"...)."""

    def rows(agent: Agent, via: str) -> Q:
        return Q(**{f"{via}{team_path}__in": visible_team_ids(agent)})

    def holds(agent: Agent, obj: Any) -> bool:
        value = obj
        for step in team_path.split("__"):
            value = getattr(value, step)
        return value in visible_team_ids(agent)

    return RowRule(rows=rows, holds=holds)


def through(field: str, target: type[Model] | str) -> RowRule:
    """The rule of a model that hangs on another through a foreign key (a flag on its
    case): it is seen exactly when that object is."""

    def rows(agent: Agent, via: str) -> Q:
        return _rule(target).rows(agent, f"{via}{field}__")

    def holds(agent: Agent, obj: Any) -> bool:
        return _rule(target).holds(agent, getattr(obj, field))

    return RowRule(rows=rows, holds=holds)


def register_rows(model: type[Model] | str, rule: RowRule) -> None:
    """Declare how agents see the rows of `model` (called next to the model)."""
    _RULES[_label(model)] = rule


def _label(model: type[Model] | str) -> str:
    return model if isinstance(model, str) else model._meta.label_lower


def _rule(model: type[Model] | str) -> RowRule:
    try:
        return _RULES[_label(model)]
    except KeyError:
        raise ImproperlyConfigured(
            f"No row rule for {_label(model)}: declare one with levier.core.policy.register_rows."
        ) from None


def rows_for(agent: Any, model: type[Model] | str, *, via: str = "") -> Q:
    """The rows of `model` the agent may see, as a condition; with `via` ("case"), a
    condition on a model pointing to one (a flag's case). Nothing for a non-agent."""
    if not isinstance(agent, Agent):
        return Q(pk__in=[])
    prefix = f"{via}__" if via else ""
    return _rule(model).rows(agent, prefix)


def may_see(agent: Any, obj: Model) -> bool:
    return isinstance(agent, Agent) and _rule(type(obj)).holds(agent, obj)


def check_may_see(actor: Any, obj: Model, *, what: str = "") -> None:
    """Raise `NotFound` unless the agent may see `obj`; robots and usagers pass."""
    if isinstance(actor, Agent) and not may_see(actor, obj):
        raise NotFound(f"No such {what or type(obj)._meta.model_name}.")


def check_may_see_team(actor: Any, team_id: int | None, *, what: str = "object") -> None:
    """For a write that targets a team directly (a new enquiry, a new case)."""
    if isinstance(actor, Agent) and team_id not in visible_team_ids(actor):
        raise NotFound(f"No such {what}.")


# --- what they may do ----------------------------------------------------------------


def may(actor: Any, action: Action) -> bool:
    rule = ACTIONS[action]
    if not isinstance(actor, Agent):
        return rule.robots
    if not actor.is_active:
        return False
    return (
        actor.is_superuser
        or actor.role in rule.roles
        or bool(rule.permission and actor.has_perm(rule.permission))
    )


def check_may(actor: Any, action: Action, on: Model | None = None) -> None:
    """Raise `NotFound` if the agent may not see `on`, then `Refused` if their role may not
    do `action` (`NotFound` for a hidden action): who cannot see the object never learns
    what they could not do to it."""
    if on is not None:
        check_may_see(actor, on)
    if not may(actor, action):
        rule = ACTIONS[action]
        if rule.hidden:
            raise NotFound("No such page.")
        raise Refused(rule.refusal)


class ActionsOf:
    """What `actor` may do, for templates: `{% if may.run_campaigns %}` asks `may()` for
    `Action.RUN_CAMPAIGNS` when the page reads it (the shell's context processor)."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor

    def __getitem__(self, name: str) -> bool:
        try:
            action = Action[name.upper()]
        except KeyError:
            raise KeyError(name) from None
        return may(self.actor, action)

"""Reads of cases, always scoped to what the acting agent may see."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypeVar

from django.db.models import F as FieldRef
from django.db.models import Model, Prefetch, Q, QuerySet
from django.utils import timezone

from levier.core import policy
from levier.core.geo import departement_of_postal_code
from levier.core.models import Agent
from levier.core.selectors import filter_worklist

from .models import (
    OPEN_STATUSES,
    Case,
    Comment,
    Procedure,
    SupportingDocument,
    agent_case_scope,
)

F = TypeVar("F", bound=Model)
DUE_SOON = timedelta(days=5)
# What a list row shows: reading only these keeps a page light at a million rows.
LIST_COLUMNS = (
    "reference",
    "status",
    "submitted_at",
    "due_at",
    "team_id",
    "assignee_id",
    "procedure_id",
    "contact_id",
    "procedure__name",
    "team__name",
    "contact__kind",
    "contact__first_name",
    "contact__last_name",
    "contact__legal_name",
    "contact__siret",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


def decided_in_time_condition(in_time: bool = True) -> Q:
    """Instruction deadline met (decided on or before due_at) or missed (after it); cases
    without a deadline or not decided are neither. The dashboards count with it too."""
    if in_time:
        return Q(decided_at__isnull=False, due_at__isnull=False, decided_at__lte=FieldRef("due_at"))
    return Q(decided_at__isnull=False, due_at__isnull=False, decided_at__gt=FieldRef("due_at"))


def case_list_for(
    agent: Agent,
    *,
    status: str = "",
    procedure_id: int | None = None,
    team_id: int | None = None,
    assignee: str = "",
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    sla: str = "",
    q: str = "",
    decided_from: date | None = None,
    decided_to: date | None = None,
    decided_in_time: str = "",
    departement: str = "",
) -> QuerySet[Case]:
    """Cases the agent may see, filtered; newest first. `assignee` is 'me', 'none' or an id;
    `decided_in_time` "yes" or "no" (decided_in_time_condition); `departement` the
    usager's ("69", "2A", "974"), as the map of /pilotage/carte/ counts."""
    cases = (
        Case.objects.visible_to(agent)
        .select_related("procedure", "contact", "team", "assignee")
        .only(*LIST_COLUMNS)
    )
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    if procedure_id:
        cases = cases.filter(procedure_id=procedure_id)
    if team_id:
        cases = cases.filter(team_id=team_id)
    if decided_from:
        cases = cases.filter(decided_at__date__gte=decided_from)
    if decided_to:
        cases = cases.filter(decided_at__date__lte=decided_to)
    if decided_in_time in {"yes", "no"}:
        cases = cases.filter(decided_in_time_condition(decided_in_time == "yes"))
    if departement:
        cases = cases.filter(contact__postal_code__in=postal_codes_in(cases, departement))
    return filter_worklist(
        cases,
        agent=agent,
        open_rows=lambda rows: rows.filter(status__in=OPEN_STATUSES),
        assignee=assignee,
        date_field="submitted_at",
        since=submitted_from,
        until=submitted_to,
        deadline_field="due_at",
        sla=sla,
        due_soon=DUE_SOON,
        q=q,
    )


def postal_codes_in(cases: QuerySet[Case], departement: str) -> list[str]:
    """The postal codes of `cases`' usagers that belong to `departement` by core.geo's rule
    (read from the rows rather than listed from the data: a CEDEX code counts as it does on
    the map)."""
    codes = cases.order_by().values_list("contact__postal_code", flat=True).distinct()
    return [code for code in codes if departement_of_postal_code(code) == departement]


def my_open_cases(agent: Agent) -> QuerySet[Case]:
    return case_list_for(agent, status="open", assignee="me")


def team_queue(agent: Agent) -> QuerySet[Case]:
    """Open cases of the agent's teams that nobody has taken yet."""
    return case_list_for(agent, status="open", assignee="none")


def get_case_for(agent: Agent, case_id: int) -> Case:
    """One case, or 404 when it does not exist or is outside the agent's teams."""
    case: Case | None = (
        Case.objects.visible_to(agent)
        .select_related("procedure", "procedure_version", "contact", "team", "assignee")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise policy.NotFound("No such case.")
    return case


def sla_state(case: Case, now: datetime | None = None) -> str:
    """'overdue', 'due_soon', 'on_time' for an open case with a deadline; '' otherwise."""
    if case.status not in OPEN_STATUSES or case.due_at is None:
        return ""
    now = now or timezone.now()
    if case.due_at < now:
        return "overdue"
    if case.due_at < now + DUE_SOON:
        return "due_soon"
    return "on_time"


def documents_of(case: Case) -> QuerySet[SupportingDocument]:
    return SupportingDocument.objects.filter(case=case).order_by("uploaded_at", "id")


def get_case_file_for(model: type[F], agent: Agent, case_id: int, file_id: int) -> F:
    """A file row (supporting or generated document) of a case the agent may see; 404 for
    missing and forbidden alike (a draft's files included)."""
    found = (
        model._default_manager.filter(
            agent_case_scope(agent, via="case"), pk=file_id, case_id=case_id
        )
        .select_related("case")
        .first()
    )
    if found is None:
        raise policy.NotFound("No such document.")
    return found


def get_document_for(agent: Agent, case_id: int, document_id: int) -> SupportingDocument:
    """A supporting document of a case the agent may see; 404 for missing and forbidden alike."""
    return get_case_file_for(SupportingDocument, agent, case_id, document_id)


def comments_of(case: Case) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(case=case)
        .select_related("author")
        .prefetch_related(Prefetch("mentions", queryset=Agent.objects.only("id", "username")))
        .order_by("created_at", "id")
    )


def assignable_agents(case: Case) -> QuerySet[Agent]:
    """Active agents of the case's team: who the case may be given to."""
    return (
        Agent.objects.filter(is_active=True, teams=case.team_id)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def procedures_for(agent: Agent) -> QuerySet[Procedure]:
    """Procedures instructed by the agent's teams (for list filters)."""
    return Procedure.objects.filter(policy.rows_for(agent, Procedure)).order_by("name")


def published_procedures() -> QuerySet[Procedure]:
    return Procedure.objects.filter(published=True).select_related("organisation").order_by("name")


def get_published_procedure(slug: str) -> Procedure:
    """A procedure open on the portal, or 404 (unpublished ones do not exist for usagers)."""
    procedure = published_procedures().filter(slug=slug).first()
    if procedure is None:
        raise policy.NotFound("No such procedure.")
    return procedure


def case_by_reference(reference: str) -> Case | None:
    """The submitted case with this reference, for the usager's follow-up page only.

    Not scoped to an agent: the portal checks the verification code right after.
    """
    return (
        Case.objects.select_related("procedure", "contact")
        .exclude_drafts()
        .filter(reference=reference.strip().upper())
        .first()
    )

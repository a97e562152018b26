"""What each exportable list is: who may export it, its filters (the list page's own form),
its rows (the list page's own selector, same order) and its columns.

The filters are never copied here: each list parses them with the form its page uses
(`CaseFilterForm`, `EnquiryFilterForm`, `FlagFilterForm`, the journal's admin changelist),
so a filter added to a list's form and selector is exported with no change here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Model, QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from levier.cases import selectors as case_selectors
from levier.cases.forms import CaseFilterForm
from levier.cases.models import Case, CaseStatus
from levier.controls import selectors as flag_selectors
from levier.controls.forms import FlagFilterForm
from levier.core.models import Agent
from levier.core.selectors import colleagues_of, teams_of
from levier.enquiries import selectors as enquiry_selectors
from levier.enquiries.forms import EnquiryFilterForm
from levier.enquiries.models import Enquiry, EnquiryStatus
from levier.journal.models import Event

from .writers import Cell

# Query-string parameters of a list page that are not filters (paging, the export itself).
NOT_FILTERS = frozenset({"after", "before", "page", "format", "o", "p", "e", "_changelist_filters"})


class ExportError(ValueError):
    """A request for an export that cannot be served, with a message for the agent."""


@dataclass(frozen=True)
class Column:
    header: str | Promise
    value: Callable[[Any], Cell]


@dataclass(frozen=True)
class Parsed:
    """The filters of one export: as the selector takes them, and as the journal keeps them
    (names and values, the search text replaced by its length: it may be a name)."""

    filters: dict[str, Any]
    journaled: dict[str, Any]
    query_length: int


@dataclass(frozen=True)
class ExportList:
    name: str  # as the CLI and the URL say it: cases, enquiries, proposals, journal
    label: str | Promise
    listed: str  # the journal's name of the rows ("cases.case")
    may_export: Callable[[Agent], bool]
    parse: Callable[[Agent, QueryDict], Parsed]
    rows: Callable[[Agent, dict[str, Any]], QuerySet[Any]]
    columns: tuple[Column, ...]
    list_url: str  # the page's URL name

    def headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def cells(self, row: Any) -> list[Cell]:
        return [column.value(row) for column in self.columns]


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment as the agent reads it: local time, naive (spreadsheets have no time zone)."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _person(agent: Agent | None) -> str:
    return str(agent) if agent is not None else ""


def _errors_text(form: Any) -> str:
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        problems.append(f"« {label} » ({name}) : {' '.join(str(e) for e in errors)}")
    return _("Some filters are not valid: %(problems)s. Correct them, then export again.") % {
        "problems": " ; ".join(problems)
    }


def _check_names(form: Any, params: QueryDict) -> None:
    unknown = sorted(set(params) - set(form.fields) - NOT_FILTERS)
    if unknown:
        raise ExportError(
            _("Unknown filter: %(names)s. The filters of this list are: %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(form.fields)}
        )


def _journaled(filters: Mapping[str, Any], search_key: str = "q") -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in filters.items():
        if key == search_key or value in (None, "", [], ()):
            continue
        if isinstance(value, Model):
            value = value.pk
        kept[key] = value.isoformat() if isinstance(value, dt.date) else value
    return kept


def _form_parser(build: Callable[[Agent, QueryDict], Any]) -> Callable[[Agent, QueryDict], Parsed]:
    """Parse a list page's filter form; an invalid or unknown filter is an ExportError (the
    page shows the list without it, but an export must hold what the agent asked)."""

    def parse(agent: Agent, params: QueryDict) -> Parsed:
        form = build(agent, params)
        _check_names(form, params)
        if form.is_bound and not form.is_valid():
            raise ExportError(_errors_text(form))
        filters = form.filters()
        search = filters.get("q") or ""
        return Parsed(filters, _journaled(filters), len(search))

    return parse


# --- cases -------------------------------------------------------------------------------


def _case_form(agent: Agent, params: QueryDict) -> CaseFilterForm:
    return CaseFilterForm(  # type: ignore[no-untyped-call]
        params or None,
        procedures=case_selectors.procedures_for(agent),
        teams=teams_of(agent),
        colleagues=colleagues_of(agent),
    )


SLA_LABELS = {
    "overdue": gettext_lazy("Overdue"),
    "due_soon": gettext_lazy("Due soon"),
    "on_time": gettext_lazy("On time"),
}


def _case_sla(case: Case) -> str:
    state = case_selectors.sla_state(case)
    return str(SLA_LABELS[state]) if state else ""


def _case_status(case: Case) -> str:
    return str(CaseStatus(case.status).label) if case.status in CaseStatus.values else case.status


CASES = ExportList(
    name="cases",
    label=gettext_lazy("Cases"),
    listed="cases.case",
    may_export=lambda agent: True,  # the rows are scoped by the selector
    parse=_form_parser(_case_form),
    rows=lambda agent, filters: case_selectors.case_list_for(agent, **filters).order_by("-pk"),
    columns=(
        Column(gettext_lazy("Reference"), lambda c: c.reference),
        Column(gettext_lazy("Usager"), lambda c: c.contact.display_name if c.contact else ""),
        Column(gettext_lazy("SIRET"), lambda c: (c.contact.siret or "") if c.contact else ""),
        Column(gettext_lazy("Procedure"), lambda c: c.procedure.name),
        Column(gettext_lazy("Team"), lambda c: c.team.name if c.team else ""),
        Column(gettext_lazy("Status"), _case_status),
        Column(gettext_lazy("Assigned to"), lambda c: _person(c.assignee)),
        Column(gettext_lazy("Submitted"), lambda c: local(c.submitted_at)),
        Column(gettext_lazy("Deadline"), lambda c: local(c.due_at)),
        Column(gettext_lazy("Deadline state"), _case_sla),
    ),
    list_url="cases:list",
)


# --- enquiries ---------------------------------------------------------------------------


def _enquiry_form(agent: Agent, params: QueryDict) -> EnquiryFilterForm:
    return EnquiryFilterForm(params or None, agent=agent)  # type: ignore[no-untyped-call]


def _enquiry_status(enquiry: Enquiry) -> str:
    status = enquiry.status
    return str(EnquiryStatus(status).label) if status in EnquiryStatus.values else status


def _enquiry_sla(enquiry: Enquiry) -> str:
    state = enquiry_selectors.sla_state(enquiry)
    return str(SLA_LABELS[state]) if state else ""


ENQUIRIES = ExportList(
    name="enquiries",
    label=gettext_lazy("Enquiries"),
    listed="enquiries.enquiry",
    may_export=lambda agent: True,
    parse=_form_parser(_enquiry_form),
    rows=lambda agent, filters: enquiry_selectors.enquiry_list_for(agent, **filters).order_by(
        "-pk"
    ),
    columns=(
        Column(gettext_lazy("Reference"), lambda e: e.reference),
        Column(pgettext_lazy("enquiry list column", "Received"), lambda e: local(e.created_at)),
        Column(gettext_lazy("Subject"), lambda e: e.subject),
        Column(gettext_lazy("Usager"), lambda e: str(e.contact) if e.contact else ""),
        Column(gettext_lazy("Email"), lambda e: (e.contact.email or "") if e.contact else ""),
        Column(gettext_lazy("Topic"), lambda e: e.topic.label if e.topic else ""),
        Column(gettext_lazy("Team"), lambda e: e.team.name if e.team else ""),
        Column(gettext_lazy("Assigned to"), lambda e: _person(e.assignee)),
        Column(gettext_lazy("Status"), _enquiry_status),
        Column(gettext_lazy("Answer due"), lambda e: local(e.sla_due_at)),
        Column(gettext_lazy("Deadline state"), _enquiry_sla),
    ),
    list_url="enquiries:list",
)


# --- control proposals -------------------------------------------------------------------


def _flag_form(agent: Agent, params: QueryDict) -> FlagFilterForm:
    procedures = flag_selectors.procedures_with_flags(agent)
    return FlagFilterForm(params or None, procedures=procedures)  # type: ignore[no-untyped-call]


def _flag_parse(agent: Agent, params: QueryDict) -> Parsed:
    form = _flag_form(agent, params)
    _check_names(form, params)
    if form.is_bound and not form.is_valid():
        raise ExportError(_errors_text(form))
    filters = form.filters()
    return Parsed(filters, _journaled(filters), 0)


PROPOSALS = ExportList(
    name="proposals",
    label=gettext_lazy("Control proposals"),
    listed="controls.flag",
    may_export=lambda agent: True,
    parse=_flag_parse,
    rows=lambda agent, filters: flag_selectors.flags_for(agent, **filters),
    columns=(
        Column(gettext_lazy("Case"), lambda f: f.case.reference),
        Column(
            gettext_lazy("Usager"), lambda f: f.case.contact.display_name if f.case.contact else ""
        ),
        Column(gettext_lazy("Procedure"), lambda f: f.procedure.name),
        Column(gettext_lazy("Source"), lambda f: str(f.get_source_display())),
        Column(gettext_lazy("Score"), lambda f: f.score),
        Column(gettext_lazy("Reasons"), lambda f: "\n".join(str(r) for r in f.reasons or [])),
        Column(gettext_lazy("Département"), lambda f: f.territory),
        Column(gettext_lazy("Proposed on"), lambda f: local(f.raised_at)),
        Column(gettext_lazy("Control result"), lambda f: str(f.get_result_display())),
        Column(gettext_lazy("Controlled on"), lambda f: local(f.controlled_at)),
        Column(gettext_lazy("Friendly letter"), lambda f: str(f.get_advice_display())),
    ),
    list_url="controls:list",
)


# --- journal (administrators, the admin's event list) ------------------------------------


def _event_admin() -> Any:
    return admin.site._registry[Event]


def _admin_request(agent: Agent, path: str, query: QueryDict) -> HttpRequest:
    """A GET request as the admin's list would receive it (the CLI and the worker have none)."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = query  # type: ignore[assignment]
    request.META = {"SERVER_NAME": "levier", "SERVER_PORT": "80", "QUERY_STRING": query.urlencode()}
    request.user = agent
    return request


def _journal_changelist(agent: Agent, params: QueryDict) -> Any:
    """The admin's own event list for these query parameters: its filters, date hierarchy
    and search, exactly as the page applies them."""
    query = QueryDict(mutable=True)
    for key, values in params.lists():
        if key not in NOT_FILTERS - {"o"}:
            query.setlist(key, values)
    request = _admin_request(agent, reverse("admin:journal_event_changelist"), query)
    model_admin = _event_admin()
    try:
        return model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters as error:
        raise ExportError(
            _("Some filters of the journal are not valid (%(names)s): choose them again in the "
              "journal's list, then export.") % {"names": ", ".join(sorted(query))}
        ) from error  # fmt: skip


def _may_export_journal(agent: Agent) -> bool:
    if not (agent.is_active and agent.is_staff):
        return False
    request = _admin_request(agent, "/admin/", QueryDict())
    return bool(_event_admin().has_view_permission(request))


def _journal_parse(agent: Agent, params: QueryDict) -> Parsed:
    changelist = _journal_changelist(agent, params)
    search = changelist.query or ""
    kept = {k: v for k, v in params.items() if k not in NOT_FILTERS and k != "q"}
    journaled = {k: v[:80] for k, v in kept.items()}
    return Parsed({"params": params.urlencode()}, journaled, len(search))


def _journal_rows(agent: Agent, filters: dict[str, Any]) -> QuerySet[Event]:
    changelist = _journal_changelist(agent, QueryDict(filters.get("params", "")))
    events: QuerySet[Event] = changelist.queryset
    return events.order_by("-occurred_at", "-pk")


def _actor_kind(event: Event) -> str:
    return str(event.get_actor_kind_display())


JOURNAL = ExportList(
    name="journal",
    label=gettext_lazy("Journal"),
    listed="journal.event",
    may_export=_may_export_journal,
    parse=_journal_parse,
    rows=_journal_rows,
    columns=(
        Column(gettext_lazy("Event"), lambda e: e.pk),
        Column(gettext_lazy("Occurred at"), lambda e: local(e.occurred_at)),
        Column(gettext_lazy("Actor kind"), _actor_kind),
        Column(gettext_lazy("Actor"), lambda e: e.actor_label),
        Column(gettext_lazy("Verb"), lambda e: e.verb),
        Column(gettext_lazy("Target type"), lambda e: e.target_type),
        Column(gettext_lazy("Target"), lambda e: e.target_id),
        Column(gettext_lazy("Activity"), lambda e: e.activity_code),
        Column(gettext_lazy("Automated"), lambda e: yes_no(e.automated)),
        Column(gettext_lazy("Duration (seconds)"), lambda e: e.duration_seconds),
    ),
    list_url="admin:journal_event_changelist",
)

LISTS: dict[str, ExportList] = {item.name: item for item in (CASES, ENQUIRIES, PROPOSALS, JOURNAL)}


def get_list(name: str) -> ExportList:
    try:
        return LISTS[name]
    except KeyError:
        raise ExportError(
            _("Unknown list “%(name)s”: choose one of %(names)s.")
            % {"name": name, "names": ", ".join(LISTS)}
        ) from None


def inline_rows_limit() -> int:
    return int(getattr(settings, "LEVIER_EXPORT_INLINE_ROWS", 5000))


def row_cells(export_list: ExportList, rows: Iterable[Any]) -> Iterable[list[Cell]]:
    for row in rows:
        yield export_list.cells(row)

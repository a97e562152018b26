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
from types import SimpleNamespace
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
from levier.cases.models import CaseStatus
from levier.contacts.models import Contact
from levier.controls import selectors as flag_selectors
from levier.controls.forms import FlagFilterForm
from levier.controls.models import AdviceState, ControlResult, FlagSource
from levier.core.models import Agent
from levier.core.selectors import colleagues_of, teams_of
from levier.enquiries import selectors as enquiry_selectors
from levier.enquiries.forms import EnquiryFilterForm
from levier.enquiries.models import EnquiryStatus
from levier.journal.models import ActorKind, Event

from .writers import Cell

# Query-string parameters of a list page that are not filters (paging, the export itself).
NOT_FILTERS = frozenset({"after", "before", "page", "format", "o", "p", "e", "_changelist_filters"})


class ExportError(ValueError):
    """A request for an export that cannot be served, with a message for the agent."""


Row = dict[str, Any]  # a row's values, by field path ("contact__legal_name")
# The row's key for the instant the export measures deadline states at (one for all rows,
# as the list page measures its page).
NOW = "__now__"
LANGUAGE = "__language__"  # the language the labels are in, read once per export


@dataclass(frozen=True)
class Column:
    header: str | Promise
    value: Callable[[Row], Cell]


@dataclass(frozen=True)
class Parsed:
    """The filters of one export: as the selector takes them, and as the journal keeps them
    (names and values, the search text replaced by its length: it may be a name)."""

    filters: dict[str, Any]
    journaled: dict[str, Any]
    query_length: int


@dataclass(frozen=True)
class ExportList:
    """One exportable list. `rows` is the list page's own selector (scope, filters, order);
    `fields` are the values read from it (`values_list`: no model is built per row, which
    would cost five objects a row), and each column is computed from them."""

    name: str  # as the CLI and the URL say it: cases, enquiries, proposals, journal
    label: str | Promise
    listed: str  # the journal's name of the rows ("cases.case")
    may_export: Callable[[Agent], bool]
    parse: Callable[[Agent, QueryDict], Parsed]
    rows: Callable[[Agent, dict[str, Any]], QuerySet[Any]]
    fields: tuple[str, ...]
    columns: tuple[Column, ...]
    list_url: str  # the page's URL name

    def headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def cells(self, row: Row) -> list[Cell]:
        return [column.value(row) for column in self.columns]


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment as the agent reads it: local time, naive (spreadsheets have no time zone)."""
    if moment is None:
        return None
    zone = timezone.get_default_timezone()
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0)


class Labels:
    """The label of a code (a status, a source), translated once per language, not once
    per row: a list of a million rows asks a million times."""

    def __init__(self, table: Callable[[], Iterable[tuple[Any, Any]]]) -> None:
        self.table = table
        self.by_language: dict[str | None, dict[Any, str]] = {}

    def __call__(self, code: Any, row: Row) -> str:
        language = row[LANGUAGE]
        labels = self.by_language.get(language)
        if labels is None:
            labels = {key: str(label) for key, label in self.table()}
            self.by_language[language] = labels
        if code in (None, ""):
            return ""
        return labels.get(code, str(code))


def yes_no(value: bool, row: Row) -> str:
    return _YES_NO(bool(value), row)


_YES_NO = Labels(lambda: [(True, gettext_lazy("yes")), (False, gettext_lazy("no"))])


def person_name(row: Row, prefix: str) -> str:
    """An agent as `str(agent)` shows them (full name, else login), from a row's values."""
    if row[f"{prefix}__username"] is None:
        return ""
    full = f"{row[f'{prefix}__first_name'] or ''} {row[f'{prefix}__last_name'] or ''}".strip()
    return full or str(row[f"{prefix}__username"])


def contact_name(row: Row, prefix: str) -> str:
    """The usager's name as `Contact.display_name` gives it (that very property)."""
    if row[f"{prefix}__kind"] is None:
        return ""
    values = SimpleNamespace(
        kind=row[f"{prefix}__kind"],
        legal_name=row[f"{prefix}__legal_name"] or "",
        first_name=row[f"{prefix}__first_name"] or "",
        last_name=row[f"{prefix}__last_name"] or "",
    )
    return str(Contact.display_name.fget(values))  # type: ignore[attr-defined]


def _contact_fields(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}__{name}" for name in ("kind", "legal_name", "first_name", "last_name"))


def _agent_fields(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}__{name}" for name in ("username", "first_name", "last_name"))


def _errors_text(form: Any) -> str:
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        text = " ".join(str(error) for error in errors).rstrip(".")
        problems.append(f"« {label} » ({name}) : {text}")
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


SLA_LABELS = Labels(
    lambda: [
        ("overdue", gettext_lazy("Overdue")),
        ("due_soon", gettext_lazy("Due soon")),
        ("on_time", gettext_lazy("On time")),
    ]
)


# --- cases -------------------------------------------------------------------------------


def _case_form(agent: Agent, params: QueryDict) -> CaseFilterForm:
    return CaseFilterForm(  # type: ignore[no-untyped-call]
        params or None,
        procedures=case_selectors.procedures_for(agent),
        teams=teams_of(agent),
        colleagues=colleagues_of(agent),
    )


CASE_STATUS = Labels(lambda: CaseStatus.choices)


def _case_sla(row: Row) -> str:
    """The deadline state as the list shows it (`cases.selectors.sla_state` itself)."""
    values = SimpleNamespace(status=row["status"], due_at=row["due_at"])
    return SLA_LABELS(case_selectors.sla_state(values, row[NOW]), row)  # type: ignore[arg-type]


CASES = ExportList(
    name="cases",
    label=gettext_lazy("Cases"),
    listed="cases.case",
    may_export=lambda agent: True,  # the rows are scoped by the selector
    parse=_form_parser(_case_form),
    rows=lambda agent, filters: case_selectors.case_list_for(agent, **filters).order_by("-pk"),
    fields=(
        "reference",
        "status",
        "submitted_at",
        "due_at",
        "procedure__name",
        "team__name",
        "contact__siret",
        *_contact_fields("contact"),
        *_agent_fields("assignee"),
    ),  # fmt: skip
    columns=(
        Column(gettext_lazy("Reference"), lambda r: r["reference"]),
        Column(gettext_lazy("Usager"), lambda r: contact_name(r, "contact")),
        Column(gettext_lazy("SIRET"), lambda r: r["contact__siret"] or ""),
        Column(gettext_lazy("Procedure"), lambda r: r["procedure__name"]),
        Column(gettext_lazy("Team"), lambda r: r["team__name"] or ""),
        Column(gettext_lazy("Status"), lambda r: CASE_STATUS(r["status"], r)),
        Column(gettext_lazy("Assigned to"), lambda r: person_name(r, "assignee")),
        Column(gettext_lazy("Submitted"), lambda r: local(r["submitted_at"])),
        Column(gettext_lazy("Deadline"), lambda r: local(r["due_at"])),
        Column(gettext_lazy("Deadline state"), _case_sla),
    ),
    list_url="cases:list",
)


# --- enquiries ---------------------------------------------------------------------------


def _enquiry_form(agent: Agent, params: QueryDict) -> EnquiryFilterForm:
    return EnquiryFilterForm(params or None, agent=agent)  # type: ignore[no-untyped-call]


ENQUIRY_STATUS = Labels(lambda: EnquiryStatus.choices)


def _enquiry_sla(row: Row) -> str:
    values = SimpleNamespace(status=row["status"], sla_due_at=row["sla_due_at"])
    return SLA_LABELS(enquiry_selectors.sla_state(values, row[NOW]), row)  # type: ignore[arg-type]


ENQUIRIES = ExportList(
    name="enquiries",
    label=gettext_lazy("Enquiries"),
    listed="enquiries.enquiry",
    may_export=lambda agent: True,
    parse=_form_parser(_enquiry_form),
    rows=lambda agent, filters: enquiry_selectors.enquiry_list_for(agent, **filters).order_by(
        "-pk"
    ),
    fields=(
        "reference",
        "created_at",
        "subject",
        "status",
        "sla_due_at",
        "topic__label",
        "team__name",
        "contact__email",
        *_contact_fields("contact"),
        *_agent_fields("assignee"),
    ),  # fmt: skip
    columns=(
        Column(gettext_lazy("Reference"), lambda r: r["reference"]),
        Column(pgettext_lazy("enquiry list column", "Received"), lambda r: local(r["created_at"])),
        Column(gettext_lazy("Subject"), lambda r: r["subject"]),
        Column(gettext_lazy("Usager"), lambda r: contact_name(r, "contact")),
        Column(gettext_lazy("Email"), lambda r: r["contact__email"] or ""),
        Column(gettext_lazy("Topic"), lambda r: r["topic__label"] or ""),
        Column(gettext_lazy("Team"), lambda r: r["team__name"] or ""),
        Column(gettext_lazy("Assigned to"), lambda r: person_name(r, "assignee")),
        Column(gettext_lazy("Status"), lambda r: ENQUIRY_STATUS(r["status"], r)),
        Column(gettext_lazy("Answer due"), lambda r: local(r["sla_due_at"])),
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


FLAG_SOURCE = Labels(lambda: FlagSource.choices)
FLAG_RESULT = Labels(lambda: ControlResult.choices)
FLAG_ADVICE = Labels(lambda: AdviceState.choices)

PROPOSALS = ExportList(
    name="proposals",
    label=gettext_lazy("Control proposals"),
    listed="controls.flag",
    may_export=lambda agent: True,
    parse=_flag_parse,
    rows=lambda agent, filters: flag_selectors.flags_for(agent, **filters),
    fields=(
        "case__reference",
        "procedure__name",
        "source",
        "score",
        "reasons",
        "territory",
        "raised_at",
        "result",
        "controlled_at",
        "advice",
        *_contact_fields("case__contact"),
    ),  # fmt: skip
    columns=(
        Column(gettext_lazy("Case"), lambda r: r["case__reference"]),
        Column(gettext_lazy("Usager"), lambda r: contact_name(r, "case__contact")),
        Column(gettext_lazy("Procedure"), lambda r: r["procedure__name"]),
        Column(gettext_lazy("Source"), lambda r: FLAG_SOURCE(r["source"], r)),
        Column(gettext_lazy("Score"), lambda r: r["score"]),
        Column(gettext_lazy("Reasons"), lambda r: "\n".join(str(x) for x in r["reasons"] or [])),
        Column(gettext_lazy("Département"), lambda r: r["territory"]),
        Column(gettext_lazy("Proposed on"), lambda r: local(r["raised_at"])),
        Column(gettext_lazy("Control result"), lambda r: FLAG_RESULT(r["result"], r)),
        Column(gettext_lazy("Controlled on"), lambda r: local(r["controlled_at"])),
        Column(gettext_lazy("Friendly letter"), lambda r: FLAG_ADVICE(r["advice"], r)),
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


ACTOR_KIND = Labels(lambda: ActorKind.choices)


JOURNAL = ExportList(
    name="journal",
    label=gettext_lazy("Journal"),
    listed="journal.event",
    may_export=_may_export_journal,
    parse=_journal_parse,
    rows=_journal_rows,
    fields=(
        "pk",
        "occurred_at",
        "actor_kind",
        "actor_label",
        "verb",
        "target_type",
        "target_id",
        "activity_code",
        "automated",
        "duration_seconds",
    ),  # fmt: skip
    columns=(
        Column(gettext_lazy("Event"), lambda r: r["pk"]),
        Column(gettext_lazy("Occurred at"), lambda r: local(r["occurred_at"])),
        Column(gettext_lazy("Actor kind"), lambda r: ACTOR_KIND(r["actor_kind"], r)),
        Column(gettext_lazy("Actor"), lambda r: r["actor_label"]),
        Column(gettext_lazy("Verb"), lambda r: r["verb"]),
        Column(gettext_lazy("Target type"), lambda r: r["target_type"]),
        Column(gettext_lazy("Target"), lambda r: r["target_id"]),
        Column(gettext_lazy("Activity"), lambda r: r["activity_code"]),
        Column(gettext_lazy("Automated"), lambda r: yes_no(r["automated"], r)),
        Column(gettext_lazy("Duration (seconds)"), lambda r: r["duration_seconds"]),
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

"""The data protection officer's page: who read or exported a usager's data.

Only the DPO and administrators reach it (anyone else: 404, as if it did not exist).
Using it is journaled too: a search is a list read, a usager's page a read, a CSV an export.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from levier.core.french import format_datetime
from levier.journal.services import record, record_list_read, record_read
from levier.journal.verbs import EXPORT

from . import presenters, selectors
from .forms import UsagerSearchForm

PAGE_SIZE = 50
CSV_MAX_ROWS = 50_000


def dpo_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.may_audit_personal_data:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return checked


@require_GET
@dpo_only
def usager_search(request: HttpRequest) -> HttpResponse:
    form = UsagerSearchForm(request.GET or None)
    found = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        found = selectors.search_contacts(request.user, form.cleaned_data["q"])
        record_list_read(
            agent=request.user,
            listed="contacts.contact",
            shown=found,
            query=form.cleaned_data["q"],
            where="dpo",
        )
    return render(
        request,
        "privacy/search.html",
        {"title": _("Data protection"), "nav": "privacy", "form": form, "found": found},
    )


def _rows(events, contact) -> list[presenters.AuditRow]:
    events = list(events)
    keys = selectors.data_keys_of(contact)
    listed = selectors.listed_subjects(events, keys)
    wanted = {(event.target_type, event.target_id) for event in events}
    wanted |= {key for shown in listed.values() for key in shown}
    return presenters.audit_rows(events, selectors.names_for(wanted), listed)


@require_GET
@dpo_only
def usager_reads(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.get_audited_contact(request.user, contact_id)
    page = Paginator(selectors.personal_data_events(contact), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = _rows(page.object_list, contact)
    record_read(agent=request.user, target=contact, what="dpo audit")
    return render(
        request,
        "privacy/usager.html",
        {
            "title": _("Who read the data of %(name)s") % {"name": contact.display_name},
            "nav": "privacy",
            "contact": contact,
            "page": page,
            "rows": rows,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula: a company named
    "=HYPERLINK(…)" must stay text."""
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


@require_GET
@dpo_only
def usager_reads_csv(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.get_audited_contact(request.user, contact_id)
    events = list(selectors.personal_data_events(contact)[:CSV_MAX_ROWS])
    rows = _rows(events, contact)
    record(
        actor=request.user,
        verb=EXPORT,
        target=contact,
        activity="consult-personal-data",
        payload={"what": "dpo audit csv", "rows": len(rows)},
    )
    writer = csv.writer(_Echo(), delimiter=";")
    header = [_("When"), _("Who"), _("Action"), _("On what"), _("Detail")]

    def lines():
        yield "\ufeff"  # lets spreadsheet software read the file as UTF-8
        yield writer.writerow(header)
        for row in rows:
            when = format_datetime(row.occurred_at, seconds=True)
            cells = [row.actor, row.action, row.about, row.detail]
            yield writer.writerow([when, *(_cell(cell) for cell in cells)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="consultations-usager-{contact.pk}-{stamp}.csv"'
    )
    return response

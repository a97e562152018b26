"""Log a call or a visit in two clicks: the button, then one form.

The usager search works without JavaScript (the "Search" button re-shows the form with
what was typed); with htmx, typing in the search field refreshes the results only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from levier.contacts.models import Contact, ContactKind
from levier.contacts.selectors import contacts_matching
from levier.contacts.services import contact_find_or_create
from levier.journal.services import record_list_read

from . import services
from .contact_log_forms import LogContactForm, new_person_prefill

QUERY_MAX = 100
# What services call a field, when the form calls it otherwise.
SERVICE_FIELDS = {"body": "summary"}


def _render(
    request: HttpRequest, form: LogContactForm, query: str, *, status: int = 200
) -> HttpResponse:
    if query:
        # The search spans the whole organisation's usagers: each page of results shown is a
        # read of personal data (the ids shown and the query's length, never its text).
        record_list_read(
            agent=request.user,
            listed="contacts.contact",
            shown=form.matches.values(),
            query=query,
            where="log-contact",
        )
    context = {
        "title": _("Log a call or a visit"),
        "nav": "log_contact",
        "form": form,
        "query": query,
        "matches": form.matches,
    }
    return render(request, "enquiries/log_contact.html", context, status=status)


def _search_again(data: QueryDict) -> dict[str, Any]:
    """What was typed, as initial values: a search re-shows the form without errors."""
    initial: dict[str, Any] = {name: data.get(name, "") for name in data if name != "action"}
    # An unticked box is absent from the data: read it the way the form would.
    answered = LogContactForm.base_fields["answered"].widget
    initial["answered"] = answered.value_from_datadict(data, {}, "answered")
    return initial


def _add_errors(form: LogContactForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = SERVICE_FIELDS.get(name, name)
        form.add_error(name if name in form.fields else None, errors)


def _usager(form: LogContactForm, agent) -> Contact:
    return form.chosen_contact or contact_find_or_create(
        kind=ContactKind.PERSON, actor=agent, **form.new_person()
    )


@require_http_methods(["GET", "HEAD", "POST"])
def enquiry_log_contact(request: HttpRequest) -> HttpResponse:
    agent = request.user
    data = request.POST if request.method == "POST" else request.GET
    query = data.get("q", "").strip()[:QUERY_MAX]
    matches = contacts_matching(query) if query else []

    if request.method != "POST" or data.get("action") == "search":
        initial = _search_again(data) if request.method == "POST" else {"q": query}
        if query and not matches and not any(initial.get(name) for name in ("email", "phone")):
            initial.update(new_person_prefill(query))
        return _render(
            request, LogContactForm(agent=agent, matches=matches, initial=initial), query
        )

    form = LogContactForm(request.POST, agent=agent, matches=matches)
    if form.is_valid():
        try:
            # The new usager and the enquiry stand or fall together.
            with transaction.atomic():
                enquiry = services.enquiry_log_contact(
                    agent=agent,
                    contact=_usager(form, agent),
                    channel=form.cleaned_data["channel"],
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["summary"],
                    topic=form.cleaned_data["topic"],
                    answered=form.cleaned_data["answered"],
                )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if form.cleaned_data["answered"]:
                text = _("Logged as %(reference)s and closed: the usager had their answer.")
            else:
                text = _("Logged as %(reference)s: the enquiry is open and assigned to you.")
            messages.success(request, text % {"reference": enquiry.reference})
            return redirect("enquiries:detail", pk=enquiry.pk)
    return _render(request, form, query, status=400)

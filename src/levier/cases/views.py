"""Agents' case pages: the filtered list, the case page and its actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from levier.core.downloads import UNTRUSTED_FILE_CSP, serve_stored_file
from levier.core.pagination import keyset_page, matching_count
from levier.core.pdf_checks import render_pdf_page
from levier.core.selectors import colleagues_of, teams_of
from levier.journal.selectors import timeline_for
from levier.journal.services import record_list_read, record_read, record_reveal

from . import presenters, selectors, services
from .forms import AssignForm, CaseFilterForm, CommentForm, TransitionForm
from .models import Case
from .schema import display_rows, maskable_fields


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    agent = request.user
    form = CaseFilterForm(
        request.GET or None,
        procedures=selectors.procedures_for(agent),
        teams=teams_of(agent),
        colleagues=colleagues_of(agent),
    )
    if form.is_bound:
        form.is_valid()  # invalid fields are left out of the filters and shown with their error
    filters = form.filters()
    cases = selectors.case_list_for(agent, **filters)
    page = keyset_page(cases, request.GET)
    record_list_read(
        agent=agent,
        listed="cases.case",
        shown=page.rows,
        query=filters["q"],
        filters=[name for name, value in filters.items() if value and name != "q"],
    )
    filtered = any(value for value in filters.values())
    # How many rows match, when filtered (a dashboard's figure opens this list): one
    # bounded COUNT.
    matching = matching_count(cases) if filtered else None
    return render(
        request,
        "cases/list.html",
        {
            "title": _("Cases"),
            "nav": "cases",
            "form": form,
            "page": page,
            "rows": presenters.case_rows(page.rows),
            "filtered": filtered,
            "matching": matching,
        },
    )


def _detail_context(
    request: HttpRequest,
    case: Case,
    *,
    assign_form: AssignForm | None = None,
    transition_form: TransitionForm | None = None,
    comment_form: CommentForm | None = None,
    revealed: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    agents = list(selectors.assignable_agents(case))
    allowed = services.allowed_transitions(case)
    documents = presenters.case_documents(
        case.procedure_version.field_schema, selectors.documents_of(case)
    )
    return {
        "title": _("Case %(reference)s") % {"reference": case.reference},
        "nav": "cases",
        "case": case,
        "sla_state": selectors.sla_state(case),
        "rows": display_rows(
            case.procedure_version.field_schema, case.data or {}, revealed=revealed
        ),
        "documents": documents.shown,
        "missing_documents": documents.missing,
        "contact": case.contact,
        "timeline": presenters.timeline(timeline_for(case)),
        "comments": selectors.comments_of(case),
        "assign_form": assign_form
        or AssignForm(agents=agents, initial={"assignee": case.assignee_id}),
        "may_take": case.assignee_id != request.user.pk
        and any(agent.pk == request.user.pk for agent in agents),
        "transition_form": transition_form or TransitionForm(allowed=allowed),
        "has_transitions": bool(allowed),
        "comment_form": comment_form or CommentForm(),
    }


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for(request.user, pk)  # 404 first, whatever the method
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    record_read(agent=request.user, target=case, what="case")
    return render(request, "cases/detail.html", _detail_context(request, case))


def case_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one masked identifier (NIR, IBAN) of the case in full, and journal it.

    A POST, never a GET: revealing is an act the journal keeps, not a link a crawler or a
    prefetch could follow. htmx swaps the value in place; without it, the case page comes
    back with the value shown."""
    case = selectors.get_case_for(request.user, pk)  # 404 first, whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    schema = case.procedure_version.field_schema
    field = request.POST.get("field", "")
    if field not in maskable_fields(schema):
        return HttpResponse(
            _("Nothing to reveal: this field of the case is not a masked identifier. "
              "Reload the case page and use the “Reveal” button next to the number."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )  # fmt: skip
    record_reveal(agent=request.user, target=case, field=field)
    revealed = frozenset({field})
    if getattr(request, "htmx", False):
        row = next(
            row
            for row in display_rows(schema, case.data or {}, revealed=revealed)
            if row.name == field
        )
        return render(request, "cases/_revealed_value.html", {"row": row})
    return render(request, "cases/detail.html", _detail_context(request, case, revealed=revealed))


@xframe_options_sameorigin
def case_document(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    """A supporting document, inline (or as a download with ?download=1), for agents of the team."""
    document = selectors.get_document_for(
        request.user, pk, doc_pk
    )  # 404 first, whatever the method
    return serve_stored_file(
        request,
        document.file,
        content_type=document.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=document.original_name,
        on_read=lambda: record_read(
            agent=request.user, target=document.case, what=f"document {document.pk}"
        ),
        untrusted=True,
    )


@xframe_options_sameorigin
def case_document_page(request: HttpRequest, pk: int, doc_pk: int, page: int) -> HttpResponse:
    """One of the first pages of a PDF as an image: the preview on the case page, which
    runs nothing the PDF may hold and shows in every browser."""
    document = selectors.get_document_for(request.user, pk, doc_pk)  # 404 first
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if page not in presenters.preview_pages(document):
        raise Http404("No preview of this page.")
    try:
        with document.file.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, ValueError) as error:
        raise Http404("The file is missing from storage.") from error
    image = render_pdf_page(content, page)
    if not image:
        raise Http404("This page cannot be drawn.")
    record_read(agent=request.user, target=document.case, what=f"document {document.pk}")
    response = HttpResponse(image, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = UNTRUSTED_FILE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _back(case: Case) -> HttpResponse:
    return redirect(reverse("cases:detail", args=[case.pk]))


def _invalid(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    """Re-render the case page with the form's errors, the first wrong field focused."""
    for form in forms.values():
        wrong = next((name for name in form.errors if name in form.fields), None)
        if wrong:
            form.fields[wrong].widget.attrs["autofocus"] = ""
    messages.error(request, _("The action was not done: correct the field shown in red."))
    return render(request, "cases/detail.html", _detail_context(request, case, **forms), status=400)


@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for(request.user, pk)
    form = AssignForm(request.POST, agents=selectors.assignable_agents(case))
    if not form.is_valid():
        return _invalid(request, case, assign_form=form)
    assignee = request.user if "take" in request.POST else form.chosen_agent()
    try:
        services.case_assign(case=case, assignee=assignee, actor=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return _invalid(request, case, assign_form=form)
    if assignee is None:
        messages.success(request, _("The case is back in the team's queue."))
    elif assignee == request.user:
        messages.success(request, _("You have taken the case."))
    else:
        messages.success(request, _("The case is assigned to %(agent)s.") % {"agent": assignee})
    return _back(case)


@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for(request.user, pk)
    form = TransitionForm(request.POST, allowed=services.allowed_transitions(case))
    if not form.is_valid():
        return _invalid(request, case, transition_form=form)
    try:
        services.case_transition(
            case=case,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _invalid(request, case, transition_form=form)
    messages.success(
        request,
        _("The case is now: %(status)s.") % {"status": presenters.status_label(case.status)},
    )
    return _back(case)


@require_POST
def case_comment(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for(request.user, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, comment_form=form)
    try:
        comment = services.case_comment(
            case=case, author=request.user, body=form.cleaned_data["body"]
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _invalid(request, case, comment_form=form)
    mentioned = comment.mentions.count()
    if mentioned:
        messages.success(
            request,
            _("Comment added; %(count)s colleague(s) notified.") % {"count": mentioned},
        )
    else:
        messages.success(request, _("Comment added."))
    return redirect(reverse("cases:detail", args=[case.pk]) + f"#comment-{comment.pk}")

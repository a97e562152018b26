"""Agents' enquiry pages: the filtered list, one enquiry's thread, and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from levier.core import policy
from levier.core.downloads import serve_stored_file
from levier.core.pagination import keyset_page, matching_count
from levier.journal.selectors import timeline_for
from levier.journal.services import record_list_read, record_read

from . import selectors, services, suggestions
from .forms import AssignForm, ClassifyForm, CloseForm, EnquiryFilterForm, ReplyForm
from .models import Enquiry, EnquiryStatus


@require_GET
def enquiry_list(request: HttpRequest) -> HttpResponse:
    agent = request.user
    form = EnquiryFilterForm(request.GET or None, agent=agent)
    if form.is_bound:
        form.is_valid()  # invalid fields show their error; the valid ones still filter
    filters = form.filters()
    enquiries = selectors.enquiry_list_for(agent, **filters)
    page = keyset_page(enquiries, request.GET)
    record_list_read(
        agent=agent,
        listed="enquiries.enquiry",
        shown=page.rows,
        query=filters["q"],
        filters=[name for name, value in filters.items() if value and name != "q"],
    )
    now = timezone.now()
    rows = [(enquiry, selectors.sla_state(enquiry, now)) for enquiry in page.rows]
    filtered = any(value for key, value in request.GET.items() if key not in {"after", "before"})
    return render(
        request,
        "enquiries/list.html",
        {
            "title": _("Enquiries"),
            "nav": "enquiries",
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": filtered,
            # How many rows match, when filtered (a dashboard's figure opens this list).
            "matching": matching_count(enquiries) if filtered else None,
        },
    )


def _chosen_suggestion(
    request: HttpRequest, enquiry: Enquiry, shown: list[suggestions.Suggestion]
) -> suggestions.Suggestion | None:
    """The suggestion the agent clicked "Use" on (?suggestion=template:12), if it exists."""
    key = request.GET.get("suggestion", "")
    if not key or request.method != "GET":
        return None
    return suggestions.suggestion_by_key(key, enquiry=enquiry, agent=request.user, shown=shown)


def _render_detail(
    request: HttpRequest,
    enquiry: Enquiry,
    *,
    reply_form: ReplyForm | None = None,
    assign_form: AssignForm | None = None,
    close_form: CloseForm | None = None,
    classify_form: ClassifyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    agent = request.user
    assignable = list(selectors.assignable_agents(enquiry))
    if assign_form is None:
        assign_form = AssignForm(enquiry=enquiry, initial={"assignee": enquiry.assignee_id})
    is_closed = enquiry.status == EnquiryStatus.CLOSED
    # Shown, not journaled: the reply service journals the suggestion the agent used.
    suggested = [] if is_closed else suggestions.suggestions_for(enquiry, agent=agent)
    chosen = None
    if reply_form is None and not is_closed:
        chosen = _chosen_suggestion(request, enquiry, suggested)
        if chosen is not None:
            reply_form = ReplyForm(initial={"body": chosen.text, "suggestion": chosen.key})
    record_read(agent=agent, target=enquiry, what="enquiry")
    context = {
        "title": _("Enquiry %(reference)s") % {"reference": enquiry.reference},
        "nav": "enquiries",
        "enquiry": enquiry,
        "contact": enquiry.contact,
        "thread": selectors.shown_thread(agent, list(selectors.enquiry_thread(enquiry))),
        "history": timeline_for(enquiry, limit=50),
        "sla_state": selectors.sla_state(enquiry),
        "triage_reasons": selectors.triage_reasons(enquiry),
        "suggestions": suggested,
        "chosen_suggestion": chosen,
        "reply_form": reply_form or ReplyForm(),
        "assign_form": assign_form,
        "close_form": close_form or CloseForm(),
        "classify_form": classify_form or ClassifyForm.for_enquiry(enquiry),
        "may_take": enquiry.assignee_id != agent.pk and any(a.pk == agent.pk for a in assignable),
        "is_closed": is_closed,
    }
    return render(request, "enquiries/detail.html", context, status=status)


# Scoped before the method check: another team's enquiry is a 404 whatever the method.


def enquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = selectors.get_enquiry_for(request.user, pk)
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _render_detail(request, enquiry)


@xframe_options_sameorigin
def enquiry_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = selectors.get_attachment_for(request.user, pk, attachment_pk)
    return serve_stored_file(
        request,
        attachment.file,
        as_attachment=request.GET.get("inline") != "1",
        filename=attachment.original_name,
        content_type=attachment.content_type,
        on_read=lambda: record_read(
            agent=request.user,
            target=attachment.message.enquiry,
            what=f"attachment:{attachment.pk}",
        ),
        untrusted=True,
    )


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_POST
def enquiry_reply(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = selectors.get_enquiry_for(request.user, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.enquiry_reply(
                enquiry=enquiry,
                author=request.user,
                body=form.cleaned_data["body"],
                close=form.cleaned_data["outcome"] == "close",
                suggestion=form.cleaned_data["suggestion"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Your answer was sent to the usager."))
            return redirect("enquiries:detail", pk=enquiry.pk)
    return _render_detail(request, enquiry, reply_form=form, status=400)


@require_POST
def enquiry_assign(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = selectors.get_enquiry_for(request.user, pk)
    data = request.POST.copy()
    if data.get("take"):
        data["assignee"] = str(request.user.pk)
    form = AssignForm(data, enquiry=enquiry)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            services.enquiry_assign(enquiry=enquiry, assignee=assignee, actor=request.user)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            if assignee is None:
                messages.success(request, _("The enquiry is back in the team's queue."))
            elif assignee.pk == request.user.pk:
                messages.success(request, _("You took the enquiry."))
            else:
                messages.success(
                    request, _("The enquiry was assigned to %(agent)s.") % {"agent": assignee}
                )
            return redirect("enquiries:detail", pk=enquiry.pk)
    return _render_detail(request, enquiry, assign_form=form, status=400)


@require_POST
def enquiry_close(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = selectors.get_enquiry_for(request.user, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.enquiry_close(
                enquiry=enquiry, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("The enquiry is closed."))
            return redirect("enquiries:detail", pk=enquiry.pk)
    return _render_detail(request, enquiry, close_form=form, status=400)


@require_POST
def enquiry_classify(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = selectors.get_enquiry_for(request.user, pk)
    form = ClassifyForm(request.POST)
    if form.is_valid():
        try:
            services.enquiry_classify(
                enquiry=enquiry,
                actor=request.user,
                topic=form.cleaned_data["topic"],
                priority=form.cleaned_data["priority"],
                move_to_topic_team=form.cleaned_data["move_to_topic_team"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            if not policy.may_see(request.user, enquiry):
                messages.success(
                    request,
                    _("The enquiry %(reference)s was sent to the team %(team)s.")
                    % {"reference": enquiry.reference, "team": enquiry.team},
                )
                return redirect("enquiries:list")
            messages.success(request, _("Topic and priority saved."))
            return redirect("enquiries:detail", pk=enquiry.pk)
    return _render_detail(request, enquiry, classify_form=form, status=400)

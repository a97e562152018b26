"""Agents' enquiry pages: the filtered list, one enquiry's thread, and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from levier.core.pagination import keyset_page
from levier.journal.selectors import timeline_for
from levier.journal.services import record_read

from . import selectors, services
from .forms import AssignForm, CloseForm, EnquiryFilterForm, ReplyForm
from .models import Enquiry


@require_GET
def enquiry_list(request: HttpRequest) -> HttpResponse:
    agent = request.user
    form = EnquiryFilterForm(request.GET or None, agent=agent)
    if form.is_bound:
        form.is_valid()  # invalid fields show their error; the valid ones still filter
    enquiries = selectors.enquiry_list_for(agent, **form.filters())
    page = keyset_page(enquiries, request.GET)
    now = timezone.now()
    rows = [(enquiry, selectors.sla_state(enquiry, now)) for enquiry in page.rows]
    return render(
        request,
        "enquiries/list.html",
        {
            "title": _("Enquiries"),
            "nav": "enquiries",
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": any(
                value for key, value in request.GET.items() if key not in {"after", "before"}
            ),
        },
    )


def _render_detail(
    request: HttpRequest,
    enquiry: Enquiry,
    *,
    reply_form: ReplyForm | None = None,
    assign_form: AssignForm | None = None,
    close_form: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    agent = request.user
    assignable = list(selectors.assignable_agents(enquiry))
    if assign_form is None:
        assign_form = AssignForm(enquiry=enquiry, initial={"assignee": enquiry.assignee_id})
    record_read(agent=agent, target=enquiry, what="enquiry")
    context = {
        "title": _("Enquiry %(reference)s") % {"reference": enquiry.reference},
        "nav": "enquiries",
        "enquiry": enquiry,
        "contact": enquiry.contact,
        "thread": selectors.enquiry_thread(enquiry),
        "history": timeline_for(enquiry, limit=50),
        "sla_state": selectors.sla_state(enquiry),
        "reply_form": reply_form or ReplyForm(),
        "assign_form": assign_form,
        "close_form": close_form or CloseForm(),
        "may_take": enquiry.assignee_id != agent.pk and any(a.pk == agent.pk for a in assignable),
        "is_closed": enquiry.status == "closed",
    }
    return render(request, "enquiries/detail.html", context, status=status)


# Scoped before the method check: another team's enquiry is a 404 whatever the method.


def enquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = selectors.get_enquiry_for(request.user, pk)
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _render_detail(request, enquiry)


def enquiry_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = selectors.get_attachment_for(request.user, pk, attachment_pk)
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    record_read(
        agent=request.user, target=attachment.message.enquiry, what=f"attachment:{attachment.pk}"
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=request.GET.get("inline") != "1",
        filename=attachment.original_name,
        content_type=attachment.content_type,
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


def enquiry_classify(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # placeholder, replaced by its implementation

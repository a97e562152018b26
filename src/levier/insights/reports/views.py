"""Scheduled reports' pages (/pilotage/rapports/): the list and the form (team leads,
managers, administrators; a 404 for anyone else), a report's page with its archive (its
owner and administrators), the archived files."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from levier.core import policy

from ..models import ScheduledReport
from . import selectors, services
from .forms import DEPARTMENT, ReportForm


def _save(form: ReportForm, call: Any, **kwargs: Any) -> ScheduledReport | None:
    if not form.is_valid():
        return None
    try:
        saved: ScheduledReport = call(
            name=form.cleaned_data["name"],
            team=form.chosen_team(),
            frequency=form.cleaned_data["frequency"],
            recipients=form.cleaned_data["recipients"],
            annex_format=form.cleaned_data["annex_format"],
            active=form.cleaned_data["active"],
            **kwargs,
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return None
    return saved


def reports(request: HttpRequest) -> HttpResponse:
    policy.check_may(request.user, policy.Action.SCHEDULE_REPORTS)
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return render(
        request,
        "insights/reports.html",
        {
            "title": _("Scheduled reports"),
            "nav": "reports",
            "reports": selectors.reports_for(request.user),
        },
    )


def report_new(request: HttpRequest) -> HttpResponse:
    policy.check_may(request.user, policy.Action.SCHEDULE_REPORTS)
    if request.method == "POST":
        form = ReportForm(request.POST, agent=request.user)
        report = _save(form, services.report_create, agent=request.user)
        if report is not None:
            return redirect("insights:report", report_id=report.pk)
    else:
        team = request.GET.get("team", "")
        form = ReportForm(
            agent=request.user,
            initial={"scope": team or DEPARTMENT, "name": request.GET.get("name", "")},
        )
    return render(
        request,
        "insights/report_form.html",
        {
            "title": _("New scheduled report"),
            "nav": "reports",
            "form": form,
            "form_action": request.path,
        },
    )


def report(request: HttpRequest, report_id: int) -> HttpResponse:
    found = selectors.get_report_for(request.user, report_id)  # 404 first, whatever the method
    may_edit = policy.may(request.user, policy.Action.SCHEDULE_REPORTS)
    form = None
    if may_edit:
        data = request.POST if request.method == "POST" else None
        initial = {
            "name": found.name,
            "scope": str(found.team_id) if found.team_id else DEPARTMENT,
            "frequency": found.frequency,
            "recipients": found.recipients,
            "annex_format": found.annex_format,
            "active": found.active,
        }
        form = ReportForm(data, agent=request.user, initial=initial)
        if data is not None:
            if _save(form, services.report_update, agent=request.user, report=found):
                return redirect("insights:report", report_id=found.pk)
    elif request.method not in {"GET", "HEAD"}:
        raise policy.NotFound("No such page.")
    owner = found.owner
    return render(
        request,
        "insights/report_detail.html",
        {
            "title": found.name,
            "nav": "reports",
            "report": found,
            "owner_name": owner.get_full_name() or owner.get_username(),
            "runs": selectors.runs_of(found),
            "form": form,
            "form_action": request.path,
        },
    )


@require_POST
def report_delete(request: HttpRequest, report_id: int) -> HttpResponse:
    found = selectors.get_report_for(request.user, report_id)
    services.report_delete(agent=request.user, report=found)  # type: ignore[arg-type]
    return redirect("insights:reports")


def _file(request: HttpRequest, run_id: int, kind: str) -> HttpResponseBase:
    run = selectors.get_run_for(request.user, run_id)  # 404 first, whatever the method
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    path = services.run_file(run, kind)
    if path is None:
        raise policy.NotFound("No such file.")
    extension = "pdf" if kind == "pdf" else run.report.annex_format
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=path.name,
        content_type=services.CONTENT_TYPES[extension],
    )


def report_run_pdf(request: HttpRequest, run_id: int) -> HttpResponseBase:
    return _file(request, run_id, "pdf")


def report_run_annex(request: HttpRequest, run_id: int) -> HttpResponseBase:
    return _file(request, run_id, "annex")

"""Export pages: /pilotage/exports/<list>/ (stream or confirm a background export), the
agent's own exports, one export's progress and its file. Another agent's export is a 404."""

from __future__ import annotations

from typing import cast

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from levier.core.models import Agent

from ..models import ExportStatus
from . import selectors, services, writers
from .lists import ExportError, get_list, inline_rows_limit


def _agent(request: HttpRequest) -> Agent:
    """The signed-in agent (LoginRequiredMiddleware lets no anonymous visitor here)."""
    return cast(Agent, request.user)


def _list_url(list_name: str, request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    url = reverse(get_list(list_name).list_url)
    return f"{url}?{query.urlencode()}" if query else url


@require_http_methods(["GET", "POST"])
def export_list(request: HttpRequest, list_name: str) -> HttpResponseBase:
    """GET: the file, streamed, when it holds at most LEVIER_EXPORT_INLINE_ROWS rows; else a
    page offering to prepare it in the background (POST, which queues it)."""
    if list_name not in selectors.list_names():
        raise Http404("No such list.")
    agent = _agent(request)
    params = request.GET
    fmt = params.get("format", "")
    try:
        prepared = services.export_prepare(
            agent=agent, list_name=list_name, format=fmt, params=params
        )
    except ExportError as error:
        return render(
            request,
            "insights/export_error.html",
            {"title": _("Export"), "message": str(error), "back": _list_url(list_name, request)},
            status=400,
        )
    limit = inline_rows_limit()
    if request.method == "POST":
        job = services.export_start(prepared=prepared, rows=services.counted_rows(prepared, -1))
        return redirect("insights:export_job", job.pk)
    rows = services.counted_rows(prepared, limit)
    if rows > limit:
        return render(
            request,
            "insights/export_confirm.html",
            {
                "title": _("Export"),
                "prepared": prepared,
                "limit": limit,
                "back": _list_url(list_name, request),
            },
        )
    response = StreamingHttpResponse(
        services.chunks(services.export_stream(prepared, rows=rows)),
        content_type=writers.CONTENT_TYPES[fmt],
    )
    response["Content-Disposition"] = f'attachment; filename="{prepared.file_name()}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def export_jobs(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "insights/export_jobs.html",
        {
            "title": _("My exports"),
            "jobs": [
                (job, get_list(job.list_name).label)
                for job in selectors.export_jobs_of(_agent(request))[:50]
            ],
        },
    )


def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.get_export_job_for(_agent(request), pk)  # someone else's: 404, any method
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    running = job.status in {ExportStatus.QUEUED, ExportStatus.RUNNING}
    return render(
        request,
        "insights/export_job.html",
        {
            "title": _("Export"),
            "job": job,
            "running": running,
            "label": get_list(job.list_name).label,
            "available": services.export_job_path(job) is not None,
        },
    )


def export_job_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = selectors.get_export_job_for(_agent(request), pk)
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    path = services.export_job_path(job)
    if path is None:
        raise Http404("The export's file is not there (not ready, or deleted).")
    name = f"levier-{job.list_name}-{job.pk}.{job.format}"
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=name,
        content_type=writers.CONTENT_TYPES[job.format],
    )
    response["Cache-Control"] = "no-store"
    return response

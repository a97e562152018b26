"""Time saved (/pilotage/temps-gagne/), the journal events behind its figures
(/pilotage/gestes/), and the administrator's adoption of a measured median.

Team leads, managers and administrators only (policy Action.VIEW_TIME_SAVED; anyone else: a
404, as if the pages did not exist); adopting: Action.CALIBRATE_STANDARD_TIMES, also a 404
for anyone else. Figures about teams of at least 5 agents, never about one agent."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from levier.core import policy
from levier.core.french import format_date, format_number
from levier.core.models import Agent
from levier.core.pagination import keyset_page
from levier.journal.selectors import activity_for_code
from levier.journal.services import StandardDurationError, activity_adopt_standard_duration

from . import rollups, time_saved
from .dashboards.figures import gestes_url
from .measures import IDLE_SECONDS
from .time_saved_forms import AdoptStandardForm, GestesFilterForm, TimeSavedFilterForm
from .views import duration_text


def _period_query(start: object, end: object, **extra: object) -> dict[str, str]:
    query = {"start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"}
    query.update({key: str(value) for key, value in extra.items() if value not in (None, "")})
    return query


def time_saved_page(request: HttpRequest) -> HttpResponse:
    policy.check_may(request.user, policy.Action.VIEW_TIME_SAVED)  # first: others get a 404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    form = TimeSavedFilterForm(request.GET, teams=list(time_saved.teams_for(request.user)))
    context: dict[str, object] = {
        "title": _("Time saved"),
        "nav": "time_saved",
        "form": form,
        "filtered": bool(request.GET),
        "fte_hours": format_number(time_saved.fte_hours_per_year()),
        "min_measures": time_saved.MIN_MEASURES,
        "idle_minutes": IDLE_SECONDS // 60,
        "may_adopt": policy.may(request.user, policy.Action.CALIBRATE_STANDARD_TIMES),
    }
    last_built = rollups.last_built_day()
    context["last_built"] = format_date(last_built) if last_built else ""
    if form.is_valid():
        start, end = form.period()
        team_ids = form.team_ids()
        team = form.cleaned_data.get("team")
        report = time_saved.time_saved_report(request.user, team_ids=team_ids, start=start, end=end)
        base = _period_query(start, end, team=team)

        def link(**extra: object) -> str:
            return gestes_url(**{**base, "automated": 1, **extra})

        context.update(
            report=report,
            summary=time_saved.time_saved_summary(request.user, team_ids, start, end),
            period=(format_date(start), format_date(end)),
            total_link=link(),
            months=[
                (row, link(month=f"{row.key:%Y-%m}", start="", end="")) for row in report.by_month
            ],
            month_labels=[row.label for row in report.by_month],
            month_hours=[
                (_("Hours saved"), [round(row.figure.hours, 1) for row in report.by_month])
            ],
            teams=[(row, link(team=row.key)) for row in report.by_team],
            procedures=[
                (row, link(procedure=row.key) if row.key is not None else link(enquiries=1))
                for row in report.by_procedure
            ],
            activities=[(row, link(activity=row.key)) for row in report.by_activity],
            calibration=[
                (
                    row,
                    duration_text(row.standard_seconds),
                    duration_text(row.median_seconds) if row.shown else "",
                    gestes_url(**base, activity=row.code, automated=0, actor="agent"),
                )
                for row in time_saved.calibration_for(
                    request.user, team_ids=team_ids, start=start, end=end
                )
            ],
            adopt_query=base,
        )
    return render(request, "insights/time_saved.html", context)


def gestes(request: HttpRequest) -> HttpResponse:
    policy.check_may(request.user, policy.Action.VIEW_TIME_SAVED)  # first: others get a 404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    form = GestesFilterForm(request.GET)
    context: dict[str, object] = {
        "title": _("Gestes behind a figure"),
        "nav": "time_saved",
        "form": form,
    }
    if form.is_valid():
        filters = form.filters()
        events = time_saved.gestes_for(request.user, **filters)
        # Up to the last built day: the figures this list stands behind stop there.
        last_built = rollups.last_built_day()
        if last_built is None:
            events = events.none()
        elif filters["end"] > last_built:
            events = time_saved.gestes_for(request.user, **{**filters, "end": last_built})
        total = time_saved.gestes_total(events)
        page = keyset_page(events, request.GET)
        context.update(
            total=total,
            total_time=duration_text(total.seconds) if total.events else "—",
            page=page,
            rows=[
                (row, duration_text(row.seconds)) for row in time_saved.present_gestes(page.rows)
            ],
            period=(
                format_date(filters["start"]),
                format_date(min(filters["end"], last_built or filters["end"])),
            ),
            activity_label=time_saved.activity_label(filters["activity"]),
        )
    return render(request, "insights/gestes.html", context)


def adopt_standard(request: HttpRequest) -> HttpResponse:
    """POST: make the measured median of a geste its standard time (administrators)."""
    policy.check_may(request.user, policy.Action.CALIBRATE_STANDARD_TIMES)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = AdoptStandardForm(request.POST)
    back = reverse("insights:time_saved")
    if not form.is_valid():
        messages.error(
            request, _("The request to adopt a median is not valid: reload the page and try again.")
        )
        return HttpResponseRedirect(back)
    start, end = form.period()
    code = form.cleaned_data["activity"]
    team = form.cleaned_data.get("team")
    back += "?" + urlencode(_period_query(start, end, team=team))
    activity = activity_for_code(code)
    median = time_saved.measured_median(
        request.user,
        code=code,
        team_ids=None if team is None else [team],
        start=start,
        end=end,
    )
    if activity is None or median is None:
        messages.error(
            request,
            _("This geste has fewer than %(n)s measures in the period: no median to adopt.")
            % {"n": time_saved.MIN_MEASURES},
        )
        return HttpResponseRedirect(back)
    if median != form.cleaned_data["expected"]:
        messages.error(
            request,
            _("The measured median changed since the page was shown (now %(median)s): check it "
              "and adopt it again.") % {"median": duration_text(median)},
        )  # fmt: skip
        return HttpResponseRedirect(back)
    agent = request.user
    assert isinstance(agent, Agent)  # check_may let through an active agent only
    try:
        activity_adopt_standard_duration(actor=agent, activity=activity, seconds=median)
    except PermissionDenied:
        raise policy.NotFound("No such page.") from None
    except StandardDurationError:
        messages.error(
            request, _("This median is out of the range of a standard time (1 second to 8 hours).")
        )
        return HttpResponseRedirect(back)
    messages.success(
        request,
        _("“%(label)s” now has a standard time of %(time)s (journaled).")
        % {"label": activity.label, "time": duration_text(median)},
    )
    return HttpResponseRedirect(back)

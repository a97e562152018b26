"""The process map (/pilotage/processus/): team leads, managers and administrators only
(anyone else: 404, as if it did not exist; the rule is levier.core.policy's
Action.VIEW_PROCESS). Figures about cases and gestes, never about agents."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from levier.core import policy

from . import graph, selectors
from .forms import ProcessFilterForm


def duration_text(seconds: float | None) -> str:
    """A duration as a person reads it: "3 j 4 h", "5 h 12 min", "8 min", "40 s"."""
    if seconds is None:
        return "—"
    seconds = round(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)s min") % {"minutes": minutes}
    return _("%(seconds)s s") % {"seconds": secs}


@require_GET
def process(request: HttpRequest) -> HttpResponse:
    policy.check_may(request.user, policy.Action.VIEW_PROCESS)
    form = ProcessFilterForm(
        request.GET,
        procedures=list(selectors.process_procedures(request.user)),
        teams=list(selectors.process_teams(request.user)),
    )
    context: dict[str, object] = {
        "title": _("Process map"),
        "nav": "process",
        "form": form,
        "filtered": bool(request.GET),
    }
    if form.is_valid():
        result = selectors.process_map_for(request.user, **form.filters())
        context["result"] = result
        context["period"] = (form.cleaned_data["start"], form.cleaned_data["end"])
        context["median"] = duration_text(result.throughput_median)
        context["p90"] = duration_text(result.throughput_p90)
        context["arcs"] = [
            (result.label(arc.source), result.label(arc.target), arc.count,
             duration_text(arc.median_seconds))
            for arc in result.arcs
        ]  # fmt: skip
        context["slowest"] = [
            (result.label(arc.source), result.label(arc.target), arc.count,
             duration_text(arc.median_seconds))
            for arc in result.slowest
        ]  # fmt: skip
        context["rework"] = [
            (result.label(item.activity), item.cases, item.repetitions) for item in result.rework
        ]
        context["svg"] = graph.draw(
            result.mining,
            result.label,
            duration_text,
            title=_("Process map: activities and the transitions between them; the table "
                    "that follows gives the same figures."),
        )  # fmt: skip
        context["drawn_arcs_capped"] = len(result.mining.arcs) > graph.MAX_DRAWN_ARCS
        context["max_drawn_arcs"] = graph.MAX_DRAWN_ARCS
    return render(request, "insights/process.html", context)

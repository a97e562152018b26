"""The process map (/pilotage/processus/): team leads, managers and administrators only
(anyone else: 404, as if it did not exist; the rule is levier.core.policy's
Action.VIEW_PROCESS). Figures about cases and gestes, never about agents."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from levier.core import policy
from levier.core.french import format_number

from . import graph, maps, selectors
from .forms import MapFilterForm, ProcessFilterForm


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


# The map's sequential scale, light to dark (ColorBrewer "Blues", single hue: read by
# lightness, so by colour-blind people too); no value: white with a grey outline.
MAP_PALETTE = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
MAP_NO_VALUE = "#ffffff"


def _figure_text(value: float | None, metric: str) -> str:
    if value is None:
        return "—"
    number = format_number(value)
    unit = str(maps.METRIC_UNITS[metric])
    return f"{number}\u00a0{unit}" if unit else str(number)


@require_GET
def departement_map(request: HttpRequest) -> HttpResponse:
    """The figures of the agent's cases by usager's département, on a map and in a table
    (/pilotage/carte/); each département links to the case list filtered on it."""
    policy.check_may(request.user, policy.Action.VIEW_PROCESS)
    form = MapFilterForm(
        request.GET,
        metrics=maps.METRICS,
        procedures=list(selectors.process_procedures(request.user)),
    )
    context: dict[str, object] = {
        "title": _("Map by département"),
        "nav": "map",
        "form": form,
        "filtered": bool(request.GET),
        "min_cases": maps.MIN_CASES,
    }
    if form.is_valid():
        filters = form.filters()
        result = maps.departement_map(request.user, **filters)
        metric = filters["metric"]
        query = {
            "submitted_from": filters["start"].isoformat(),
            "submitted_to": filters["end"].isoformat(),
        }
        if filters["procedure"] is not None:
            query["procedure"] = str(filters["procedure"].pk)
        cases_url = reverse("cases:list")
        links = {
            row.code: f"{cases_url}?{urlencode({**query, 'departement': row.code})}"
            for row in result.rows
            if row.code
        }
        colours = {
            code: MAP_PALETTE[int(css_class.removeprefix("levier-map-c"))]
            for code, css_class in result.classes.items()
        }
        context.update(
            result=result,
            metric=metric,
            metric_label=maps.METRICS[metric],
            period=(filters["start"], filters["end"]),
            total_text=_figure_text(result.total_value, metric),
            rows=[
                (row, _figure_text(row.value, metric), links.get(row.code), colours.get(row.code))
                for row in result.rows
            ],
            legend=[
                (
                    MAP_PALETTE[int(item.css_class.removeprefix("levier-map-c"))],
                    _figure_text(item.low, metric),
                    _figure_text(item.high, metric),
                    item.low_excluded,
                )
                for item in result.bins
            ],
            no_value_colour=MAP_NO_VALUE,
            map_values=json.dumps(result.drawn),
            map_data={
                "values": result.drawn,
                "colours": colours,
                "links": links,
                "noValue": MAP_NO_VALUE,
            },
        )
    return render(request, "insights/map.html", context)

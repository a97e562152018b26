"""`{% levier_chart %}`: a DSFR chart (the vendored @gouvfr/dsfr-chart web components) and,
under it, the same figures in a table, since a chart is never the only carrier of figures
(RGAA 1.1 and 4.x). Usable from any template:

    {% load levier_charts %}
    {% levier_chart kind="bar" caption="Dossiers reçus par mois" labels=months series=series %}

`table=False` leaves the table out, for a page that shows the same figures in its own table
right after the chart. `series` is a list of (name, values) pairs, one value per label (None reads "—");
`unit` is shown in the tooltip and the table's header (e.g. "%"). The component loads
DSFRChart.js as a module script from levier's static files (no inline script: the site's
Content-Security-Policy forbids it); a page with several charts loads it once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django import template

register = template.Library()

# kind -> the web component's tag
KINDS = {"bar": "bar-chart", "line": "line-chart", "pie": "pie-chart"}


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


@register.inclusion_tag("insights/chart.html")
def levier_chart(
    *,
    kind: str = "bar",
    caption: str,
    labels: Sequence[Any],
    series: Sequence[tuple[str, Sequence[Any]]],
    unit: str = "",
    label_header: str = "",
    horizontal: bool = False,
    stacked: bool = False,
    table: bool = True,
) -> dict[str, Any]:
    if kind not in KINDS:
        raise template.TemplateSyntaxError(
            f"levier_chart: kind must be one of {', '.join(KINDS)}, not {kind!r}"
        )
    labels = [str(label) for label in labels]
    names = [str(name) for name, _values in series]
    values = [[_number(value) for value in row] for _name, row in series]
    for name, row in zip(names, values, strict=True):
        if len(row) != len(labels):
            raise template.TemplateSyntaxError(
                f"levier_chart: series {name!r} has {len(row)} values for {len(labels)} labels"
            )
    if kind == "pie" and len(values) != 1:
        raise template.TemplateSyntaxError(
            f"levier_chart: a pie takes one series, not {len(values)}"
        )
    # The component reads JSON lists. A missing value is null: Chart.js draws no bar or
    # point for it, and the table says "—". A pie names its slices (its legend), a line
    # repeats the labels for each series, a bar gives them once.
    return {
        "tag": KINDS[kind],
        "caption": caption,
        "unit": unit,
        "label_header": label_header,
        "x": json.dumps([labels] * (len(values) if kind == "line" else 1), ensure_ascii=False),
        "y": json.dumps(values),
        "names": json.dumps(labels if kind == "pie" else names, ensure_ascii=False),
        "palette": "categorical" if kind == "pie" or len(values) > 1 else "default",
        "horizontal": horizontal,
        "stacked": stacked,
        # False only where the page gives the same figures in its own table right after
        # (the dashboards' tables, whose cells are links to the lists behind them).
        "table": table,
        "series_names": names,
        "rows": [(label, [row[index] for row in values]) for index, label in enumerate(labels)],
    }

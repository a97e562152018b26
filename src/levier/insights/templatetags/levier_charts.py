"""`{% levier_chart %}`: a DSFR chart (the vendored @gouvfr/dsfr-chart web components) and,
under it, the same figures in a table, since a chart is never the only carrier of figures
(RGAA 1.1 and 4.x). Usable from any template:

    {% load levier_charts %}
    {% levier_chart kind="bar" caption="Dossiers reçus par mois" labels=months series=series %}

`series` is a list of (name, values) pairs, one value per label (None reads "—");
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
    # The component reads JSON lists; a missing value is drawn as 0 by Chart.js, so it is
    # left as null (no bar, no point) and the table says "—".
    return {
        "tag": KINDS[kind],
        "caption": caption,
        "unit": unit,
        "label_header": label_header,
        "x": json.dumps([labels] * (1 if kind != "line" else len(values)), ensure_ascii=False),
        "y": json.dumps(values),
        "names": json.dumps(names, ensure_ascii=False),
        "horizontal": horizontal,
        "stacked": stacked,
        "series_names": names,
        "rows": [(label, [row[index] for row in values]) for index, label in enumerate(labels)],
    }

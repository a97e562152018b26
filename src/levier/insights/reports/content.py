"""What a scheduled report holds: the dashboard's key figures as tables (no chart in the
PDF: tables only, readable on paper and by a screen reader), rendered to PDF with WeasyPrint
(levier.documents.render.html_to_pdf) and to an XLSX or ODS annex (insights.exports.writers).

Both are built from the same rows (`report_rows`), so the PDF and the annex say the same.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from levier.documents.render import html_to_pdf

from ..dashboards.figures import ComparedRate, TeamFigures
from ..dashboards.periods import Period
from ..exports import writers

REPORT_CSS = Path(__file__).resolve().parent.parent / "static" / "insights" / "report.css"


@dataclass(frozen=True)
class FigureRow:
    team: str
    label: str
    current: int | str
    previous: int | str


def _rate(rate: ComparedRate | None) -> tuple[str, str]:
    def text(part: int, whole: int, percent: int | None) -> str:
        return "–" if percent is None else f"{percent} % ({part} / {whole})"

    if rate is None:
        return "–", "–"
    return (
        text(rate.current.part.value, rate.current.whole.value, rate.current.percent),
        text(rate.previous.part.value, rate.previous.whole.value, rate.previous.percent),
    )


def _days(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds / 86400:.1f}".replace(".", ",")


def report_rows(teams: list[TeamFigures]) -> list[FigureRow]:
    """One row per figure and team: the period's value, then the previous period's."""
    rows: list[FigureRow] = []
    for figures in teams:
        name = figures.team_name
        if figures.hidden:
            rows.append(FigureRow(name, _("No figure: fewer than 5 agents"), "", ""))
            continue

        def add(label: str, current: int | str, previous: int | str, team: str = name) -> None:
            rows.append(FigureRow(team, label, current, previous))

        for label, series in (
            (_("Cases submitted"), figures.incoming_cases),
            (_("Enquiries received"), figures.incoming_by_channel),
        ):
            if series is not None and series.totals:
                total = series.totals[-1]
                add(label, total.current.value, total.previous.value)
        if figures.case_backlog is not None:
            add(_("Open cases (backlog, today)"), figures.case_backlog.total.value, "")
        if figures.enquiry_backlog is not None:
            add(_("Open enquiries (backlog, today)"), figures.enquiry_backlog.total.value, "")
        for label, rate in (
            (_("Cases decided by their deadline"), figures.case_deadlines),
            (_("Enquiries answered by their deadline"), figures.answer_deadlines),
            (_("First-contact resolution"), figures.first_contact),
            (_("Reopened enquiries"), figures.reopened),
            (_("Inaccurate declaration: controls proposed by levier"), figures.control_hits),
            (_("Inaccurate declaration: random controls (the baseline)"), figures.random_hits),
        ):
            add(label, *_rate(rate))
        for row in figures.processing:
            add(
                _("Decided: %(procedure)s") % {"procedure": row.procedure},
                row.current.decided.value,
                row.previous.decided.value,
            )
            add(
                _("Median processing time in days: %(procedure)s") % {"procedure": row.procedure},
                _days(row.current.median_seconds),
                _days(row.previous.median_seconds),
            )
            add(
                _("90th percentile in days: %(procedure)s") % {"procedure": row.procedure},
                _days(row.current.p90_seconds),
                _days(row.previous.p90_seconds),
            )
        if figures.gestes is not None and figures.gestes_previous is not None:
            add(_("Gestes"), figures.gestes.gestes.value, figures.gestes_previous.gestes.value)
            add(
                _("Gestes done by robots"),
                figures.gestes.automated.value,
                figures.gestes_previous.automated.value,
            )
            add(
                _("Time saved by robots, in hours"),
                figures.gestes.hours_text,
                figures.gestes_previous.hours_text,
            )
    return rows


def render_pdf(*, title: str, period: Period, rows: list[FigureRow]) -> bytes:
    html = render_to_string(
        "insights/report_pdf.html",
        {"title": title, "period": period, "previous": period.previous(), "rows": rows},
    )
    return html_to_pdf(html, extra_css=REPORT_CSS)


def render_annex(*, fmt: str, period: Period, rows: list[FigureRow]) -> bytes:
    previous = period.previous()
    headers = [
        _("Team"),
        _("Figure"),
        _("%(start)s to %(end)s")
        % {"start": period.start.strftime("%d/%m/%Y"), "end": period.end.strftime("%d/%m/%Y")},
        _("%(start)s to %(end)s")
        % {"start": previous.start.strftime("%d/%m/%Y"), "end": previous.end.strftime("%d/%m/%Y")},
    ]
    out = io.BytesIO()
    writers.write(
        fmt,
        out,
        headers,
        ([row.team, row.label, row.current, row.previous] for row in rows),
        sheet_title=_("Figures"),
    )
    return out.getvalue()

"""Reads of controls, scoped to the agent's teams (anything else is a 404)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from levier.cases.models import Case, Procedure
from levier.core import policy
from levier.core.geo import departement_of_commune, departement_of_postal_code, departements
from levier.core.models import Agent

from .models import ControlResult, Flag, FlagSource, RuleResult
from .presenters import (
    COMPARISON_STATUS_LABELS,
    FOUND_FIELD_LABELS,
    KIND_LABELS,
    SOURCE_LABELS,
    value_formatter,
)

HITS = (ControlResult.CONFIRMED, ControlResult.GOOD_FAITH)
# Below this many cases, a territory's flag rate says little: it is shown, not compared.
MIN_CASES_FOR_DISPARITY = 30


# A `source` filter: every proposal levier made itself, i.e. all but the random baseline.
TARGETED = "targeted"
# A `result` filter: the declaration was inaccurate (irregularity or error in good faith),
# what the page's discovery rate counts.
INACCURATE = "inaccurate"
INACCURATE_RESULTS = (ControlResult.CONFIRMED, ControlResult.GOOD_FAITH)


def flags_for(
    agent: Agent,
    *,
    procedure: Procedure | None = None,
    source: str = "",
    state: str = "open",
    territory: str = "",
    result: str = "",
    team_id: int | None = None,
    controlled_from: date | None = None,
    controlled_to: date | None = None,
) -> QuerySet[Flag]:
    """The control proposals the agent may see, filtered; `controlled_from`/`_to` are local
    days of the control (the dashboards' control hit rates link here)."""
    flags = Flag.objects.visible_to(agent).select_related("case", "case__contact", "procedure")
    if procedure is not None:
        flags = flags.filter(procedure=procedure)
    if source == TARGETED:
        flags = flags.exclude(source=FlagSource.RANDOM)
    elif source:
        flags = flags.filter(source=source)
    if result == INACCURATE:
        flags = flags.filter(result__in=INACCURATE_RESULTS)
    elif result:
        flags = flags.filter(result=result)
    if team_id:
        flags = flags.filter(case__team_id=team_id)
    if controlled_from:
        flags = flags.filter(controlled_at__date__gte=controlled_from)
    if controlled_to:
        flags = flags.filter(controlled_at__date__lte=controlled_to)
    if territory:
        flags = flags.filter(territory=territory)
    if state == "open":
        flags = flags.filter(result="")
    elif state == "decided":
        flags = flags.exclude(result="")
    return flags.order_by("result", "-score", "-id")


def get_flag_for(agent: Agent, flag_id: int) -> Flag:
    flag = flags_for(agent, state="all").filter(pk=flag_id).first()
    if flag is None:
        raise policy.NotFound("No such flag.")
    return flag


def procedures_with_flags(agent: Agent) -> QuerySet[Procedure]:
    return Procedure.objects.filter(policy.rows_for(agent, Procedure)).order_by("name")


@dataclass(frozen=True)
class SourceStatistics:
    source: str
    label: str
    raised: int
    controlled: int
    confirmed: int
    good_faith: int

    @property
    def hits(self) -> int:
        return self.confirmed + self.good_faith

    @property
    def hit_rate(self) -> float | None:
        return self.hits / self.controlled if self.controlled else None


@dataclass(frozen=True)
class ControlStatistics:
    sources: list[SourceStatistics]
    baseline: SourceStatistics | None

    def lift(self, row: SourceStatistics) -> float | None:
        """How many times the random baseline's hit rate a source's precision is."""
        base = self.baseline.hit_rate if self.baseline else None
        if not base or row.hit_rate is None:
            return None
        return row.hit_rate / base


def control_statistics(agent: Agent, procedure: Procedure | None = None) -> ControlStatistics:
    flags = Flag.objects.visible_to(agent)
    if procedure is not None:
        flags = flags.filter(procedure=procedure)
    rows = flags.values("source").annotate(
        raised=Count("id"),
        controlled=Count("id", filter=~Q(result="")),
        confirmed=Count("id", filter=Q(result=ControlResult.CONFIRMED)),
        good_faith=Count("id", filter=Q(result=ControlResult.GOOD_FAITH)),
    )
    by_source = {
        row["source"]: SourceStatistics(
            source=row["source"],
            label=str(FlagSource(row["source"]).label),
            raised=row["raised"],
            controlled=row["controlled"],
            confirmed=row["confirmed"],
            good_faith=row["good_faith"],
        )
        for row in rows
    }
    ordered = [by_source[s] for s in FlagSource.values if s in by_source and s != "random"]
    return ControlStatistics(sources=ordered, baseline=by_source.get("random"))


@dataclass(frozen=True)
class TerritoryRate:
    code: str
    name: str
    cases: int
    flagged: int

    @property
    def rate(self) -> float:
        return self.flagged / self.cases if self.cases else 0.0


def _case_territories(cases: QuerySet[Case]) -> Counter[str]:
    counts: Counter[str] = Counter()
    rows = cases.values_list("contact__commune_code", "contact__postal_code").annotate(
        n=Count("id")
    )
    for commune, postal_code, n in rows:
        code = departement_of_commune(commune) or departement_of_postal_code(postal_code) or ""
        counts[code] += n
    return counts


def flag_rates_by_territory(
    agent: Agent, procedure: Procedure | None = None, source: str = FlagSource.ANOMALY
) -> tuple[list[TerritoryRate], float]:
    """Share of cases flagged per département, and overall: disparities show here."""
    cases = Case.objects.visible_to(agent)
    flags = Flag.objects.visible_to(agent).filter(source=source)
    if procedure is not None:
        cases, flags = cases.filter(procedure=procedure), flags.filter(procedure=procedure)
    else:
        with_flags = flags.values("procedure_id").distinct()
        cases = cases.filter(procedure_id__in=with_flags)
    totals = _case_territories(cases)
    flagged = Counter(dict(flags.values_list("territory").annotate(n=Count("id"))))
    names = departements()
    rates = [
        TerritoryRate(
            code=code,
            name=names[code].name if code in names else "—",
            cases=n,
            flagged=flagged.get(code, 0),
        )
        for code, n in totals.items()
        if n >= MIN_CASES_FOR_DISPARITY
    ]
    rates.sort(key=lambda row: (-row.rate, row.code))
    # Territories with few cases say little one by one: one row for all of them.
    small = [code for code, n in totals.items() if n < MIN_CASES_FOR_DISPARITY]
    if small:
        rates.append(
            TerritoryRate(
                code="",
                name=str(
                    _("other départements (under %(n)s cases each)")
                    % {"n": MIN_CASES_FOR_DISPARITY}
                ),
                cases=sum(totals[code] for code in small),
                flagged=sum(flagged.get(code, 0) for code in small),
            )
        )
    total_cases = sum(totals.values())
    overall = sum(flagged.values()) / total_cases if total_cases else 0.0
    return rates, overall


def case_controls_panel(case: Case) -> dict[str, Any]:
    """What the case page shows of controls: document checks, rules that failed, flags."""
    shown = value_formatter(case)
    checks = []
    for check in case.document_checks.select_related("document").order_by("document_id"):
        checks.append(
            {
                "check": check,
                "kind_label": KIND_LABELS.get(check.kind, check.kind or "—"),
                "source_label": SOURCE_LABELS.get(check.source, check.source),
                "extracted": [
                    {**field, "label": FOUND_FIELD_LABELS.get(field["name"], field["name"])}
                    for field in check.extracted
                ],
                "comparisons": [
                    {
                        **row,
                        "declared": shown(row["declared_field"], row["declared"]),
                        "found": shown(row["declared_field"], row["found"]),
                        "label": FOUND_FIELD_LABELS.get(row["field"], row["field"]),
                        "status_label": COMPARISON_STATUS_LABELS.get(row["status"], row["status"]),
                        "source_label": SOURCE_LABELS.get(row.get("source", ""), ""),
                    }
                    for row in check.comparisons
                ],
            }
        )
    failed_rules = (
        RuleResult.objects.filter(case=case, outcome="failed")
        .select_related("rule")
        .order_by("rule__name")
    )
    flags = list(case.flags.select_related("controlled_by").order_by("result", "-score", "id"))
    return {"checks": checks, "failed_rules": list(failed_rules), "flags": flags}

"""Scoped reads of the insights pages: the process map of the cases (or enquiries) an agent
may see, mined from the journal (mining/log.py, mining/analysis.py).

Scope is levier.core.policy's: the teams of `visible_team_ids` (a team lead's own teams, a
manager's whole organisation, own teams only without an organisation). The log is read team
by team, so a case of another team is never read, not even to be dropped.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from levier.cases.models import CaseStatus, Procedure
from levier.core import policy
from levier.core.models import Team
from levier.enquiries.models import EnquiryStatus
from levier.insights.mining.analysis import Arc, Miner, Mining, Rework
from levier.insights.mining.log import journal_log
from levier.journal.models import Activity

# Cases (or enquiries) analysed for one page at most, when the setting is absent.
DEFAULT_MAX_CASES = 20_000
# Variants listed on the page; the rest are counted in one line.
SHOWN_VARIANTS = 10

# Journal verbs that have no geste in the catalogue, as the case timeline names them
# (cases/presenters.py); anything else falls back to the verb, readable.
VERB_LABELS = {
    "raise-flag": _lazy("Proposed for a control"),
    "withdraw-flag": _lazy("Control proposal withdrawn"),
}


def max_cases_setting() -> int:
    return int(getattr(settings, "LEVIER_PROCESS_MAX_CASES", DEFAULT_MAX_CASES))


def process_teams(agent: Any) -> QuerySet[Team]:
    """The teams whose process the agent may read (the form's choices)."""
    return Team.objects.filter(pk__in=policy.visible_team_ids(agent)).order_by("name")


def process_procedures(agent: Any) -> QuerySet[Procedure]:
    return Procedure.objects.filter(policy.rows_for(agent, Procedure)).order_by("name")


def activity_labels() -> dict[str, str]:
    """Activity code -> its French label in the catalogue (journal.Activity)."""
    return dict(Activity.objects.values_list("code", "label"))


def activity_label(code: str, labels: dict[str, str]) -> str:
    """The label of an activity of the log; a status change names the status reached
    ("change-case-status:waiting_for_usager" -> "Faire avancer un dossier : En attente...")."""
    geste, _sep, status = code.partition(":")
    label = (
        labels.get(geste) or str(VERB_LABELS.get(geste, "")) or geste.replace("-", " ").capitalize()
    )
    if not status:
        return label
    for choices in (CaseStatus, EnquiryStatus):
        if status in choices.values:
            return _("%(activity)s: %(status)s") % {
                "activity": label,
                "status": str(choices(status).label).lower(),
            }
    return _("%(activity)s: %(status)s") % {"activity": label, "status": status}


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `share` of the values at
    or below it (no interpolation: a value that some case really took)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class VariantRow:
    activities: list[str]  # French labels, in order
    count: int
    share: float


@dataclass
class ProcessMap:
    mining: Mining
    labels: dict[str, str]  # activity code -> French label, for every activity of the log
    max_cases: int
    capped: bool
    throughput_median: float | None
    throughput_p90: float | None
    rework_share: float  # share of cases where some activity happens more than once
    variants: list[VariantRow] = field(default_factory=list)
    other_variants: int = 0  # variants not listed
    other_variant_cases: int = 0

    def label(self, code: str) -> str:
        return self.labels.get(code, code)

    @property
    def arcs(self) -> list[Arc]:
        return sorted(self.mining.arcs, key=lambda arc: (-arc.count, arc.source, arc.target))

    @property
    def slowest(self) -> list[Arc]:
        return self.mining.slowest_arcs(10)

    @property
    def rework(self) -> list[Rework]:
        return self.mining.rework


def process_map_for(
    agent: Any,
    *,
    subject: str = "case",
    procedure: Procedure | None = None,
    team: Team | None = None,
    channel: str = "",
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    max_cases: int | None = None,
) -> ProcessMap:
    """The process of the cases (subject "case", by procedure) or enquiries ("enquiry", by
    channel) of the agent's teams in [start, end), at most `max_cases` of them."""
    limit = max_cases_setting() if max_cases is None else max_cases
    team_ids = set(policy.visible_team_ids(agent))
    if procedure is not None and procedure.team_id not in team_ids:
        team_ids = set()  # a procedure out of reach reads as one with no case
    if team is not None:
        team_ids &= {team.pk}
    miner = Miner()
    capped = False
    for team_row in Team.objects.filter(pk__in=team_ids).order_by("pk"):
        traces = journal_log(
            subject=subject,
            procedure=procedure if subject == "case" else None,
            team=team_row,
            channel=channel if subject == "enquiry" else None,
            start=start,
            end=end,
        )
        for trace in traces:
            if miner.cases >= limit:
                capped = True
                break
            miner.add(trace)
        if capped:
            break
    mining = miner.result()
    catalogue = activity_labels()
    codes = {arc.source for arc in mining.arcs} | {arc.target for arc in mining.arcs}
    codes |= set(mining.start_activities) | set(mining.end_activities)
    labels = {code: activity_label(code, catalogue) for code in codes}
    durations = list(mining.throughput_seconds.values())
    reworked = sum(count for variant, count in mining.variants if len(set(variant)) < len(variant))
    shown = mining.variants[:SHOWN_VARIANTS]
    rest = mining.variants[SHOWN_VARIANTS:]
    return ProcessMap(
        mining=mining,
        labels=labels,
        max_cases=limit,
        capped=capped,
        throughput_median=mining.throughput_median(),
        throughput_p90=percentile(durations, 0.9),
        rework_share=reworked / mining.cases if mining.cases else 0.0,
        variants=[
            VariantRow([labels[code] for code in variant], count, mining.variant_share(count))
            for variant, count in shown
        ],
        other_variants=len(rest),
        other_variant_cases=sum(count for _variant, count in rest),
    )

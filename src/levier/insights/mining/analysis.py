"""Directly-follows graph, variants, throughput times and rework, case by case.

Pure Python over `Trace`s (see log.py): one pass, memory bounded by the number of distinct
arcs, variants and cases (one float per case for its throughput time, one per arc
occurrence for the median waiting times, kept in compact arrays).

The definitions are PM4Py's, so that levier's figures can be checked against it:
- an arc (a, b) counts each time b directly follows a in a case;
- a variant is the sequence of activities of a case;
- a case's throughput time is its last event's time minus its first's, in seconds.
"""

from __future__ import annotations

import statistics
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .log import Trace

# In levier's journal, a case put on hold for the usager reaches this status; coming back
# to it is the rework agents and managers ask about first.
WAITING_FOR_USAGER_ACTIVITIES = ("change-case-status:waiting_for_usager",)


@dataclass
class Arc:
    source: str
    target: str
    count: int
    median_seconds: float


@dataclass
class Rework:
    activity: str
    cases: int  # cases where the activity happens more than once
    repetitions: int  # occurrences beyond the first, summed over cases


@dataclass
class Mining:
    cases: int = 0
    events: int = 0
    arcs: list[Arc] = field(default_factory=list)
    start_activities: dict[str, int] = field(default_factory=dict)
    end_activities: dict[str, int] = field(default_factory=dict)
    variants: list[tuple[tuple[str, ...], int]] = field(default_factory=list)
    throughput_seconds: dict[str, float] = field(default_factory=dict)
    rework: list[Rework] = field(default_factory=list)

    def variant_share(self, count: int) -> float:
        return count / self.cases if self.cases else 0.0

    def slowest_arcs(self, limit: int = 10) -> list[Arc]:
        return sorted(self.arcs, key=lambda arc: (-arc.median_seconds, arc.source, arc.target))[
            :limit
        ]

    def rework_of(self, activities: Iterable[str] = WAITING_FOR_USAGER_ACTIVITIES) -> list[Rework]:
        wanted = set(activities)
        return [item for item in self.rework if item.activity in wanted]

    def throughput_median(self) -> float | None:
        values = list(self.throughput_seconds.values())
        return statistics.median(values) if values else None

    def as_json(self) -> dict[str, Any]:
        """What `levier insights mine` prints: plain values, sorted, comparable with other tools."""
        return {
            "cases": self.cases,
            "events": self.events,
            "directly_follows": [
                {
                    "from": arc.source,
                    "to": arc.target,
                    "count": arc.count,
                    "median_waiting_seconds": arc.median_seconds,
                }
                for arc in self.arcs
            ],  # fmt: skip
            "start_activities": dict(sorted(self.start_activities.items())),
            "end_activities": dict(sorted(self.end_activities.items())),
            "variants": [
                {
                    "activities": list(variant),
                    "count": count,
                    "share": round(self.variant_share(count), 6),
                }
                for variant, count in self.variants
            ],  # fmt: skip
            "throughput_seconds": dict(sorted(self.throughput_seconds.items())),
            "rework": [
                {"activity": item.activity, "cases": item.cases, "repetitions": item.repetitions}
                for item in self.rework
            ],
        }


class Miner:
    """Feed it traces one at a time (`add`), then read the result (`result`)."""

    def __init__(self) -> None:
        self.cases = 0
        self.events = 0
        self.waits: dict[tuple[str, str], array[float]] = {}
        self.starts: Counter[str] = Counter()
        self.ends: Counter[str] = Counter()
        self.variants: Counter[tuple[str, ...]] = Counter()
        self.throughput: dict[str, float] = {}
        self.rework_cases: Counter[str] = Counter()
        self.rework_repetitions: Counter[str] = Counter()

    def add(self, trace: Trace) -> None:
        events = trace.events
        if not events:
            return
        self.cases += 1
        self.events += len(events)
        activities = tuple(event.activity for event in events)
        self.starts[activities[0]] += 1
        self.ends[activities[-1]] += 1
        self.variants[activities] += 1
        first, last = events[0].timestamp, events[-1].timestamp
        self.throughput[trace.case] = (last - first).total_seconds()
        all_waits = self.waits
        previous_activity, previous_time = activities[0], first
        for activity, timestamp, _, _ in events[1:]:
            key = (previous_activity, activity)
            waits = all_waits.get(key)
            if waits is None:
                waits = all_waits[key] = array("d")
            waits.append((timestamp - previous_time).total_seconds())
            previous_activity, previous_time = activity, timestamp
        if len(activities) > len(set(activities)):
            for activity, count in Counter(activities).items():
                if count > 1:
                    self.rework_cases[activity] += 1
                    self.rework_repetitions[activity] += count - 1

    def result(self) -> Mining:
        arcs = [
            Arc(source, target, len(waits), statistics.median(waits))
            for (source, target), waits in sorted(self.waits.items())
        ]
        variants = sorted(self.variants.items(), key=lambda item: (-item[1], item[0]))
        rework = sorted(
            (
                Rework(a, self.rework_cases[a], self.rework_repetitions[a])
                for a in self.rework_cases
            ),
            key=lambda item: (-item.repetitions, item.activity),
        )
        return Mining(
            cases=self.cases,
            events=self.events,
            arcs=arcs,
            start_activities=dict(self.starts),
            end_activities=dict(self.ends),
            variants=variants,
            throughput_seconds=dict(self.throughput),
            rework=rework,
        )


def mine(traces: Iterable[Trace]) -> Mining:
    """Analyse a whole log. Reading errors raise before any result exists."""
    miner = Miner()
    for trace in traces:
        miner.add(trace)
    return miner.result()

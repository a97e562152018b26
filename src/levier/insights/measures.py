"""The calibration rule: agents' measured durations of their gestes, from the journal.

An agent's geste on a case takes "the time on the case page between opening it and the
action, excluding idle gaps" (issue 12). Written down in docs/insights.md ("Calibration").
Used by the daily roll-ups (DailyMeasure) and, as the reference, by time_saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.db.models import Q, QuerySet

from levier.journal.models import ActorKind, Event
from levier.journal.verbs import PERSONAL_DATA_VERBS, READ

# More than this between two moments of an agent on one case (or enquiry) is idle time: the
# geste after it is not measured.
IDLE_SECONDS = 30 * 60

# How far before a day (or period) the rule reads back: a geste just after midnight may be
# measured from a geste before it, itself measured from an opening before that... A chain of
# gestes never more than 30 minutes apart that began more than this before midnight is cut
# there (its first gestes after midnight go unmeasured): 6 hours of work without a break.
LOOKBACK = dt.timedelta(hours=6)

CASE_TARGET = "cases.case"
ENQUIRY_TARGET = "enquiries.enquiry"

Row = tuple[str, str, str, dt.datetime, str]  # actor id, target type, target id, time, code


def measure_sessions(
    rows: Iterable[Row], *, since: dt.datetime, idle_seconds: int = IDLE_SECONDS
) -> Iterator[tuple[str, str, str, int]]:
    """(target type, target id, activity code, seconds) of each measured geste, from rows
    ordered by actor, target, time ("" as the code of a read). Per agent and case:

    - the agent's `read` of the case (opening its page) starts a measure;
    - the agent's next geste on it is measured from that moment, and itself starts the
      measure of the geste after it (two gestes after one opening are not both counted
      from the opening);
    - more than `idle_seconds` since that moment is idle: the geste is not measured and the
      next one needs a new opening; a geste with no opening before it is not measured;
    - another agent's opening counts for nothing; a geste at the same second as the moment
      before it (one action writing two events) is not a measure.
    Only gestes at or after `since` are kept (an opening may be earlier)."""
    current: tuple[str, str, str] | None = None
    mark: dt.datetime | None = None
    for actor_id, target_type, target_id, at, code in rows:
        key = (actor_id, target_type, target_id)
        if key != current:
            current, mark = key, None
        if not code:  # a read: the page was opened
            mark = at
            continue
        if mark is None:
            continue
        gap = (at - mark).total_seconds()
        if gap > idle_seconds:
            mark = None
            continue
        if gap >= 1 and at >= since:
            yield target_type, target_id, code, round(gap)
        mark = at


def agent_moments(start: dt.datetime, end: dt.datetime) -> QuerySet[Event]:
    """Agents' openings and gestes on cases and enquiries that the rule reads to measure the
    gestes of [start, end): from LOOKBACK before `start`, in the rule's order."""
    return (
        Event.objects.filter(
            actor_kind=ActorKind.AGENT,
            target_type__in=[CASE_TARGET, ENQUIRY_TARGET],
            occurred_at__gte=start - LOOKBACK,
            occurred_at__lt=end,
        )
        .filter(
            Q(verb=READ)
            | (~Q(verb__in=list(PERSONAL_DATA_VERBS)) & ~Q(activity_code="") & Q(automated=False))
        )
        .order_by("actor_id", "target_type", "target_id", "occurred_at", "id")
    )


def moments(events: QuerySet[Event]) -> Iterator[Row]:
    """The rule's rows of `agent_moments` (a read has no code)."""
    rows = events.values_list(
        "actor_id", "target_type", "target_id", "occurred_at", "verb", "activity_code"
    )
    for actor, kind, target, at, verb, code in rows.iterator(chunk_size=5000):
        yield actor, kind, target, at, "" if verb == READ else code

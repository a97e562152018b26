"""The fast directly-follows graph (mining/fast.py) gives the Python Miner's figures exactly.

On PostgreSQL the journal is read by binary COPY and mined with numpy; on SQLite
`journal_directly_follows` is the Python path itself, so the journal tests compare the path
with itself there and mean something on PostgreSQL (CI runs both).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from levier.cases import services
from levier.cases.models import Case, CaseStatus
from levier.insights.mining import fast
from levier.insights.mining.analysis import Miner, mine
from levier.insights.mining.fast import directly_follows, journal_directly_follows
from levier.insights.mining.log import (
    ACTIVITY,
    CASE,
    TIMESTAMP,
    LogEvent,
    Trace,
    journal_log,
    parse_timestamp,
    read_log,
)
from levier.journal.models import Event
from levier.journal.services import Actor, record, record_read
from levier.journal.triggers import create_triggers, drop_triggers
from tests.factories import ContactFactory, EnquiryFactory, ProcedureFactory, TeamFactory

RECEIPT = Path(__file__).parent / "data" / "receipt.csv"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def micros(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def as_tuples(arcs):
    return [(arc.source, arc.target, arc.count, arc.median_seconds) for arc in arcs]


def test_receipt_csv_in_file_order_gives_the_miners_graph():
    """The file's rows as they come (cases interleaved, no sort), the line as the order of
    writing: the same arcs, counts and medians as mine(read_log(...)), which PM4Py checks."""
    with RECEIPT.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    numbers = {name: index for index, name in enumerate(sorted({r[ACTIVITY] for r in rows}))}
    case_numbers: dict[str, int] = {}
    arrays = np.array(
        [
            (
                case_numbers.setdefault(row[CASE], len(case_numbers)),
                micros(parse_timestamp(row[TIMESTAMP])),
                line,
                numbers[row[ACTIVITY]],
            )
            for line, row in enumerate(rows)
        ],
        dtype=np.int64,
    )
    got = directly_follows(*arrays.T, names=sorted(numbers))
    expected = mine(read_log(RECEIPT)).arcs
    assert len(expected) > 50 and sum(arc.count for arc in expected) == 8577 - 1434
    assert as_tuples(got) == as_tuples(expected)


def reference(cases, times, seq, activities, names):
    order = sorted(range(len(cases)), key=lambda i: (cases[i], times[i], seq[i]))
    miner, current, events = Miner(), None, []
    for i in order:
        if cases[i] != current:
            if events:
                miner.add(Trace(str(current), events))
            current, events = cases[i], []
        events.append(LogEvent(names[activities[i]], EPOCH + dt.timedelta(microseconds=times[i])))
    if events:
        miner.add(Trace(str(current), events))
    return miner.result().arcs


@pytest.mark.parametrize("seed", range(24))
def test_random_logs_give_the_miners_graph(seed):
    """Every branch of the sorts: rows written in time order or not, order of writing
    increasing or shuffled, equal times, huge case ids and waits, activities whose hashes
    share their low bits."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 4000))
    cases = rng.integers(0, int(rng.integers(1, 400)), n) * int(rng.choice([1, 1000, 10**12]))
    times = rng.integers(0, int(rng.choice([3, 10**6, 6 * 10**13])), n)
    if seed % 3 == 0:  # written in time order, as a live journal is
        order = np.argsort(times, kind="stable")
        cases, times = cases[order], times[order]
    seq = np.arange(n) * 3 if seed % 2 == 0 else rng.permutation(n)
    hashes = rng.integers(-(2**63), 2**63 - 1, 40, dtype=np.int64)
    if seed % 4 == 0:
        hashes[1] = hashes[0] + (1 << fast._LOW_BITS)  # same low bits as another activity
    names = {int(value): f"activity {index}" for index, value in enumerate(hashes)}
    activities = hashes[rng.integers(0, int(rng.integers(1, 40)), n)]
    got = directly_follows(cases, times, seq, activities, names)
    expected = reference(cases.tolist(), times.tolist(), seq.tolist(), activities.tolist(), names)
    assert as_tuples(got) == as_tuples(expected)


def test_fewer_than_two_events_or_no_arc():
    assert directly_follows([1], [0], [0], [5], {5: "a"}) == []
    assert directly_follows([1, 2], [0, 1], [0, 1], [5, 5], {5: "a"}) == []


@pytest.fixture
def random_journal(db, team, agent):
    """Cases of two teams and two procedures with random histories (returns to the usager,
    decisions), events at the same instant, reads left out, drafts, enquiries."""
    rng = random.Random(12)
    other_team = TeamFactory(slug="autre-equipe")
    agent.teams.add(other_team)
    procedures = [
        ProcedureFactory(team=team, slug="aide-commerce"),
        ProcedureFactory(team=team, slug="aide-artisan"),
        ProcedureFactory(team=other_team, slug="autre"),
    ]
    cases = []
    for number in range(36):
        case, _ = services.case_submit(
            procedure=rng.choice(procedures),
            contact=ContactFactory(),
            data={"project": f"p{number}", "amount": "1.00"},
        )
        cases.append(case)
        path = ["in_review"]
        while rng.random() < 0.4:
            path += ["waiting_for_usager", "in_review"]
        path.append(rng.choice(["accepted", "refused", "in_review"]))
        for status in path:
            if status != case.status:
                services.case_transition(
                    case=case, to_status=status, actor=agent, reason="Pièce manquante."
                )
            if rng.random() < 0.3:
                record_read(agent=agent, target=case)
            if rng.random() < 0.3:
                record(
                    actor=Actor.robot("controls"),
                    verb="check-case",
                    target=case,
                    activity="check-documents" if rng.random() < 0.5 else "",
                )
    # The journal's times, spread over a year, some equal (ties ordered by id).
    start = timezone.now() - dt.timedelta(days=365)
    events = list(Event.objects.filter(target_type="cases.case").order_by("id"))
    moments = {}
    for case in cases:
        moment = start + dt.timedelta(seconds=rng.randrange(0, 3600 * 24 * 300))
        for event in (e for e in events if e.target_id == str(case.pk)):
            if rng.random() < 0.8:
                moment += dt.timedelta(seconds=rng.expovariate(1 / 86400), microseconds=1)
            moments[event.pk] = moment
    with connection.cursor() as cursor:  # the journal refuses updates: only the test may
        table = Event._meta.db_table
        postgresql = connection.vendor == "postgresql"
        if postgresql:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            drop_triggers(cursor.execute, connection.vendor)
        for pk, moment in moments.items():
            cursor.execute(f"UPDATE {table} SET occurred_at = %s WHERE id = %s", [moment, pk])
        if postgresql:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            create_triggers(cursor.execute, connection.vendor)
    Case.objects.filter(pk=cases[0].pk).update(status=CaseStatus.DRAFT)  # left out
    for channel in ("email", "phone", "email"):
        enquiry = EnquiryFactory(team=team, channel=channel)
        for verb in ("assign", "transition", "reply"):
            record(
                actor=agent,
                verb=verb,
                target=enquiry,
                activity="",
                payload={"to": "answered"} if verb == "transition" else {},
            )
    return {"team": team, "other": other_team, "procedures": procedures, "start": start}


def both(**filters):
    team_ids = filters.pop("team_ids")
    from levier.core.models import Team

    miner = Miner()
    for team in Team.objects.filter(pk__in=team_ids).order_by("pk"):
        for trace in journal_log(team=team, **filters):
            miner.add(trace)
    return as_tuples(journal_directly_follows(team_ids=team_ids, **filters)), as_tuples(
        miner.result().arcs
    )


def test_journal_graph_equals_the_python_path(random_journal, team):
    other = random_journal["other"]
    start = random_journal["start"]
    middle = start + dt.timedelta(days=150)
    got, expected = both(team_ids=[team.pk, other.pk])
    assert len(expected) >= 8 and got == expected
    assert ("change-case-status:waiting_for_usager", "change-case-status:in_review") in {
        (source, target) for source, target, _count, _median in got
    }
    assert not any("consult" in source or "read" == source for source, *_ in got)
    for filters in (
        {"team_ids": [team.pk]},
        {"team_ids": [other.pk]},
        {"team_ids": [team.pk], "procedure": random_journal["procedures"][0]},
        {"team_ids": [team.pk, other.pk], "start": middle},
        {"team_ids": [team.pk, other.pk], "end": middle},
        {"team_ids": [team.pk], "start": start, "end": middle},
        {"team_ids": [team.pk], "subject": "enquiry"},
        {"team_ids": [team.pk], "subject": "enquiry", "channel": "email"},
        {"team_ids": []},
    ):
        got, expected = both(**filters)
        assert got == expected, filters


def write_receipt_to_journal(team):
    procedure = ProcedureFactory(team=team)
    contact = ContactFactory()
    traces = list(read_log(RECEIPT))
    cases = Case.objects.bulk_create(
        Case(
            reference=f"RCP-{index:06d}",
            procedure=procedure,
            procedure_version=procedure.versions.order_by("-number").first(),
            contact=contact,
            team=team,
            status=CaseStatus.SUBMITTED,
            data={},
        )
        for index, _trace in enumerate(traces)
    )
    Event.objects.bulk_create(
        Event(
            occurred_at=event.timestamp,
            actor_kind="agent",
            verb="work",
            target_type="cases.case",
            target_id=str(case.pk),
            activity_code=event.activity,
            payload={},
        )
        for case, trace in zip(cases, traces, strict=True)
        for event in trace.events
    )


def test_receipt_csv_read_into_the_journal_gives_the_same_graph(db, team):
    """The municipality's log written to levier's journal (one case per trace): the fast
    path over the journal equals the Python path over the journal and the file's analysis."""
    write_receipt_to_journal(team)
    got = as_tuples(journal_directly_follows(team_ids=[team.pk]))
    assert got == both(team_ids=[team.pk])[1]
    assert got == as_tuples(mine(read_log(RECEIPT)).arcs)


def test_journal_read_in_parallel_streams(transactional_db, settings, monkeypatch):
    """Outside a transaction, a large journal is read by several connections, each on a
    range of its pages (PostgreSQL; one stream elsewhere): the same graph."""
    team = TeamFactory()
    write_receipt_to_journal(team)
    settings.LEVIER_PROCESS_DFG_STREAMS = 3
    monkeypatch.setattr(fast, "PARALLEL_MIN_PAGES", 1)
    if connection.vendor == "postgresql":
        assert len(fast._block_ranges(connection)) == 3
    got = as_tuples(journal_directly_follows(team_ids=[team.pk]))
    assert got == as_tuples(mine(read_log(RECEIPT)).arcs)

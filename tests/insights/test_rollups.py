"""Daily roll-ups of the journal (insights/rollups.py): idempotent, per day, equal to a recount."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from levier.automation import schedule
from levier.insights import rollups
from levier.insights.models import DailyRollup, RollupDay
from levier.journal.models import Activity, Event
from tests.factories import (
    CaseFactory,
    ContactFactory,
    EnquiryFactory,
    ProcedureFactory,
    TeamFactory,
    TopicFactory,
)

PARIS = ZoneInfo("Europe/Paris")
DAY1 = dt.date(2026, 3, 10)
DAY2 = dt.date(2026, 3, 11)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def event(when, target, code, *, kind="agent", verb="do", automated=False, duration=None):
    target_type = "cases.case" if target._meta.model_name == "case" else "enquiries.enquiry"
    if target._meta.model_name == "contact":
        target_type = "contacts.contact"
    return Event.objects.create(
        occurred_at=when,
        actor_kind=kind,
        actor_id="robot-x" if kind == "robot" else "7",
        verb=verb,
        target_type=target_type,
        target_id=str(target.pk),
        activity_code=code,
        automated=automated or kind == "robot",
        duration_seconds=duration,
    )


@pytest.fixture
def journal(db):
    """Two teams, two procedures, an enquiry; gestes over two days, and events that must
    not count (a read, an event without geste, an event on a contact)."""
    Activity.objects.create(code="t-check", label="Vérifier", standard_seconds=120)
    Activity.objects.create(code="t-register", label="Enregistrer", standard_seconds=60)
    lyon, villeurbanne = TeamFactory(), TeamFactory()
    p1, p2 = ProcedureFactory(team=lyon), ProcedureFactory(team=villeurbanne)
    case1, case2 = CaseFactory(procedure=p1), CaseFactory(procedure=p2)
    enquiry = EnquiryFactory(topic=TopicFactory(team=lyon))
    contact = ContactFactory()
    events = [
        event(at(DAY1, 9), case1, "t-check", kind="robot"),  # standard: 120
        event(at(DAY1, 9, 5), case1, "t-check", kind="robot", duration=30),  # measured
        event(at(DAY1, 10), case1, "t-check", duration=400),  # an agent
        event(at(DAY1, 11), case2, "t-register", kind="robot"),
        event(at(DAY1, 12), enquiry, "t-register", duration=50),
        event(at(DAY1, 12, 30), enquiry, "t-register", kind="robot"),
        # 00:30 in Paris on DAY2 is 23:30 UTC on DAY1: it belongs to DAY2
        event(at(DAY2, 0, 30), case1, "t-register", kind="robot"),
        event(at(DAY2, 14), case2, "t-check", duration=200),
        event(at(DAY2, 23, 50), case2, "t-check", kind="usager", duration=10),
    ]
    ignored = [
        event(at(DAY1, 9, 30), case1, "consult-personal-data", verb="read"),
        event(at(DAY1, 9, 40), case1, ""),
        event(at(DAY1, 9, 50), contact, "t-check"),
    ]
    return {"events": events, "ignored": ignored, "teams": (lyon, villeurbanne), "p1": p1}


def order(row: tuple) -> tuple:
    return (row[0], row[1], row[2] or 0, *row[3:])


def rows() -> list[tuple]:
    return sorted(
        DailyRollup.objects.values_list(
            "day", "team_id", "procedure_id", "activity_code", "actor_kind", "automated",
            "events", "seconds",
        ),
        key=order,
    )  # fmt: skip


def recount(events: list[Event]) -> list[tuple]:
    """The roll-ups computed in Python from the same events."""
    standard = dict(Activity.objects.values_list("code", "standard_seconds"))
    counts: Counter = Counter()
    seconds: Counter = Counter()
    for e in events:
        if e.target_type == "cases.case":
            from levier.cases.models import Case

            target = Case.objects.get(pk=e.target_id)
            team, procedure = target.team_id, target.procedure_id
        else:
            from levier.enquiries.models import Enquiry

            team, procedure = Enquiry.objects.get(pk=e.target_id).team_id, None
        day = e.occurred_at.astimezone(PARIS).date()
        key = (day, team, procedure, e.activity_code, e.actor_kind, e.automated)
        counts[key] += 1
        seconds[key] += (
            e.duration_seconds if e.duration_seconds is not None else standard[e.activity_code]
        )
    return sorted(((*key, counts[key], seconds[key]) for key in counts), key=order)


def test_rollups_equal_a_python_recount_of_the_journal(journal):
    counted = rollups.rebuild_rollups(DAY1, DAY2)
    assert counted == len(journal["events"])
    assert rows() == recount(journal["events"])
    lyon, _ = journal["teams"]
    # By hand: DAY1, Lyon, procedure 1, robot check: 2 events, 120 (standard) + 30 (measured)
    robot = DailyRollup.objects.get(
        day=DAY1, team=lyon, procedure=journal["p1"], actor_kind="robot", activity_code="t-check"
    )
    assert (robot.events, robot.seconds, robot.automated) == (2, 150, True)
    # The enquiry's gestes have no procedure
    assert DailyRollup.objects.filter(day=DAY1, team=lyon, procedure=None).count() == 2
    # The 00:30 event is on DAY2 (local day), not DAY1
    assert DailyRollup.objects.filter(day=DAY2, activity_code="t-register").get().events == 1
    assert set(RollupDay.objects.values_list("day", "events")) == {(DAY1, 6), (DAY2, 3)}


def test_rebuilding_twice_gives_the_same_rows(journal):
    rollups.rebuild_rollups(DAY1, DAY2)
    first = rows()
    rollups.rebuild_rollups(DAY1, DAY2)
    assert rows() == first and len(first) == 8


def test_rebuilding_one_day_leaves_the_others(journal):
    rollups.rebuild_rollups(DAY1, DAY2)
    before = rows()
    case1 = journal["events"][0].target_id
    from levier.cases.models import Case

    late = event(at(DAY1, 18), Case.objects.get(pk=case1), "t-check", kind="robot")
    rollups.rebuild_rollups(DAY2, DAY2)
    assert rows() == before  # DAY1 not rebuilt: the late event is not counted yet
    rollups.rebuild_rollups(DAY1, DAY1)
    assert rows() == recount([*journal["events"], late])
    assert [r for r in rows() if r[0] == DAY2] == [r for r in before if r[0] == DAY2]


def test_a_day_without_gestes_is_built_and_empty(journal):
    empty = dt.date(2026, 3, 12)
    assert rollups.rebuild_rollups(empty, empty) == 0
    assert not DailyRollup.objects.filter(day=empty).exists()
    assert RollupDay.objects.get(day=empty).events == 0


def test_rollup_due_builds_from_the_first_day_then_from_the_last_built_one(journal, monkeypatch):
    monkeypatch.setattr(rollups, "yesterday", lambda: dt.date(2026, 3, 13))
    assert rollups.due_range() == (DAY1, dt.date(2026, 3, 13))
    assert rollups.rollup_due() == 4
    assert rows() == recount(journal["events"])
    monkeypatch.setattr(rollups, "yesterday", lambda: dt.date(2026, 3, 15))
    assert rollups.due_range() == (dt.date(2026, 3, 13), dt.date(2026, 3, 15))
    monkeypatch.setattr(rollups, "yesterday", lambda: dt.date(2026, 3, 13))
    assert rollups.rollup_due() == 1  # the last built day again, nothing else


def test_rollup_due_with_an_empty_journal_builds_nothing(db):
    assert rollups.due_range() is None
    assert rollups.rollup_due() == 0


def test_the_command_rebuilds_a_range_and_says_so(journal, capsys):
    call_command("insights", "rollup", "--from", "2026-03-10", "--to", "2026-03-11")
    assert "2 day(s), 2026-03-10 to 2026-03-11: 9 events counted" in capsys.readouterr().out
    assert rows() == recount(journal["events"])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "10/03/2026", "--to", "2026-03-11"], "write the day as YYYY-MM-DD"),
        (["--from", "2026-03-11"], "Give both --from and --to"),
        (["--from", "2026-03-12", "--to", "2026-03-11"], "swap them"),
    ],
)
def test_the_command_explains_bad_days(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("insights", "rollup", *arguments)


def test_levier_watch_runs_the_rollups_daily(db):
    schedule.discover()
    step = {step.name: step for step in schedule.steps()}["insights-rollups"]
    assert step.every == schedule.DAY
    assert step.function() == "insights: 0 day(s) of roll-ups built"

"""The demo's two years of history: seasons, growth, and each automation's switch-on day.

Before the day an automation was switched on (automation.registry) its gestes are agents'
(with durations measured between the agent's read and the action), from that day its
robots'. One small seed serves every test of the module.
"""

from __future__ import annotations

import datetime
import random
import statistics
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.utils import timezone

from levier.automation import registry
from levier.cases.models import Case, CaseStatus
from levier.demo.seeding import Seeder, SeedOptions
from levier.demo.seeding.history import HISTORY_DAYS, HistoryCalendar
from levier.demo.timeline import PARIS
from levier.journal.models import Activity, ActorKind, Event

pytestmark = pytest.mark.django_db

CASE = "cases.case"


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    """A small demo, enough for every automation to show on both sides of its day: loaded
    once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield Seeder(
            SeedOptions(
                cases=400, enquiries=200, personal_documents=10, controls=False, progress=False
            )
        ).run()
        transaction.set_rollback(True)


def paris_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(PARIS).date()


def test_the_history_spans_two_years(history):
    start, end = history.period
    assert (end - start).days == HISTORY_DAYS
    submitted = Case.objects.exclude(submitted_at=None).values_list("submitted_at", flat=True)
    assert min(submitted) < end - datetime.timedelta(days=HISTORY_DAYS - 30)
    months = {(moment.year, moment.month) for moment in map(paris_day, submitted)}
    assert len(months) >= 22  # every month of the two years but a quiet one or two
    events = Event.objects.exclude(verb="read").values_list("occurred_at", flat=True)
    assert min(events) >= start and max(events) <= timezone.now()


def test_before_its_switch_on_day_an_automation_s_gestes_are_agents(history):
    start, end = (paris_day(moment) for moment in history.period)
    inside = 0
    for automation in registry.AUTOMATIONS:
        gestes = Event.objects.filter(activity_code__in=automation.gestes)
        by_robot = gestes.filter(automated=True, actor_id__in=automation.robots)
        day = automation.switched_on
        early = [
            moment for moment in by_robot.values_list("occurred_at", flat=True)
            if paris_day(moment) < day
        ]  # fmt: skip
        assert early == [], f"{automation.code}: robot events before {day}: {early[:3]}"
        assert by_robot.exists(), f"{automation.code}: no robot event after {day}"
        if start + datetime.timedelta(days=30) < day < end:
            inside += 1
            by_agents = gestes.filter(actor_kind=ActorKind.AGENT, automated=False)
            before = [
                moment for moment in by_agents.values_list("occurred_at", flat=True)
                if paris_day(moment) < day
            ]  # fmt: skip
            assert before, f"{automation.code}: no agent did its gestes before {day}"
    assert inside >= 6  # the switch-on days fall inside the two years the demo covers


def test_the_share_of_robots_steps_up_at_a_switch_on_month(history):
    """Document checks: by hand the month before the switch-on, by the robot after it."""
    automation = registry.get("document-checks")
    day = automation.switched_on
    checks = Event.objects.filter(activity_code="apply-control-rules", target_type=CASE)
    month_before = checks.filter(
        occurred_at__date__lt=day, occurred_at__date__gte=day - datetime.timedelta(days=30)
    )
    month_after = checks.filter(
        occurred_at__date__gte=day + datetime.timedelta(days=30),
        occurred_at__date__lt=day + datetime.timedelta(days=60),
    )
    assert month_before.exists() and month_after.exists()
    assert not month_before.filter(automated=True).exists()
    # After: cases submitted before the day and instructed after are still checked by hand.
    assert month_after.filter(automated=True).count() > month_after.filter(automated=False).count()


def test_agents_gestes_carry_durations_measured_from_their_read(history):
    standard = dict(Activity.objects.values_list("code", "standard_seconds"))
    reads = defaultdict(set)
    for actor, target_type, target, moment in Event.objects.filter(verb="read").values_list(
        "actor_id", "target_type", "target_id", "occurred_at"
    ):
        reads[(actor, target_type, target)].add(moment)
    measured = defaultdict(list)
    gestes = Event.objects.filter(actor_kind=ActorKind.AGENT, automated=False).exclude(
        verb__in=["read", "create", "receive", "select-for-control"]
    )
    assert gestes.count() > 500
    for event in gestes.exclude(activity_code=""):
        if not standard.get(event.activity_code):
            continue
        assert event.duration_seconds, f"{event.verb} {event.activity_code} has no duration"
        opened = event.occurred_at - datetime.timedelta(seconds=event.duration_seconds)
        key = (event.actor_id, event.target_type, event.target_id)
        assert opened in reads[key], f"no read by the agent before {event.verb} #{event.pk}"
        measured[event.activity_code].append(event.duration_seconds)
    for code in ("check-supporting-document", "decide-case", "answer-enquiry", "send-email"):
        durations = measured[code]
        assert len(durations) >= 10, code
        median = statistics.median(durations)
        assert 0.5 * standard[code] <= median <= 2 * standard[code], (code, median)
        assert len(set(durations)) > len(durations) / 2  # a spread, not the standard time
    robots = Event.objects.filter(actor_kind=ActorKind.ROBOT).exclude(activity_code="")
    assert all(
        event.duration_seconds == standard[event.activity_code] for event in robots[:500]
    )  # a robot's geste counts its standard time: the time saved


def test_timestamps_are_in_order_on_every_case(history):
    now = timezone.now()
    events = defaultdict(list)
    for target, verb, moment, payload in Event.objects.filter(target_type=CASE).values_list(
        "target_id", "verb", "occurred_at", "payload"
    ):
        events[int(target)].append((moment, verb, payload))
    cases = Case.objects.exclude(status=CaseStatus.DRAFT)
    assert cases.count() > 300
    for case in cases:
        timeline = sorted(events[case.pk], key=lambda row: row[0])
        assert timeline[0][1] == "submit" and timeline[0][0] == case.submitted_at
        assert timeline[-1][0] <= now
        transitions = [
            (moment, payload) for moment, verb, payload in timeline if verb == "transition"
        ]
        status = CaseStatus.SUBMITTED
        for _moment, payload in transitions:
            assert payload["from"] == status, case.reference
            status = payload["to"]
        if case.decided_at is not None:
            assert transitions[-1][0] == case.decided_at and status == case.status
            assert case.submitted_at < case.decided_at
        elif transitions:
            assert status == case.status


def test_the_calendar_has_seasons_and_a_slow_growth():
    now = datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.UTC)
    calendar = HistoryCalendar(now=now, days=HISTORY_DAYS)
    rng = random.Random(1)
    total = 40_000
    moments = [calendar.moment(index, total, rng) for index in range(total)]
    assert moments == sorted(moments)  # ids follow time
    assert calendar.start <= moments[0] and moments[-1] <= now
    housing = Counter()
    for moment in moments[::4]:
        if calendar.procedure(moment, rng)["slug"] == "aide-logement":
            housing[paris_day(moment).month] += 1
    assert housing[9] > 1.5 * housing[6] > 2 * housing[8]  # back to school, summer lull
    first_year = sum(1 for moment in moments if moment < now - datetime.timedelta(days=365))
    assert 0.35 * total < first_year < 0.47 * total  # more usagers every year, slowly

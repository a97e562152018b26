"""The deadlines page and the deadline warnings: what is late, what is due soon, who hears."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from levier.core.business_hours import add_business_hours
from levier.core.models import Notification
from levier.enquiries import deadline_selectors
from levier.enquiries.deadline_selectors import deadline_board
from levier.enquiries.models import EnquiryStatus, SlaPolicy
from levier.enquiries.services import enquiries_warn_due
from levier.journal.models import Event

from ..factories import AgentFactory, EnquiryFactory, TopicFactory

pytestmark = pytest.mark.django_db
URL = reverse("enquiries:deadlines")
PARIS = ZoneInfo("Europe/Paris")
# A Tuesday at 10:00 in Paris, no holiday: the clock of the frozen-time tests.
TUESDAY = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)


@pytest.fixture
def topic(team):
    return TopicFactory(team=team, label="Cartes grises")


def due(topic, when, **fields):
    return EnquiryFactory(topic=topic, sla_due_at=when, **fields)


def refs(rows) -> list[str]:
    return [row.enquiry.reference for row in rows]


# --- selectors (time frozen) ----------------------------------------------------------------


def test_board_splits_overdue_and_due_soon_by_due_date(agent, topic):
    late = due(topic, TUESDAY - datetime.timedelta(days=3))  # Saturday: 3.5 h before Friday closing
    later = due(topic, TUESDAY - datetime.timedelta(hours=1))
    soon = due(topic, TUESDAY + datetime.timedelta(hours=2))
    sooner = due(topic, TUESDAY + datetime.timedelta(minutes=30))
    due(topic, TUESDAY + datetime.timedelta(days=2))  # far off
    due(topic, TUESDAY - datetime.timedelta(days=1), status=EnquiryStatus.CLOSED)
    board = deadline_board(agent, now=TUESDAY)
    assert refs(board.overdue) == [late.reference, later.reference]
    assert refs(board.due_soon) == [sooner.reference, soon.reference]
    first = board.overdue[0]
    # Saturday 10:00 -> Tuesday 10:00: Monday (7 h) and Tuesday 9:00-10:00.
    assert (first.business_hours, first.days) == (8.0, 3)
    assert board.due_soon[1].business_hours == 2.0
    assert [(t.name, t.overdue, t.due_soon) for t in board.teams] == [("Instruction Lyon", 2, 2)]


def test_due_soon_follows_the_team_policy_warning_window(agent, team, topic):
    in_ten_hours = add_business_hours(TUESDAY, 10)
    enquiry = due(topic, in_ten_hours)
    assert deadline_board(agent, now=TUESDAY).due_soon == []  # default window: 4 h
    SlaPolicy.objects.create(team=team, business_hours=24, warning_hours=12)
    assert refs(deadline_board(agent, now=TUESDAY).due_soon) == [enquiry.reference]


def test_board_never_shows_other_teams_enquiries(agent, topic, other_team):
    foreign = TopicFactory(team=other_team)
    due(foreign, TUESDAY - datetime.timedelta(hours=5))
    due(foreign, TUESDAY + datetime.timedelta(hours=1))
    board = deadline_board(agent, now=TUESDAY)
    assert (board.overdue, board.due_soon, board.teams, board.overdue_total) == ([], [], [], 0)


def test_overdue_rows_are_capped_with_the_count_of_the_rest(agent, topic, monkeypatch):
    monkeypatch.setattr(deadline_selectors, "OVERDUE_SHOWN", 2)
    for hours in (1, 2, 3):
        due(topic, TUESDAY - datetime.timedelta(hours=hours))
    board = deadline_board(agent, now=TUESDAY)
    assert (len(board.overdue), board.overdue_total, board.overdue_more) == (2, 3, 1)


# --- the page ------------------------------------------------------------------------------


def test_page_lists_overdue_and_due_soon_of_the_agents_teams_only(agent_client, topic, other_team):
    now = timezone.now()
    late = due(topic, now - datetime.timedelta(days=2), subject="En retard")
    soon = due(topic, add_business_hours(now, 1), subject="Bientôt")
    theirs = due(TopicFactory(team=other_team), now - datetime.timedelta(days=2))
    response = agent_client.get(URL)
    assert response.status_code == 200
    assert response.context["nav"] == "deadlines"
    board = response.context["board"]
    assert refs(board.overdue) == [late.reference]
    assert refs(board.due_soon) == [soon.reference]
    content = response.content.decode()
    assert late.reference in content and soon.reference in content
    assert theirs.reference not in content
    assert URL in agent_client.get(reverse("core:home")).content.decode()  # in the navigation


def test_page_query_count_does_not_grow_with_rows(agent_client, agent, topic, team):
    now = timezone.now()
    SlaPolicy.objects.create(team=team, business_hours=24, warning_hours=6)
    for hours in (3, 4):
        due(topic, now - datetime.timedelta(hours=hours), assignee=agent)
    due(topic, add_business_hours(now, 1))
    with CaptureQueriesContext(connection) as few:
        agent_client.get(URL)
    other_topic = TopicFactory(team=team)
    for hours in range(5, 25):
        due(other_topic, now - datetime.timedelta(hours=hours), assignee=AgentFactory(teams=[team]))
        due(other_topic, add_business_hours(now, 0.1 * hours))
    with CaptureQueriesContext(connection) as many:
        response = agent_client.get(URL)
    assert len(response.context["board"].overdue) == 22
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 12


# --- warnings (enquiries_warn_due, time frozen) --------------------------------------------


def test_the_assignee_is_warned_once(agent, topic):
    enquiry = due(topic, TUESDAY + datetime.timedelta(hours=2), assignee=agent)
    colleague = AgentFactory(teams=[topic.team])
    assert enquiries_warn_due(now=TUESDAY) == 1
    assert Notification.objects.get().agent == agent
    assert enquiry.reference in Notification.objects.get().text
    assert not Notification.objects.filter(agent=colleague).exists()
    enquiry.refresh_from_db()
    assert enquiry.sla_warned_at == TUESDAY
    assert enquiries_warn_due(now=TUESDAY + datetime.timedelta(hours=1)) == 0
    assert Notification.objects.count() == 1
    assert Event.objects.filter(verb="warn-deadline").count() == 1


def test_an_unassigned_enquiry_warns_the_active_agents_of_its_team(agent, topic, other_agent):
    due(topic, TUESDAY - datetime.timedelta(hours=1))  # already overdue
    colleague = AgentFactory(teams=[topic.team])
    AgentFactory(teams=[topic.team], is_active=False)
    assert enquiries_warn_due(now=TUESDAY) == 1
    assert set(Notification.objects.values_list("agent", flat=True)) == {agent.pk, colleague.pk}
    assert not Notification.objects.filter(agent=other_agent).exists()


def test_enquiries_far_from_their_deadline_or_closed_are_not_warned(agent, topic):
    due(topic, TUESDAY + datetime.timedelta(days=2))
    due(topic, TUESDAY + datetime.timedelta(hours=1), status=EnquiryStatus.CLOSED)
    assert enquiries_warn_due(now=TUESDAY) == 0
    assert not Notification.objects.exists()

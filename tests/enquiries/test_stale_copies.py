"""A service handed a stale copy of an enquiry (loaded before a colleague changed it)
decides from the current row: its status, its assignee, its classification and its team."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from levier.core.policy import NotFound
from levier.enquiries.models import Enquiry, EnquiryStatus, Message, Priority
from levier.enquiries.services import (
    enquiry_assign,
    enquiry_classify,
    enquiry_close,
    enquiry_reply,
)
from levier.journal.models import Event

from ..factories import AgentFactory, EnquiryFactory, TopicFactory

pytestmark = pytest.mark.django_db


def journal(enquiry, verb):
    return list(Event.objects.for_target("enquiries.enquiry", enquiry.pk).filter(verb=verb))


@pytest.fixture
def colleague(team):
    return AgentFactory(username="dominique.l", teams=[team])


@pytest.fixture
def enquiry(team):
    return EnquiryFactory(topic=TopicFactory(team=team), status=EnquiryStatus.OPEN)


def stale_copy(enquiry):
    return Enquiry.objects.select_related("team", "topic", "contact").get(pk=enquiry.pk)


def test_a_classification_on_a_stale_copy_journals_the_real_before(agent, colleague, enquiry, team):
    mine = stale_copy(enquiry)
    corrected = TopicFactory(team=team, slug="taxe-fonciere")
    enquiry_classify(enquiry=enquiry, actor=colleague, topic=corrected, priority=Priority.HIGH)

    enquiry_classify(enquiry=mine, actor=agent, topic=corrected, priority=Priority.HIGH)

    before = journal(enquiry, "classify")[-1].payload["before"]
    assert before["topic"] == "taxe-fonciere" and before["priority"] == Priority.HIGH
    assert before["topic_source"] == "agent"


def test_an_enquiry_moved_to_another_team_is_out_of_reach_of_a_stale_copy(
    agent, colleague, enquiry, other_team
):
    mine = stale_copy(enquiry)
    elsewhere = TopicFactory(team=other_team, slug="urbanisme")
    enquiry_classify(
        enquiry=enquiry,
        actor=colleague,
        topic=elsewhere,
        priority=Priority.NORMAL,
        move_to_topic_team=True,
    )
    for act in (
        lambda: enquiry_reply(enquiry=mine, author=agent, body="Voici la réponse.", close=True),
        lambda: enquiry_assign(enquiry=mine, assignee=agent, actor=agent),
        lambda: enquiry_close(enquiry=mine, actor=agent),
        lambda: enquiry_classify(enquiry=mine, actor=agent, topic=None, priority=Priority.LOW),
    ):
        with pytest.raises(NotFound):
            act()
    enquiry.refresh_from_db()
    assert enquiry.team == other_team and enquiry.status == EnquiryStatus.OPEN
    assert enquiry.assignee is None and enquiry.topic == elsewhere
    assert not Message.objects.filter(enquiry=enquiry, direction="out").exists()


def test_an_assignment_on_a_stale_copy_of_a_closed_enquiry_is_refused(agent, colleague, enquiry):
    mine = stale_copy(enquiry)
    enquiry_close(enquiry=enquiry, actor=colleague)
    with pytest.raises(ValidationError) as caught:
        enquiry_assign(enquiry=mine, assignee=agent, actor=agent)
    assert caught.value.code == "closed"
    assert mine.status == EnquiryStatus.CLOSED  # the caller's copy now shows why


def test_an_assignment_on_a_stale_copy_journals_the_real_previous_assignee(
    agent, colleague, enquiry
):
    mine = stale_copy(enquiry)
    enquiry_assign(enquiry=enquiry, assignee=colleague, actor=colleague)
    enquiry_assign(enquiry=mine, assignee=agent, actor=agent)
    assert [(e.payload["from"], e.payload["to"]) for e in journal(enquiry, "assign")] == [
        (None, colleague.pk),
        (colleague.pk, agent.pk),
    ]

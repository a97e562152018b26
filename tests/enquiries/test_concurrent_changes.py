"""A colleague moves an enquiry to another team while an agent answers it, on two
PostgreSQL connections: the answer waits for the move, then finds the enquiry out of the
agent's reach (nothing sent, nothing journaled)."""

from __future__ import annotations

import pytest

from levier.core.policy import NotFound
from levier.enquiries.models import Enquiry, EnquiryStatus, Message, Priority
from levier.enquiries.services import enquiry_assign, enquiry_classify, enquiry_reply
from levier.journal.models import Event
from tests.concurrency import needs_postgres, while_holding_the_row
from tests.factories import AgentFactory, EnquiryFactory, TopicFactory

pytestmark = [pytest.mark.postgres, needs_postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def enquiry(team):
    return EnquiryFactory(topic=TopicFactory(team=team), status=EnquiryStatus.OPEN)


def test_an_answer_waits_for_a_move_to_another_team_and_is_refused(
    agent, team, other_team, enquiry
):
    colleague = AgentFactory(username="dominique.l", teams=[team])
    mine = Enquiry.objects.get(pk=enquiry.pk)
    elsewhere = TopicFactory(team=other_team, slug="urbanisme")
    thread, failures = while_holding_the_row(
        lambda: enquiry_classify(
            enquiry=Enquiry.objects.get(pk=enquiry.pk),
            actor=colleague,
            topic=elsewhere,
            priority=Priority.NORMAL,
            move_to_topic_team=True,
        )
    )
    with pytest.raises(NotFound):
        enquiry_reply(enquiry=mine, author=agent, body="Voici la réponse.", close=True)
    thread.join()

    assert not failures
    enquiry.refresh_from_db()
    assert enquiry.team == other_team and enquiry.status == EnquiryStatus.OPEN
    assert not Message.objects.filter(enquiry=enquiry, direction="out").exists()
    assert not Event.objects.for_target("enquiries.enquiry", enquiry.pk).filter(verb="reply")


def test_two_agents_taking_the_same_enquiry_at_once_journal_one_after_the_other(
    agent, team, enquiry
):
    colleague = AgentFactory(username="dominique.l", teams=[team])
    mine = Enquiry.objects.get(pk=enquiry.pk)
    thread, failures = while_holding_the_row(
        lambda: enquiry_assign(
            enquiry=Enquiry.objects.get(pk=enquiry.pk), assignee=colleague, actor=colleague
        )
    )
    enquiry_assign(enquiry=mine, assignee=agent, actor=agent)
    thread.join()

    assert not failures
    assigned = Event.objects.for_target("enquiries.enquiry", enquiry.pk).filter(verb="assign")
    assert [(e.payload["from"], e.payload["to"]) for e in assigned.order_by("id")] == [
        (None, colleague.pk),
        (colleague.pk, agent.pk),
    ]

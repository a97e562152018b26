"""Two agents change the same case at the same time, on two PostgreSQL connections.

A colleague's transaction holds the case's row; the agent's service, started with the
copy the agent loaded before, waits for the colleague's commit and then decides from what
the colleague wrote (READ COMMITTED alone would let it decide from the old status).
"""

from __future__ import annotations

import pytest

from levier.cases import services
from levier.cases.models import Case, CaseStatus
from levier.journal.models import Event
from tests.concurrency import needs_postgres, while_holding_the_row
from tests.factories import AgentFactory, CaseFactory, ProcedureFactory

S = CaseStatus
pytestmark = [pytest.mark.postgres, needs_postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case(team):
    return CaseFactory(procedure=ProcedureFactory(team=team), in_review=True)


@pytest.fixture
def colleague(team):
    return AgentFactory(username="dominique.l", teams=[team])


def journal(case, verb):
    return list(Event.objects.for_target("cases.case", case.pk).filter(verb=verb).order_by("id"))


def test_a_status_change_waits_for_the_colleague_and_decides_from_their_status(
    agent, colleague, case
):
    mine = Case.objects.get(pk=case.pk)  # in review, as the agent's page showed it
    thread, failures = while_holding_the_row(
        lambda: services.case_transition(
            case=Case.objects.get(pk=case.pk), to_status=S.WAITING_FOR_USAGER, actor=colleague
        )
    )
    # Back to review: illegal from the status the agent saw, legal from the colleague's.
    services.case_transition(case=mine, to_status=S.IN_REVIEW, actor=agent)
    thread.join()

    assert not failures
    # It waited for the colleague's commit: it decided from the status the colleague
    # committed, which it could not read before (a time measured here would also count
    # how late a busy machine woke this thread up).
    assert [event.payload for event in journal(case, "transition")] == [
        {"from": S.IN_REVIEW, "to": S.WAITING_FOR_USAGER},
        {"from": S.WAITING_FOR_USAGER, "to": S.IN_REVIEW},
    ]
    case.refresh_from_db()
    assert case.status == S.IN_REVIEW


def test_two_agents_taking_the_same_case_at_once_journal_one_after_the_other(
    agent, colleague, case
):
    mine = Case.objects.get(pk=case.pk)  # nobody assigned
    thread, failures = while_holding_the_row(
        lambda: services.case_assign(
            case=Case.objects.get(pk=case.pk), assignee=colleague, actor=colleague
        )
    )
    services.case_assign(case=mine, assignee=agent, actor=agent)
    thread.join()

    assert not failures
    assert [(e.payload["from"], e.payload["to"]) for e in journal(case, "assign")] == [
        (None, colleague.pk),
        (colleague.pk, agent.pk),
    ]
    case.refresh_from_db()
    assert case.assignee == agent and mine.assignee == agent

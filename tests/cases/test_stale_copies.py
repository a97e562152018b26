"""A service handed a stale copy of a case (loaded before a colleague changed it) decides
from the current row: the lifecycle rule is checked against the current status, the
journal records the real before and after, and nothing the colleague did is lost."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from levier.cases import services
from levier.cases.models import Case, CaseStatus
from levier.core.models import Notification
from levier.core.policy import NotFound
from levier.journal.models import Event
from tests.factories import AgentFactory, CaseFactory

S = CaseStatus
pytestmark = pytest.mark.django_db


def journal(case, verb):
    return list(Event.objects.for_target("cases.case", case.pk).filter(verb=verb).order_by("id"))


@pytest.fixture
def colleague(team):
    return AgentFactory(username="dominique.l", teams=[team])


@pytest.fixture
def case(procedure):
    return CaseFactory(procedure=procedure, in_review=True)


def stale_copy(case):
    return Case.objects.select_related("procedure", "contact", "team").get(pk=case.pk)


def test_the_lifecycle_rule_is_checked_against_the_current_status(agent, colleague, case):
    mine = stale_copy(case)
    services.case_transition(case=case, to_status=S.ACCEPTED, actor=colleague)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.case_transition(case=mine, to_status=S.WAITING_FOR_USAGER, actor=agent)
    assert caught.value.message_dict["to_status"] == [
        "A case that is accepted cannot go to waiting for the usager."
    ]
    case.refresh_from_db()
    assert case.status == S.ACCEPTED
    assert [event.payload["to"] for event in journal(case, "transition")] == [S.ACCEPTED]


def test_a_status_change_on_a_stale_copy_journals_the_real_before_and_keeps_the_assignee(
    agent, colleague, case
):
    mine = stale_copy(case)  # in review, nobody assigned
    services.case_assign(case=case, assignee=colleague, actor=colleague)
    services.case_transition(case=case, to_status=S.WAITING_FOR_USAGER, actor=colleague)

    result = services.case_transition(case=mine, to_status=S.IN_REVIEW, actor=agent)

    assert [event.payload for event in journal(case, "transition")] == [
        {"from": S.IN_REVIEW, "to": S.WAITING_FOR_USAGER},
        {"from": S.WAITING_FOR_USAGER, "to": S.IN_REVIEW},
    ]
    case.refresh_from_db()
    assert case.status == S.IN_REVIEW and case.assignee == colleague
    # The copy the service returns (and the view shows) is the current row.
    assert result.status == S.IN_REVIEW and result.assignee_id == colleague.pk


def test_an_assignment_on_a_stale_copy_journals_the_real_previous_assignee(agent, colleague, case):
    mine = stale_copy(case)  # nobody assigned
    services.case_assign(case=case, assignee=colleague, actor=colleague)

    services.case_assign(case=mine, assignee=agent, actor=agent)

    assert [(event.payload["from"], event.payload["to"]) for event in journal(case, "assign")] == [
        (None, colleague.pk),
        (colleague.pk, agent.pk),
    ]
    case.refresh_from_db()
    assert case.assignee == agent


def test_assigning_again_to_the_current_assignee_from_a_stale_copy_notifies_nobody_twice(
    agent, colleague, case
):
    mine = stale_copy(case)  # nobody assigned
    services.case_assign(case=case, assignee=colleague, actor=agent)
    services.case_assign(case=mine, assignee=colleague, actor=agent)
    assert Notification.objects.filter(agent=colleague).count() == 1


def test_a_case_deleted_meanwhile_is_not_found(agent, case):
    mine = stale_copy(case)
    Case.objects.filter(pk=case.pk).delete()
    with pytest.raises(NotFound):
        services.case_transition(case=mine, to_status=S.ACCEPTED, actor=agent)
    with pytest.raises(NotFound):
        services.case_assign(case=mine, assignee=None, actor=agent)

import pytest
from django.http import Http404

from levier.contacts.selectors import contact_list_for, get_contact_for
from tests.factories import (
    CaseFactory,
    ContactFactory,
    EnquiryFactory,
    ProcedureFactory,
    TopicFactory,
)


def test_an_agent_sees_a_contact_with_a_case_in_their_team(agent, team, person):
    CaseFactory(contact=person, procedure=ProcedureFactory(team=team))
    assert get_contact_for(agent, person.pk) == person


def test_an_agent_sees_a_contact_with_an_enquiry_in_their_team(agent, team, person):
    EnquiryFactory(contact=person, topic=TopicFactory(team=team))
    assert get_contact_for(agent, person.pk) == person


def test_a_contact_of_another_team_is_not_found(agent, other_team, person):
    CaseFactory(contact=person, procedure=ProcedureFactory(team=other_team))
    EnquiryFactory(contact=person, topic=TopicFactory(team=other_team))
    with pytest.raises(Http404):
        get_contact_for(agent, person.pk)


def test_missing_and_unlinked_contacts_are_not_found_alike(agent, person):
    for contact_id in (person.pk, person.pk + 1000):
        with pytest.raises(Http404):
            get_contact_for(agent, contact_id)


def test_the_list_holds_each_visible_contact_once(agent, team, other_agent):
    seen = ContactFactory()
    CaseFactory.create_batch(2, contact=seen, procedure=ProcedureFactory(team=team))
    EnquiryFactory(contact=seen, topic=TopicFactory(team=team))
    ContactFactory()
    assert list(contact_list_for(agent)) == [seen]
    assert list(contact_list_for(other_agent)) == []

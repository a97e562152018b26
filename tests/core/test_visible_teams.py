"""Which teams an agent sees: whole organisation for managers and administrators, and
nothing wider when the organisation is missing (fail closed)."""

import pytest

from .. import factories


@pytest.mark.django_db
@pytest.mark.parametrize("trait", ["manager", "administrator"])
def test_a_manager_or_administrator_without_organisation_sees_only_their_own_teams(trait):
    own = factories.TeamFactory()
    elsewhere = factories.TeamFactory(
        organisation=factories.OrganisationFactory(name="Préfecture voisine")
    )
    agent = factories.AgentFactory(organisation=None, teams=[own], **{trait: True})

    assert agent.visible_team_ids() == [own.pk]
    assert elsewhere.pk not in agent.visible_team_ids()


@pytest.mark.django_db
@pytest.mark.parametrize("trait", ["manager", "administrator"])
def test_a_manager_or_administrator_sees_every_team_of_their_organisation_only(trait):
    organisation = factories.OrganisationFactory(name="DDFiP du Rhône")
    first, second = (
        factories.TeamFactory(organisation=organisation),
        factories.TeamFactory(organisation=organisation),
    )
    other = factories.TeamFactory(organisation=factories.OrganisationFactory(name="Autre"))
    agent = factories.AgentFactory(organisation=organisation, **{trait: True})

    assert sorted(agent.visible_team_ids()) == sorted([first.pk, second.pk])
    assert other.pk not in agent.visible_team_ids()

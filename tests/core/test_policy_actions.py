"""Role-only actions of the policy: the automations page (hidden: a 404 for other roles)
and the navigation's role-only links, answered by the policy rather than by role tests
written again in each view and template."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from levier.core import policy
from levier.core.models import Role
from levier.journal.services import Actor
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db
OTHER_ROLES = [Role.AGENT, Role.TEAM_LEAD, Role.MANAGER, Role.DPO]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_administering_automations_is_not_found_for_other_roles(team, role):
    agent = AgentFactory(role=role, teams=[team])
    with pytest.raises(policy.NotFound):
        policy.check_may(agent, policy.Action.ADMINISTER_AUTOMATIONS)


def test_administrators_and_superusers_administer_automations(team):
    policy.check_may(
        AgentFactory(role=Role.ADMINISTRATOR, teams=[team]), policy.Action.ADMINISTER_AUTOMATIONS
    )
    policy.check_may(
        AgentFactory(is_superuser=True, teams=[team]), policy.Action.ADMINISTER_AUTOMATIONS
    )


def test_no_robot_and_no_inactive_administrator_administers_automations(team):
    with pytest.raises(policy.NotFound):
        policy.check_may(Actor.robot("intake"), policy.Action.ADMINISTER_AUTOMATIONS)
    gone = AgentFactory(role=Role.ADMINISTRATOR, teams=[team], is_active=False)
    with pytest.raises(policy.NotFound):
        policy.check_may(gone, policy.Action.ADMINISTER_AUTOMATIONS)


def test_a_visible_action_is_still_refused_with_who_may(team):
    with translation.override("en"), pytest.raises(policy.Refused, match="team leads"):
        policy.check_may(AgentFactory(teams=[team]), policy.Action.RUN_CAMPAIGNS)


@pytest.mark.parametrize(
    ("role", "campaigns", "automations"),
    [
        (Role.AGENT, False, False),
        (Role.TEAM_LEAD, True, False),
        (Role.MANAGER, True, False),
        (Role.ADMINISTRATOR, True, True),
        (Role.DPO, False, False),
    ],
)
def test_the_navigation_shows_the_links_the_policy_allows(
    client, team, role, campaigns, automations
):
    client.force_login(AgentFactory(role=role, teams=[team], organisation=team.organisation))
    page = client.get(reverse("core:notifications")).content.decode()
    assert (f'href="{reverse("campaigns:list")}"' in page) is campaigns
    assert (f'href="{reverse("automation:list")}"' in page) is automations


def test_the_template_helper_answers_each_action_and_nothing_else(team):
    lead = policy.ActionsOf(AgentFactory(role=Role.TEAM_LEAD, teams=[team]))
    assert lead["run_campaigns"] is True and lead["administer_automations"] is False
    with pytest.raises(KeyError):
        lead["fly"]

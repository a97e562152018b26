"""The permission policy (levier.core.policy): one rule, one not-found, failing closed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from ninja import NinjaAPI
from ninja.testing import TestClient

from levier.campaigns import services as campaign_services
from levier.campaigns.models import Campaign
from levier.cases import services as case_services
from levier.cases.models import Case
from levier.controls.models import Flag
from levier.controls.services import case_check_now
from levier.core import policy
from levier.core.models import Notification, Role
from levier.documents import services as document_services
from levier.documents.models import DocumentTemplate
from levier.enquiries import services as enquiry_services
from levier.enquiries.models import Enquiry
from levier.exchange.errors import install_handlers
from levier.journal.services import Actor

from ..factories import (
    AgentFactory,
    CaseFactory,
    EnquiryFactory,
    OrganisationFactory,
    ProcedureFactory,
    TopicFactory,
)


@pytest.fixture
def theirs(other_team):
    """A case and an enquiry of another team, and the campaign of its lead."""
    procedure = ProcedureFactory(team=other_team)
    lead = AgentFactory(role=Role.TEAM_LEAD, teams=[other_team])
    return {
        "case": CaseFactory(procedure=procedure),
        "enquiry": EnquiryFactory(topic=TopicFactory(team=other_team)),
        "procedure": procedure,
        "campaign": Campaign.objects.create(
            name="R", procedure=procedure, subject="x", body="x", created_by=lead
        ),
        "template": DocumentTemplate.objects.create(
            name="Lettre", kind="html", procedure=procedure
        ),
    }


def test_every_apps_service_answers_the_same_not_found_for_another_teams_object(agent, theirs):
    """Before the policy: PermissionDenied in cases and controls, Http404 in documents and
    enquiries, PermissionDenied in campaigns. Now one NotFound (a 404) everywhere."""
    attempts = {
        "cases": lambda: case_services.case_assign(
            case=theirs["case"], assignee=agent, actor=agent
        ),
        "controls": lambda: case_check_now(case=theirs["case"], actor=agent),
        "documents": lambda: document_services.document_generate(
            case=theirs["case"], template=theirs["template"], actor=agent
        ),
        "enquiries": lambda: enquiry_services.enquiry_assign(
            enquiry=theirs["enquiry"], assignee=agent, actor=agent
        ),
        "campaigns": lambda: campaign_services.campaign_start(
            campaign=theirs["campaign"],
            actor=AgentFactory(manager=True, teams=[], organisation=None),
        ),
    }
    for app, attempt in attempts.items():
        with pytest.raises(policy.NotFound):
            attempt()
        assert issubclass(policy.NotFound, Http404), app


def test_a_draft_of_the_agents_own_team_is_not_found_through_the_policy(agent, team):
    draft = CaseFactory(procedure=ProcedureFactory(team=team), draft=True)
    assert not policy.may_see(agent, draft)
    assert not Case.objects.filter(policy.rows_for(agent, Case)).exists()
    assert not Flag.objects.filter(policy.rows_for(agent, Flag)).exists()
    with pytest.raises(policy.NotFound):
        case_services.check_may_see(agent, draft)


def test_rows_and_one_object_answer_alike(agent, other_agent, team):
    mine = EnquiryFactory(topic=TopicFactory(team=team))
    assert list(Enquiry.objects.filter(policy.rows_for(agent, Enquiry))) == [mine]
    assert policy.may_see(agent, mine) and not policy.may_see(other_agent, mine)
    assert not Enquiry.objects.filter(policy.rows_for(other_agent, Enquiry)).exists()


def test_the_policy_fails_closed(agent, team):
    case = CaseFactory(procedure=ProcedureFactory(team=team))
    # A model nobody declared: refused loudly, never shown.
    with pytest.raises(ImproperlyConfigured):
        policy.rows_for(agent, Notification)
    # Anything but an active agent sees no row.
    for nobody in (None, Actor.robot("test"), AgentFactory(teams=[team], is_active=False)):
        assert not Case.objects.filter(policy.rows_for(nobody, Case)).exists()
        assert not policy.may_see(nobody, case)
    # A manager without organisation: own teams only.
    lone_manager = AgentFactory(manager=True, teams=[], organisation=None)
    assert policy.visible_team_ids(lone_manager) == []


@pytest.mark.parametrize(
    ("role", "may_run"),
    [
        (Role.AGENT, False),
        (Role.DPO, False),
        (Role.TEAM_LEAD, True),
        (Role.MANAGER, True),
        (Role.ADMINISTRATOR, True),
    ],
)
def test_roles_inside_a_team(team, role, may_run):
    """Campaigns are for team leads and up: a plain agent of the same team is refused in
    words (the object is visible to them); someone outside the team gets a not-found."""
    procedure = ProcedureFactory(team=team)
    agent = AgentFactory(role=role, teams=[team])
    assert policy.may(agent, policy.Action.RUN_CAMPAIGNS) is may_run
    if may_run:
        policy.check_may(agent, policy.Action.RUN_CAMPAIGNS, on=procedure)
    else:
        with pytest.raises(policy.Refused, match="responsables d’équipe"):
            policy.check_may(agent, policy.Action.RUN_CAMPAIGNS, on=procedure)
    outsider = AgentFactory(role=role, teams=[], organisation=OrganisationFactory(name="Ailleurs"))
    with pytest.raises(policy.NotFound):
        policy.check_may(outsider, policy.Action.RUN_CAMPAIGNS, on=procedure)
    # Robots run no campaign; they do configure (commands, demo set-up).
    assert not policy.may(Actor.robot("test"), policy.Action.RUN_CAMPAIGNS)
    assert policy.may(Actor.robot("test"), policy.Action.CONFIGURE_PROCEDURES)


def test_the_api_answers_its_json_404_to_the_policys_not_found(db):
    api = NinjaAPI(urls_namespace="policy-test")
    install_handlers(api)

    @api.get("/thing")
    def thing(request):
        raise policy.NotFound("No such case.")

    response = TestClient(api).get("/thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json") or response.json()
    assert "case" not in response.content.decode().lower()  # says nothing about what exists

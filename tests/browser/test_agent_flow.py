"""An agent logs in, opens the team queue, opens a case and posts a comment."""

import pytest

from levier.cases.models import Comment

from ..factories import PASSWORD, AgentFactory, CaseFactory, ProcedureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_comments_a_case_from_the_queue(live_server, page, team):
    agent = AgentFactory(username="camille", first_name="Camille", teams=[team])
    colleague = AgentFactory(username="dominique", teams=[team])
    case = CaseFactory(procedure=ProcedureFactory(team=team, name="Aide aux petites entreprises"))

    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(agent.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Bonjour Camille").wait_for()

    page.goto(f"{live_server.url}/dossiers/?status=open&assignee=none")
    page.get_by_role("link", name=case.reference).click()
    page.get_by_role("heading", name=case.reference).wait_for()

    page.get_by_label("Commentaire").fill("Pièce à vérifier avec @dominique")
    page.get_by_role("button", name="Publier le commentaire").click()
    page.get_by_text("Pièce à vérifier avec @dominique").first.wait_for()

    comment = Comment.objects.get(case=case)
    assert list(comment.mentions.all()) == [colleague]
    assert colleague.notifications.count() == 1

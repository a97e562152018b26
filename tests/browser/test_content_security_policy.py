"""Pages built on third-party front-end code work under levier's Content-Security-Policy."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_documentation_renders_under_the_policy(live_server, page):
    """Swagger UI (django-ninja's files) draws the API's operations; the page fixture
    fails the test if the policy refused anything on the way."""
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".opblock").first.wait_for()


def test_portal_form_script_runs_under_the_policy(live_server, page):
    """The case form's script, now a static file, still hides the other identity block."""
    from tests.factories import ProcedureFactory, TeamFactory

    procedure = ProcedureFactory(team=TeamFactory(), name="Aide aux petites entreprises")
    page.goto(f"{live_server.url}/usager/demarches/{procedure.slug}/")
    blocks = page.locator("[data-levier-kind]")
    if blocks.count() == 0:
        pytest.skip("this procedure's form has no identity choice")
    assert blocks.evaluate_all("nodes => nodes.filter(n => n.hidden).length") >= 1

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


def test_admin_pages_work_under_the_policy(live_server, page):
    from tests.factories import PASSWORD, AgentFactory

    admin = AgentFactory(username="admin", is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/connexion/")
    page.locator("input[name=username]").fill(admin.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    for path in (
        "/admin/",
        "/admin/core/agent/",
        "/admin/core/agent/add/",
        "/admin/journal/event/",
    ):
        page.goto(live_server.url + path)
        page.locator("#content").wait_for()
    # The admin's own scripts run: ticking "select all" marks the rows (actions.js).
    page.goto(f"{live_server.url}/admin/core/agent/")
    page.locator("#action-toggle").check()
    assert page.locator("tr.selected").count() >= 1

"""The map by département in a real browser: DSFR's map-chart (vendored) draws under the
Content-Security-Policy (the page fixture fails on any refusal), nothing is fetched from
outside levier, the colours are levier's classes, and a click on a département opens its
cases."""

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_map_draws_with_local_files_only_and_a_click_opens_the_cases(live_server, page):
    from levier.core.models import Role
    from tests.factories import PASSWORD, AgentFactory, CaseFactory, ContactFactory, TeamFactory

    team = TeamFactory()
    lead = AgentFactory(role=Role.TEAM_LEAD, teams=[team], organisation=team.organisation)
    submitted = timezone.now() - dt.timedelta(days=3)
    for postal_code, count in (("69001", 6), ("33000", 2), ("97400", 1)):
        for _ in range(count):
            CaseFactory(
                procedure__team=team,
                contact=ContactFactory(postal_code=postal_code, commune_code=""),
                submitted_at=submitted,
            )

    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/connexion/")
    page.locator("input[name=username]").fill(lead.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/pilotage/carte/")
    page.locator("map-chart[data-levier-ready]").wait_for()

    fills = page.evaluate(
        """() => Object.fromEntries(['69', '33', '974', '75'].map(code => [code,
            document.querySelector('map-chart .FR-' + code).getAttribute('fill')]))"""
    )
    # 6 cases: darkest class; 1 and 2 cases: lightest; no case: white
    assert fills == {"69": "#08519c", "33": "#c6dbef", "974": "#c6dbef", "75": "#ffffff"}
    assert page.locator("table caption").first.inner_text().startswith("Dossiers reçus")

    outside = [url for url in requests if not url.startswith(live_server.url)]
    assert outside == [], outside
    assert any(url.endswith("/insights/dsfr-chart/DSFRChart.js") for url in requests)

    page.locator("map-chart .FR-69").click()
    page.wait_for_url("**/dossiers/**departement=69**")
    assert page.locator("table tbody tr").count() == 6


def test_the_chart_include_draws_under_the_policy_with_local_files_only(live_server, page):
    """{% levier_chart %} as a page would render it, put into a levier page (so under its
    Content-Security-Policy): the bar chart draws its canvas, nothing comes from outside."""
    from django.template import Context, Template

    rendered = Template(
        "{% load levier_charts %}"
        '{% levier_chart kind="bar" caption="Dossiers reçus" labels=labels series=series %}'
        '{% levier_chart kind="line" caption="Évolution" labels=labels series=two %}'
        '{% levier_chart kind="pie" caption="Répartition" labels=labels series=series %}'
    ).render(
        Context(
            {
                "labels": ["janv.", "févr.", "mars"],
                "series": [("Reçus", [12, 7, None])],
                "two": [("Reçus", [12, 7, 9]), ("Clos", [3, 5, 8])],
            }
        )
    )
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/connexion/")
    page.evaluate(
        """(html) => {
            document.querySelector('main').insertAdjacentHTML('beforeend', html);
            // scripts inserted as HTML do not run: load each include's module as a page
            // would (three script elements, one URL)
            for (const old of document.querySelectorAll('main script[type=module]')) {
                const script = document.createElement('script');
                script.type = 'module';
                script.src = old.getAttribute('src');
                document.head.append(script);
            }
        }""",
        rendered,
    )
    for tag in ("bar-chart", "line-chart", "pie-chart"):
        page.locator(f"{tag} canvas").wait_for()
    assert page.locator("figure.levier-chart table th[scope=row]").count() == 9
    # three includes, three script elements: the browser fetches (and runs) the module once
    assert page.locator("main script[type=module]").count() == 3
    assert sum(url.endswith("/DSFRChart.js") for url in requests) == 1
    outside = [url for url in requests if not url.startswith(live_server.url)]
    assert outside == [], outside

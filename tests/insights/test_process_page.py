"""The process map page (/pilotage/processus/): scope, figures, form errors, the graph."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from levier.cases import services
from levier.core.models import Role
from levier.insights import graph, selectors
from levier.insights.mining.analysis import Arc, Mining
from tests.factories import AgentFactory, ContactFactory, OrganisationFactory, ProcedureFactory

URL = "/pilotage/processus/"
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def lead(team):
    return AgentFactory(role=Role.TEAM_LEAD, teams=[team], organisation=team.organisation)


@pytest.fixture
def process(db, team, other_team, agent, other_agent, monkeypatch):
    """Two cases of the lead's team with known times, one of another team.

    A: registered t0, in review +1 h, waiting for the usager +1 d, in review +2 d, accepted +1 d
    B: registered t0, in review +2 h, refused +1 d
    """
    for person, name in ((agent, "Ondine"), (other_agent, "Oscar")):
        person.first_name, person.last_name = name, f"{name}-Surveillé"
        person.save(update_fields=["first_name", "last_name"])
    clock = {"now": timezone.now().replace(microsecond=0) - 10 * DAY}
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: clock["now"])
        procedure = ProcedureFactory(team=team, slug="aide-commerce", name="Aide au commerce")
        t0 = clock["now"]

        def submit(proc):
            case, _ = services.case_submit(
                procedure=proc, contact=ContactFactory(), data={"project": "p", "amount": "1.00"}
            )
            return case

        def move(case, status, at, actor=agent, **kwargs):
            clock["now"] = at
            services.case_transition(case=case, to_status=status, actor=actor, **kwargs)

        clock["now"] = t0
        first, second = submit(procedure), submit(procedure)
        move(first, "in_review", t0 + HOUR)
        move(first, "waiting_for_usager", t0 + DAY + HOUR)
        move(first, "in_review", t0 + 3 * DAY + HOUR)
        move(first, "accepted", t0 + 4 * DAY + HOUR)
        move(second, "in_review", t0 + 2 * HOUR)
        move(second, "refused", t0 + DAY + 2 * HOUR, reason="Pièce manquante")
        clock["now"] = t0
        foreign = submit(ProcedureFactory(team=other_team, name="Aide voisine"))
        move(foreign, "in_review", t0 + 5 * HOUR, actor=other_agent)
    return {"procedure": procedure, "first": first, "second": second, "foreign": foreign}


def test_a_team_lead_sees_the_hand_computed_figures_of_their_team_only(
    client, lead, process, agent, other_agent
):
    result = selectors.process_map_for(lead)
    mining = result.mining
    assert (mining.cases, mining.events) == (2, 8)
    arcs = {(arc.source, arc.target): (arc.count, arc.median_seconds) for arc in mining.arcs}
    review = "change-case-status:in_review"
    waiting = "change-case-status:waiting_for_usager"
    assert arcs == {
        ("register-case", review): (2, 1.5 * 3600),
        (review, waiting): (1, 86_400),
        (waiting, review): (1, 2 * 86_400),
        (review, "decide-case:accepted"): (1, 86_400),
        (review, "decide-case:refused"): (1, 86_400),
    }
    assert result.throughput_median == (4 * 86_400 + 3600 + 86_400 + 2 * 3600) / 2
    assert result.throughput_p90 == 4 * 86_400 + 3600
    assert result.rework_share == 0.5
    assert [(row.count, row.share) for row in result.variants] == [(1, 0.5), (1, 0.5)]

    client.force_login(lead)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    # French labels of the catalogue, with the status reached; durations in French.
    assert "Faire avancer un dossier : en attente de l’usager" in text
    assert "Décider d'un dossier : refusé" in text
    assert "2 j 13 h" in text and "4 j 1 h" in text and "1 h 30 min" in text
    assert "50 %" in text
    # Another team's case and procedure do not show, not even in the form.
    assert "Aide voisine" not in page and process["foreign"].reference not in page
    # No agent names (no surveillance: the agents who moved the cases), no case references.
    for person in (agent, other_agent):
        assert person.last_name not in page and person.first_name not in page
    assert process["first"].reference not in page


def test_a_manager_sees_every_team_of_their_organisation_and_no_other(lead, process, team):
    organisation = team.organisation  # other_team's too (tests.factories)
    manager = AgentFactory(manager=True, teams=[], organisation=organisation)
    assert selectors.process_map_for(manager).mining.cases == 3
    # Fail closed: without an organisation, a manager sees their own teams only.
    alone = AgentFactory(manager=True, teams=[team], organisation=None)
    assert selectors.process_map_for(alone).mining.cases == 2
    elsewhere = AgentFactory(
        manager=True, teams=[], organisation=OrganisationFactory(name="Préfecture voisine")
    )
    assert selectors.process_map_for(elsewhere).mining.cases == 0
    # A procedure of a team out of reach reads as one without a case.
    foreign = process["foreign"].procedure
    assert selectors.process_map_for(lead, procedure=foreign).mining.cases == 0


def test_filters_by_procedure_team_and_period(client, lead, process, team):
    client.force_login(lead)
    procedure = process["procedure"]
    page = client.get(URL, {"procedure": procedure.pk, "team": team.pk}).content.decode()
    assert "Passages d’un geste à l’autre" in page and "Aide au commerce" in page
    past = selectors.process_map_for(
        lead, start=timezone.now() - 400 * DAY, end=timezone.now() - 300 * DAY
    )
    assert past.mining.cases == 0
    enquiries = selectors.process_map_for(lead, subject="enquiry", channel="email")
    assert enquiries.mining.cases == 0


def test_the_number_of_cases_is_capped_and_the_page_says_so(client, lead, process, settings):
    settings.LEVIER_PROCESS_MAX_CASES = 1
    assert selectors.process_map_for(lead).mining.cases == 1
    client.force_login(lead)
    page = client.get(URL).content.decode()
    assert "1 premiers dossiers" in page or "first 1 cases" in page


@pytest.mark.parametrize("role", [Role.AGENT, Role.DPO])
def test_other_roles_get_a_404_and_no_link(client, team, role):
    client.force_login(AgentFactory(role=role, teams=[team], organisation=team.organisation))
    assert client.get(URL).status_code == 404
    assert URL not in client.get(reverse("core:home")).content.decode()


def test_team_leads_managers_and_administrators_have_the_link(client, team):
    for kind in ({"role": Role.TEAM_LEAD}, {"manager": True}, {"administrator": True}):
        client.force_login(AgentFactory(teams=[team], organisation=team.organisation, **kind))
        assert URL in client.get(reverse("core:home")).content.decode(), kind


@pytest.mark.parametrize(
    "query, message",
    [
        ({"procedure": "999999"}, "Sélectionnez un choix valide"),
        ({"procedure": "abc"}, "Sélectionnez un choix valide"),
        ({"start": "2026-02-30"}, "Saisissez une date valide"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "La date de fin précède"),
        ({"start": "2000-01-01", "end": "2026-01-01"}, "au plus"),
    ],
)
def test_bad_filters_give_a_french_form_error(client, lead, query, message):
    client.force_login(lead)
    response = client.get(URL, query, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page, page[page.find("fr-alert") - 200 : page.find("fr-alert") + 3000]
    assert "fr-alert--error" in page


def test_a_procedure_of_another_team_is_a_form_error(client, lead, process):
    client.force_login(lead)
    foreign = process["foreign"].procedure
    page = client.get(URL, {"procedure": foreign.pk}).content.decode()
    assert "Sélectionnez un choix valide" in page and "Aide voisine" not in page


def test_the_svg_is_inline_and_has_no_script(client, lead, process):
    if graph.shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed (scripts/install-system-deps.sh)")
    client.force_login(lead)
    page = client.get(URL).content.decode()
    start, end = page.find("<svg"), page.find("</svg>")
    assert start > 0 and end > start
    svg = page[start:end]
    assert "<script" not in svg.lower() and "onload" not in svg.lower() and "href" not in svg
    assert "Faire avancer un dossier" in svg


def test_hostile_labels_are_escaped_and_the_output_sanitised():
    if graph.shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed (scripts/install-system-deps.sh)")
    hostile = '"]; x [URL="javascript:alert(1)"]; <script>alert(1)</script>\\'
    mining = Mining(cases=1, events=2, arcs=[Arc("a", hostile, 1, 60.0)])
    svg = graph.draw(mining, lambda code: code, lambda s: f"{s} s", title="t")
    assert svg is not None and "<script" not in svg and "javascript" not in svg.split("<text")[0]
    assert "&lt;script&gt;" in svg  # the label, as text
    assert "href" not in svg
    dirty = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<script>alert(1)</script><g onload="alert(1)"><a xlink:href="javascript:x">'
        b'<text x="1" style="x">ok</text></a><foreignObject><p>x</p></foreignObject></g></svg>'
    )
    clean = graph.sanitise(dirty, title="t")
    assert clean is not None
    assert "script" not in clean and "onload" not in clean and "javascript" not in clean
    assert "foreignObject" not in clean and "style" not in clean
    entity = (
        b"<!DOCTYPE svg [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&e;</text></svg>'
    )
    assert "root:" not in (graph.sanitise(entity, title="t") or "")
    assert graph.sanitise(b"not xml", title="t") is None


def test_the_page_works_without_graphviz(client, lead, process, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on this PATH
    client.force_login(lead)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="img"' not in page
    assert "Le graphe n’a pas pu être dessiné" in page
    assert "Passages d’un geste à l’autre" in page  # the table, the RGAA alternative

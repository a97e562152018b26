"""The map by département (/pilotage/carte/): the département rule, the figures against a
hand-computed fixture, the drill-down to the case list, scope, bad input, the chart tag."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone

from levier.cases.models import CaseStatus
from levier.controls.flags import flag_raise
from levier.core.geo import departement_of_postal_code
from levier.core.models import Role
from levier.insights import maps
from tests.factories import AgentFactory, CaseFactory, ContactFactory, ProcedureFactory

URL = "/pilotage/carte/"
DAY = dt.timedelta(days=1)


# --- the département rule (levier.core.geo, used by the map and the case list's filter) ---


@pytest.mark.parametrize(
    ("postal_code", "departement"),
    [
        ("01000", "01"),  # a leading zero is kept
        ("20000", "2A"),  # Ajaccio
        ("20190", "2A"),  # the last hundred of Corse-du-Sud
        ("20200", "2B"),  # Bastia: Haute-Corse starts at 20200
        ("20290", "2B"),
        ("97100", "971"),  # overseas: three digits
        ("97200", "972"),
        ("97354", "973"),
        ("97490", "974"),
        ("97600", "976"),
        ("97133", "977"),  # Saint-Barthélemy is not Guadeloupe any more
        ("75700", "75"),  # a CEDEX code, in no commune's list: its first digits decide
        (" 69001 ", "69"),  # spaces around are forgiven
    ],
)
def test_departement_of_a_postal_code(postal_code, departement):
    assert departement_of_postal_code(postal_code) == departement


@pytest.mark.parametrize("postal_code", ["", "6900", "69 001", "98000", "00000", "2A000", None])
def test_no_departement_for_what_is_not_a_french_postal_code(postal_code):
    assert departement_of_postal_code(postal_code) is None


def test_table_order_puts_corsica_after_19_and_overseas_last():
    codes = ["971", "", "21", "2B", "19", "2A", "01", "95"]
    assert sorted(codes, key=maps.table_order) == ["01", "19", "2A", "2B", "21", "95", "971", ""]


def test_classes_split_the_range_evenly_and_cover_both_ends():
    bins = maps.bins_for([10.0, 20.0, 60.0])
    assert [(b.low, b.high) for b in bins] == [
        (10.0, 20.0), (20.0, 30.0), (30.0, 40.0), (40.0, 50.0), (50.0, 60.0)
    ]  # fmt: skip
    # the legend says "over 20, up to 30": 20 itself is in the first class
    assert [b.low_excluded for b in bins] == [False, True, True, True, True]
    assert maps.class_of(10.0, bins) == "levier-map-c0"
    assert maps.class_of(20.0, bins) == "levier-map-c0"
    assert maps.class_of(20.1, bins) == "levier-map-c1"
    assert maps.class_of(60.0, bins) == "levier-map-c4"
    assert maps.class_of(None, bins) == ""
    assert [(b.low, b.high) for b in maps.bins_for([7.0, 7.0])] == [(7.0, 7.0)]
    assert maps.bins_for([]) == []


# --- figures ------------------------------------------------------------------------------


@pytest.fixture
def lead(team):
    return AgentFactory(role=Role.TEAM_LEAD, teams=[team], organisation=team.organisation)


@pytest.fixture
def cases(db, team, other_team):
    """Submitted 20 days ago unless said otherwise, deadline 5 days after submission.

    Rhône (69001): six cases of procedure A, decided after 1, 2, 3, 4 and 10 days, and one
    still in review past its deadline; two proposed for a control.
    -> 6 cases, median 3 days, deadlines met 4 of 6 (66.7 %), control proposals 2 of 6
    (33.3 %). One case of procedure B too (decided after 5 days, in time).
    Corse-du-Sud (20000): 2 cases; La Réunion (97490): 1; no postal code: 1.
    Not counted: a case of another team, a draft, a case submitted 200 days ago.
    """
    procedure_a = ProcedureFactory(team=team, name="Aide A")
    procedure_b = ProcedureFactory(team=team, name="Aide B")
    submitted = timezone.now().replace(microsecond=0) - 20 * DAY

    def case(postal_code, procedure=procedure_a, decided_after=None, when=submitted, **extra):
        contact = ContactFactory(postal_code=postal_code, commune_code="")
        fields = {
            "procedure": procedure,
            "contact": contact,
            "submitted_at": when,
            "due_at": when + 5 * DAY,
            "status": CaseStatus.IN_REVIEW,
        }
        if decided_after is not None:
            fields.update(status=CaseStatus.ACCEPTED, decided_at=when + decided_after * DAY)
        fields.update(extra)
        return CaseFactory(**fields)

    rhone = [case("69001", decided_after=days) for days in (1, 2, 3, 4, 10)]
    rhone.append(case("69001"))
    for flagged in rhone[:2]:
        flag_raise(case=flagged, source="random", code="random", reasons=["Tirage au sort"])
    case("69001", procedure=procedure_b, decided_after=5)
    case("20000")
    case("20000")
    case("97490")
    case("")
    case("69001", procedure=ProcedureFactory(team=other_team))
    case("69001", status=CaseStatus.DRAFT, submitted_at=None)
    case("69001", when=submitted - 180 * DAY)
    return {"a": procedure_a, "b": procedure_b, "rhone": rhone}


def period():
    today = timezone.localdate()
    return {"start": today - 90 * DAY, "end": today}


def by_code(result):
    return {row.code: row for row in result.rows}


def test_figures_match_the_hand_computed_fixture(lead, cases):
    incoming = maps.departement_map(lead, **period(), metric="incoming")
    rows = by_code(incoming)
    assert list(rows) == ["2A", "69", "974", ""]
    assert {code: row.tally.incoming for code, row in rows.items()} == {
        "2A": 2, "69": 7, "974": 1, "": 1
    }  # fmt: skip
    assert incoming.total.incoming == 11
    assert rows["2A"].name == "Corse-du-Sud" and rows["974"].name == "La Réunion"

    only_a = {"procedure": cases["a"], **period()}
    median = by_code(maps.departement_map(lead, **only_a, metric="median_days"))
    assert median["69"].value == 3.0
    assert median["2A"].value is None  # no case decided: "—"
    deadlines = by_code(maps.departement_map(lead, **only_a, metric="deadlines_met"))
    assert deadlines["69"].tally.deadline_known == 6
    assert deadlines["69"].value == 66.7
    flags = by_code(maps.departement_map(lead, **only_a, metric="flag_rate"))
    assert flags["69"].value == 33.3
    assert flags["2A"].value is None and flags["2A"].tally.incoming == 2  # fewer than 5


def test_with_every_procedure_the_rhone_counts_seven_cases(lead, cases):
    median = by_code(maps.departement_map(lead, **period(), metric="median_days"))
    # durations 1, 2, 3, 4, 5, 10 days
    assert median["69"].value == 3.5
    deadlines = by_code(maps.departement_map(lead, **period(), metric="deadlines_met"))
    assert (deadlines["69"].tally.deadline_met, deadlines["69"].tally.deadline_known) == (5, 7)


def test_the_page_draws_and_tabulates_the_figures(client, lead, cases):
    client.force_login(lead)
    response = client.get(URL, {"metric": "flag_rate", "procedure": cases["a"].pk})
    assert response.status_code == 200
    page = response.content.decode()
    data = json.loads(
        html.unescape(re.search(r'id="levier-map-data"[^>]*>(.*?)</script>', page, re.S)[1])
    )
    assert data["values"] == {"69": 33.3}  # 2A has no rate, 974 neither: white
    assert set(data["links"]) == {"2A", "69", "974"}
    assert re.search(r"<map-chart [^>]*data=\"\{&quot;69&quot;: 33.3\}\"", page)
    assert "Corse-du-Sud" in page and "33,3\u00a0%" in page
    assert "<caption>" in page and 'scope="row"' in page
    assert "DSFRChart.js" in page and "<script>" not in page  # no inline script


def test_each_departement_links_to_its_cases_and_the_counts_agree(client, lead, cases):
    client.force_login(lead)
    response = client.get(URL, {"metric": "incoming"})
    result = response.context["result"]
    links = json.loads(
        html.unescape(
            re.search(r'id="levier-map-data"[^>]*>(.*?)</script>', response.content.decode(), re.S)[
                1
            ]
        )
    )["links"]
    checked = 0
    for row in result.rows:
        if not row.code:
            continue
        listed = client.get(links[row.code])
        assert listed.status_code == 200
        assert listed.context["form"].is_valid(), listed.context["form"].errors
        shown = [case.reference for case in listed.context["page"].rows]
        assert len(shown) == row.tally.incoming, row.code
        checked += 1
    assert checked == 3
    rhone = client.get(links["69"]).context["page"].rows
    assert {c.reference for c in cases["rhone"]} <= {c.reference for c in rhone}


def test_the_case_list_filters_on_the_usagers_departement(client, lead, cases):
    client.force_login(lead)
    corsica = client.get(reverse("cases:list"), {"departement": "2A"})
    assert len(corsica.context["page"].rows) == 2
    unknown = client.get(reverse("cases:list"), {"departement": "2C"})
    assert unknown.status_code == 200
    assert "departement" in unknown.context["form"].errors


def test_scope_another_teams_cases_never_count(client, team, other_team, cases):
    outsider_lead = AgentFactory(role=Role.TEAM_LEAD, teams=[other_team])
    client.force_login(outsider_lead)
    result = client.get(URL).context["result"]
    assert [(row.code, row.tally.incoming) for row in result.rows] == [("69", 1)]


@pytest.mark.parametrize("role", [Role.AGENT, Role.DPO])
def test_the_map_is_a_404_for_those_who_do_not_steer_teams(client, team, role):
    client.force_login(AgentFactory(role=role, teams=[team]))
    assert client.get(URL).status_code == 404


def test_the_map_opens_for_a_manager_and_an_administrator(client, team):
    for role in (Role.MANAGER, Role.ADMINISTRATOR):
        client.force_login(AgentFactory(role=role, teams=[team], organisation=team.organisation))
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "2026-02-30"}, "start", "date"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "end", "before the start"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "start", "at most"),
        ({"metric": "salaire"}, "metric", "salaire"),
        ({"procedure": "abc"}, "procedure", ""),
    ],
)
def test_bad_filters_answer_a_clear_message_not_an_error(client, lead, query, field, message):
    client.force_login(lead)
    response = client.get(URL, query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert "result" not in response.context


# --- the chart include --------------------------------------------------------------------


def render(source, **context):
    return Template("{% load levier_charts %}" + source).render(Context(context))


def test_the_chart_tag_draws_the_component_and_the_same_figures_in_a_table():
    out = render(
        '{% levier_chart kind="bar" caption="Dossiers reçus" labels=labels series=series '
        'unit="%" label_header="Mois" %}',
        labels=["janv.", "févr."],
        series=[("Reçus", [12, None]), ("Clos", [3.5, 4])],
    )
    component = re.search(r"<bar-chart [^>]*>", out)[0]
    assert 'x="[[&quot;janv.&quot;, &quot;févr.&quot;]]"' in component
    assert 'y="[[12.0, null], [3.5, 4.0]]"' in component
    assert 'name="[&quot;Reçus&quot;, &quot;Clos&quot;]"' in component
    assert 'unit-tooltip="%"' in component
    table = out[out.index("<table") :]
    assert '<th scope="col">Mois</th>' in table
    assert '<th scope="col">Reçus (%)</th>' in table
    assert re.search(r'<th scope="row">janv\.</th><td>12</td><td>3,5</td>', table)
    assert re.search(r'<th scope="row">févr\.</th><td>—</td><td>4</td>', table)
    assert "<caption>" in table


def test_the_chart_tag_refuses_a_series_of_the_wrong_length_and_an_unknown_kind():
    with pytest.raises(TemplateSyntaxError, match="2 labels"):
        render(
            '{% levier_chart caption="x" labels=labels series=series %}',
            labels=["a", "b"],
            series=[("s", [1])],
        )
    with pytest.raises(TemplateSyntaxError, match="kind"):
        render('{% levier_chart kind="donut" caption="x" labels=l series=s %}', l=[], s=[])


def test_classes_of_counts_are_whole_numbers_that_do_not_overlap():
    bins = maps.bins_for([1.0, 3.0, 24.0], whole=True)
    assert [(b.low, b.high) for b in bins] == [
        (1.0, 5.0), (6.0, 10.0), (11.0, 14.0), (15.0, 19.0), (20.0, 24.0)
    ]  # fmt: skip
    assert maps.class_of(5.0, bins) == "levier-map-c0"
    assert maps.class_of(6.0, bins) == "levier-map-c1"
    # three values 1..3: classes too narrow for whole numbers are dropped
    assert [(b.low, b.high) for b in maps.bins_for([1.0, 3.0], whole=True)] == [
        (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)
    ]  # fmt: skip


def test_a_line_repeats_the_labels_per_series_and_a_pie_names_its_slices():
    line = render(
        '{% levier_chart kind="line" caption="c" labels=labels series=series %}',
        labels=["a", "b"],
        series=[("s1", [1, 2]), ("s2", [3, 4])],
    )
    assert 'x="[[&quot;a&quot;, &quot;b&quot;], [&quot;a&quot;, &quot;b&quot;]]"' in line
    pie = render(
        '{% levier_chart kind="pie" caption="c" labels=labels series=series %}',
        labels=["Acceptés", "Refusés"],
        series=[("Décisions", [30, 10])],
    )
    component = re.search(r"<pie-chart [^>]*>", pie)[0]
    assert 'name="[&quot;Acceptés&quot;, &quot;Refusés&quot;]"' in component
    assert 'selected-palette="categorical"' in component
    with pytest.raises(TemplateSyntaxError, match="one series"):
        render(
            '{% levier_chart kind="pie" caption="c" labels=labels series=series %}',
            labels=["a"],
            series=[("s1", [1]), ("s2", [2])],
        )

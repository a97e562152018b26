"""Time saved, measured (/pilotage/temps-gagne/, /pilotage/gestes/): hand-computed figures from
the roll-ups, the calibration rule, adopting a median (journaled, administrators only),
scope and the small-team rule, drill-down counts equal to the figures."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from levier.core.models import Role
from levier.insights import rollups, time_saved
from levier.journal.models import Activity, Event
from levier.journal.services import StandardDurationError, activity_adopt_standard_duration
from tests.factories import (
    AgentFactory,
    CaseFactory,
    EnquiryFactory,
    ProcedureFactory,
    TeamFactory,
    TopicFactory,
)

PARIS = ZoneInfo("Europe/Paris")
MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
PERIOD = {"start": "2026-03", "end": "2026-04"}
MINUTE = dt.timedelta(minutes=1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def event(when, target, code, *, actor="", kind="agent", verb="do", duration=None):
    return Event.objects.create(
        occurred_at=when,
        actor_kind=kind,
        actor_id=actor or ("robot-x" if kind == "robot" else ""),
        verb=verb,
        target_type=f"{target._meta.app_label}.{target._meta.model_name}",
        target_id=str(target.pk),
        activity_code=code,
        automated=kind == "robot",
        duration_seconds=duration,
    )


def read(when, target, agent):
    return event(when, target, "consult-personal-data", actor=str(agent.pk), verb="read")


def team_of(size: int, **kwargs):
    team = TeamFactory(**kwargs)
    members = [AgentFactory(teams=[team], organisation=team.organisation) for _ in range(size)]
    return team, members


@pytest.fixture
def world(db):
    """Lyon (5 agents and its lead), Villeurbanne (5 agents), Bron (2 agents): robots and
    agents at work in March and April 2026.

    Lyon, time saved by hand: March 3 robot checks (standard 120 s) = 360 s and one robot
    registration measured 30 s; April 2 robot checks measured 600 s each = 1,200 s. Total
    1,590 s over 6 automated gestes. An enquiry's robot registration in April: 60 s more.
    Villeurbanne and Bron have robot gestes too, which Lyon's lead never sees."""
    Activity.objects.create(code="t-check", label="Vérifier les pièces", standard_seconds=120)
    Activity.objects.create(code="t-register", label="Enregistrer", standard_seconds=60)
    lyon, lyon_agents = team_of(5, name="Lyon")
    lead = AgentFactory(role=Role.TEAM_LEAD, teams=[lyon], organisation=lyon.organisation)
    villeurbanne, _ = team_of(5, name="Villeurbanne")
    bron, _ = team_of(2, name="Bron")
    p_lyon = ProcedureFactory(team=lyon, name="Aide au commerce")
    case = CaseFactory(procedure=p_lyon)
    enquiry = EnquiryFactory(topic=TopicFactory(team=lyon))
    for day in (3, 4, 5):
        event(at(MARCH.replace(day=day), 9), case, "t-check", kind="robot")
    event(at(MARCH.replace(day=6), 9), case, "t-register", kind="robot", duration=30)
    for day in (7, 8):
        event(at(APRIL.replace(day=day), 9), case, "t-check", kind="robot", duration=600)
    event(at(APRIL.replace(day=9), 9), enquiry, "t-register", kind="robot")
    # Agents' gestes (not automated): 4 in March on Lyon's case
    for day in (10, 11, 12, 13):
        event(at(MARCH.replace(day=day), 10), case, "t-check", actor=str(lyon_agents[0].pk))
    for other in (villeurbanne, bron):
        foreign = CaseFactory(procedure=ProcedureFactory(team=other))
        event(at(MARCH.replace(day=3), 9), foreign, "t-check", kind="robot", duration=9000)
    rollups.rebuild_rollups(MARCH, dt.date(2026, 4, 30))
    return {
        "lyon": lyon,
        "lead": lead,
        "agents": lyon_agents,
        "villeurbanne": villeurbanne,
        "bron": bron,
        "case": case,
        "enquiry": enquiry,
        "procedure": p_lyon,
    }


def test_the_lead_sees_the_hand_computed_time_saved_of_their_team(world):
    report = time_saved.time_saved_report(world["lead"], start=MARCH, end=dt.date(2026, 4, 30))
    assert report.total == time_saved.Figure(events=7, seconds=360 + 30 + 1200 + 60)
    assert [(row.key, row.figure.events, row.figure.seconds) for row in report.by_month] == [
        (MARCH, 4, 390),
        (APRIL, 3, 1260),
    ]
    assert [(row.label, row.figure.seconds) for row in report.by_team] == [("Lyon", 1650)]
    assert [(row.key, row.figure.seconds) for row in report.by_procedure] == [
        (world["procedure"].pk, 1590),
        (None, 60),  # the enquiry
    ]
    assert {row.key: row.figure.events for row in report.by_activity} == {
        "t-check": 5,
        "t-register": 2,
    }
    assert report.total.hours == pytest.approx(1650 / 3600)
    assert report.total.fte == pytest.approx(1650 / 3600 / 1607)


def test_the_fte_follows_the_setting(world, settings):
    settings.LEVIER_FTE_HOURS_PER_YEAR = 1000
    report = time_saved.time_saved_report(world["lead"], start=MARCH, end=dt.date(2026, 4, 30))
    assert report.total.fte == pytest.approx(1650 / 3600 / 1000)


def test_the_summary_for_the_dashboard(world):
    summary = time_saved.time_saved_summary(world["lead"], None, MARCH, dt.date(2026, 3, 31))
    # March, Lyon: 4 automated of 8 gestes (4 robots, 4 agents); 390 s saved
    assert (summary.gestes, summary.automated, summary.seconds) == (8, 4, 390)
    assert summary.robot_share == pytest.approx(0.5)
    assert summary.robot_share_text == "50\u00a0%"
    manager = AgentFactory(manager=True, organisation=world["lyon"].organisation)
    everyone = time_saved.time_saved_summary(manager, None, MARCH, dt.date(2026, 3, 31))
    # Villeurbanne's robot geste counts; Bron (2 agents) is left out
    assert (everyone.gestes, everyone.seconds, everyone.small_teams) == (9, 9390, 1)
    only_bron = time_saved.time_saved_summary(
        manager, [world["bron"].pk], MARCH, dt.date(2026, 3, 31)
    )
    assert (only_bron.gestes, only_bron.robot_share) == (0, None)


def figure(response, element_id="gestes-count") -> int:
    match = re.search(rf'id="{element_id}">([\d\u202f ]+)<', response.content.decode())
    assert match, response.content.decode()[:3000]
    return int(re.sub(r"\D", "", match[1]))


def test_every_figure_of_the_page_opens_a_list_of_as_many_events(client, world):
    client.force_login(world["lead"])
    page = client.get(reverse("insights:time_saved"), PERIOD)
    assert page.status_code == 200
    report = page.context["report"]
    links = [("total", report.total.events, page.context["total_link"])]
    for name in ("months", "teams", "procedures", "activities"):
        links += [(name, row.figure.events, url) for row, url in page.context[name]]
    assert len(links) == 1 + 2 + 1 + 2 + 2
    for name, expected, url in links:
        listed = client.get(url)
        assert listed.status_code == 200, url
        assert figure(listed) == expected, f"{name}: {url}"
    # The drill-down rows name no agent
    body = client.get(page.context["total_link"]).content.decode()
    for agent in world["agents"]:
        assert agent.last_name + agent.first_name not in body and agent.get_full_name() not in body
    assert "Robot" in body


def test_the_drill_down_pages_by_keyset_and_keeps_its_count(client, world):
    case = world["case"]
    for minute in range(30):
        event(at(dt.date(2026, 3, 20), 9, minute), case, "t-register", kind="robot")
    rollups.rebuild_rollups(dt.date(2026, 3, 20), dt.date(2026, 3, 20))
    client.force_login(world["lead"])
    url = reverse("insights:gestes")
    first = client.get(url, {"month": "2026-03", "automated": "1", "activity": "t-register"})
    assert figure(first) == 31 and len(first.context["rows"]) == 25
    second = client.get(url + "?" + first.context["page"].next_query)
    assert figure(second) == 31 and len(second.context["rows"]) == 6


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"month": "2026-13"}, "n’est pas un mois"),
        ({"start": "mars", "end": "2026-04"}, "n’est pas un mois"),
        ({"start": "2026-05", "end": "2026-04"}, "avant le premier"),
        ({"team": "x"}, "nombre entier"),
        ({"actor": "chef"}, "choix valide"),
    ],
)
def test_a_bad_link_gets_a_french_message_not_an_error(client, world, query, message):
    client.force_login(world["lead"])
    response = client.get(reverse("insights:gestes"), query, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_lead_never_sees_another_teams_gestes(client, world):
    client.force_login(world["lead"])
    foreign = {"team": str(world["villeurbanne"].pk), **PERIOD}
    assert figure(client.get(reverse("insights:gestes"), foreign)) == 0
    page = client.get(reverse("insights:time_saved"), foreign)
    assert page.status_code == 200 and "report" not in page.context  # not a team of theirs


@pytest.mark.parametrize("role", [Role.AGENT])
def test_the_pages_are_a_404_for_a_plain_agent(client, world, role):
    client.force_login(world["agents"][0])
    for name in ("insights:time_saved", "insights:gestes", "insights:adopt_standard"):
        assert client.get(reverse(name)).status_code == 404
        assert client.post(reverse(name)).status_code == 404


# --- calibration ------------------------------------------------------------------------


def durations(agent, team=None):
    return time_saved.measured_durations(
        agent, team_ids=None if team is None else [team.pk], start=MARCH, end=dt.date(2026, 3, 31)
    )


def test_the_calibration_rule(world):
    lead, case = world["lead"], world["case"]
    anne, bruno = world["agents"][1], world["agents"][2]
    day = dt.date(2026, 3, 24)
    t = at(day, 14)
    # Anne opens the case, checks 5 min later, registers 2 min after that
    read(t, case, anne)
    event(t + 5 * MINUTE, case, "t-check", actor=str(anne.pk))
    event(t + 7 * MINUTE, case, "t-register", actor=str(anne.pk))
    # same instant: one action writing two events, not a measure
    event(t + 7 * MINUTE, case, "t-check", actor=str(anne.pk))
    # idle: 40 min after her last geste; then nothing until she opens it again
    event(t + 47 * MINUTE, case, "t-check", actor=str(anne.pk))
    event(t + 50 * MINUTE, case, "t-check", actor=str(anne.pk))
    read(t + 60 * MINUTE, case, anne)
    event(t + 63 * MINUTE, case, "t-check", actor=str(anne.pk))
    # Bruno acts after Anne's opening, without opening it himself: not measured
    read(t + 100 * MINUTE, case, anne)
    event(t + 101 * MINUTE, case, "t-check", actor=str(bruno.pk))
    # a robot's geste is not an agent's measure
    event(t + 102 * MINUTE, case, "t-check", kind="robot")
    # opened the evening before the period? Measured from it if within 30 min
    april_first = at(dt.date(2026, 4, 1), 0, 10)
    read(at(dt.date(2026, 3, 31), 23, 55), case, bruno)
    event(april_first, case, "t-check", actor=str(bruno.pk))

    assert durations(lead) == {"t-check": [300, 180], "t-register": [120]}
    april = time_saved.measured_durations(
        lead, team_ids=None, start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30)
    )
    assert april == {"t-check": [900]}  # the 23:55 opening, before the period, counts
    # The daily measures built with the roll-ups (what the page reads) say the same, twice
    for _ in range(2):
        rollups.rebuild_rollups(MARCH, dt.date(2026, 4, 30))
        built = time_saved.daily_measures(
            lead, team_ids=None, start=MARCH, end=dt.date(2026, 3, 31)
        )
        assert built == {"t-check": Counter([300, 180]), "t-register": Counter([120])}
    assert time_saved.daily_measures(
        lead, team_ids=None, start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30)
    ) == {"t-check": Counter([900])}


def test_no_measure_comes_from_a_team_below_5_agents(world):
    bron = world["bron"]
    members = list(bron.agents.all())
    case = CaseFactory(procedure=ProcedureFactory(team=bron))
    read(at(dt.date(2026, 3, 24), 9), case, members[0])
    event(at(dt.date(2026, 3, 24), 9, 4), case, "t-check", actor=str(members[0].pk))
    manager = AgentFactory(manager=True, organisation=bron.organisation)
    assert durations(manager) == {}


def measures(world, count, seconds=240, code="t-check", first=0):
    case = world["case"]
    for n in range(first, first + count):
        agent = world["agents"][n % 5]
        start = at(dt.date(2026, 3, 1 + n % 28), 8) + n * 31 * MINUTE
        read(start, case, agent)
        event(start + dt.timedelta(seconds=seconds + n % 3), case, code, actor=str(agent.pk))
    rollups.rebuild_rollups(MARCH, dt.date(2026, 3, 31))


def calibration(agent, code="t-check"):
    rows = time_saved.calibration_for(agent, team_ids=None, start=MARCH, end=dt.date(2026, 3, 31))
    return {row.code: row for row in rows}.get(code)


def test_the_median_is_hidden_below_20_measures(world):
    measures(world, 19)
    row = calibration(world["lead"])
    assert (row.measures, row.median_seconds, row.standard_seconds) == (19, None, 120)
    measures(world, 1, first=19)
    row = calibration(world["lead"])
    assert row.measures == 20 and row.median_seconds == 241


def test_an_administrator_adopts_the_measured_median_journaled(client, world):
    measures(world, 21)
    admin = AgentFactory(administrator=True, organisation=world["lyon"].organisation)
    client.force_login(admin)
    page = client.get(reverse("insights:time_saved"), PERIOD)
    assert "Adopter la médiane mesurée" in page.content.decode()
    row = calibration(admin)
    assert row.median_seconds == 241
    response = client.post(
        reverse("insights:adopt_standard"),
        {"activity": "t-check", "expected": 241, "start": "2026-03", "end": "2026-03"},
    )
    assert response.status_code == 302
    assert Activity.objects.get(code="t-check").standard_seconds == 241
    journaled = Event.objects.get(verb="adopt-standard-duration")
    assert journaled.actor_id == str(admin.pk)
    assert journaled.target_type == "journal.activity"
    assert journaled.payload == {"code": "t-check", "before": 120, "after": 241}


def test_a_median_that_changed_since_the_page_is_not_adopted(client, world):
    measures(world, 21)
    client.force_login(AgentFactory(administrator=True, organisation=world["lyon"].organisation))
    client.post(
        reverse("insights:adopt_standard"),
        {"activity": "t-check", "expected": 600, "start": "2026-03", "end": "2026-03"},
    )
    assert Activity.objects.get(code="t-check").standard_seconds == 120
    assert not Event.objects.filter(verb="adopt-standard-duration").exists()


@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.MANAGER, Role.AGENT])
def test_only_administrators_adopt_others_get_a_404(client, world, role):
    measures(world, 21)
    who = AgentFactory(role=role, teams=[world["lyon"]], organisation=world["lyon"].organisation)
    client.force_login(who)
    response = client.post(
        reverse("insights:adopt_standard"),
        {"activity": "t-check", "expected": 241, "start": "2026-03", "end": "2026-03"},
    )
    assert response.status_code == 404
    if role != Role.AGENT:
        assert (
            "Adopter la médiane"
            not in client.get(reverse("insights:time_saved"), PERIOD).content.decode()
        )
    assert Activity.objects.get(code="t-check").standard_seconds == 120
    with pytest.raises(PermissionDenied):
        activity_adopt_standard_duration(
            actor=who, activity=Activity.objects.get(code="t-check"), seconds=241
        )
    assert not Event.objects.filter(verb="adopt-standard-duration").exists()


def test_the_service_refuses_a_standard_time_out_of_range(world):
    admin = AgentFactory(administrator=True)
    with pytest.raises(StandardDurationError, match="between 1 second and 8 hours"):
        activity_adopt_standard_duration(
            actor=admin, activity=Activity.objects.get(code="t-check"), seconds=0
        )


@pytest.mark.parametrize(
    "kind",
    [
        "agent of another team",  # a plain agent: the pages are a 404, before and after
        "manager of another organisation",
        "team lead of another organisation",
        "manager without organisation",
    ],
)
def test_outsiders_gestes_change_no_figure(client, world, kind):
    """tests/test_scoping.py's walk, with figures to hide: teams of 5 agents on both sides,
    robots at work in both, roll-ups rebuilt in between."""
    from tests.test_scoping import viewer_and_outside_team

    viewer, outside = viewer_and_outside_team(kind, world["lyon"])
    for _ in range(5):
        AgentFactory(teams=[outside], organisation=outside.organisation)
    if kind == "manager without organisation":
        viewer.teams.add(world["lyon"])
    client.force_login(viewer)
    urls = [
        reverse("insights:time_saved") + "?start=2026-03&end=2026-04",
        reverse("insights:gestes") + "?start=2026-03&end=2026-04&automated=1",
    ]

    def pages():
        return [re.sub(r"[A-Za-z0-9]{64}", "", client.get(url).content.decode()) for url in urls]

    before = pages()
    foreign = CaseFactory(procedure=ProcedureFactory(team=outside))
    for day in (3, 4):
        event(at(MARCH.replace(day=day), 11), foreign, "t-check", kind="robot", duration=777)
    rollups.rebuild_rollups(MARCH, dt.date(2026, 4, 30))
    assert pages() == before
    if kind != "agent of another team":
        assert "1\u202f650" in before[0] or "0,5" in before[0]  # Lyon's figures do show

"""Team and department dashboards (/pilotage/equipe/<id>/, /pilotage/service/): every figure
against a hand-computed fixture, every figure's link against the list it opens, the period
picker, the 5-agent floor and the scope."""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from levier.cases.models import Case, CaseStatus
from levier.core.models import Role, Team
from levier.enquiries.models import Channel, EnquiryStatus
from levier.insights.dashboards import selectors
from levier.insights.dashboards.periods import Period, calendar_period
from levier.journal.services import Actor, record
from tests.factories import (
    AgentFactory,
    CaseFactory,
    EnquiryFactory,
    MessageFactory,
    ProcedureFactory,
    TopicFactory,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DAY = dt.timedelta(days=1)
# Two weeks, Monday 3 to Sunday 16 March 2025; the previous period: 17 February to 2 March.
PERIOD = Period(start=dt.date(2025, 3, 3), end=dt.date(2025, 3, 16))
QUERY = "?period=custom&start=2025-03-03&end=2025-03-16"


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=PARIS)


def lead_of(team):
    return AgentFactory(role=Role.TEAM_LEAD, teams=[team], organisation=team.organisation)


def staff(team, n):
    return [AgentFactory(teams=[team], organisation=team.organisation) for _ in range(n)]


@pytest.fixture
def lead(team):
    staff(team, 4)
    return lead_of(team)  # five agents with the lead


@pytest.fixture
def data(team, other_team, lead):
    """Cases and enquiries with known answers (see each test), and noise that never counts:
    a draft, another team's rows."""
    now = timezone.now()
    a = ProcedureFactory(team=team, name="Aide A", organisation=team.organisation)
    b = ProcedureFactory(team=team, name="Aide B", organisation=team.organisation)

    def case(procedure, submitted, decided=None, due=None, status=CaseStatus.ACCEPTED):
        return CaseFactory(
            procedure=procedure,
            submitted_at=submitted,
            decided_at=decided,
            due_at=due,
            status=status if decided else CaseStatus.SUBMITTED,
        )

    case(a, at("2025-03-03"), at("2025-03-05"), at("2025-03-10"))  # 2 days, met
    case(a, at("2025-03-04"), at("2025-03-14"), at("2025-03-10"), CaseStatus.REFUSED)  # 10 d, late
    case(a, at("2025-03-10"), at("2025-03-11"), at("2025-04-10"))  # 1 day, met
    case(b, at("2025-03-12"))  # open, more than 90 days old today
    case(a, at("2025-02-20"), at("2025-02-25"), at("2025-03-20"))  # previous: 5 days, met
    case(a, now - 3 * DAY)  # open, 0 to 7 days
    CaseFactory(procedure=a, submitted_at=now - 40 * DAY, status=CaseStatus.IN_REVIEW)  # 31-90
    CaseFactory(procedure=b, draft=True)
    foreign = ProcedureFactory(team=other_team)
    case(foreign, at("2025-03-05"), at("2025-03-06"), at("2025-03-07"))
    case(foreign, now - DAY)

    t1 = TopicFactory(team=team, label="Aides", organisation=team.organisation)
    t2 = TopicFactory(team=team, label="Loyers", organisation=team.organisation)

    def enquiry(channel, topic, received, due, status=EnquiryStatus.CLOSED, closed=None):
        made = EnquiryFactory(
            channel=channel,
            topic=topic,
            team=team,
            created_at=received,
            sla_due_at=due,
            status=status,
            closed_at=closed,
        )
        MessageFactory(enquiry=made, direction="in", created_at=received)
        return made

    def answer(made, when):
        MessageFactory(enquiry=made, direction="out", created_at=when)

    e1 = enquiry(
        Channel.PORTAL, t1, at("2025-03-04", 9), at("2025-03-05", 9), closed=at("2025-03-04", 15)
    )
    answer(e1, at("2025-03-04", 15))  # in time, first contact
    e2 = enquiry(Channel.EMAIL, t1, at("2025-03-05"), at("2025-03-06"), closed=at("2025-03-09"))
    answer(e2, at("2025-03-08"))  # late; two answers: not first contact
    answer(e2, at("2025-03-09"))
    enquiry(Channel.PHONE, None, at("2025-03-11"), at("2025-03-12"), closed=at("2025-03-11"))
    e4 = enquiry(Channel.EMAIL, t2, at("2025-03-12"), at("2025-03-13"), EnquiryStatus.OPEN)
    answer(e4, at("2025-03-12", 16))  # in time; then the usager wrote again: reopened
    record(
        actor=Actor.usager(e4.contact),
        verb="usager-message",
        target=e4,
        payload={"message_id": 1, "from": "closed", "to": "open", "attachments": 0},
    )
    enquiry(Channel.PORTAL, t1, at("2025-02-20"), at("2025-02-21"), closed=at("2025-02-25"))
    enquiry(Channel.EMAIL, t1, now - 2 * DAY, now + DAY, EnquiryStatus.NEW)  # open, 0-7 days
    EnquiryFactory(topic=TopicFactory(team=other_team), created_at=at("2025-03-05"))
    return {"a": a, "b": b, "t1": t1, "t2": t2}


def figures_for(lead, team):
    return selectors.team_dashboard(lead, team, PERIOD)


def test_incoming_cases_by_procedure_and_week(data, lead, team):
    series = figures_for(lead, team).incoming_cases
    assert [c.label for c in series.columns] == ["Aide A", "Aide B"]
    assert [(r.week.start, r.week.end) for r in series.rows] == [
        (dt.date(2025, 3, 3), dt.date(2025, 3, 9)),
        (dt.date(2025, 3, 10), dt.date(2025, 3, 16)),
    ]
    assert [[c.value for c in r.cells] for r in series.rows] == [[2, 0, 2], [1, 1, 2]]
    assert [(t.current.value, t.previous.value) for t in series.totals] == [(3, 1), (1, 0), (4, 1)]


def test_incoming_enquiries_by_channel_and_topic(data, lead, team):
    figures = figures_for(lead, team)
    channels = figures.incoming_by_channel
    by_key = {
        column.key: [row.cells[i].value for row in channels.rows]
        for i, column in enumerate(channels.columns)
    }
    assert by_key == {"portal": [1, 0], "email": [1, 1], "api": [0, 0], "phone": [0, 1],
                      "counter": [0, 0], "assistant": [0, 0]}  # fmt: skip
    assert channels.totals[-1].current.value == 4 and channels.totals[-1].previous.value == 1
    topics = figures.incoming_by_topic
    assert [c.label for c in topics.columns] == ["Aides", "Loyers", "Sans thème"]
    assert [[c.value for c in r.cells] for r in topics.rows] == [[2, 0, 0, 2], [0, 1, 1, 2]]
    assert [(t.current.value, t.previous.value) for t in topics.totals] == [
        (2, 1), (1, 0), (1, 0), (4, 1)
    ]  # fmt: skip


def test_backlog_and_its_age(data, lead, team):
    figures = figures_for(lead, team)
    assert figures.case_backlog.total.value == 3
    assert [b.count.value for b in figures.case_backlog.buckets] == [1, 0, 1, 1]
    assert figures.enquiry_backlog.total.value == 2
    assert [b.count.value for b in figures.enquiry_backlog.buckets] == [1, 0, 0, 1]


def test_processing_time_median_and_90th_percentile(data, lead, team):
    rows = figures_for(lead, team).processing
    assert [row.procedure for row in rows] == ["Aide A"]
    current, previous = rows[0].current, rows[0].previous
    # 1, 2 and 10 days: nearest rank, the median is the 2nd, the 90th percentile the 3rd.
    assert current.decided.value == 3
    assert current.median_seconds == 2 * 86_400 and current.p90_seconds == 10 * 86_400
    assert previous.decided.value == 1
    assert previous.median_seconds == previous.p90_seconds == 5 * 86_400


def test_nearest_rank_on_ten_cases(team, lead):
    procedure = ProcedureFactory(team=team)
    for days in (7, 1, 2, 3, 4, 5, 6, 8, 9, 30):
        CaseFactory(
            procedure=procedure,
            status=CaseStatus.ACCEPTED,
            submitted_at=at("2025-03-03"),
            decided_at=at("2025-03-03") + days * DAY,
        )
    row = selectors.team_dashboard(lead, team, Period(dt.date(2025, 3, 1), dt.date(2025, 4, 30)))
    figure = row.processing[0].current
    assert figure.decided.value == 10
    assert figure.median_seconds == 5 * 86_400  # 5th of 10
    assert figure.p90_seconds == 9 * 86_400  # 9th of 10


def test_deadlines_first_contact_and_reopened(data, lead, team):
    figures = figures_for(lead, team)
    cases = figures.case_deadlines
    assert (cases.current.part.value, cases.current.whole.value) == (2, 3)
    assert (cases.previous.part.value, cases.previous.whole.value) == (1, 1)
    assert cases.current.percent == 67 and cases.change_points == -33
    answers = figures.answer_deadlines
    assert (answers.current.part.value, answers.current.whole.value) == (3, 4)
    assert (answers.previous.part.value, answers.previous.whole.value) == (0, 1)
    first = figures.first_contact
    assert (first.current.part.value, first.current.whole.value) == (2, 3)  # e1 and the call
    assert (first.previous.part.value, first.previous.whole.value) == (0, 1)
    reopened = figures.reopened
    assert (reopened.current.part.value, reopened.current.whole.value) == (1, 4)
    assert (reopened.previous.part.value, reopened.previous.whole.value) == (0, 1)


# The count of a cases or enquiries list, or of the journal events behind a gestes figure.
MATCHING = re.compile(r'id="(?:matching|gestes)-count">(.*?)</p>', re.S)


def list_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    found = MATCHING.search(response.content.decode())
    assert found, f"{url}: no count of matching rows"
    return int(re.sub(r"\D", "", found.group(1)))


def walk_figures(client, figures, weeks=True) -> int:
    walked = 0
    for count in figures.counts(weeks):
        assert list_count(client, count.url) == count.value, count.url
        walked += 1
    return walked


def test_every_figure_opens_a_list_that_counts_the_same(data, lead, team, client):
    client.force_login(lead)
    figures = figures_for(lead, team)
    assert walk_figures(client, figures) >= 60
    page = client.get(reverse("insights:team_dashboard", args=[team.pk]) + QUERY)
    body = page.content.decode()
    for count in list(figures.counts())[:20]:
        assert f'href="{count.url.replace("&", "&amp;")}"' in body


def test_the_page_shows_the_figures_and_how_they_are_computed(data, lead, team, client):
    client.force_login(lead)
    response = client.get(reverse("insights:team_dashboard", args=[team.pk]) + QUERY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Comment ces chiffres sont calculés" in body
    assert "du 03/03/2025 au 16/03/2025" in body and "du 17/02/2025 au 02/03/2025" in body
    assert "2 j 0 h" in body and "10 j 0 h" in body  # median and 90th percentile of Aide A
    for agent in team.agents.all():  # never a name of an agent
        assert agent.last_name + agent.first_name not in body.replace(" ", "")
        assert agent.username not in body or agent.username == lead.username


def test_a_team_below_five_agents_shows_no_figure(team, client):
    staff(team, 3)
    lead = lead_of(team)  # four agents
    CaseFactory(procedure=ProcedureFactory(team=team))
    figures = selectors.team_dashboard(lead, team, PERIOD)
    assert figures.hidden and list(figures.counts()) == []
    client.force_login(lead)
    body = client.get(reverse("insights:team_dashboard", args=[team.pk])).content.decode()
    assert "Équipe de moins de 5 agents : pas de chiffres" in body
    assert "<caption>" not in body


def test_inactive_agents_do_not_count_towards_five(team):
    people = staff(team, 4)
    lead = lead_of(team)
    assert not selectors.team_dashboard(lead, team, PERIOD).hidden
    people[0].is_active = False
    people[0].save(update_fields=["is_active"])
    assert selectors.team_dashboard(lead, team, PERIOD).hidden


def test_scope_team_dashboard(team, other_team, lead, client):
    staff(other_team, 5)
    url = reverse("insights:team_dashboard", args=[other_team.pk])
    client.force_login(lead)
    assert client.get(url).status_code == 404
    assert client.get(reverse("insights:team_dashboard", args=[999_999])).status_code == 404
    assert client.get(reverse("insights:department_dashboard")).status_code == 404
    dpo = AgentFactory(role=Role.DPO, teams=[team], organisation=team.organisation)
    client.force_login(dpo)
    assert client.get(reverse("insights:team_dashboard", args=[team.pk])).status_code == 404
    agent = AgentFactory(teams=[team], organisation=team.organisation)
    client.force_login(agent)
    assert client.get(reverse("insights:team_dashboard", args=[team.pk])).status_code == 200
    home = client.get(reverse("insights:dashboards"))
    assert home.status_code == 302 and home.url == reverse(
        "insights:team_dashboard", args=[team.pk]
    )


def test_department_dashboard_team_by_team(data, team, other_team, client):
    staff(other_team, 2)  # below five: listed, without figures
    manager = AgentFactory(manager=True, teams=[], organisation=team.organisation)
    figures = selectors.department_dashboard(manager, PERIOD)
    by_name = {f.team_name: f for f in figures}
    assert set(by_name) == set(Team.objects.values_list("name", flat=True))
    assert not by_name[team.name].hidden and by_name[other_team.name].hidden
    mine = by_name[team.name]
    assert mine.incoming_cases.totals[-1].current.value == 4
    assert mine.case_deadlines.current.part.value == 2
    client.force_login(manager)
    response = client.get(reverse("insights:department_dashboard") + QUERY)
    assert response.status_code == 200
    body = response.content.decode()
    assert team.name in body and other_team.name in body
    assert "Équipe de moins de 5 agents : pas de chiffres" in body
    assert walk_figures(client, mine) >= 60
    home = client.get(reverse("insights:dashboards"))
    assert home.url == reverse("insights:department_dashboard")


def test_one_query_per_figure_family_whatever_the_teams(
    data, team, other_team, django_assert_max_num_queries
):
    staff(other_team, 5)
    manager = AgentFactory(manager=True, teams=[], organisation=team.organisation)
    with django_assert_max_num_queries(17):
        selectors.department_dashboard(manager, PERIOD)


def test_periods():
    today = dt.date(2026, 12, 5)  # a Saturday
    assert calendar_period("week", today, today) == Period(dt.date(2026, 11, 30), today, "week")
    assert calendar_period("month", dt.date(2026, 2, 10), today) == Period(
        dt.date(2026, 2, 1), dt.date(2026, 2, 28), "month"
    )
    quarter = calendar_period("quarter", dt.date(2026, 5, 1), today)
    assert (quarter.start, quarter.end) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    year = calendar_period("year", today, today)
    assert (year.start, year.end) == (dt.date(2026, 1, 1), today)
    previous = year.previous()
    assert previous.days == year.days and previous.end == dt.date(2025, 12, 31)
    assert [w.days for w in Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31)).weeks()] == [
        6, 7, 7, 7, 4
    ]  # fmt: skip


def test_a_wrong_period_says_what_to_fix(team, lead, client):
    client.force_login(lead)
    url = reverse("insights:team_dashboard", args=[team.pk])
    body = client.get(url + "?period=custom&start=2025-03-16&end=2025-03-01").content.decode()
    assert "La date de fin est antérieure à la date de début." in body or "fr-alert--error" in body
    response = client.get(url + "?period=custom&start=pas-une-date")
    assert response.status_code == 200 and "fr-alert--error" in response.content.decode()


def test_on_the_seeded_demo_every_figure_equals_its_list(db, settings, tmp_path, client):
    """The demo's department dashboard: every figure of the current month, and every figure
    but the week-by-week cells of the year (a list request each), equals its list's count."""
    settings.VAR_DIR = tmp_path
    call_command(
        "seed",
        cases=300,
        enquiries=200,
        personal_documents=0,
        no_progress=True,
        stdout=io.StringIO(),
    )
    manager = AgentFactory(manager=True, organisation=Team.objects.first().organisation)
    client.force_login(manager)
    today = timezone.localdate()
    walked, nonzero, robots = 0, 0, 0
    for period, weeks in ((calendar_period("month", today), True),
                          (calendar_period("year", today), False)):  # fmt: skip
        for figures in selectors.department_dashboard(manager, period):
            if not figures.hidden:
                walked += walk_figures(client, figures, weeks)
                nonzero += sum(1 for count in figures.counts(weeks) if count.value)
                robots += figures.gestes.automated.value
    assert walked > 100 and nonzero > 50, (walked, nonzero)
    # The seed builds the roll-ups: the robots' gestes of the history are on the dashboard.
    assert robots > 0


def test_a_mail_merge_keeps_the_dashboards_case_filters():
    """A dashboard's link opens the case list, whose "Mail merge" button carries its filters."""
    from levier.documents.merge import filters_from_json, filters_to_json

    filters = {"decided_from": dt.date(2025, 3, 3), "decided_to": dt.date(2025, 3, 16),
               "decided_in_time": "yes", "team_id": 3}  # fmt: skip
    assert filters_from_json(filters_to_json(filters)) == filters


def test_a_filtered_list_counts_its_rows_up_to_a_cap(team, agent, client, settings):
    from levier.core import pagination

    for _ in range(3):
        CaseFactory(procedure=ProcedureFactory(team=team))
    client.force_login(agent)
    assert "matching-count" not in client.get(reverse("cases:list")).content.decode()
    assert list_count(client, reverse("cases:list") + "?status=open") == 3
    capped = pagination.matching_count(Case.objects.all(), cap=2)
    assert capped == pagination.Matching(count=2, capped=True)


def test_a_gestes_link_with_half_a_day_range_says_what_is_missing(lead, team, client):
    client.force_login(lead)
    url = reverse("insights:gestes")
    alone = client.get(url, {"team": team.pk, "from_day": "2026-03-10"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert alone.status_code == 200
    assert "Indiquez les deux jours de la période, ou aucun." in alone.content.decode()
    reversed_days = client.get(
        url,
        {"team": team.pk, "from_day": "2026-03-10", "to_day": "2026-03-01"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert reversed_days.status_code == 200
    assert "Le dernier jour précède le premier." in reversed_days.content.decode()


def test_control_hit_rates_of_proposals_and_of_the_random_baseline(lead, team, other_team, client):
    """Controls done in the period: 3 of levier's proposals (2 confirmed), 2 random ones (1 an
    error in good faith: inaccurate too, as the controls page counts it); one control the week
    before, one still to do, one of another team."""
    from levier.controls.models import ControlResult, Flag, FlagSource

    procedure = ProcedureFactory(team=team)

    def flag(source, result, day, *, code, on_team=team):
        case = CaseFactory(procedure=procedure if on_team == team else ProcedureFactory(
            team=on_team), submitted_at=at("2025-02-01"))  # fmt: skip
        return Flag.objects.create(
            case=case, procedure=case.procedure, source=source, code=code, reasons=[],
            result=result, controlled_at=at(day) if day else None,
        )  # fmt: skip

    flag(FlagSource.RULE, ControlResult.CONFIRMED, "2025-03-04", code="a")
    flag(FlagSource.ANOMALY, ControlResult.CONFIRMED, "2025-03-16", code="b")
    flag(FlagSource.DOCUMENT, ControlResult.NOT_CONFIRMED, "2025-03-10", code="c")
    flag(FlagSource.RANDOM, ControlResult.GOOD_FAITH, "2025-03-05", code="d")
    flag(FlagSource.RANDOM, ControlResult.NOT_CONFIRMED, "2025-03-06", code="e")
    flag(FlagSource.RULE, ControlResult.CONFIRMED, "2025-02-25", code="f")  # previous period
    flag(FlagSource.RULE, "", None, code="g")  # not controlled yet
    flag(FlagSource.RULE, ControlResult.CONFIRMED, "2025-03-04", code="h", on_team=other_team)
    figures = figures_for(lead, team)
    hits, baseline = figures.control_hits, figures.random_hits
    assert (hits.current.part.value, hits.current.whole.value) == (2, 3)
    assert (hits.previous.part.value, hits.previous.whole.value) == (1, 1)
    assert (baseline.current.part.value, baseline.current.whole.value) == (1, 2)
    assert hits.current.percent == 67 and baseline.current.percent == 50
    client.force_login(lead)
    for rate in (hits, baseline):
        for one in (rate.current, rate.previous):
            for count in (one.part, one.whole):
                assert list_count(client, count.url) == count.value, count.url

"""Scheduled reports (/pilotage/rapports/, `levier reports run`): a real run through the real
outbox and SMTP, the PDF read back with pypdf, the annex with openpyxl and odfpy (pandas),
idempotency, bad recipients, the owner's scope, the archive's access."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import zoneinfo

import openpyxl
import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from levier.automation import schedule
from levier.cases.models import CaseStatus
from levier.core import policy
from levier.core.models import Role
from levier.insights.models import ReportRun, ScheduledReport
from levier.insights.reports import services
from levier.insights.reports.services import (
    last_complete_period,
    next_run_after,
    report_create,
    run_due_reports,
)
from levier.journal.models import Event
from levier.mailing.models import OutboundEmail
from tests.factories import AgentFactory, CaseFactory, ProcedureFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# A monthly report due on 1 April 2025 covers March 2025 (31 days); the previous period is
# the 31 days before: 29 January to 28 February.
DUE = dt.datetime(2025, 4, 1, 7, tzinfo=PARIS)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=PARIS)


def lead_of(team):
    return AgentFactory(role=Role.TEAM_LEAD, teams=[team], organisation=team.organisation)


@pytest.fixture
def lead(team):
    for _ in range(4):
        AgentFactory(teams=[team], organisation=team.organisation)
    return lead_of(team)  # five agents with the lead


@pytest.fixture
def cases(team, lead):
    procedure = ProcedureFactory(team=team, name="Aide A", organisation=team.organisation)

    def case(submitted, decided, due):
        CaseFactory(
            procedure=procedure,
            submitted_at=at(submitted),
            decided_at=at(decided),
            due_at=at(due),
            status=CaseStatus.ACCEPTED,
        )

    case("2025-03-03", "2025-03-05", "2025-03-10")  # 2 days, met
    case("2025-03-04", "2025-03-14", "2025-03-10")  # 10 days, late
    case("2025-03-10", "2025-03-11", "2025-04-10")  # 1 day, met
    case("2025-02-20", "2025-02-25", "2025-03-20")  # previous period: 5 days, met
    return procedure


def make_report(lead, team, annex_format="xlsx", recipients="a@example.org\nb@example.org"):
    report = report_create(
        agent=lead,
        name="Rapport mensuel",
        team=team,
        frequency="monthly",
        recipients=recipients,
        annex_format=annex_format,
    )
    ScheduledReport.objects.filter(pk=report.pk).update(next_run_at=at("2025-04-01", 6))
    return report


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.LEVIER_REPORTS_DIR = tmp_path / "reports"


def received(message):
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def test_a_run_sends_the_dashboard_as_pdf_and_xlsx_through_the_outbox(
    team, lead, cases, smtp_server, django_capture_on_commit_callbacks
):
    report = make_report(lead, team)
    with django_capture_on_commit_callbacks(execute=True):
        summary = run_due_reports(DUE)
    assert (summary.sent, summary.emails, summary.skipped) == (1, 2, 0)
    assert sorted(received(m)["To"] for m in smtp_server.messages) == [
        "a@example.org",
        "b@example.org",
    ]
    message = received(smtp_server.messages[0])
    assert "Rapport mensuel" in message["Subject"] and "01/03/2025" in message["Subject"]
    attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    pdf_name = next(name for name in attachments if name.endswith(".pdf"))
    xlsx_name = next(name for name in attachments if name.endswith(".xlsx"))

    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(attachments[pdf_name])).pages
    )
    text = " ".join(text.split())
    assert "Instruction Lyon Chiffres clés : Instruction Lyon" in text and "Rapport mensuel" in text
    assert "Dossiers déposés 3 1" in text  # March, then the previous 31 days
    assert "Délai médian de traitement en jours : Aide A 2,0 5,0" in text
    assert "90e percentile en jours : Aide A 10,0 5,0" in text
    assert "67 % (2 / 3) 100 % (1 / 1)" in text  # decided by their deadline

    sheet = openpyxl.load_workbook(io.BytesIO(attachments[xlsx_name]), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Équipe",
        "Indicateur",
        "01/03/2025 au 31/03/2025",
        "29/01/2025 au 28/02/2025",
    ]
    assert ["Instruction Lyon", "Dossiers déposés", 3, 1] in rows
    assert ["Instruction Lyon", "Décidés : Aide A", 3, 1] in rows

    run = ReportRun.objects.get(report=report)
    assert (run.period_start, run.period_end, run.emails_queued) == (
        dt.date(2025, 3, 1),
        dt.date(2025, 3, 31),
        2,
    )
    assert OutboundEmail.objects.filter(status="sent").count() == 2
    event = Event.objects.get(verb="report-sent")
    assert event.payload == {"run": run.pk, "owner": lead.pk, "queued": 2}
    report.refresh_from_db()
    assert report.next_run_at == at("2025-05-01", 6)


def test_running_twice_sends_once(
    team, lead, cases, smtp_server, django_capture_on_commit_callbacks
):
    make_report(lead, team, recipients="a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert run_due_reports(DUE).sent == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert run_due_reports(DUE).sent == 0  # not due any more
        again = run_due_reports(DUE, every=True)  # forced: the period was already sent
    assert (again.sent, again.already) == (0, 1)
    assert len(smtp_server.messages) == 1
    assert ReportRun.objects.count() == 1
    assert Event.objects.filter(verb="report-sent").count() == 1


def test_the_ods_annex_reads_back_with_odfpy(team, lead, cases, django_capture_on_commit_callbacks):
    report = make_report(lead, team, annex_format="ods", recipients="a@example.org")
    run_due_reports(DUE)
    run = ReportRun.objects.get(report=report)
    path = services.run_file(run, "annex")
    assert path is not None and path.suffix == ".ods"
    frame = pd.read_excel(path, engine="odf", header=None, dtype=object)
    rows = [list(row) for row in frame.itertuples(index=False)]
    assert ["Instruction Lyon", "Dossiers déposés", 3, 1] in rows


def test_a_bad_recipient_is_named_in_french(team, lead, client):
    with pytest.raises(ValidationError) as error:
        report_create(
            agent=lead,
            name="x",
            team=team,
            frequency="weekly",
            recipients="a@example.org\npas-une-adresse",
        )
    assert "pas-une-adresse" in str(error.value.message_dict["recipients"])
    client.force_login(lead)
    response = client.post(
        reverse("insights:report_new"),
        {
            "name": "Hebdo",
            "scope": str(team.pk),
            "frequency": "weekly",
            "recipients": "a@example.org, b@@example",
            "annex_format": "xlsx",
            "active": "on",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "« b@@example » n’est pas une adresse électronique valide" in page
    assert ScheduledReport.objects.count() == 0


def test_the_form_creates_a_report_and_the_page_archives_its_runs(
    team, lead, cases, client, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    page = client.get(reverse("insights:team_dashboard", args=[team.pk])).content.decode()
    assert "Enregistrer ce tableau de bord comme rapport" in page
    response = client.post(
        reverse("insights:report_new"),
        {
            "name": "Hebdo",
            "scope": str(team.pk),
            "frequency": "weekly",
            "recipients": "a@example.org",
            "annex_format": "xlsx",
            "active": "on",
        },
    )
    report = ScheduledReport.objects.get()
    assert response.status_code == 302 and report.owner == lead and report.team == team
    assert Event.objects.filter(verb="report-create").count() == 1
    run_due_reports(at("2025-03-17", 7), every=True)  # weekly: 10 to 16 March
    run = ReportRun.objects.get()
    assert (run.period_start, run.period_end) == (dt.date(2025, 3, 10), dt.date(2025, 3, 16))
    page = client.get(reverse("insights:report", args=[report.pk])).content.decode()
    assert reverse("insights:report_run_pdf", args=[run.pk]) in page
    pdf = client.get(reverse("insights:report_run_pdf", args=[run.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_another_team_lead_gets_a_404(team, other_team, lead, cases, client):
    report = make_report(lead, team)
    run_due_reports(DUE)
    run = ReportRun.objects.get()
    client.force_login(lead_of(other_team))
    for url in (
        reverse("insights:report", args=[report.pk]),
        reverse("insights:report_run_pdf", args=[run.pk]),
        reverse("insights:report_run_annex", args=[run.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert client.post(reverse("insights:report_delete", args=[report.pk])).status_code == 404
    # An administrator opens it; a plain agent has no reports page at all.
    admin = AgentFactory(role=Role.ADMINISTRATOR, organisation=team.organisation)
    client.force_login(admin)
    assert client.get(reverse("insights:report", args=[report.pk])).status_code == 200
    client.force_login(AgentFactory(teams=[team], organisation=team.organisation))
    assert client.get(reverse("insights:reports")).status_code == 404
    assert client.get(reverse("insights:report_new")).status_code == 404


def test_a_team_lead_may_not_schedule_another_team_or_the_department(team, other_team, lead):
    for target in (other_team, None):
        with pytest.raises(policy.NotFound):
            report_create(
                agent=lead, name="x", team=target, frequency="weekly", recipients="a@example.org"
            )


def test_an_owner_who_lost_access_gets_no_report_and_the_skip_is_journaled(
    team, lead, cases, smtp_server, django_capture_on_commit_callbacks
):
    report = make_report(lead, team)
    lead.teams.clear()
    with django_capture_on_commit_callbacks(execute=True):
        summary = run_due_reports(DUE)
    assert (summary.sent, summary.skipped) == (0, 1)
    assert smtp_server.messages == [] and ReportRun.objects.count() == 0
    skipped = Event.objects.get(verb="report-skipped")
    assert skipped.target_id == str(report.pk)
    assert skipped.payload == {"owner": lead.pk, "reason_code": "owner-lost-access"}


def test_the_command_prints_the_number_of_reports_sent(team, lead, cases):
    make_report(lead, team, recipients="a@example.org")
    out = io.StringIO()
    call_command("reports", "run", "--now", stdout=out)
    assert out.getvalue().startswith("1 report(s) sent, 1 email(s) queued")
    out = io.StringIO()
    call_command("reports", "run", "--now", stdout=out)
    assert out.getvalue().startswith("0 report(s) sent")


@pytest.mark.parametrize(
    ("frequency", "moment", "expected"),
    [
        ("weekly", at("2025-03-12"), at("2025-03-17", 6)),  # Wednesday: next Monday
        ("weekly", at("2025-03-17", 5), at("2025-03-17", 6)),  # Monday before 6:00
        ("weekly", at("2025-03-17", 7), at("2025-03-24", 6)),
        ("monthly", at("2025-03-12"), at("2025-04-01", 6)),
        ("monthly", at("2025-12-31", 23), at("2026-01-01", 6)),
    ],
)
def test_next_run_after(frequency, moment, expected):
    assert next_run_after(frequency, moment) == expected


def test_last_complete_period():
    week = last_complete_period("weekly", at("2025-03-17", 7))
    assert (week.start, week.end) == (dt.date(2025, 3, 10), dt.date(2025, 3, 16))
    month = last_complete_period("monthly", at("2025-01-01", 7))
    assert (month.start, month.end) == (dt.date(2024, 12, 1), dt.date(2024, 12, 31))


def test_levier_watch_sends_the_due_reports_hourly(team, lead, cases):
    report = make_report(lead, team, recipients="a@example.org")
    ScheduledReport.objects.filter(pk=report.pk).update(next_run_at=at("2025-04-01", 6))
    schedule.discover()
    step = {step.name: step for step in schedule.steps()}["insights-reports"]
    assert step.every == schedule.HOUR
    assert step.function() == "insights: 1 report(s) sent (1 email(s)), 0 skipped"
    assert step.function() == "insights: 0 report(s) sent (0 email(s)), 0 skipped"

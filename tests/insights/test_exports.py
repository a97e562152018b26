"""Exports of lists to CSV, XLSX and ODS (insights.exports): read back with csv, openpyxl
and odfpy (through pandas' odf reader) and compared cell by cell with the list's rows;
filters, scoping, bad input, the background path with its real task, the CLI, the journal."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from levier.cases.models import CaseStatus
from levier.controls.models import Flag
from levier.core.models import Notification
from levier.insights.exports import services, writers
from levier.insights.exports.lists import local
from levier.insights.models import ExportJob, ExportStatus
from levier.journal.models import Event
from levier.journal.services import record
from tests.factories import (
    AgentFactory,
    CaseFactory,
    ContactFactory,
    EnquiryFactory,
    ProcedureFactory,
    TopicFactory,
)

CASE_HEADERS_FR = [
    "Référence", "Usager", "SIRET", "Démarche", "Équipe", "Statut", "Attribué à", "Déposé",
    "Échéance", "État de l’échéance",
]  # fmt: skip


# --- reading a file back, whatever its format --------------------------------------------


def read_back(fmt: str, data: bytes) -> list[list[object]]:
    """Every row of the file (headers first), values as the format keeps them; empty cells
    as None. ODS through odfpy (pandas' odf reader), XLSX through openpyxl."""
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        return [[cell if cell != "" else None for cell in row]
                for row in csv.reader(io.StringIO(text), delimiter=";")]  # fmt: skip
    if fmt == "xlsx":
        import openpyxl

        sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    import pandas as pd

    frame = pd.read_excel(io.BytesIO(data), engine="odf", header=None, dtype=object)
    return [[None if pd.isna(v) else (v.to_pydatetime() if hasattr(v, "to_pydatetime") else v)
             for v in row] for row in frame.itertuples(index=False)]  # fmt: skip


def as_text(value: object) -> object:
    """What a cell holds in CSV (text) for a value written by levier."""
    if value is None or value == "":
        return None
    return writers.csv_text(value)  # type: ignore[arg-type]


def expected_in(fmt: str, row: list[object]) -> list[object]:
    if fmt == "csv":
        return [as_text(v) for v in row]
    out: list[object] = []
    for value in row:
        if value == "":
            value = None
        # openpyxl and pandas read a date back as a datetime at midnight
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        out.append(value)
    return out


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the writers alone -------------------------------------------------------------------

SAMPLE = [
    ["TST-1", "=HYPERLINK(\"x\")", 3, 1.5, dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 10, 5),
     None, "deux\nlignes <&> é"],
    ["TST-2", "+33 6 00", -4, 0.25, dt.date(2026, 12, 31), dt.datetime(2026, 12, 31, 23, 59),
     "x", "\x07bell"],
]  # fmt: skip
SAMPLE_HEADERS = ["Réf", "Texte", "Entier", "Décimal", "Date", "Moment", "Vide", "Libre"]


@pytest.mark.parametrize("fmt", writers.FORMATS)
def test_each_writer_reads_back_cell_by_cell(fmt):
    out = io.BytesIO()
    writers.write(fmt, out, SAMPLE_HEADERS, SAMPLE)
    rows = read_back(fmt, out.getvalue())
    assert rows[0] == SAMPLE_HEADERS
    for got, row in zip(rows[1:], SAMPLE, strict=True):
        wanted = expected_in(fmt, [writers.clean_text(v) if isinstance(v, str) else v for v in row])
        assert got == wanted
    assert len(rows) == 3


def test_text_that_looks_like_a_formula_stays_text():
    for fmt in ("xlsx", "ods"):
        out = io.BytesIO()
        writers.write(fmt, out, ["a"], [["=1+1"]])
        assert read_back(fmt, out.getvalue())[1] == ["=1+1"]
    out = io.BytesIO()
    writers.write("csv", out, ["a"], [["=1+1"], ["@SUM(A1)"]])
    assert read_back("csv", out.getvalue())[1:] == [["'=1+1"], ["'@SUM(A1)"]]


@pytest.mark.parametrize("fmt", writers.FORMATS)
def test_zero_rows_gives_a_valid_file_with_its_headers(fmt):
    out = io.BytesIO()
    writers.write(fmt, out, SAMPLE_HEADERS, [])
    assert read_back(fmt, out.getvalue()) == [SAMPLE_HEADERS]


def test_the_ods_is_a_valid_opendocument_for_odfpy():
    from odf.opendocument import load
    from odf.table import TableRow

    out = io.BytesIO()
    writers.write("ods", out, SAMPLE_HEADERS, SAMPLE)
    document = load(io.BytesIO(out.getvalue()))
    assert document.mimetype == writers.ODS_MIMETYPE
    rows = document.spreadsheet.getElementsByType(TableRow)
    assert len(rows) == 3
    assert [str(cell) for cell in rows[1].childNodes][:2] == ["TST-1", '=HYPERLINK("x")']


def _peak(fmt: str, count: int) -> int:
    rows = ([f"TST-{i}", "Usager " * 3, i, i / 3, dt.datetime(2026, 1, 1)] for i in range(count))
    tracemalloc.start()
    for _piece in writers.stream(fmt, ["a", "b", "c", "d", "e"], rows):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


@pytest.mark.parametrize("fmt", writers.FORMATS)
def test_peak_memory_does_not_grow_with_the_rows(fmt):
    small, large = _peak(fmt, 2_000), _peak(fmt, 20_000)
    # Ten times the rows: the peak stays within a quarter more (a file built in memory
    # would take about ten times as much).
    assert large < small * 1.25 + 256 * 1024, (small, large)


# --- the cases list ----------------------------------------------------------------------


@pytest.fixture
def cases(db, team, other_team, agent, other_agent):
    procedure = ProcedureFactory(team=team, name="Aide au commerce")
    company = ContactFactory(company=True)
    mine = [
        CaseFactory(procedure=procedure, contact=company, assignee=agent),
        CaseFactory(
            procedure=procedure,
            status=CaseStatus.IN_REVIEW,
            due_at=timezone.now() - dt.timedelta(days=1),
        ),  # fmt: skip
        CaseFactory(procedure=procedure, status=CaseStatus.ACCEPTED),
    ]
    theirs = CaseFactory(procedure=ProcedureFactory(team=other_team))
    return mine, theirs


def case_cells(case) -> list[object]:
    """A case as the list page shows it, computed here without the export's code."""
    contact = case.contact
    sla = ""
    if case.status in {"submitted", "in_review", "waiting_for_usager"} and case.due_at:
        now = timezone.now()
        sla = (
            "En retard"
            if case.due_at < now
            else (
                "Échéance proche" if case.due_at < now + dt.timedelta(days=5) else "Dans les délais"
            )
        )
    return [
        case.reference,
        contact.display_name,
        contact.siret or "",
        case.procedure.name,
        case.team.name,
        str(CaseStatus(case.status).label),
        str(case.assignee) if case.assignee else "",
        local(case.submitted_at),
        local(case.due_at),
        sla,
    ]


@pytest.mark.parametrize("fmt", writers.FORMATS)
def test_cases_export_equals_the_list_cell_by_cell(agent_client, cases, fmt):
    mine, theirs = cases
    page = agent_client.get("/dossiers/")
    assert 'href="/pilotage/exports/cases/?format=' + fmt in page.content.decode()
    response = agent_client.get("/pilotage/exports/cases/", {"format": fmt})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == writers.CONTENT_TYPES[fmt]
    assert f".{fmt}" in response["Content-Disposition"]
    rows = read_back(fmt, body(response))
    assert rows[0] == CASE_HEADERS_FR
    newest_first = sorted(mine, key=lambda c: -c.pk)
    assert [row[0] for row in rows[1:]] == [c.reference for c in newest_first]
    for got, case in zip(rows[1:], newest_first, strict=True):
        assert got == expected_in(fmt, case_cells(case)), case.reference
    assert theirs.reference not in {row[0] for row in rows}


def test_the_export_keeps_the_lists_filters(agent_client, cases, agent):
    mine, _ = cases
    response = agent_client.get(
        "/pilotage/exports/cases/", {"format": "csv", "status": "in_review", "after": "999999"}
    )
    rows = read_back("csv", body(response))
    assert [row[0] for row in rows[1:]] == [mine[1].reference]
    # the search box of the list page too
    name = mine[0].contact.display_name
    rows = read_back("csv", body(agent_client.get(
        "/pilotage/exports/cases/", {"format": "csv", "q": mine[0].reference})))  # fmt: skip
    assert [row[1] for row in rows[1:]] == [name]


def test_each_export_is_journaled_with_identifiers_only(agent_client, cases, agent):
    mine, _ = cases
    body(agent_client.get(
        "/pilotage/exports/cases/",
        {"format": "ods", "status": "open", "q": mine[0].contact.display_name},
    ))  # fmt: skip
    event = Event.objects.get(verb="export", actor_id=str(agent.pk))
    assert event.target_type == "cases.case"
    assert event.payload["what"] == "cases"
    assert event.payload["format"] == "ods"
    assert event.payload["filters"] == {"status": "open"}
    assert event.payload["query_length"] == len(mine[0].contact.display_name)
    assert event.payload["rows"] == 1
    assert mine[0].contact.display_name not in str(event.payload)


def test_an_empty_export_is_a_valid_file_with_headers(agent_client, cases):
    for fmt in writers.FORMATS:
        response = agent_client.get("/pilotage/exports/cases/", {"format": fmt, "q": "personne"})
        assert read_back(fmt, body(response)) == [CASE_HEADERS_FR]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"format": "pdf"}, ["Format inconnu", "csv, xlsx ou ods"]),
        ({"format": "csv", "status": "nimporte"}, ["Statut", "status"]),
        ({"format": "csv", "submitted_from": "31/02/2026"}, ["Déposé à partir du"]),
        ({"format": "csv", "colour": "blue"}, ["Filtre inconnu", "colour", "status"]),
    ],
)
def test_a_bad_filter_or_format_gets_a_clear_french_message(agent_client, cases, params, words):
    response = agent_client.get("/pilotage/exports/cases/", params)
    assert response.status_code == 400
    text = response.content.decode()
    for word in words:
        assert word in text, (word, text[-1500:])
    assert not Event.objects.filter(verb="export").exists()


def test_an_unknown_list_is_a_404(agent_client):
    assert agent_client.get("/pilotage/exports/secrets/", {"format": "csv"}).status_code == 404


# --- the other lists ---------------------------------------------------------------------


def test_enquiries_export_equals_the_list_and_stays_in_the_team(agent_client, team, other_team):
    topic = TopicFactory(team=team, label="Fiscalité")
    mine = [EnquiryFactory(topic=topic, subject="=1+1 piège"), EnquiryFactory(topic=topic)]
    theirs = EnquiryFactory(topic=TopicFactory(team=other_team))
    page = agent_client.get("/sollicitations/")
    assert "/pilotage/exports/enquiries/?format=xlsx" in page.content.decode()
    rows = read_back("xlsx", body(agent_client.get("/pilotage/exports/enquiries/",
                                                   {"format": "xlsx"})))  # fmt: skip
    assert rows[0][:3] == ["Référence", "Reçue le", "Objet"]
    newest_first = sorted(mine, key=lambda e: -e.pk)
    for got, enquiry in zip(rows[1:], newest_first, strict=True):
        assert got[:6] == [
            enquiry.reference, local(enquiry.created_at), enquiry.subject,
            str(enquiry.contact), enquiry.contact.email or None, "Fiscalité",
        ]  # fmt: skip
    assert theirs.reference not in {row[0] for row in rows}


def test_control_proposals_export(agent_client, cases):
    mine, theirs = cases
    flag = Flag.objects.create(case=mine[0], procedure=mine[0].procedure, source="rule",
                               code="rule-1", score=0.8, reasons=["Montant élevé", "SIRET"])  # fmt: skip
    Flag.objects.create(case=theirs, procedure=theirs.procedure, source="rule", code="rule-1")
    assert (
        "/pilotage/exports/proposals/?format=ods"
        in agent_client.get("/controles/").content.decode()
    )
    rows = read_back("ods", body(agent_client.get("/pilotage/exports/proposals/",
                                                  {"format": "ods", "source": "rule"})))  # fmt: skip
    assert len(rows) == 2
    assert rows[1][:6] == [mine[0].reference, mine[0].contact.display_name,
                           mine[0].procedure.name, "Règle", 0.8, "Montant élevé\nSIRET"]  # fmt: skip
    assert rows[1][7] == local(flag.raised_at)


def test_the_journal_export_is_for_administrators_only(client, agent_client, team, agent):
    for verb in ("submit", "submit", "comment"):
        record(actor=agent, verb=verb, target=("cases.case", "1"))
    assert agent_client.get("/pilotage/exports/journal/", {"format": "csv"}).status_code == 404
    admin = AgentFactory(administrator=True)
    client.force_login(admin)
    listing = client.get("/admin/journal/event/", {"verb__exact": "submit"})
    assert (
        "/pilotage/exports/journal/?verb__exact=submit&amp;format=xlsx" in listing.content.decode()
    )
    response = client.get("/pilotage/exports/journal/", {"verb__exact": "submit", "format": "xlsx"})
    rows = read_back("xlsx", body(response))
    events = list(Event.objects.filter(verb="submit").order_by("-occurred_at", "-pk"))
    assert [row[0] for row in rows[1:]] == [event.pk for event in events]
    assert rows[1][1:7] == [local(events[0].occurred_at), "Agent", events[0].actor_label,
                            "submit", "cases.case", "1"]  # fmt: skip
    bad = client.get("/pilotage/exports/journal/", {"occurred_at__gte": "pas une date",
                                                    "format": "csv"})  # fmt: skip
    assert bad.status_code == 400


# --- large exports: the background task --------------------------------------------------


def test_a_large_export_runs_as_a_task_with_progress_and_a_notification(
    agent_client, client, cases, agent, settings, django_capture_on_commit_callbacks
):
    mine, _ = cases
    settings.LEVIER_EXPORT_INLINE_ROWS = 2
    url = "/pilotage/exports/cases/?format=xlsx&status="
    offer = agent_client.get(url)
    assert offer.status_code == 200 and not offer.streaming
    assert "arrière-plan" in offer.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(url)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/pilotage/exports/{job.pk}/"
    assert job.status == ExportStatus.DONE and job.done_rows == 3 and job.agent == agent
    page = agent_client.get(response.url)
    assert f"/pilotage/exports/{job.pk}/fichier/" in page.content.decode()
    assert Notification.objects.filter(agent=agent, url=f"/pilotage/exports/{job.pk}/").exists()
    download = agent_client.get(f"/pilotage/exports/{job.pk}/fichier/")
    rows = read_back("xlsx", b"".join(download.streaming_content))
    newest_first = sorted(mine, key=lambda c: -c.pk)
    assert rows[1:] == [expected_in("xlsx", case_cells(case)) for case in newest_first]
    event = Event.objects.get(verb="export")
    assert event.payload["rows"] == 3 and event.payload["task"] == job.pk
    # Another agent, even of the same team, never sees it.
    colleague = AgentFactory(teams=list(agent.teams.all()))
    client.force_login(colleague)
    for path in (f"/pilotage/exports/{job.pk}/", f"/pilotage/exports/{job.pk}/fichier/"):
        assert client.get(path).status_code == 404
    assert f"/pilotage/exports/{job.pk}/" not in client.get("/pilotage/exports/").content.decode()


def test_exports_past_retention_are_deleted_with_their_file(
    agent_client, cases, settings, django_capture_on_commit_callbacks
):
    from levier.journal.retention import purge_due

    settings.LEVIER_EXPORT_INLINE_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post("/pilotage/exports/cases/?format=csv")
    job = ExportJob.objects.get()
    path = services.export_job_path(job)
    assert path is not None and path.exists()
    purge_due(now=timezone.now() + dt.timedelta(days=settings.LEVIER_EXPORT_RETENTION_DAYS + 1))
    assert not ExportJob.objects.exists()
    assert not path.exists()


# --- the command line --------------------------------------------------------------------


def test_cli_export_writes_the_same_file(cases, agent, tmp_path: Path):
    mine, theirs = cases
    out = tmp_path / "dossiers.ods"
    call_command("export", "cases", "--format", "ods", "--agent", agent.username,
                 "--filter", "status=open", "-o", str(out))  # fmt: skip
    rows = read_back("ods", out.read_bytes())
    open_cases = sorted([c for c in mine if c.status != CaseStatus.ACCEPTED], key=lambda c: -c.pk)
    assert rows[1:] == [expected_in("ods", case_cells(c)) for c in open_cases]
    event = Event.objects.get(verb="export")
    assert event.payload["filters"] == {"status": "open"} and event.payload["rows"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "doc"], "Unknown format"),
        (["--format", "csv", "--filter", "status=nimporte"], "Statut"),
        (["--format", "csv", "--filter", "colour=blue"], "colour"),
        (["--format", "csv", "--filter", "status"], "name=value"),
    ],
)
def test_cli_bad_input_gets_a_clear_message(cases, agent, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export", "cases", *args, "--agent", agent.username,
                     "-o", str(tmp_path / "x"))  # fmt: skip


def test_cli_needs_an_agent_and_refuses_the_journal_to_an_agent(cases, agent, tmp_path):
    with pytest.raises(CommandError, match="--agent"):
        call_command("export", "cases", "--format", "csv", "-o", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="may not export"):
        call_command("export", "journal", "--format", "csv", "--agent", agent.username,
                     "-o", str(tmp_path / "x"))  # fmt: skip

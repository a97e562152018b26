"""The journal as an event log, and its exports (OCEL 2.0 JSON and SQLite, XES, CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from levier.cases import services
from levier.insights.mining import export
from levier.insights.mining.analysis import mine
from levier.insights.mining.log import journal_log, read_log
from levier.journal.services import Actor, record, record_read
from tests.factories import (
    ContactFactory,
    EnquiryFactory,
    ProcedureFactory,
    TeamFactory,
)

SCHEMA = json.loads((Path(__file__).parent / "ocel20-schema-json.json").read_text())
WAITING = "change-case-status:waiting_for_usager"


@pytest.fixture
def journal(db, team, agent):
    """Two cases of one procedure (one with two returns to the usager), one of another team."""
    procedure = ProcedureFactory(team=team, slug="aide-commerce")
    other = ProcedureFactory(team=TeamFactory(slug="autre-equipe"), slug="autre")
    contact = ContactFactory(first_name="Gaëlle", last_name="Secret-Nom", email="gaelle@exemple.fr")
    first, _ = services.case_submit(
        procedure=procedure, contact=contact, data={"project": "a", "amount": "1.00"}
    )
    for status in (
        "in_review",
        "waiting_for_usager",
        "in_review",
        "waiting_for_usager",
        "in_review",
        "accepted",
    ):
        services.case_transition(case=first, to_status=status, actor=agent)
    record_read(agent=agent, target=first)  # audit, not process: left out
    record(
        actor=Actor.robot("controls"), verb="check-case", target=first, activity="check-documents"
    )
    second, _ = services.case_submit(
        procedure=procedure, contact=ContactFactory(), data={"project": "b", "amount": "2.00"}
    )
    services.case_transition(case=second, to_status="in_review", actor=agent)
    third, _ = services.case_submit(
        procedure=other, contact=ContactFactory(), data={"project": "c", "amount": "3.00"}
    )
    return {
        "procedure": procedure,
        "first": first,
        "second": second,
        "third": third,
        "contact": contact,
    }


def test_one_trace_per_case_in_journal_order_with_status_in_the_activity(journal, agent):
    traces = {trace.case: trace for trace in journal_log(procedure=journal["procedure"])}
    assert set(traces) == {journal["first"].reference, journal["second"].reference}
    first = traces[journal["first"].reference]
    assert [event.activity for event in first.events] == [
        "register-case",
        "change-case-status:in_review",
        WAITING,
        "change-case-status:in_review",
        WAITING,
        "change-case-status:in_review",
        "decide-case:accepted",
        "check-documents",
    ]
    assert first.attributes["procedure"] == "aide-commerce"
    assert first.attributes["team"] == "instruction-lyon"
    # No surveillance: people by their kind only, robots by name.
    assert {event.resource for event in first.events} == {"usager", "agent", "robot:controls"}
    times = [event.timestamp for event in first.events]
    assert times == sorted(times)
    ids = [event.attributes["levier:event"] for event in first.events]
    assert ids == sorted(ids)


def test_rework_counts_returns_to_waiting_for_the_usager(journal):
    result = mine(journal_log(procedure=journal["procedure"]))
    (waiting,) = result.rework_of()
    assert (waiting.cases, waiting.repetitions) == (1, 1)
    assert result.cases == 2
    assert result.start_activities == {"register-case": 2}


def test_filters_team_period_and_enquiries(journal, team):
    assert {trace.case for trace in journal_log(team=team)} == {
        journal["first"].reference,
        journal["second"].reference,
    }
    assert list(journal_log(start=timezone.now() + dt.timedelta(hours=1))) == []
    assert list(journal_log(end=timezone.now() - dt.timedelta(hours=1))) == []
    enquiry = EnquiryFactory(team=team, channel="email")
    record(
        actor=Actor.robot("classifier"),
        verb="classify",
        target=enquiry,
        activity="classify-enquiry",
    )
    (trace,) = journal_log(subject="enquiry", channel="email")
    assert trace.case == enquiry.reference and trace.attributes["channel"] == "email"
    assert list(journal_log(subject="enquiry", channel="phone")) == []


def _no_personal_data(text: str, journal, agent) -> None:
    for personal in ("Secret-Nom", "Gaëlle", "gaelle@exemple.fr", agent.username, str(agent)):
        assert personal not in text


def test_ocel_json_is_valid_against_the_published_schema_and_read_by_pm4py(
    journal, agent, tmp_path
):
    buffer = io.StringIO()
    count = export.write_ocel_json(journal_log(procedure=journal["procedure"]), buffer)
    document = json.loads(buffer.getvalue())
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert count == len(document["events"]) == 10
    assert {obj["id"] for obj in document["objects"]} == {
        journal["first"].reference,
        journal["second"].reference,
    }
    assert {event_type["name"] for event_type in document["eventTypes"]} >= {
        "register-case",
        WAITING,
    }
    _no_personal_data(buffer.getvalue(), journal, agent)
    pm4py = pytest.importorskip("pm4py")
    path = tmp_path / "log.jsonocel"
    path.write_text(buffer.getvalue())
    ocel = pm4py.read_ocel2_json(str(path))
    assert len(ocel.events) == 10 and len(ocel.objects) == 2


def test_empty_ocel_json_is_valid(db):
    buffer = io.StringIO()
    assert export.write_ocel_json(journal_log(), buffer) == 0
    jsonschema.validate(json.loads(buffer.getvalue()), SCHEMA)


def test_ocel_sqlite_is_read_by_pm4py(journal, agent, tmp_path):
    pm4py = pytest.importorskip("pm4py")
    path = tmp_path / "log.sqlite"
    assert export.write_ocel_sqlite(journal_log(procedure=journal["procedure"]), path) == 10
    ocel = pm4py.read_ocel2_sqlite(str(path))
    assert len(ocel.events) == 10 and len(ocel.objects) == 2
    assert len(ocel.relations) == 10
    _no_personal_data(path.read_bytes().decode("utf-8", "replace"), journal, agent)


def test_xes_and_csv_exports_read_back_to_the_same_analysis(journal, agent, tmp_path):
    expected = mine(journal_log(procedure=journal["procedure"])).as_json()
    for name, writer in (("log.xes", export.write_xes), ("log.csv", export.write_csv)):
        with open(tmp_path / name, "w", encoding="utf-8", newline="") as out:
            writer(journal_log(procedure=journal["procedure"]), out)
        assert mine(read_log(tmp_path / name)).as_json() == expected
        _no_personal_data((tmp_path / name).read_text(), journal, agent)


def test_cli_export_every_format_with_filters(journal, tmp_path, capsys):
    day = timezone.localdate().isoformat()
    for fmt, name in (
        ("ocel-json", "log.json"),
        ("ocel-sqlite", "log.sqlite"),
        ("xes", "log.xes"),
        ("csv", "log.csv"),
    ):
        call_command("insights", "export", "--format", fmt, "--from", day, "--to", day,
                     "--procedure", "aide-commerce", "--output", str(tmp_path / name))  # fmt: skip
        assert "10 events written" in capsys.readouterr().out
    rows = list(csv.DictReader(open(tmp_path / "log.csv", encoding="utf-8")))
    assert rows[0]["case:procedure"] == "aide-commerce" and rows[0]["org:resource"] == "usager"
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "log.csv",
        "log.json",
        "log.sqlite",
        "log.xes",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--procedure", "nope"], "No procedure “nope”. Known procedures"),
        (["--team", "nope"], "No team “nope”"),
        (["--from", "31/01/2026"], "--from 31/01/2026: write the day as YYYY-MM-DD"),
        (["--subject", "enquiry", "--procedure", "x"], "--procedure applies to cases"),
    ],
)
def test_cli_export_refusals(db, tmp_path, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "insights", "export", "--format", "csv", "--output", str(tmp_path / "x.csv"), *arguments
        )
    assert list(tmp_path.iterdir()) == []


def test_cli_mine_prints_json(tmp_path, capsys):
    path = tmp_path / "log.csv"
    path.write_text(
        "case:concept:name,concept:name,time:timestamp\nc1,A,2024-01-01T10:00:00Z\nc1,B,2024-01-01T10:01:00Z\n"
    )
    call_command("insights", "mine", str(path))
    printed = json.loads(capsys.readouterr().out)
    assert printed["directly_follows"] == [
        {"from": "A", "to": "B", "count": 1, "median_waiting_seconds": 60.0}
    ]
    assert printed["variants"] == [{"activities": ["A", "B"], "count": 1, "share": 1.0}]
    assert printed["throughput_seconds"] == {"c1": 60.0}
    path.write_text("case:concept:name,concept:name\nc1,A\n")
    with pytest.raises(CommandError, match="line 1: missing column"):
        call_command("insights", "mine", str(path))

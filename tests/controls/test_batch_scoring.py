"""Scoring a whole procedure: planted anomalies found, reasons given, random baseline drawn."""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from levier.cases.models import Case
from levier.controls.batch_scoring import anomaly_score_procedure
from levier.controls.models import AnomalyModel, Flag
from levier.controls.scheduling import enqueue_due_scorings
from levier.journal.models import Event
from tests.factories import ContactFactory, ProcedureFactory

from .conftest import HOUSING_SCHEMA

pytestmark = pytest.mark.django_db
PLANTED = {7: {"monthly_rent": "5200.00"}, 77: {"reference_tax_income": "240000.00"}}


@pytest.fixture
def scored_procedure(team):
    procedure = ProcedureFactory(team=team, slug="aide-logement-lot", field_schema=HOUSING_SCHEMA)
    AnomalyModel.objects.create(
        procedure=procedure,
        inputs=["reference_tax_income", "monthly_rent"],
        ratios=[["monthly_rent", "household_size"]],
        peer_group=["household_size"],
        contamination=0.02,
        random_sample_rate=0.02,
    )
    rng = random.Random(5)
    contacts = [ContactFactory() for _ in range(40)]
    version = procedure.current_version
    cases = []
    for index in range(600):
        size = rng.choice((1, 2, 3))
        data = {
            "household_size": size,
            "reference_tax_income": f"{rng.lognormvariate(9.6, 0.35) * size:.2f}",
            "monthly_rent": f"{rng.lognormvariate(6.2, 0.2) + 60 * size:.2f}",
            **PLANTED.get(index, {}),
        }
        cases.append(
            Case(
                reference=f"LOT-2026-{index:05d}", procedure=procedure, procedure_version=version,
                contact=contacts[index % 40], team=team, status="submitted", data=data,
            )
        )  # fmt: skip
    Case.objects.bulk_create(cases)
    return procedure


def test_the_planted_declarations_are_flagged_with_their_reasons(scored_procedure):
    summary = anomaly_score_procedure(procedure=scored_procedure, seed=1)
    assert summary.cases == 600
    flagged = Flag.objects.filter(procedure=scored_procedure, code="atypical")
    references = set(flagged.values_list("case__reference", flat=True))
    assert {"LOT-2026-00007", "LOT-2026-00077"} <= references
    assert len(references) <= 0.05 * 600
    rent = flagged.get(case__reference="LOT-2026-00007")
    assert rent.score is not None and any("5\u202f200\u00a0€" in reason for reason in rent.reasons)
    assert Case.objects.filter(status="submitted").count() == 600  # flags change no status
    event = Event.objects.get(verb="score")
    assert event.activity_code == "select-cases-for-control" and event.payload["flagged"] == len(
        references
    )


def test_a_random_sample_of_unflagged_cases_is_the_baseline(scored_procedure):
    summary = anomaly_score_procedure(procedure=scored_procedure, seed=1)
    sampled = Flag.objects.filter(procedure=scored_procedure, source="random")
    assert sampled.count() == summary.sampled == 12
    atypical = set(Flag.objects.filter(code="atypical").values_list("case_id", flat=True))
    assert not atypical & set(sampled.values_list("case_id", flat=True))


def test_scoring_again_is_idempotent(scored_procedure):
    anomaly_score_procedure(procedure=scored_procedure, seed=1)
    before = Flag.objects.count()
    again = anomaly_score_procedure(procedure=scored_procedure, seed=2)
    assert Flag.objects.count() == before and again.sampled == 0


def test_a_protected_variable_is_refused(scored_procedure):
    model = scored_procedure.anomaly_model
    model.inputs = ["reference_tax_income", "age"]
    model.save()
    with pytest.raises(ValueError, match="age"):
        anomaly_score_procedure(procedure=scored_procedure)


def test_the_command_scores_with_a_summary(scored_procedure, capsys):
    call_command("controls", "score", "--procedure", scored_procedure.slug, "--seed", "3")
    out = capsys.readouterr().out
    assert "600 declarations scored" in out and "drawn at random" in out
    with pytest.raises(CommandError, match="No procedure"):
        call_command("controls", "score", "--procedure", "nope")


def test_the_schedule_queues_each_due_model_once(scored_procedure):
    assert enqueue_due_scorings() == 1  # tasks run at once in tests: it is scored
    assert Flag.objects.filter(code="atypical").exists()
    assert enqueue_due_scorings() == 0


def test_a_flag_a_new_run_withdraws_stays_in_the_journal(scored_procedure):
    """A corrected declaration is no longer atypical: its flag row goes, the journal keeps
    both its raising and its withdrawal, with the flag's id and no personal data."""
    anomaly_score_procedure(procedure=scored_procedure, seed=1)
    flag = Flag.objects.get(
        procedure=scored_procedure, code="atypical", case__reference="LOT-2026-00077"
    )
    case = flag.case
    case.data["reference_tax_income"] = "19000.00"
    case.save()
    summary = anomaly_score_procedure(procedure=scored_procedure, seed=1)
    assert not Flag.objects.filter(pk=flag.pk).exists()
    assert summary.cleared >= 1
    events = Event.objects.for_target("cases.case", case.pk).order_by("id")
    assert [(e.verb, e.payload) for e in events.filter(payload__flag=flag.pk)] == [
        ("raise-flag", {"flag": flag.pk, "code": "atypical", "source": "anomaly"}),
        ("withdraw-flag", {"flag": flag.pk, "code": "atypical", "source": "anomaly"}),
    ]
    withdrawn = Event.objects.filter(verb="withdraw-flag").count()
    assert withdrawn == summary.cleared

"""`levier seed` with controls: the batch finds the planted anomalies, the tampered 2D-Doc
and the photographed notice are read, duplicates fail their rules, results are recorded."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from levier.cases.models import Case
from levier.controls.models import DocumentCheck, Flag, RuleResult
from levier.journal.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command(
        "seed", cases=1000, enquiries=0, personal_documents=60, no_progress=True, stdout=out
    )
    return out.getvalue()


def test_the_demo_shows_controls_end_to_end(seeded, client):
    """One seed (15 s) for every assertion: planted anomalies, 2D-Docs, duplicates, register."""
    check_planted_anomalies(seeded)
    check_tampered_and_photographed_notices(seeded)
    check_duplicates_and_journal(seeded)
    check_register(client)


def check_planted_anomalies(seeded):
    found, planted = map(int, re.search(r"found by the batch: (\d+) of (\d+)", seeded).groups())
    assert planted >= 5 and found == planted, seeded
    references = re.search(r"of \d+ \(([^)]*)\)", seeded).group(1).split(", ")
    for reference in references:
        flag = Flag.objects.get(case__reference=reference, code="atypical")
        assert flag.reasons and flag.result == ""  # left for an agent to control
    assert Flag.objects.filter(source="random").exists()


def check_tampered_and_photographed_notices(seeded):
    tampered = re.search(r"Tampered 2D-Doc: case (\S+);", seeded).group(1)
    check = DocumentCheck.objects.get(case__reference=tampered, document__field_name="tax_notice")
    assert check.two_d_doc["authentic"] is True and check.outcome == "differs"
    assert any("2D-Doc" in warning for warning in check.warnings)
    photo = re.search(r"photo of a tax notice \(OCR\): (\S+);", seeded).group(1)
    check = DocumentCheck.objects.get(case__reference=photo, document__field_name="tax_notice")
    assert check.source == "ocr" and check.kind == "tax_notice"
    assert check.two_d_doc["authentic"] is True


def check_duplicates_and_journal(seeded):
    same_iban = re.search(r"Same IBAN as another usager: (\S+);", seeded).group(1)
    failed = RuleResult.objects.filter(case__reference=same_iban, outcome="failed")
    assert failed.filter(rule__kind="duplicate_iban").exists()
    assert Event.objects.filter(verb="control", activity_code="control-case").exists()
    # Today's batch, one per procedure (the history's weekly selections carry no counts).
    scored = Event.objects.filter(verb="score", activity_code="select-cases-for-control")
    assert scored.filter(payload__has_key="flagged").count() == 3
    assert not Case.objects.filter(flags__isnull=False, status="draft").exists()


def check_register(client):
    data = client.get(reverse("algorithms:register"), {"format": "json"}).json()
    slugs = {entry["slug"] for entry in data["algorithms"]}
    assert {"atypical-aide-logement", "rules-aide-petites-entreprises",
            "documents-subvention-associations"} <= slugs  # fmt: skip

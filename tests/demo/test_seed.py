"""`levier seed`: loads a realistic demo, idempotently, and resets it."""

from __future__ import annotations

import ast
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from pypdf import PdfReader
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siret as stdnum_siret

import levier
from levier.cases.models import Case, CaseStatus, Comment, Procedure, SupportingDocument
from levier.cases.schema import file_field_names, validate_schema
from levier.contacts.models import Contact
from levier.core.models import Agent, Organisation, Role
from levier.core.text import fold
from levier.core.verification import matches
from levier.demo import content, reference
from levier.demo.pdfs import format_euros, format_siren, truth_from_keywords
from levier.demo.seeding import Seeder, SeedOptions
from levier.enquiries.models import Enquiry, Message, Topic
from levier.journal.models import Activity, Event

LOGINS = {
    "agent.entreprises",
    "agent.logement",
    "agent.accueil",
    "cheffe.equipe",
    "manager",
    "admin",
    "dpd",
}


def seed(**options) -> str:
    """Seed without the controls step (tests/controls/test_demo.py covers it)."""
    out = io.StringIO()
    options.setdefault("no_controls", True)
    call_command("seed", no_progress=True, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed(cases=50, enquiries=20)


def test_seed_creates_the_administration_and_prints_the_logins(seeded):
    assert Organisation.objects.filter(name=content.ORGANISATION["name"]).count() == 1
    logins = {agent.username: agent for agent in Agent.objects.filter(username__in=LOGINS)}
    assert set(logins) == LOGINS
    assert (
        logins["admin"].is_superuser
        and logins["admin"].is_staff
        and logins["admin"].role == Role.ADMINISTRATOR
    )
    assert logins["manager"].role == Role.MANAGER and logins["cheffe.equipe"].role == Role.TEAM_LEAD
    assert [team.slug for team in logins["agent.entreprises"].teams.all()] == [
        "instruction-entreprises"
    ]
    assert [team.slug for team in logins["agent.logement"].teams.all()] == ["instruction-logement"]
    assert logins["agent.logement"].check_password("levier-demo-2026")
    for username in LOGINS:
        assert username in seeded
    assert "levier-demo-2026" in seeded
    assert Procedure.objects.filter(versions__number=1).count() == 3
    assert Topic.objects.count() == len(content.TOPICS)


def test_seed_is_idempotent_for_accounts_and_data(seeded):
    counts = (
        Agent.objects.count(),
        Case.objects.count(),
        Enquiry.objects.count(),
        Contact.objects.count(),
    )
    again = seed(cases=50, enquiries=20)
    assert "already loaded" in again
    assert (
        Agent.objects.count(),
        Case.objects.count(),
        Enquiry.objects.count(),
        Contact.objects.count(),
    ) == counts
    assert Agent.objects.get(username="admin").check_password("levier-demo-2026")


def test_cases_are_realistic_and_consistent(seeded):
    cases = list(Case.objects.select_related("contact", "procedure"))
    assert len(cases) == 50
    statuses = Counter(case.status for case in cases)
    assert len(statuses) >= 4
    for case in cases:
        contact = case.contact
        assert case.search_text == fold(
            f"{case.reference} {contact.display_name} {contact.siret} {contact.email}"
        )
        assert case.reference.startswith(case.procedure.reference_prefix + "-")
        assert case.team_id == case.procedure.team_id
        schema_fields = {entry["name"] for entry in case.procedure.field_schema}
        assert set(case.data) <= schema_fields - set(file_field_names(case.procedure.field_schema))
        if case.status == CaseStatus.DRAFT:
            assert case.submitted_at is None and case.due_at is None
            continue
        assert case.submitted_at <= case.updated_at and case.due_at > case.submitted_at
        if case.status in {CaseStatus.IN_REVIEW, CaseStatus.WAITING_FOR_USAGER}:
            assert case.assignee_id is not None
        if case.status in {
            CaseStatus.ACCEPTED,
            CaseStatus.REFUSED,
            CaseStatus.CLOSED_WITHOUT_FOLLOW_UP,
        }:
            assert case.decided_at is not None and case.assignee_id is not None
        if case.status == CaseStatus.REFUSED:
            assert case.status_reason
        if "siret" in case.data:
            assert stdnum_siret.is_valid(case.data["siret"]) and case.data["siret"] == contact.siret
        if "nir" in case.data:
            assert stdnum_nir.is_valid(case.data["nir"]) and case.data["nir"] == contact.nir
    assert {contact.commune_code for contact in Contact.objects.all()} <= set(
        reference.communes_by_code()
    )


def test_journal_mirrors_the_services(activity_catalogue, seeded):
    submitted = Case.objects.exclude(status=CaseStatus.DRAFT)
    submits = Event.objects.filter(verb="submit", target_type="cases.case")
    assert submits.count() == submitted.count()
    assert set(submits.values_list("activity_code", flat=True)) == {"register-case"}
    decided = Case.objects.filter(decided_at__isnull=False).first()
    if decided is not None:
        verbs = list(
            Event.objects.for_target("cases.case", decided.pk)
            .order_by("occurred_at")
            .values_list("verb", flat=True)
        )
        assert verbs[0] == "submit" and "transition" in verbs
        last = (
            Event.objects.for_target("cases.case", decided.pk)
            .filter(verb="transition")
            .latest("occurred_at")
        )
        assert last.activity_code == "decide-case" and last.payload["to"] == decided.status
    codes = set(Event.objects.exclude(activity_code="").values_list("activity_code", flat=True))
    assert codes <= set(Activity.objects.values_list("code", flat=True))
    creates = Event.objects.filter(verb="create", target_type="enquiries.enquiry")
    assert creates.count() == Enquiry.objects.count()
    for comment in Comment.objects.all():
        assert Event.objects.filter(verb="comment", payload__comment=comment.pk).exists()


def test_documents_are_pdfs_matching_the_declared_data_but_a_few(seeded):
    documents = list(SupportingDocument.objects.select_related("case"))
    assert documents
    mismatches = 0
    for document in documents:
        with document.file.open("rb") as handle:
            reader = PdfReader(handle)
            text = " ".join(reader.pages[0].extract_text().split())
            truth = truth_from_keywords(reader.metadata.get("/Keywords"))
        assert document.content_type == "application/pdf" and document.page_count == 1
        field = truth["field"]
        declared = (
            document.case.data["siret"][:9] if field == "siren" else document.case.data[field]
        )
        assert truth["declared"] == str(
            declared
        )  # every case of a small demo has its own documents
        shown = format_siren(declared) if field == "siren" else format_euros(declared)
        assert (shown in text) == truth["matches"]
        mismatches += not truth["matches"]
    assert mismatches < len(documents) / 2


def test_report_truths_compare_declared_and_printed(db):
    report = Seeder(SeedOptions(cases=30, enquiries=0, progress=False, controls=False)).run()
    assert report.truths and all(
        truth.kind in {"kbis", "invoice", "tax_notice", "budget"}
        for _ref, _field, truth in report.truths
    )
    references = set(Case.objects.values_list("reference", flat=True))
    assert {ref for ref, _field, _truth in report.truths} <= references


def test_verification_codes_printed_for_the_portal_work(seeded):
    line = next(line for line in seeded.splitlines() if "follow a case" in line)
    reference, code = line.split("reference ")[1].split(", code ")
    case = Case.objects.get(reference=reference)
    assert matches(case.reference, code, case.verification_digest)


def test_enquiries_have_threads(seeded):
    for enquiry in Enquiry.objects.all():
        messages = list(enquiry.messages.all())
        assert messages and messages[0].direction == "in"
        if enquiry.status == "closed":
            assert enquiry.closed_at is not None and messages[-1].direction == "out"
    assert Message.objects.filter(direction="out", author_agent__isnull=False).exists()


def test_reset_reloads_and_keeps_the_journal_append_only(seeded):
    first = set(Case.objects.values_list("pk", flat=True))
    output = seed(cases=20, enquiries=5, reset=True)
    assert "Demo data removed" in output
    assert Case.objects.count() == 20 and not first & set(Case.objects.values_list("pk", flat=True))
    assert (
        Event.objects.filter(verb="submit").count()
        == Case.objects.exclude(status=CaseStatus.DRAFT).count()
    )
    event = Event.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM journal_event WHERE id = %s", [event.pk]
        )  # the triggers are back


def test_reset_refuses_a_database_with_other_organisations(seeded):
    Organisation.objects.create(name="Mairie de Villeurbanne")
    with pytest.raises(Exception, match="other organisations"):
        seed(cases=1, enquiries=0, reset=True)
    assert Case.objects.count() == 50


def test_procedure_schemas_are_valid():
    for entry in content.PROCEDURES:
        validate_schema(entry["field_schema"])


def _activity_codes_in_source() -> set[str]:
    codes = set()
    root = Path(levier.__file__).parent
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or "demo" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "activity":
                        codes |= {
                            sub.value
                            for sub in ast.walk(keyword.value)
                            if isinstance(sub, ast.Constant)
                            and isinstance(sub.value, str)
                            and sub.value
                        }
    return codes


def test_every_activity_code_used_by_a_service_is_in_the_catalogue(activity_catalogue):
    catalogue = dict(Activity.objects.values_list("code", "standard_seconds"))
    assert catalogue["register-case"] == 300 and catalogue["consult-personal-data"] == 0
    assert len(catalogue) >= 20
    missing = _activity_codes_in_source() - set(catalogue)
    assert not missing, (
        f"Add these gestes to journal migration 0003 (or a new one): {sorted(missing)}"
    )


def test_older_cases_share_specimen_documents_whose_amounts_they_declare(db):
    seed(cases=80, enquiries=0, personal_documents=5)
    documents = list(SupportingDocument.objects.select_related("case"))
    paths = Counter(document.file.name for document in documents)
    assert max(paths.values()) > 1  # one file, several cases
    for document in documents:
        if document.field_name == "kbis":
            continue  # a shared Kbis shows another company's SIREN: only amounts are shared
        with document.file.open("rb") as handle:
            truth = truth_from_keywords(PdfReader(handle).metadata.get("/Keywords"))
        assert truth["declared"] == str(document.case.data[truth["field"]])


def test_portal_references_continue_after_seeded_ones(db):
    from levier.cases.models import Case
    from levier.core.references import next_reference
    from levier.enquiries.models import Enquiry

    call_command(
        "seed", cases=30, enquiries=10, no_progress=True, no_controls=True, stdout=io.StringIO()
    )
    for model, prefix in [(Case, "APE"), (Enquiry, "SOL")]:
        latest = (
            model.objects.filter(reference__startswith=f"{prefix}-").order_by("-reference").first()
        )
        year = int(latest.reference.split("-")[1])
        new = next_reference(model=model, prefix=prefix, year=year)
        assert new > latest.reference
        assert not model.objects.filter(reference=new).exists()


def test_todays_messages_go_through_the_real_intake(seeded):
    from levier.enquiries.models import LabelSource
    from levier.mailing.models import InboundMail, InboundStatus

    assert "Today's messages through intake:" in seeded
    today = Enquiry.objects.filter(channel__in=["email", "api"], topic_source__in=["", "robot"])
    assert today.exists()
    assert Enquiry.objects.filter(topic_source=LabelSource.ROBOT).exists()
    assert InboundMail.objects.filter(status=InboundStatus.IGNORED).count() == 1  # auto-reply
    flood = InboundMail.objects.filter(status=InboundStatus.QUARANTINED)
    assert flood.exists() and all("LEVIER_INTAKE_MAX_PER_HOUR" in mail.reason for mail in flood)
    urgent = Enquiry.objects.filter(routing_rule__name="Situations d'urgence signalées")
    assert urgent.exists() and all(enquiry.priority == 4 for enquiry in urgent)
    assert Event.objects.filter(verb="group-enquiry").exists()


def test_seed_prints_the_period_and_each_automation_s_switch_on_month(seeded):
    from levier.automation import registry

    assert "History from " in seeded and "(24 months)" in seeded
    for automation in registry.AUTOMATIONS:
        assert f"{automation.switched_on:%Y-%m}  {automation.code}" in seeded

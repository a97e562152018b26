"""Bulk loading of demo data: usagers, cases, documents, comments, enquiries, journal.

The demo is loaded in chunks (5,000 cases by default): each chunk is generated in
memory as plain rows, written in one transaction and dropped, so memory stays flat
whether one loads 2,000 cases on SQLite or 1,000,000 on PostgreSQL. Rows go through
`RowWriter`: COPY on PostgreSQL, `bulk_create` elsewhere. Usagers come from a
bounded pool that cases and enquiries reuse.

Rows are written as levier's services would write them (same statuses, verbs,
activity codes, payloads, search_text and verification digest), without calling
the services one by one: the demo loads in seconds instead of hours. Journal events
are inserted in bulk, which the append-only journal accepts (it refuses updates and
deletes, not inserts).
"""

from __future__ import annotations

import datetime
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from levier.campaigns.demo import ensure_demo_campaign
from levier.cases.models import Case, CaseStatus, Comment, SupportingDocument
from levier.contacts.models import Contact
from levier.controls.document_checks import ROBOT as DOCUMENT_CHECKER
from levier.core.models import Agent
from levier.core.references import reference_counters_sync
from levier.core.text import fold
from levier.core.verification import ALPHABET, digest
from levier.documents.demo import ensure_demo_email_templates, ensure_demo_templates
from levier.enquiries.models import Enquiry
from levier.journal.models import ActorKind, Event, EventDetail

from . import content
from .automation import ensure_automation
from .casedata import CaseDataBuilder
from .controls import ControlsReport, run_demo_controls
from .enquiry_loading import EnquiryLoading
from .generators import CompanyRecord, DemoGenerator, PersonRecord
from .intake_day import receive_todays_messages
from .pdfs import DocumentSpec, DocumentTruth, PrintedDocument, print_documents
from .plans import CASE_TARGET, PoolContact, Worker, chunks, growth
from .setup import DEMO_PASSWORD, DemoSetup, ensure_demo_setup
from .timeline import PARIS, after, usager_time, working_time
from .writer import RowWriter

FINAL = frozenset({CaseStatus.ACCEPTED, CaseStatus.REFUSED, CaseStatus.CLOSED_WITHOUT_FOLLOW_UP})
OPEN = frozenset({CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.WAITING_FOR_USAGER})
MAX_POOL = 60_000  # usagers reused by cases beyond this many
SPECIMENS_PER_PROCEDURE = 8  # shared documents per procedure and year, for older cases
MAX_TRUTHS = 5000
# Key of an event row carrying the text of its EventDetail (removed before the insert).
DETAIL = "_detail"
ROBOT_DOCUMENT_CHECK = DOCUMENT_CHECKER.label
PROCEDURE_WEIGHTS = tuple(itertools.accumulate(entry["weight"] for entry in content.PROCEDURES))
VALUE_FIELDS = {  # declared fields a shared specimen document imposes on the case that uses it
    "aide-petites-entreprises": ("project_cost", "amount_requested"),
    "aide-logement": ("household_size", "reference_tax_income"),
    "subvention-associations": ("project_budget", "amount_requested", "other_funding"),
}
WAITING_REASONS = [
    "Pièce manquante : dernier avis d'impôt sur le revenu complet (toutes les pages).",
    "Pièce manquante : devis daté et signé par le fournisseur.",
    "Pièce manquante : RIB au nom du demandeur.",
    "Information à préciser : nombre de personnes au foyer.",
    "Pièce illisible : merci de déposer un scan plutôt qu'une photo.",
]
CLOSING_REASONS = [
    "Dossier incomplet : pièces non fournies dans le délai imparti.",
    "Désistement de l'usager.",
    "Demande déposée en double.",
]


@dataclass
class SeedOptions:
    cases: int = 2000
    enquiries: int = 500
    batch_size: int = 1000  # rows per INSERT (bulk_create)
    chunk_size: int = 5_000  # cases generated and written per transaction
    seed: int = 2026
    departement: str | None = None
    password: str = DEMO_PASSWORD
    personal_documents: int = 600  # the N most recent cases get documents printed for them
    contacts: int | None = None  # size of the usager pool (default: from the number of cases)
    documents: bool = True
    controls: bool = True  # configure controls, plant anomalies, check, score (demo.controls)
    comments: bool = True
    journal: bool = True
    progress: bool = True
    window_days: int | None = None  # how far back the history goes
    use_copy: bool | None = None  # None: COPY on PostgreSQL, bulk_create elsewhere


@dataclass
class SeedReport:
    setup: DemoSetup
    skipped: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # (reference, verification code) of a recent open case and enquiry, for the portal
    example_case: tuple[str, str] | None = None
    example_enquiry: tuple[str, str] | None = None
    # Declared against printed values of the first documents (5,000 at most), for tests and checks.
    truths: list[tuple[str, str, DocumentTruth]] = field(default_factory=list)
    # What the controls found (planted anomalies, 2D-Docs, checks), see demo.controls.
    controls: ControlsReport | None = None
    # How today's messages went through intake, e.g. {"email:processed": 9, "flood:quarantined": 3}.
    intake: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclass(slots=True)
class CasePlan:
    row: dict[str, Any]
    contact: PoolContact
    slug: str
    assignee: Worker | None = None
    documents: list[PrintedDocument] = field(default_factory=list)
    specs: list[DocumentSpec] = field(default_factory=list)
    robot_check: datetime.datetime | None = None
    assignment: tuple[datetime.datetime, Worker] | None = None  # when, by whom
    # (when, from status, to status, reason)
    steps: list[tuple[datetime.datetime, str, str, str]] = field(default_factory=list)
    reads: list[datetime.datetime] = field(default_factory=list)
    comments: list[tuple[datetime.datetime, Worker, str, list[Worker]]] = field(
        default_factory=list
    )


class Seeder(EnquiryLoading):
    """Loads the demo: `Seeder(SeedOptions(...)).run()`; see `levier seed --help`."""

    def __init__(self, options: SeedOptions):
        self.options = options
        # A random stream apart from the generator's, so that usagers do not depend on cases.
        self.rng = random.Random(f"levier-demo-{options.seed}")
        self.now = timezone.now()
        self.generator = DemoGenerator(
            options.seed, departement=options.departement, today=timezone.localdate(self.now)
        )
        self.builder = CaseDataBuilder(self.generator)
        self.writer = RowWriter(batch_size=options.batch_size, use_copy=options.use_copy)
        self.references: dict[tuple[str, int], int] = {}
        self.pool: dict[str, list[PoolContact]] = {}
        self.next_contact: dict[str, int] = {}
        self.specimens: dict[tuple[str, int], list[tuple[dict, list[PrintedDocument]]]] = {}
        self.stored_files: set[str] = set()
        # usager -> (reference, procedure, amount) of their latest case, for enquiries about it
        self.cases_of_contact: dict[int, tuple[str, str, str]] = {}
        self.setup: DemoSetup | None = None
        self.report: SeedReport | None = None
        # team id -> (agents, cumulative weights of their share of the work)
        self.workers: dict[int, tuple[list[Worker], list[int]]] = {}
        self.leads: dict[int, Worker] = {}
        self.seconds: dict[str, int] = {}

    # -- entry points -----------------------------------------------------------------

    def run(self) -> SeedReport:
        """Set up the administration, then load usagers, cases and enquiries (once per database)."""
        started = time.perf_counter()
        self.prepare()
        if self.already_seeded():
            self.report.skipped = True
        else:
            self.timed("contacts", self.create_contacts)
            if self.options.cases:
                self.timed("cases", self.create_cases)
            if self.options.enquiries:
                self.timed("enquiries", self.create_enquiries)
            self.timed("finish", self.finish)
            if self.options.cases and self.options.controls:
                self.timed("controls", self.run_controls)
            if self.options.enquiries:
                self.timed("intake", self.receive_today)
        self.report.seconds = time.perf_counter() - started
        return self.report

    def finish(self) -> None:
        """Reference counters past the loaded references; fresh planner statistics."""
        for prefix, model in [
            (p.reference_prefix, Case) for p in self.setup.procedures.values()
        ] + [("SOL", Enquiry)]:
            dates = model.objects.filter(reference__startswith=f"{prefix}-").dates(
                "created_at", "year"
            )
            # A reference carries its year in Paris time: the one after may hold a few too.
            for year in sorted({d.year for d in dates} | {d.year + 1 for d in dates}):
                reference_counters_sync(model=model, prefix=prefix, year=year)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # After a bulk load the statistics still describe empty tables, and the planner
            # would pick poor plans for the queue until autovacuum gets round to them.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def run_controls(self) -> None:
        """Configure controls, plant a few anomalies, check documents and score the procedures."""
        self.report.controls = run_demo_controls(self.setup, seed=self.options.seed)

    def receive_today(self) -> None:
        """Train on the history, then take in today's messages through the real intake."""
        self.report.intake = dict(receive_todays_messages(self))

    def prepare(self) -> None:
        self.setup = ensure_demo_setup(password=self.options.password)
        ensure_automation(self.setup)
        ensure_demo_templates(self.setup)
        ensure_demo_email_templates(self.setup)
        ensure_demo_campaign(self.setup)
        self.report = SeedReport(setup=self.setup)
        self.seconds = self.setup.standard_seconds
        for team_id, members in self.setup.members.items():
            workers = [self.worker(agent) for agent, _weight in members]
            cumulative, total = [], 0
            for _agent, weight in members:
                total += weight
                cumulative.append(total)
            self.workers[team_id] = (workers, cumulative)
        self.leads = {team_id: self.worker(agent) for team_id, agent in self.setup.leads.items()}

    def timed(self, name: str, stage: Callable[[], None]) -> None:
        started = time.perf_counter()
        stage()
        self.report.stage_seconds[name] = time.perf_counter() - started

    @staticmethod
    def worker(agent: Agent) -> Worker:
        return Worker(agent.pk, str(agent)[:200], agent.username)

    def already_seeded(self) -> bool:
        setup = self.setup
        return (
            Case.objects.filter(procedure__in=setup.procedures.values()).exists()
            or Enquiry.objects.filter(topic__in=setup.topics.values()).exists()
        )

    def progress(self, total: int, unit: str, desc: str) -> tqdm:
        return tqdm(
            total=total,
            unit=f" {unit}",
            desc=desc,
            disable=not self.options.progress,
            dynamic_ncols=True,
            mininterval=0.5,
        )

    # -- usagers ------------------------------------------------------------------------

    def pool_sizes(self) -> dict[str, int]:
        options = self.options
        if options.contacts:
            total = options.contacts
        else:
            total = min(MAX_POOL, max(30, int(options.cases * 0.85)) + int(options.enquiries * 0.3))
        weights = {entry["contact_kind"]: entry["weight"] for entry in content.PROCEDURES}
        case_share = options.cases / max(1, options.cases + options.enquiries * 0.3)
        sizes = {
            kind: max(3, int(total * case_share * weight / 100)) for kind, weight in weights.items()
        }
        sizes["person"] += max(3, total - sum(sizes.values()))
        return sizes

    def new_record(self, kind: str) -> PersonRecord | CompanyRecord:
        if kind == "person":
            return self.generator.person()
        if kind == "association":
            return self.generator.association()
        return self.generator.company()

    def create_contacts(self) -> None:
        sizes = self.pool_sizes()
        bar = self.progress(sum(sizes.values()), "usagers", "Usagers")
        for kind, size in sizes.items():
            self.pool[kind] = []
            self.next_contact[kind] = 0
            for start, end in chunks(size, self.options.chunk_size):
                records = [self.new_record(kind) for _ in range(end - start)]
                rows = [{**record.contact_fields(), "created_at": self.now} for record in records]
                with self.writer.unit():
                    ids = self.writer.insert(Contact, rows)
                for contact_id, record, row in zip(ids, records, rows, strict=True):
                    siret = row.get("siret", "")
                    self.pool[kind].append(
                        PoolContact(
                            contact_id,
                            kind,
                            record,
                            record.display_name,
                            siret,
                            row["email"],
                            fold(f"{record.display_name} {siret} {row['email']}"),
                        )
                    )
                bar.update(end - start)
                self.report.add("contacts", end - start)
        self.writer.drain()
        bar.close()

    def pick_contact(self, kind: str) -> PoolContact:
        """Each usager of the pool once, in order; then anyone again (some usagers file many cases)."""
        pool = self.pool[kind]
        position = self.next_contact[kind]
        if position < len(pool):
            self.next_contact[kind] = position + 1
            return pool[position]
        return self.rng.choice(pool)

    # -- shared helpers -----------------------------------------------------------------

    def window(self) -> datetime.timedelta:
        days = self.options.window_days or (400 if self.options.cases <= 50_000 else 1095)
        return datetime.timedelta(days=days)

    def next_reference(self, prefix: str, moment: datetime.datetime) -> str:
        """PREFIX-YYYY-NNNNNN, numbered per prefix and year as the services number them."""
        year = moment.astimezone(PARIS).year
        number = self.references.get((prefix, year), 0) + 1
        self.references[(prefix, year)] = number
        return f"{prefix}-{year}-{number:06d}"

    def verification(self, reference: str) -> tuple[str, str]:
        code = "".join(self.rng.choices(ALPHABET, k=8))
        return code, digest(reference, code)

    def pick_worker(self, team_id: int) -> Worker:
        workers, cumulative = self.workers[team_id]
        return self.rng.choices(workers, cum_weights=cumulative)[0]

    def colleague_of(self, worker: Worker, team_id: int) -> Worker | None:
        others = [other for other in self.workers[team_id][0] if other.id != worker.id]
        return self.rng.choice(others) if others else None

    def agent_event(
        self,
        worker: Worker,
        moment: datetime.datetime,
        verb: str,
        target_type: str,
        target_id: str,
        activity: str,
        payload: dict,
    ) -> dict[str, Any]:
        return self.other_event(
            ActorKind.AGENT,
            str(worker.id),
            worker.label,
            moment,
            verb,
            target_type,
            target_id,
            activity,
            payload,
        )

    def other_event(
        self,
        kind: str,
        actor_id: str,
        label: str,
        moment: datetime.datetime,
        verb: str,
        target_type: str,
        target_id: str,
        activity: str,
        payload: dict,
    ) -> dict[str, Any]:
        return {
            "occurred_at": moment,
            "actor_kind": kind,
            "actor_id": actor_id,
            "actor_label": label[:200],
            "verb": verb,
            "target_type": target_type,
            "target_id": target_id,
            "activity_code": activity,
            "automated": kind == ActorKind.ROBOT,
            "duration_seconds": self.seconds.get(activity) if activity else None,
            "payload": payload,
        }

    def store(self, document: PrintedDocument) -> str:
        """Write a document once under MEDIA_ROOT/demo/ (content-addressed), return its storage name."""
        name = document.storage_name
        if name not in self.stored_files:
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(document.content))
            self.stored_files.add(name)
        return name

    # -- cases --------------------------------------------------------------------------

    def choose_status(self, age_days: float, instruction_days: int, mismatching: bool) -> str:
        rng = self.rng
        if rng.random() < 0.04:
            return CaseStatus.DRAFT
        ratio = age_days / instruction_days
        if age_days < 3:
            decided = 0.0
        elif ratio < 1:
            decided = 0.65 * ratio
        elif ratio < 2:
            decided = 0.9
        else:
            decided = 0.995  # a small stock of old cases still open
        if rng.random() < decided:
            refused_share = 0.55 if mismatching else 0.18
            return rng.choices(
                (CaseStatus.ACCEPTED, CaseStatus.REFUSED, CaseStatus.CLOSED_WITHOUT_FOLLOW_UP),
                weights=(0.88 - refused_share, refused_share, 0.12),
            )[0]
        if age_days < 3:
            return rng.choices((CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW), cum_weights=(85, 100))[
                0
            ]
        return rng.choices(
            (CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.WAITING_FOR_USAGER),
            cum_weights=(30, 85, 100),
        )[0]

    def specimen_for(
        self, slug: str, submitted_on: datetime.date, data: dict
    ) -> list[PrintedDocument]:
        """Shared documents for an older case; the case declares the amounts they print.

        A few specimens per procedure and year are printed, the first time one is needed,
        so that a 2024 case carries a 2024 tax notice.
        """
        key = (slug, submitted_on.year)
        if key not in self.specimens:
            entry = next(entry for entry in content.PROCEDURES if entry["slug"] == slug)
            day = min(datetime.date(submitted_on.year, 6, 15), timezone.localdate(self.now))
            owners, specs = [], []
            for _ in range(SPECIMENS_PER_PROCEDURE):
                record = self.new_record(entry["contact_kind"])
                specimen_data, doc_specs = self.builder.build(slug, record, day)
                owners.append((specimen_data, len(doc_specs)))
                specs.extend(doc_specs)
            printed = iter(print_documents(specs))
            self.specimens[key] = [
                (specimen_data, [next(printed) for _ in range(count)])
                for specimen_data, count in owners
            ]
        specimen_data, documents = self.rng.choice(self.specimens[key])
        for name in VALUE_FIELDS[slug]:
            data[name] = specimen_data[name]
        return documents

    def plan_case(self, index: int, total: int) -> CasePlan:
        rng, setup, options = self.rng, self.setup, self.options
        window = self.window()
        entry = rng.choices(content.PROCEDURES, cum_weights=PROCEDURE_WEIGHTS)[0]
        slug = entry["slug"]
        procedure, version = setup.procedures[slug], setup.versions[slug]
        contact = self.pick_contact(entry["contact_kind"])
        submitted = usager_time(self.now - window + window * growth(index, total, rng), rng)
        submitted = min(submitted, self.now - datetime.timedelta(minutes=rng.randint(5, 600)))
        submitted_on = submitted.astimezone(PARIS).date()
        age_days = (self.now - submitted).total_seconds() / 86400
        documents: list[PrintedDocument] = []
        if options.documents and index >= total - options.personal_documents:
            # The most recent cases: documents printed for them, and decisions that follow their flaws.
            data, specs = self.builder.build(slug, contact.record, submitted_on)
            mismatching = any(not spec.truth().matches for spec in specs)
            status = self.choose_status(age_days, procedure.instruction_days, mismatching)
        else:
            status = self.choose_status(age_days, procedure.instruction_days, False)
            # What agents open in their queues has its own documents, back to 3 x N cases.
            personal = (
                options.documents
                and status not in FINAL
                and index >= total - 3 * options.personal_documents
            )
            data, specs = self.builder.build(slug, contact.record, submitted_on, documents=personal)
            if options.documents and not personal:
                documents = self.specimen_for(slug, submitted_on, data)
        if status == CaseStatus.DRAFT and rng.random() < 0.5:
            documents, specs = [], []  # the usager has not uploaded anything yet
        reference = self.next_reference(procedure.reference_prefix, submitted)
        code, verification_digest = self.verification(reference)
        draft = status == CaseStatus.DRAFT
        row = {
            "reference": reference,
            "procedure_id": procedure.pk,
            "procedure_version_id": version.pk,
            "contact_id": contact.id,
            "team_id": procedure.team_id,
            "assignee_id": None,
            "status": status,
            "status_reason": "",
            "data": data,
            "created_at": submitted - datetime.timedelta(minutes=rng.randint(4, 90)),
            "submitted_at": None if draft else submitted,
            "due_at": None
            if draft
            else submitted + datetime.timedelta(days=procedure.instruction_days),
            "decided_at": None,
            "updated_at": submitted,
            "verification_digest": verification_digest,
            # = fold(f"{reference} {name} {siret} {email}"), references being plain ASCII
            "search_text": f"{reference.lower()} {contact.folded}",
        }
        plan = CasePlan(row=row, contact=contact, slug=slug, documents=documents, specs=specs)
        if not draft:
            self.plan_instruction(plan, procedure.instruction_days)
            amount = data.get("amount_requested") or data.get("monthly_rent") or ""
            self.cases_of_contact[contact.id] = (reference, procedure.name, amount)
            if status in OPEN:
                self.report.example_case = (reference, code)  # the most recent open case wins
        return plan

    def plan_instruction(self, plan: CasePlan, instruction_days: int) -> None:
        """Who did what on the case, and when, down to its current status."""
        rng, row, now = self.rng, plan.row, self.now
        status, submitted, team_id = row["status"], row["submitted_at"], row["team_id"]
        if (plan.documents or plan.specs) and rng.random() < 0.7:
            plan.robot_check = min(
                submitted + datetime.timedelta(minutes=rng.randint(1, 20)),
                now - datetime.timedelta(seconds=30),
            )
        if status == CaseStatus.SUBMITTED and rng.random() >= 0.35:
            return  # still in the team's queue
        assignee = self.pick_worker(team_id)
        lead = self.leads.get(team_id)
        by = lead if lead is not None and rng.random() < 0.5 else assignee
        last = after(submitted, hours=rng.uniform(2, 96), rng=rng, now=now)
        plan.assignment = (last, by)
        plan.assignee = assignee
        row["assignee_id"] = assignee.id
        row["updated_at"] = last
        if status == CaseStatus.SUBMITTED:
            return
        last = after(last, hours=rng.uniform(0.5, 72), rng=rng, now=now)
        plan.steps.append((last, CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, ""))
        plan.reads.append(last)
        if self.options.comments and rng.random() < 0.22:
            body = rng.choice(content.COMMENTS)
            mentions = []
            if "{colleague}" in body:
                colleague = self.colleague_of(assignee, team_id)
                if colleague is None:
                    body = body.replace("@{colleague} ", "")
                else:
                    body = body.replace("{colleague}", colleague.username)
                    mentions = [colleague]
            last = after(last, hours=rng.uniform(0.1, 24), rng=rng, now=now)
            plan.comments.append((last, assignee, body, mentions))
        if status == CaseStatus.WAITING_FOR_USAGER or (status in FINAL and rng.random() < 0.2):
            reason = rng.choice(WAITING_REASONS)
            last = after(last, hours=rng.uniform(1, 120), rng=rng, now=now)
            plan.steps.append((last, CaseStatus.IN_REVIEW, CaseStatus.WAITING_FOR_USAGER, reason))
            if status == CaseStatus.WAITING_FOR_USAGER:
                row["status_reason"] = reason
                row["updated_at"] = last
                return
            last = after(last, hours=rng.uniform(24, 480), rng=rng, now=now)
            plan.steps.append((last, CaseStatus.WAITING_FOR_USAGER, CaseStatus.IN_REVIEW, ""))
            plan.reads.append(last)
        if status in FINAL:
            target = submitted + datetime.timedelta(days=instruction_days * rng.uniform(0.3, 1.3))
            decided = working_time(max(target, last + datetime.timedelta(hours=1)), rng)
            decided = min(decided, now - datetime.timedelta(minutes=rng.randint(1, 60)))
            decided = max(decided, last + datetime.timedelta(seconds=2))
            if status == CaseStatus.REFUSED:
                reason = rng.choice(content.REFUSAL_REASONS[plan.slug])
            elif status == CaseStatus.CLOSED_WITHOUT_FOLLOW_UP:
                reason = rng.choice(CLOSING_REASONS)
            else:
                reason = ""
            plan.reads.append(decided - datetime.timedelta(seconds=1))
            plan.steps.append((decided, CaseStatus.IN_REVIEW, status, reason))
            row["status_reason"] = reason
            row["decided_at"] = decided
            last = decided
        row["updated_at"] = last

    def case_events(
        self, plan: CasePlan, case_id: int, document_ids: list[int], comment_ids: list[int]
    ) -> list[dict[str, Any]]:
        row, contact = plan.row, plan.contact
        if row["status"] == CaseStatus.DRAFT:
            return []
        target_id = str(case_id)
        events = [
            self.other_event(
                ActorKind.USAGER,
                str(contact.id),
                contact.display_name,
                row["submitted_at"],
                "submit",
                CASE_TARGET,
                target_id,
                "register-case",
                {
                    "reference": row["reference"],
                    "procedure": plan.slug,
                    "version": 1,
                    "documents": len(document_ids),
                },
            )
        ]
        if plan.robot_check is not None:
            for document_id, document in zip(document_ids, plan.documents, strict=True):
                events.append(
                    self.other_event(
                        ActorKind.ROBOT,
                        ROBOT_DOCUMENT_CHECK,
                        ROBOT_DOCUMENT_CHECK,
                        plan.robot_check,
                        "check-document",
                        CASE_TARGET,
                        target_id,
                        "check-supporting-document",
                        {"document": document_id, "field": document.field_name},
                    )
                )
        assignee = plan.assignee
        if plan.assignment is not None:
            moment, by = plan.assignment
            events.append(
                self.agent_event(
                    by,
                    moment,
                    "assign",
                    CASE_TARGET,
                    target_id,
                    "assign-case",
                    {"from": None, "to": assignee.id, "to_label": assignee.label},
                )
            )
        for moment, from_status, to_status, reason in plan.steps:
            activity = "decide-case" if to_status in FINAL else "change-case-status"
            event = self.agent_event(
                assignee,
                moment,
                "transition",
                CASE_TARGET,
                target_id,
                activity,
                {"from": from_status, "to": to_status},
            )
            # The reason is free text: the purgeable EventDetail, as case_transition does.
            events.append({**event, DETAIL: reason} if reason else event)
        for moment in plan.reads:
            events.append(
                self.agent_event(
                    assignee,
                    moment,
                    "read",
                    CASE_TARGET,
                    target_id,
                    "consult-personal-data",
                    {"what": "case"},
                )
            )
        for comment_id, (moment, author, _body, mentions) in zip(
            comment_ids, plan.comments, strict=True
        ):
            events.append(
                self.agent_event(
                    author,
                    moment,
                    "comment",
                    CASE_TARGET,
                    target_id,
                    "comment-case",
                    {"comment": comment_id, "mentions": [m.username for m in mentions]},
                )
            )
        return events

    def create_cases(self) -> None:
        options = self.options
        bar = self.progress(options.cases, "dossiers", "Dossiers")
        for start, end in chunks(options.cases, options.chunk_size):
            plans = [self.plan_case(index, options.cases) for index in range(start, end)]
            specs = [spec for plan in plans for spec in plan.specs]
            if specs:
                printed = iter(print_documents(specs))
                for plan in plans:
                    plan.documents = plan.documents + [next(printed) for _ in plan.specs]
            self.write_cases(plans)
            bar.update(end - start)
        self.writer.drain()
        bar.close()

    def write_cases(self, plans: list[CasePlan]) -> None:
        writer, report = self.writer, self.report
        with writer.unit():
            case_ids = writer.insert(Case, [plan.row for plan in plans])
            document_rows, comment_rows = [], []
            for case_id, plan in zip(case_ids, plans, strict=True):
                uploaded_at = plan.row["submitted_at"] or plan.row["created_at"]
                for document in plan.documents:
                    document_rows.append(
                        {
                            "case_id": case_id,
                            "field_name": document.field_name,
                            "file": self.store(document),
                            "original_name": document.original_name,
                            "content_type": document.content_type,
                            "size": document.size,
                            "sha256": document.sha256,
                            "page_count": document.page_count,
                            "uploaded_at": uploaded_at,
                        }
                    )
                    if len(report.truths) < MAX_TRUTHS:
                        report.truths.append(
                            (
                                plan.row["reference"],
                                document.field_name,
                                self.truth_for(plan, document),
                            )
                        )
                for moment, author, body, _mentions in plan.comments:
                    comment_rows.append(
                        {
                            "case_id": case_id,
                            "author_id": author.id,
                            "body": body,
                            "created_at": moment,
                        }
                    )
            document_ids = iter(writer.insert(SupportingDocument, document_rows))
            comment_ids = iter(writer.insert(Comment, comment_rows))
            mention_rows, event_rows = [], []
            for case_id, plan in zip(case_ids, plans, strict=True):
                documents = [next(document_ids) for _ in plan.documents]
                comments = [next(comment_ids) for _ in plan.comments]
                for comment_id, (_moment, _author, _body, mentions) in zip(
                    comments, plan.comments, strict=True
                ):
                    mention_rows.extend(
                        {"comment_id": comment_id, "agent_id": m.id} for m in mentions
                    )
                if self.options.journal:
                    event_rows.extend(self.case_events(plan, case_id, documents, comments))
            writer.insert(Comment.mentions.through, mention_rows, need_ids=False)
            details = [(row.pop(DETAIL, ""), row["occurred_at"]) for row in event_rows]
            event_ids = writer.insert(Event, event_rows)
            writer.insert(
                EventDetail,
                [
                    {"event_id": event_id, "text": text, "created_at": moment}
                    for event_id, (text, moment) in zip(event_ids, details, strict=True)
                    if text
                ],
                need_ids=False,
            )
        report.add("cases", len(plans))
        report.add("documents", len(document_rows))
        report.add("comments", len(comment_rows))
        report.add("mentions", len(mention_rows))
        report.add("events", len(event_rows))

    @staticmethod
    def truth_for(plan: CasePlan, document: PrintedDocument) -> DocumentTruth:
        """What the case declares against what its document prints (shared documents included)."""
        truth = document.truth
        if truth.field == "siren":
            declared = (plan.row["data"].get("siret") or "")[:9]
        else:
            declared = plan.row["data"].get(truth.field)
        return DocumentTruth(truth.kind, truth.field, str(declared), truth.printed)


def seed(**options: Any) -> SeedReport:
    """Load the demo with `SeedOptions` given as keyword arguments."""
    return Seeder(SeedOptions(**options)).run()

"""Bulk loading of demo data: usagers, cases, documents, comments, enquiries, journal.

The demo is loaded in chunks (10,000 cases by default): each chunk is generated in
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
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from tqdm import tqdm

from levier.cases.models import Case, CaseStatus, Comment, SupportingDocument
from levier.contacts.models import Contact
from levier.core.models import Agent
from levier.core.text import fold
from levier.core.verification import ALPHABET, digest
from levier.enquiries.models import Channel, Direction, Enquiry, Message, Priority
from levier.journal.models import ActorKind, Event

from . import content
from .casedata import CaseDataBuilder
from .generators import CompanyRecord, DemoGenerator, PersonRecord
from .pdfs import DocumentSpec, DocumentTruth, PrintedDocument, print_documents
from .setup import DEMO_PASSWORD, DemoSetup, ensure_demo_setup
from .timeline import PARIS, after, usager_time, working_time
from .writer import RowWriter

CASE_TARGET = "cases.case"
ENQUIRY_TARGET = "enquiries.enquiry"
FINAL = frozenset({CaseStatus.ACCEPTED, CaseStatus.REFUSED, CaseStatus.CLOSED_WITHOUT_FOLLOW_UP})
OPEN = frozenset({CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.WAITING_FOR_USAGER})
MAX_POOL = 60_000  # usagers reused by cases beyond this many
SPECIMENS_PER_PROCEDURE = 16
MAX_TRUTHS = 5000
ROBOT_DOCUMENT_CHECK = "controle-pieces"
ROBOT_ROUTER = "orientation-sollicitations"
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
    chunk_size: int = 10_000  # cases generated and written per transaction
    seed: int = 2026
    departement: str | None = None
    password: str = DEMO_PASSWORD
    personal_documents: int = 600  # the N most recent cases get documents printed for them
    contacts: int | None = None  # size of the usager pool (default: from the number of cases)
    documents: bool = True
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
    example_case: tuple[str, str] | None = (
        None  # (reference, verification code) of a recent open case
    )
    example_enquiry: tuple[str, str] | None = None
    # Declared against printed values of the first documents (5,000 at most), for tests and checks.
    truths: list[tuple[str, str, DocumentTruth]] = field(default_factory=list)

    def add(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class Worker:
    id: int
    label: str
    username: str


@dataclass(slots=True)
class PoolContact:
    id: int
    kind: str  # person, entreprise, association
    record: PersonRecord | CompanyRecord
    display_name: str
    siret: str
    email: str
    folded: str  # fold(name siret email): the usager's part of search_text


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
    steps: list[tuple[datetime.datetime, str, str, str]] = field(
        default_factory=list
    )  # when, from, to, reason
    reads: list[datetime.datetime] = field(default_factory=list)
    comments: list[tuple[datetime.datetime, Worker, str, list[Worker]]] = field(
        default_factory=list
    )


def _chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(total, start + size)


class Seeder:
    """Loads the demo: `Seeder(SeedOptions(...)).run()`; see `levier seed --help`."""

    def __init__(self, options: SeedOptions, *, out: Callable[[str], None] = print):
        self.options = options
        self.out = out
        self.rng = random.Random(
            f"levier-demo-{options.seed}"
        )  # a stream apart from the generator's
        self.now = timezone.now()
        self.generator = DemoGenerator(
            options.seed, departement=options.departement, today=timezone.localdate(self.now)
        )
        self.builder = CaseDataBuilder(self.generator)
        self.writer = RowWriter(batch_size=options.batch_size, use_copy=options.use_copy)
        self.references: dict[tuple[str, int], int] = {}
        self.pool: dict[str, list[PoolContact]] = {}
        self.next_contact: dict[str, int] = {}
        self.specimens: dict[str, list[tuple[dict, list[PrintedDocument]]]] = {}
        self.stored_files: set[str] = set()
        self.cases_of_contact: dict[
            int, tuple[str, str, str]
        ] = {}  # contact -> (reference, procedure, amount)
        self.setup: DemoSetup | None = None
        self.report: SeedReport | None = None
        self.workers: dict[
            int, tuple[list[Worker], list[int]]
        ] = {}  # team id -> (workers, cumulative weights)
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
        self.report.seconds = time.perf_counter() - started
        return self.report

    def prepare(self) -> None:
        self.setup = ensure_demo_setup(password=self.options.password)
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
            for start, end in _chunks(size, self.options.chunk_size):
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
        days = self.options.window_days or (540 if self.options.cases <= 50_000 else 1095)
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
        return {
            "occurred_at": moment,
            "actor_kind": ActorKind.AGENT,
            "actor_id": str(worker.id),
            "actor_label": worker.label,
            "verb": verb,
            "target_type": target_type,
            "target_id": target_id,
            "activity_code": activity,
            "automated": False,
            "duration_seconds": self.seconds.get(activity) if activity else None,
            "payload": payload,
        }

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
            decided = 0.85
        else:
            decided = 0.97
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

    def build_specimens(self) -> None:
        """A few dozen documents shared by older cases, printed once."""
        specs, owners = [], []
        today = timezone.localdate(self.now)
        for entry in content.PROCEDURES:
            for _ in range(SPECIMENS_PER_PROCEDURE):
                data, doc_specs = self.builder.build(
                    entry["slug"], self.new_record(entry["contact_kind"]), today
                )
                owners.append((entry["slug"], data, len(doc_specs)))
                specs.extend(doc_specs)
        printed = iter(print_documents(specs))
        for slug, data, count in owners:
            self.specimens.setdefault(slug, []).append(
                (data, [next(printed) for _ in range(count)])
            )

    def specimen_for(self, slug: str, data: dict) -> list[PrintedDocument]:
        """Shared documents for an older case; the case declares the amounts they print."""
        if not self.specimens:
            self.build_specimens()
        specimen_data, documents = self.rng.choice(self.specimens[slug])
        for name in VALUE_FIELDS[slug]:
            data[name] = specimen_data[name]
        return documents

    def plan_case(self, index: int, total: int) -> CasePlan:
        rng, setup, options = self.rng, self.setup, self.options
        window = self.window()
        entry = rng.choices(content.PROCEDURES, cum_weights=(35, 85, 100))[0]
        slug = entry["slug"]
        procedure, version = setup.procedures[slug], setup.versions[slug]
        contact = self.pick_contact(entry["contact_kind"])
        submitted = usager_time(self.now - window + window * ((index + rng.random()) / total), rng)
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
                documents = self.specimen_for(slug, data)
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
            events.append(
                self.agent_event(
                    assignee,
                    moment,
                    "transition",
                    CASE_TARGET,
                    target_id,
                    activity,
                    {"from": from_status, "to": to_status, "reason": reason},
                )
            )
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
        for start, end in _chunks(options.cases, options.chunk_size):
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
            writer.insert(Event, event_rows, need_ids=False)
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

    # -- enquiries ----------------------------------------------------------------------

    def create_enquiries(self) -> None:
        options = self.options
        bar = self.progress(options.enquiries, "sollicitations", "Sollicitations")
        for start, end in _chunks(options.enquiries, options.chunk_size):
            plans = [self.plan_enquiry(index, options.enquiries) for index in range(start, end)]
            self.write_enquiries(plans)
            bar.update(end - start)
        self.writer.drain()
        bar.close()

    def plan_enquiry(self, index: int, total: int) -> dict[str, Any]:
        rng, setup, now = self.rng, self.setup, self.now
        topic_entry = rng.choices(content.TOPICS, weights=[t["weight"] for t in content.TOPICS])[0]
        window = min(self.window(), datetime.timedelta(days=365))
        created = usager_time(now - window + window * ((index + rng.random()) / total), rng)
        created = min(created, now - datetime.timedelta(minutes=rng.randint(2, 300)))
        kinds = [kind for kind in self.pool if self.pool[kind]]
        kind = rng.choices(kinds, weights=[4 if k == "person" else 1 for k in kinds])[0]
        contact = rng.choice(self.pool[kind])
        case_info = self.cases_of_contact.get(contact.id)
        if case_info is None and topic_entry["slug"] != "information-generale":
            topic_entry = content.TOPICS[-1]  # no case to talk about: a general question
        topic = setup.topics[topic_entry["slug"]]
        subject, body = rng.choice(content.ENQUIRY_TEMPLATES[topic_entry["slug"]])
        procedure_name = case_info[1] if case_info else rng.choice(content.PROCEDURES)["name"]
        amount = case_info[2] if case_info else ""
        values = {
            "reference": case_info[0] if case_info else "",
            "procedure": procedure_name,
            "procedure_lower": procedure_name[:1].lower() + procedure_name[1:],
            "amount": f"{amount} €".replace(".", ",") if amount else "l'aide",
            "signature": contact.display_name,
        }
        subject, body = subject.format(**values), body.format(**values)
        team, routed = topic.team, False
        if case_info and topic_entry["slug"] == "pieces-justificatives":
            prefix = case_info[0].split("-", 1)[0]
            procedure = next(p for p in setup.procedures.values() if p.reference_prefix == prefix)
            if procedure.team_id != team.pk:
                team = next(t for t in setup.teams.values() if t.pk == procedure.team_id)
                routed = True
        sla = topic.sla_hours
        if (now - created).total_seconds() / 3600 < sla:
            status = rng.choices(
                ("new", "open", "waiting_for_usager", "closed"), weights=(40, 30, 15, 15)
            )[0]
        else:
            status = rng.choices(
                ("new", "open", "waiting_for_usager", "closed"), weights=(2, 4, 4, 90)
            )[0]
        channel = rng.choices(
            (Channel.EMAIL, Channel.PORTAL, Channel.PHONE, Channel.COUNTER, Channel.ASSISTANT),
            weights=(40, 35, 15, 5, 5),
        )[0]
        if topic_entry["slug"] == "reclamation":
            priority = Priority.HIGH
        else:
            priority = rng.choices(
                (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT),
                weights=(10, 72, 14, 4),
            )[0]
        reference = self.next_reference("SOL", created)
        code, verification_digest = self.verification(reference)
        if status != "closed":
            self.report.example_enquiry = (reference, code)
        row = {
            "reference": reference,
            "channel": channel,
            "topic_id": topic.pk,
            "subject": subject[:200],
            "status": status,
            "priority": priority,
            "team_id": team.pk,
            "assignee_id": None,
            "contact_id": contact.id,
            "created_at": created,
            "sla_due_at": created + datetime.timedelta(hours=sla),
            "closed_at": None,
            "updated_at": created,
            "verification_digest": verification_digest,
            "search_text": fold(f"{reference} {subject} {contact.display_name} {contact.email}"),
        }
        # Messages (when, direction, author, body) and journal steps (when, verb, actor, activity, payload).
        receiver = (
            self.pick_worker(team.pk) if channel in {Channel.PHONE, Channel.COUNTER} else None
        )
        messages: list[tuple] = [(created, Direction.IN, None, body)]
        steps: list[tuple] = [
            (
                created,
                "create",
                receiver,
                "register-enquiry",
                {
                    "reference": reference,
                    "channel": channel,
                    "topic": topic.slug,
                    "team_id": team.pk,
                    "attachments": 0,
                },
            )
        ]
        last = created
        if channel == Channel.EMAIL:
            last = created + datetime.timedelta(seconds=rng.randint(5, 90))
            steps.append(
                (last, "classify", ROBOT_ROUTER, "classify-enquiry", {"topic": topic.slug})
            )
        if routed:
            last = last + datetime.timedelta(seconds=rng.randint(1, 30))
            steps.append((last, "route", ROBOT_ROUTER, "route-enquiry", {"team_id": team.pk}))
        if status != "new":
            assignee = self.pick_worker(team.pk)
            lead = self.leads.get(team.pk)
            by = lead if lead is not None and rng.random() < 0.4 else assignee
            last = after(last, hours=rng.uniform(0.2, min(sla, 48)), rng=rng, now=now)
            steps.append(
                (
                    last,
                    "assign",
                    by,
                    "assign-enquiry",
                    {"from": None, "to": assignee.id, "to_label": assignee.label},
                )
            )
            row["assignee_id"] = assignee.id
            if status in {"waiting_for_usager", "closed"}:
                exchanges = 1 if status == "waiting_for_usager" or rng.random() < 0.7 else 2
                current = "open"
                for exchange in range(exchanges):
                    last = after(last, hours=rng.uniform(0.5, sla * 0.8), rng=rng, now=now)
                    close = status == "closed" and exchange == exchanges - 1
                    reply = rng.choice(content.AGENT_REPLIES).format(
                        agent=assignee.label, team=team.name
                    )
                    messages.append((last, Direction.OUT, assignee, reply))
                    to = "closed" if close else "waiting_for_usager"
                    steps.append(
                        (
                            last,
                            "reply",
                            assignee,
                            "answer-enquiry",
                            {
                                "message_index": len(messages) - 1,
                                "from": current,
                                "to": to,
                                "close": close,
                            },
                        )
                    )
                    current = to
                    if exchange < exchanges - 1:
                        last = after(last, hours=rng.uniform(2, 72), rng=rng, now=now, office=False)
                        follow_up = rng.choice(content.USAGER_FOLLOW_UPS).format(
                            signature=contact.display_name
                        )
                        messages.append((last, Direction.IN, None, follow_up))
                        steps.append(
                            (
                                last,
                                "usager-message",
                                contact,
                                "",
                                {
                                    "message_index": len(messages) - 1,
                                    "from": current,
                                    "to": "open",
                                    "attachments": 0,
                                },
                            )
                        )
                        current = "open"
                if status == "closed":
                    row["closed_at"] = last
        row["updated_at"] = last
        return {"row": row, "messages": messages, "steps": steps, "contact": contact}

    def write_enquiries(self, plans: list[dict[str, Any]]) -> None:
        writer, report = self.writer, self.report
        with writer.unit():
            enquiry_ids = writer.insert(Enquiry, [plan["row"] for plan in plans])
            message_rows = [
                {
                    "enquiry_id": enquiry_id,
                    "direction": direction,
                    "author_agent_id": author.id if author else None,
                    "body": body,
                    "created_at": moment,
                }
                for enquiry_id, plan in zip(enquiry_ids, plans, strict=True)
                for moment, direction, author, body in plan["messages"]
            ]
            message_ids = iter(writer.insert(Message, message_rows))
            event_rows = []
            for enquiry_id, plan in zip(enquiry_ids, plans, strict=True):
                ids = [next(message_ids) for _ in plan["messages"]]
                if self.options.journal:
                    event_rows.extend(self.enquiry_events(plan, enquiry_id, ids))
            writer.insert(Event, event_rows, need_ids=False)
        report.add("enquiries", len(plans))
        report.add("messages", len(message_rows))
        report.add("events", len(event_rows))

    def enquiry_events(
        self, plan: dict[str, Any], enquiry_id: int, message_ids: list[int]
    ) -> list[dict]:
        contact, target_id, events = plan["contact"], str(enquiry_id), []
        for moment, verb, actor, activity, payload in plan["steps"]:
            if "message_index" in payload:
                payload = {
                    "message_id": message_ids[payload["message_index"]],
                    **{k: v for k, v in payload.items() if k != "message_index"},
                }
            if isinstance(actor, Worker):
                events.append(
                    self.agent_event(
                        actor, moment, verb, ENQUIRY_TARGET, target_id, activity, payload
                    )
                )
            elif isinstance(actor, str):
                events.append(
                    self.other_event(
                        ActorKind.ROBOT,
                        actor,
                        actor,
                        moment,
                        verb,
                        ENQUIRY_TARGET,
                        target_id,
                        activity,
                        payload,
                    )
                )
            else:
                events.append(
                    self.other_event(
                        ActorKind.USAGER,
                        str(contact.id),
                        contact.display_name,
                        moment,
                        verb,
                        ENQUIRY_TARGET,
                        target_id,
                        activity,
                        payload,
                    )
                )
        return events


def seed(**options: Any) -> SeedReport:
    """Load the demo with `SeedOptions` given as keyword arguments."""
    return Seeder(SeedOptions(**options)).run()

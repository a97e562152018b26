"""Bulk loading of demo data: contacts, cases, documents, comments, enquiries, journal.

The demo database is loaded in chunks (10,000 cases by default): each chunk is
generated in memory, written with `bulk_create` in one transaction, and dropped,
so memory stays flat whether one loads 2,000 cases on SQLite or 1,000,000 on
PostgreSQL. Usagers come from a bounded pool that cases and enquiries reuse.

Rows are written as levier's services would write them (same statuses, verbs,
activity codes, payloads, search_text and verification digest), but without
calling the services one by one: the demo loads in seconds instead of hours.
Journal events are inserted with `bulk_create`, which the append-only journal
accepts (it refuses updates and deletes, not inserts).
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
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from levier.cases.models import Case, CaseStatus, Comment, SupportingDocument
from levier.contacts.models import Contact
from levier.core.models import Agent
from levier.core.text import fold
from levier.core.verification import ALPHABET, digest
from levier.enquiries.models import Channel, Direction, Enquiry, EnquiryStatus, Message, Priority
from levier.journal.models import ActorKind, Event

from . import content
from .casedata import CaseDataBuilder
from .generators import CompanyRecord, DemoGenerator, PersonRecord
from .pdfs import DocumentSpec, DocumentTruth, PrintedDocument, print_documents
from .setup import DEMO_PASSWORD, DemoSetup, ensure_demo_setup
from .timeline import PARIS, after, usager_time, working_time

CASE_TARGET = "cases.case"
ENQUIRY_TARGET = "enquiries.enquiry"
FINAL = {CaseStatus.ACCEPTED, CaseStatus.REFUSED, CaseStatus.CLOSED_WITHOUT_FOLLOW_UP}
OPEN = {CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.WAITING_FOR_USAGER}
MAX_POOL = 60_000  # usagers reused by cases beyond this many
SPECIMENS_PER_PROCEDURE = 16
ROBOT_DOCUMENT_CHECK = "controle-pieces"
ROBOT_ROUTER = "orientation-sollicitations"
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
    batch_size: int = 1000  # rows per INSERT
    chunk_size: int = 10_000  # cases generated and written per transaction
    seed: int = 2026
    departement: str | None = None
    password: str = DEMO_PASSWORD
    personal_documents: int = 600  # the N most recent cases get documents printed for them
    contacts: int | None = None  # size of the usager pool (default: from the number of cases)
    documents: bool = True
    journal: bool = True
    progress: bool = True
    window_days: int | None = None  # how far back the history goes


@dataclass
class SeedReport:
    setup: DemoSetup
    skipped: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    example_case: tuple[str, str] | None = None  # (reference, verification code) of an open case
    example_enquiry: tuple[str, str] | None = None
    # Document truth of the first cases (at most 5,000), for tests and demos of document checks.
    truths: list[tuple[str, str, DocumentTruth]] = field(default_factory=list)

    def add(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count


@dataclass(slots=True)
class PoolContact:
    id: int
    kind: str  # person, entreprise, association
    record: PersonRecord | CompanyRecord
    display_name: str
    siret: str
    email: str


@dataclass(slots=True)
class CasePlan:
    case: Case
    contact: PoolContact
    slug: str
    documents: list[PrintedDocument] = field(default_factory=list)
    specs: list[DocumentSpec] = field(default_factory=list)
    robot_check: datetime.datetime | None = None
    assignment: tuple[datetime.datetime, Agent] | None = None  # when, by whom
    steps: list[tuple[datetime.datetime, str, str, str]] = field(default_factory=list)  # when, from, to, reason
    reads: list[datetime.datetime] = field(default_factory=list)
    comments: list[tuple[datetime.datetime, Agent, str, list[Agent]]] = field(default_factory=list)


def _chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(total, start + size)


class Seeder:
    """Loads the demo. `Seeder(SeedOptions(...)).run()`; see `levier seed --help`."""

    def __init__(self, options: SeedOptions, *, out: Callable[[str], None] = print):
        self.options = options
        self.out = out
        self.rng = random.Random(options.seed)
        self.now = timezone.now()
        self.generator = DemoGenerator(options.seed, departement=options.departement,
                                       today=timezone.localdate(self.now))
        self.builder = CaseDataBuilder(self.generator)
        self.references: dict[tuple[str, int], int] = {}
        self.pool: dict[str, list[PoolContact]] = {}
        self.next_contact: dict[str, int] = {}
        self.specimens: dict[str, list[tuple[dict, list[PrintedDocument]]]] = {}
        self.stored_files: set[str] = set()
        self.cases_of_contact: dict[int, tuple[str, str, str]] = {}  # contact id -> (reference, procedure, amount)
        self.setup: DemoSetup | None = None
        self.report: SeedReport | None = None

    # -- entry point ------------------------------------------------------------

    def run(self) -> SeedReport:
        started = time.perf_counter()
        options = self.options
        self.setup = ensure_demo_setup(password=options.password)
        self.report = SeedReport(setup=self.setup)
        if self.already_seeded():
            self.report.skipped = True
            self.report.seconds = time.perf_counter() - started
            return self.report
        self.create_contacts()
        if options.cases:
            self.create_cases()
        if options.enquiries:
            self.create_enquiries()
        self.report.seconds = time.perf_counter() - started
        return self.report

    def already_seeded(self) -> bool:
        setup = self.setup
        return (
            Case.objects.filter(procedure__in=setup.procedures.values()).exists()
            or Enquiry.objects.filter(topic__in=setup.topics.values()).exists()
        )

    def progress(self, total: int, unit: str, desc: str) -> tqdm:
        return tqdm(total=total, unit=f" {unit}", desc=desc, disable=not self.options.progress,
                    dynamic_ncols=True, leave=True)

    # -- usagers ------------------------------------------------------------------

    def pool_sizes(self) -> dict[str, int]:
        options = self.options
        if options.contacts:
            total = options.contacts
        else:
            total = min(MAX_POOL, max(30, int(options.cases * 0.85)) + int(options.enquiries * 0.3))
        weights = {entry["contact_kind"]: entry["weight"] for entry in content.PROCEDURES}
        case_share = options.cases / max(1, options.cases + options.enquiries * 0.3)
        sizes = {kind: max(3, int(total * case_share * weight / 100)) for kind, weight in weights.items()}
        sizes["person"] += max(3, total - sum(sizes.values()))
        return sizes

    def _new_record(self, kind: str) -> PersonRecord | CompanyRecord:
        if kind == "person":
            return self.generator.person()
        if kind == "association":
            return self.generator.association()
        return self.generator.company()

    def create_contacts(self) -> None:
        sizes = self.pool_sizes()
        bar = self.progress(sum(sizes.values()), "usagers", "Usagers")
        batch = self.options.chunk_size
        for kind, size in sizes.items():
            self.pool[kind] = []
            self.next_contact[kind] = 0
            for start, end in _chunks(size, batch):
                records = [self._new_record(kind) for _ in range(end - start)]
                contacts = [Contact(**record.contact_fields(), created_at=self.now) for record in records]
                with transaction.atomic():
                    Contact.objects.bulk_create(contacts, batch_size=self.options.batch_size)
                for contact, record in zip(contacts, records, strict=True):
                    self.pool[kind].append(PoolContact(contact.pk, kind, record, record.display_name,
                                                       contact.siret, contact.email))
                bar.update(end - start)
                self.report.add("contacts", end - start)
        bar.close()

    def pick_contact(self, kind: str) -> PoolContact:
        """Each usager of the pool once, in order; then anyone again (some usagers file many cases)."""
        pool = self.pool[kind]
        position = self.next_contact[kind]
        if position < len(pool):
            self.next_contact[kind] = position + 1
            return pool[position]
        return self.rng.choice(pool)

    # -- cases ----------------------------------------------------------------------

    def window(self) -> datetime.timedelta:
        days = self.options.window_days or (540 if self.options.cases <= 50_000 else 1095)
        return datetime.timedelta(days=days)

    def next_reference(self, prefix: str, moment: datetime.datetime) -> str:
        year = moment.astimezone(PARIS).year
        number = self.references.get((prefix, year), 0) + 1
        self.references[(prefix, year)] = number
        return f"{prefix}-{year}-{number:06d}"

    def verification(self, reference: str) -> tuple[str, str]:
        code = "".join(self.rng.choice(ALPHABET) for _ in range(8))
        return code, digest(reference, code)

    def pick_agent(self, team_id: int) -> Agent:
        people = self.setup.members[team_id]
        return self.rng.choices([agent for agent, _w in people], weights=[w for _a, w in people])[0]

    def colleague_of(self, agent: Agent, team_id: int) -> Agent | None:
        others = [other for other, _w in self.setup.members[team_id] if other.pk != agent.pk]
        return self.rng.choice(others) if others else None

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
            return rng.choices((CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW), weights=(85, 15))[0]
        return rng.choices((CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.WAITING_FOR_USAGER),
                           weights=(30, 55, 15))[0]

    def build_specimens(self) -> None:
        """A few dozen shared documents for the older cases, printed once."""
        specs, owners = [], []
        today = timezone.localdate(self.now)
        for entry in content.PROCEDURES:
            for _ in range(SPECIMENS_PER_PROCEDURE):
                data, doc_specs = self.builder.build(entry["slug"], self._new_record(entry["contact_kind"]), today)
                owners.append((entry["slug"], data, len(doc_specs)))
                specs.extend(doc_specs)
        printed = iter(print_documents(specs))
        for slug, data, count in owners:
            self.specimens.setdefault(slug, []).append((data, [next(printed) for _ in range(count)]))

    def specimen_for(self, slug: str, data: dict) -> list[PrintedDocument]:
        """Shared documents for an older case; the case declares the amounts they print."""
        specimen_data, documents = self.rng.choice(self.specimens[slug])
        value_fields = {
            "aide-petites-entreprises": ("project_cost", "amount_requested"),
            "aide-logement": ("household_size", "reference_tax_income"),
            "subvention-associations": ("project_budget", "amount_requested", "other_funding"),
        }[slug]
        for name in value_fields:
            data[name] = specimen_data[name]
        return documents

    def store(self, document: PrintedDocument) -> str:
        name = document.storage_name
        if name not in self.stored_files:
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(document.content))
            self.stored_files.add(name)
        return name

    def plan_case(self, index: int, total: int) -> CasePlan:
        rng, setup = self.rng, self.setup
        window = self.window()
        entry = rng.choices(content.PROCEDURES, weights=[p["weight"] for p in content.PROCEDURES])[0]
        slug = entry["slug"]
        procedure, version = setup.procedures[slug], setup.versions[slug]
        contact = self.pick_contact(entry["contact_kind"])
        offset = (index + rng.random()) / total
        submitted = usager_time(self.now - window + window * offset, rng)
        submitted = min(submitted, self.now - datetime.timedelta(minutes=rng.randint(5, 600)))
        data, specs = self.builder.build(slug, contact.record, submitted.astimezone(PARIS).date())
        personal = index >= total - self.options.personal_documents
        mismatching = any(not spec.truth().matches for spec in specs) if personal else False
        age_days = (self.now - submitted).total_seconds() / 86400
        status = self.choose_status(age_days, procedure.instruction_days, mismatching)
        if status in OPEN or status == CaseStatus.DRAFT:
            personal = True  # what agents open in their queues always has its own documents
        documents: list[PrintedDocument] = []
        if not self.options.documents:
            specs = []
        elif not personal:
            if not self.specimens:
                self.build_specimens()
            documents = self.specimen_for(slug, data)
            specs = []
        if status == CaseStatus.DRAFT and rng.random() < 0.5:
            specs = []  # the usager has not uploaded anything yet
        reference = self.next_reference(procedure.reference_prefix, submitted)
        code, verification_digest = self.verification(reference)
        case = Case(
            reference=reference,
            procedure=procedure,
            procedure_version=version,
            contact_id=contact.id,
            team_id=procedure.team_id,
            status=status,
            data=data,
            created_at=submitted - datetime.timedelta(minutes=rng.randint(4, 90)),
            submitted_at=None if status == CaseStatus.DRAFT else submitted,
            due_at=None if status == CaseStatus.DRAFT else submitted + datetime.timedelta(days=procedure.instruction_days),
            updated_at=submitted,
            verification_digest=verification_digest,
            search_text=fold(f"{reference} {contact.display_name} {contact.siret} {contact.email}"),
        )
        plan = CasePlan(case=case, contact=contact, slug=slug, documents=documents, specs=specs)
        if status != CaseStatus.DRAFT:
            self.plan_instruction(plan, procedure.instruction_days)
            amount = data.get("amount_requested") or data.get("monthly_rent") or ""
            self.cases_of_contact[contact.id] = (reference, procedure.name, amount)
            if status in OPEN and (self.report.example_case is None or rng.random() < 0.01):
                self.report.example_case = (reference, code)
        return plan

    def plan_instruction(self, plan: CasePlan, instruction_days: int) -> None:
        """Who did what on the case, and when, down to its current status."""
        rng, case, now = self.rng, plan.case, self.now
        status, submitted, team_id = case.status, case.submitted_at, case.team_id
        last = submitted
        if (plan.documents or plan.specs) and rng.random() < 0.7:
            plan.robot_check = submitted + datetime.timedelta(minutes=rng.randint(1, 20))
            plan.robot_check = min(plan.robot_check, now - datetime.timedelta(seconds=30))
        assigned = status != CaseStatus.SUBMITTED or rng.random() < 0.35
        if not assigned:
            return
        assignee = self.pick_agent(team_id)
        lead = self.setup.leads.get(team_id)
        by = lead if lead is not None and rng.random() < 0.5 else assignee
        last = after(last, hours=rng.uniform(2, 96), rng=rng, now=now)
        plan.assignment = (last, by)
        case.assignee = assignee
        if status == CaseStatus.SUBMITTED:
            case.updated_at = last
            return
        last = after(last, hours=rng.uniform(0.5, 72), rng=rng, now=now)
        plan.steps.append((last, CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, ""))
        plan.reads.append(last)
        went_waiting = status == CaseStatus.WAITING_FOR_USAGER or (status in FINAL and rng.random() < 0.2)
        if rng.random() < 0.22:
            colleague = self.colleague_of(assignee, team_id)
            body = rng.choice(content.COMMENTS)
            mentions = []
            if "{colleague}" in body:
                if colleague is None:
                    body = body.replace("@{colleague} ", "")
                else:
                    body = body.replace("{colleague}", colleague.username)
                    mentions = [colleague]
            last = after(last, hours=rng.uniform(0.1, 24), rng=rng, now=now)
            plan.comments.append((last, assignee, body, mentions))
        if went_waiting:
            reason = rng.choice(WAITING_REASONS)
            last = after(last, hours=rng.uniform(1, 120), rng=rng, now=now)
            plan.steps.append((last, CaseStatus.IN_REVIEW, CaseStatus.WAITING_FOR_USAGER, reason))
            case.status_reason = reason
            if status == CaseStatus.WAITING_FOR_USAGER:
                case.updated_at = last
                return
            last = after(last, hours=rng.uniform(24, 480), rng=rng, now=now)
            plan.steps.append((last, CaseStatus.WAITING_FOR_USAGER, CaseStatus.IN_REVIEW, ""))
            case.status_reason = ""
            plan.reads.append(last)
        if status in FINAL:
            target = submitted + datetime.timedelta(days=instruction_days * rng.uniform(0.3, 1.3))
            decided = working_time(max(target, last + datetime.timedelta(hours=1)), rng)
            decided = min(decided, now - datetime.timedelta(minutes=rng.randint(1, 60)))
            decided = max(decided, last + datetime.timedelta(seconds=1))
            if status == CaseStatus.REFUSED:
                reason = rng.choice(content.REFUSAL_REASONS[plan.slug])
            elif status == CaseStatus.CLOSED_WITHOUT_FOLLOW_UP:
                reason = rng.choice(CLOSING_REASONS)
            else:
                reason = ""
            plan.reads.append(decided - datetime.timedelta(minutes=rng.randint(5, 40)))
            plan.steps.append((decided, CaseStatus.IN_REVIEW, status, reason))
            case.status_reason = reason
            case.decided_at = decided
            last = decided
        case.updated_at = last

    def case_events(self, plan: CasePlan, documents: list[SupportingDocument],
                    comments: list[Comment]) -> list[Event]:
        case, contact, seconds = plan.case, plan.contact, self.setup.standard_seconds
        if case.status == CaseStatus.DRAFT:
            return []
        target_id = str(case.pk)
        events = [Event(
            occurred_at=case.submitted_at, actor_kind=ActorKind.USAGER, actor_id=str(contact.id),
            actor_label=contact.display_name[:200], verb="submit", target_type=CASE_TARGET, target_id=target_id,
            activity_code="register-case", duration_seconds=seconds.get("register-case"),
            payload={"reference": case.reference, "procedure": plan.slug, "version": 1,
                     "documents": len(documents)},
        )]
        if plan.robot_check is not None:
            for document in documents:
                events.append(Event(
                    occurred_at=plan.robot_check, actor_kind=ActorKind.ROBOT, actor_id=ROBOT_DOCUMENT_CHECK,
                    actor_label=ROBOT_DOCUMENT_CHECK, verb="check-document", target_type=CASE_TARGET,
                    target_id=target_id, activity_code="check-supporting-document", automated=True,
                    duration_seconds=seconds.get("check-supporting-document"),
                    payload={"document": document.pk, "field": document.field_name},
                ))
        if plan.assignment is not None:
            moment, by = plan.assignment
            events.append(self._agent_event(by, moment, "assign", target_id, "assign-case", {
                "from": None, "to": case.assignee.pk, "to_label": str(case.assignee)}))
        for moment, from_status, to_status, reason in plan.steps:
            activity = "decide-case" if to_status in FINAL else "change-case-status"
            events.append(self._agent_event(case.assignee, moment, "transition", target_id, activity,
                                            {"from": from_status, "to": to_status, "reason": reason}))
        for moment in plan.reads:
            events.append(self._agent_event(case.assignee, moment, "read", target_id, "consult-personal-data",
                                            {"what": "case"}))
        for comment, (_moment, _author, _body, mentions) in zip(comments, plan.comments, strict=True):
            events.append(self._agent_event(comment.author, comment.created_at, "comment", target_id,
                                            "comment-case", {"comment": comment.pk,
                                                             "mentions": [a.username for a in mentions]}))
        return events

    def _agent_event(self, agent: Agent, moment: datetime.datetime, verb: str, target_id: str, activity: str,
                     payload: dict, target_type: str = CASE_TARGET) -> Event:
        return Event(
            occurred_at=moment, actor_kind=ActorKind.AGENT, actor_id=str(agent.pk), actor_label=str(agent)[:200],
            verb=verb, target_type=target_type, target_id=target_id, activity_code=activity,
            duration_seconds=self.setup.standard_seconds.get(activity) if activity else None, payload=payload,
        )

    def create_cases(self) -> None:
        options, report = self.options, self.report
        bar = self.progress(options.cases, "dossiers", "Dossiers")
        for start, end in _chunks(options.cases, options.chunk_size):
            plans = [self.plan_case(index, options.cases) for index in range(start, end)]
            specs = [spec for plan in plans for spec in plan.specs]
            printed = iter(print_documents(specs)) if specs else iter(())
            for plan in plans:
                plan.documents = plan.documents + [next(printed) for _ in plan.specs]
            self.write_cases(plans)
            bar.update(end - start)
        bar.close()

    def write_cases(self, plans: list[CasePlan]) -> None:
        batch_size, report = self.options.batch_size, self.report
        with transaction.atomic():
            Case.objects.bulk_create([plan.case for plan in plans], batch_size=batch_size)
            documents_of: list[list[SupportingDocument]] = []
            all_documents = []
            for plan in plans:
                rows = []
                for document in plan.documents:
                    rows.append(SupportingDocument(
                        case_id=plan.case.pk, field_name=document.field_name, file=self.store(document),
                        original_name=document.original_name, content_type=document.content_type,
                        size=document.size, sha256=document.sha256, page_count=document.page_count,
                        uploaded_at=plan.case.submitted_at or plan.case.created_at,
                    ))
                    if len(report.truths) < 5000:
                        report.truths.append((plan.case.reference, document.field_name,
                                              self._truth_for(plan, document)))
                documents_of.append(rows)
                all_documents.extend(rows)
            SupportingDocument.objects.bulk_create(all_documents, batch_size=batch_size)
            comments_of: list[list[Comment]] = []
            all_comments = []
            for plan in plans:
                rows = [Comment(case_id=plan.case.pk, author=author, body=body, created_at=moment)
                        for moment, author, body, _mentions in plan.comments]
                comments_of.append(rows)
                all_comments.extend(rows)
            Comment.objects.bulk_create(all_comments, batch_size=batch_size)
            Mention = Comment.mentions.through
            mentions = [
                Mention(comment_id=comment.pk, agent_id=agent.pk)
                for plan, rows in zip(plans, comments_of, strict=True)
                for comment, (_m, _a, _b, agents) in zip(rows, plan.comments, strict=True)
                for agent in agents
            ]
            Mention.objects.bulk_create(mentions, batch_size=batch_size)
            events = 0
            if self.options.journal:
                journal = [
                    event
                    for plan, docs, comments in zip(plans, documents_of, comments_of, strict=True)
                    for event in self.case_events(plan, docs, comments)
                ]
                Event.objects.bulk_create(journal, batch_size=batch_size)
                events = len(journal)
        report.add("cases", len(plans))
        report.add("documents", len(all_documents))
        report.add("comments", len(all_comments))
        report.add("events", events)

    @staticmethod
    def _truth_for(plan: CasePlan, document: PrintedDocument) -> DocumentTruth:
        """What the case declares against what its document prints (shared documents included)."""
        truth = document.truth
        declared = plan.case.data.get(truth.field)
        if truth.field == "siren":
            declared = (plan.case.data.get("siret") or "")[:9]
        return DocumentTruth(truth.kind, truth.field, str(declared), truth.printed)

    # -- enquiries ----------------------------------------------------------------

    def create_enquiries(self) -> None:
        options = self.options
        bar = self.progress(options.enquiries, "sollicitations", "Sollicitations")
        for start, end in _chunks(options.enquiries, options.chunk_size):
            plans = [self.plan_enquiry(index, options.enquiries) for index in range(start, end)]
            self.write_enquiries(plans)
            bar.update(end - start)
        bar.close()

    def plan_enquiry(self, index: int, total: int) -> dict[str, Any]:
        rng, setup, now = self.rng, self.setup, self.now
        topic_entry = rng.choices(content.TOPICS, weights=[t["weight"] for t in content.TOPICS])[0]
        topic = setup.topics[topic_entry["slug"]]
        window = min(self.window(), datetime.timedelta(days=365))
        created = usager_time(now - window + window * ((index + rng.random()) / total), rng)
        created = min(created, now - datetime.timedelta(minutes=rng.randint(2, 300)))
        kinds = [kind for kind in self.pool if self.pool[kind]]
        kind = rng.choices(kinds, weights=[4 if k == "person" else 1 for k in kinds])[0]
        contact = rng.choice(self.pool[kind])
        case_info = self.cases_of_contact.get(contact.id)
        if topic_entry["slug"] in {"suivi-de-dossier", "paiement", "pieces-justificatives", "reclamation"} \
                and case_info is None:
            topic_entry = content.TOPICS[-1]  # no case to talk about: a general question
            topic = setup.topics[topic_entry["slug"]]
        subject, body = rng.choice(content.ENQUIRY_TEMPLATES[topic_entry["slug"]])
        procedure_name = case_info[1] if case_info else rng.choice(content.PROCEDURES)["name"]
        values = {
            "reference": case_info[0] if case_info else "",
            "procedure": procedure_name,
            "procedure_lower": procedure_name[:1].lower() + procedure_name[1:],
            "amount": f"{case_info[2]} €".replace(".", ",") if case_info and case_info[2] else "l'aide",
            "signature": contact.display_name,
        }
        subject, body = subject.format(**values), body.format(**values)
        team = topic.team
        routed = False
        if case_info and topic_entry["slug"] == "pieces-justificatives":
            prefix = case_info[0].split("-", 1)[0]
            procedure = next(p for p in setup.procedures.values() if p.reference_prefix == prefix)
            if procedure.team_id != team.pk:
                team = next(t for t in setup.teams.values() if t.pk == procedure.team_id)
                routed = True
        age_hours = (now - created).total_seconds() / 3600
        sla = topic_entry["sla_hours"]
        if age_hours < sla:
            status = rng.choices(("new", "open", "waiting_for_usager", "closed"), weights=(40, 30, 15, 15))[0]
        else:
            status = rng.choices(("new", "open", "waiting_for_usager", "closed"), weights=(2, 4, 4, 90))[0]
        channel = rng.choices(
            (Channel.EMAIL, Channel.PORTAL, Channel.PHONE, Channel.COUNTER, Channel.ASSISTANT),
            weights=(40, 35, 15, 5, 5))[0]
        priority = Priority.HIGH if topic_entry["slug"] == "reclamation" else rng.choices(
            (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT), weights=(10, 72, 14, 4))[0]
        year = created.astimezone(PARIS).year
        number = self.references.get(("SOL", year), 0) + 1
        self.references[("SOL", year)] = number
        reference = f"SOL-{year}-{number:06d}"
        code, verification_digest = self.verification(reference)
        if status != "closed" and (self.report.example_enquiry is None or rng.random() < 0.01):
            self.report.example_enquiry = (reference, code)
        enquiry = Enquiry(
            reference=reference, channel=channel, topic=topic, subject=subject[:200], status=status,
            priority=priority, team=team, contact_id=contact.id, created_at=created,
            sla_due_at=created + datetime.timedelta(hours=sla), updated_at=created,
            verification_digest=verification_digest,
            search_text=fold(f"{reference} {subject} {contact.display_name} {contact.email}"),
        )
        # Messages and journal, in order.
        by_agent = channel in {Channel.PHONE, Channel.COUNTER}
        receiver = self.pick_agent(team.pk) if by_agent else None
        messages = [(created, Direction.IN, None, body)]
        steps: list[tuple] = [(created, "create", receiver, "register-enquiry", {
            "reference": reference, "channel": channel, "topic": topic.slug, "team_id": team.pk,
            "attachments": 0})]
        last = created
        if channel == Channel.EMAIL:
            last = created + datetime.timedelta(seconds=rng.randint(5, 90))
            steps.append((last, "classify", ROBOT_ROUTER, "classify-enquiry", {"topic": topic.slug}))
        if routed:
            last = last + datetime.timedelta(seconds=rng.randint(1, 30))
            steps.append((last, "route", ROBOT_ROUTER, "route-enquiry", {"team_id": team.pk}))
        if status != "new":
            assignee = self.pick_agent(team.pk)
            lead = setup.leads.get(team.pk)
            by = lead if lead is not None and rng.random() < 0.4 else assignee
            last = after(last, hours=rng.uniform(0.2, min(sla, 48)), rng=rng, now=now)
            steps.append((last, "assign", by, "assign-enquiry",
                          {"from": None, "to": assignee.pk, "to_label": str(assignee)}))
            enquiry.assignee = assignee
            if status in {"waiting_for_usager", "closed"}:
                exchanges = 1 if status == "waiting_for_usager" or rng.random() < 0.7 else 2
                current = "open"
                for exchange in range(exchanges):
                    last = after(last, hours=rng.uniform(0.5, sla * 0.8), rng=rng, now=now)
                    close = status == "closed" and exchange == exchanges - 1
                    reply = rng.choice(content.AGENT_REPLIES).format(agent=str(assignee), team=team.name)
                    messages.append((last, Direction.OUT, assignee, reply))
                    to = "closed" if close else "waiting_for_usager"
                    steps.append((last, "reply", assignee, "answer-enquiry",
                                  {"message_index": len(messages) - 1, "from": current, "to": to, "close": close}))
                    current = to
                    if not close and exchange < exchanges - 1:
                        last = after(last, hours=rng.uniform(2, 72), rng=rng, now=now, office=False)
                        follow_up = rng.choice(content.USAGER_FOLLOW_UPS).format(signature=contact.display_name)
                        messages.append((last, Direction.IN, None, follow_up))
                        steps.append((last, "usager-message", contact, "",
                                      {"message_index": len(messages) - 1, "from": current, "to": "open",
                                       "attachments": 0}))
                        current = "open"
                if status == "closed":
                    enquiry.closed_at = last
        enquiry.updated_at = last
        return {"enquiry": enquiry, "messages": messages, "steps": steps, "contact": contact}

    def write_enquiries(self, plans: list[dict[str, Any]]) -> None:
        batch_size, report = self.options.batch_size, self.report
        with transaction.atomic():
            Enquiry.objects.bulk_create([plan["enquiry"] for plan in plans], batch_size=batch_size)
            all_messages = []
            for plan in plans:
                rows = [Message(enquiry_id=plan["enquiry"].pk, direction=direction, author_agent=author, body=body,
                                created_at=moment)
                        for moment, direction, author, body in plan["messages"]]
                plan["message_rows"] = rows
                all_messages.extend(rows)
            Message.objects.bulk_create(all_messages, batch_size=batch_size)
            journal = []
            if self.options.journal:
                for plan in plans:
                    journal.extend(self.enquiry_events(plan))
                Event.objects.bulk_create(journal, batch_size=batch_size)
        report.add("enquiries", len(plans))
        report.add("messages", len(all_messages))
        report.add("events", len(journal))

    def enquiry_events(self, plan: dict[str, Any]) -> list[Event]:
        enquiry, contact, rows = plan["enquiry"], plan["contact"], plan["message_rows"]
        target_id, events = str(enquiry.pk), []
        for moment, verb, actor, activity, payload in plan["steps"]:
            if "message_index" in payload:
                payload = {"message_id": rows[payload["message_index"]].pk,
                           **{k: v for k, v in payload.items() if k != "message_index"}}
            if isinstance(actor, Agent):
                events.append(self._agent_event(actor, moment, verb, target_id, activity, payload, ENQUIRY_TARGET))
                continue
            if isinstance(actor, str):
                kind, actor_id, label = ActorKind.ROBOT, actor, actor
            else:
                kind, actor_id, label = ActorKind.USAGER, str(contact.id), contact.display_name
            events.append(Event(
                occurred_at=moment, actor_kind=kind, actor_id=actor_id, actor_label=label[:200], verb=verb,
                target_type=ENQUIRY_TARGET, target_id=target_id, activity_code=activity,
                automated=kind == ActorKind.ROBOT,
                duration_seconds=self.setup.standard_seconds.get(activity) if activity else None,
                payload=payload,
            ))
        return events


def seed(**options: Any) -> SeedReport:
    """Load the demo with `SeedOptions` given as keyword arguments."""
    return Seeder(SeedOptions(**options)).run()


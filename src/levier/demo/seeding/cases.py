"""Cases: planned in memory (status, documents, who did what), then written in chunks."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from levier.cases.models import Case, CaseStatus, Comment, SupportingDocument
from levier.controls.document_checks import ROBOT as DOCUMENT_CHECKER
from levier.journal.models import ActorKind, Event, EventDetail

from .. import content
from ..pdfs import DocumentSpec, DocumentTruth, PrintedDocument, print_documents
from ..plans import CASE_TARGET, PoolContact, Worker, chunks, growth
from ..timeline import PARIS, after, usager_time, working_time
from .rows import DETAIL

FINAL = frozenset({CaseStatus.ACCEPTED, CaseStatus.REFUSED, CaseStatus.CLOSED_WITHOUT_FOLLOW_UP})
OPEN = frozenset({CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.WAITING_FOR_USAGER})
SPECIMENS_PER_PROCEDURE = 8  # shared documents per procedure and year, for older cases
MAX_TRUTHS = 5000
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


class CaseLoading:
    """Plans and writes cases in chunks; mixed into `Seeder`."""

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

"""Cases: planned in memory (status, documents, who did what), then written in chunks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from levier.cases.models import Case, CaseStatus, Comment, Procedure, SupportingDocument
from levier.controls.batch_scoring import ROBOT as SCORING_ROBOT
from levier.controls.document_checks import ROBOT as DOCUMENT_CHECKER
from levier.controls.rule_checks import ROBOT as RULES_CHECKER
from levier.journal.models import ActorKind, Event, EventDetail

from .. import content
from ..pdfs import DocumentSpec, DocumentTruth, PrintedDocument, print_documents
from ..plans import CASE_TARGET, PoolContact, Worker, chunks
from ..timeline import PARIS, UTC, after, usager_time, working_time
from .history import weekly_mondays
from .rows import DETAIL

FINAL = frozenset({CaseStatus.ACCEPTED, CaseStatus.REFUSED, CaseStatus.CLOSED_WITHOUT_FOLLOW_UP})
OPEN = frozenset({CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.WAITING_FOR_USAGER})
SPECIMENS_PER_PROCEDURE = 8  # shared documents per procedure and year, for older cases
MAX_TRUTHS = 5000
ROBOT_DOCUMENT_CHECK = DOCUMENT_CHECKER.label
ROBOT_RULES = RULES_CHECKER.label
ROBOT_STATUS_EMAIL = "status-email"  # levier.documents.signals.ROBOT
ROBOT_MERGE = "mail-merge"  # levier.documents.services.mail_merge
ROBOT_CAMPAIGNS = "campaigns"  # levier.campaigns.services.ROBOT
ROBOT_SCORING = SCORING_ROBOT.label
PROCEDURE_TARGET = Procedure._meta.label_lower
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
    # Who checked the documents (a robot's name or an agent) and, per document, when the
    # check began (an agent's read of the case) and was done, and the measured seconds.
    checks: (
        tuple[Worker | str, list[tuple[datetime.datetime, datetime.datetime, int | None]]] | None
    ) = None
    assignment: tuple[datetime.datetime, Worker, int | None] | None = None  # when, by whom, seconds
    # (when, from status, to status, reason, measured seconds)
    steps: list[tuple[datetime.datetime, str, str, str, int | None]] = field(default_factory=list)
    # Agents' reads of the case page (when, who): each geste of an agent follows one.
    reads: list[tuple[datetime.datetime, Worker]] = field(default_factory=list)
    # Other gestes (when, agent or robot name, verb, activity, payload, measured seconds).
    gestes: list[tuple[datetime.datetime, Worker | str, str, str, dict, int | None]] = field(
        default_factory=list
    )
    comments: list[tuple[datetime.datetime, Worker, str, list[Worker], int | None]] = field(
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
        submitted = usager_time(self.calendar.moment(index, total, rng), rng)
        submitted = min(submitted, self.now - datetime.timedelta(minutes=rng.randint(5, 600)))
        entry = self.calendar.procedure(submitted, rng)  # by the season of each procedure
        slug = entry["slug"]
        procedure, version = setup.procedures[slug], setup.versions[slug]
        contact = self.pick_contact(entry["contact_kind"])
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
            self.case_submitted_of_contact[contact.id] = submitted
            if status in OPEN:
                self.report.example_case = (reference, code)  # the most recent open case wins
        return plan

    def on_page(
        self, plan: CasePlan, worker: Worker, start: datetime.datetime, activity: str
    ) -> tuple[datetime.datetime, int | None]:
        """An agent opens the case at `start` (a read) and does a geste: when it is done, and
        the seconds measured between the two, as levier measures them on the case page."""
        plan.reads.append((start, worker))
        seconds = self.gestes.measured(activity)
        if seconds is None:
            return start + datetime.timedelta(seconds=1), None
        room = int((self.now - start).total_seconds()) - 30  # never past now
        seconds = max(1, min(seconds, room))
        return start + datetime.timedelta(seconds=seconds), seconds

    def plan_instruction(self, plan: CasePlan, instruction_days: int) -> None:
        """Who did what on the case, and when, down to its current status.

        A geste of an automation is the robot's from the day it was switched on, an agent's
        before (see `history`); every agent's geste follows the agent's read of the case."""
        rng, row, now, gestes = self.rng, plan.row, self.now, self.gestes
        status, submitted, team_id = row["status"], row["submitted_at"], row["team_id"]
        document_count = len(plan.documents) + len(plan.specs)
        robot_checks = gestes.by_robot("document-checks", submitted)
        if robot_checks:  # on submission: the documents read and compared, the rules applied
            checked = min(
                submitted + datetime.timedelta(minutes=rng.randint(1, 20)),
                now - datetime.timedelta(seconds=30),
            )
            if document_count and rng.random() < 0.9:  # else still queued, or it failed
                plan.checks = (ROBOT_DOCUMENT_CHECK, [(checked, checked, None)] * document_count)
            rules = {"rules": {}, "failed": 0}
            moment = checked + datetime.timedelta(seconds=rng.randint(1, 9))
            plan.gestes.append(
                (moment, ROBOT_RULES, "apply-rules", "apply-control-rules", rules, None)
            )
        if status == CaseStatus.SUBMITTED and rng.random() >= 0.35:
            return  # still in the team's queue
        assignee = self.pick_worker(team_id)
        lead = self.leads.get(team_id)
        by = lead if lead is not None and rng.random() < 0.5 else assignee
        opened = after(submitted, hours=rng.uniform(2, 96), rng=rng, now=now)
        last, seconds = self.on_page(plan, by, opened, "assign-case")
        plan.assignment = (last, by, seconds)
        plan.assignee = assignee
        row["assignee_id"] = assignee.id
        row["updated_at"] = last
        if status == CaseStatus.SUBMITTED:
            return
        opened = after(last, hours=rng.uniform(0.5, 72), rng=rng, now=now)
        last, seconds = self.on_page(plan, assignee, opened, "change-case-status")
        plan.steps.append((last, CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, "", seconds))
        if document_count and plan.checks is None:
            # Before the robot (or when it missed the case): the instructor checks by hand.
            checks = []
            for _ in range(document_count):
                opened = last + datetime.timedelta(seconds=rng.randint(2, 60))
                last, seconds = self.on_page(plan, assignee, opened, "check-supporting-document")
                checks.append((opened, last, seconds))
            plan.checks = (assignee, checks)
        if not robot_checks:
            opened = last + datetime.timedelta(seconds=rng.randint(2, 60))
            last, seconds = self.on_page(plan, assignee, opened, "apply-control-rules")
            rules = {"rules": {}, "failed": 0}
            plan.gestes.append(
                (last, assignee, "apply-rules", "apply-control-rules", rules, seconds)
            )
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
            opened = after(last, hours=rng.uniform(0.1, 24), rng=rng, now=now)
            last, seconds = self.on_page(plan, assignee, opened, "comment-case")
            plan.comments.append((last, assignee, body, mentions, seconds))
        if status == CaseStatus.WAITING_FOR_USAGER or (status in FINAL and rng.random() < 0.2):
            reason = rng.choice(WAITING_REASONS)
            opened = after(last, hours=rng.uniform(1, 120), rng=rng, now=now)
            last, seconds = self.on_page(plan, assignee, opened, "change-case-status")
            plan.steps.append(
                (last, CaseStatus.IN_REVIEW, CaseStatus.WAITING_FOR_USAGER, reason, seconds)
            )
            waiting_since = last
            if status == CaseStatus.WAITING_FOR_USAGER:
                self.plan_reminder(plan, assignee, waiting_since, now)
                row["status_reason"] = reason
                row["updated_at"] = last
                return
            opened = after(last, hours=rng.uniform(24, 480), rng=rng, now=now)
            self.plan_reminder(plan, assignee, waiting_since, opened)
            last, seconds = self.on_page(plan, assignee, opened, "change-case-status")
            plan.steps.append(
                (last, CaseStatus.WAITING_FOR_USAGER, CaseStatus.IN_REVIEW, "", seconds)
            )
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
            # The decision is taken on the page, opened the measured time before.
            measured = gestes.measured("decide-case") or 1
            opened = max(
                last + datetime.timedelta(seconds=1), decided - datetime.timedelta(seconds=measured)
            )
            plan.reads.append((opened, assignee))
            seconds = int((decided - opened).total_seconds()) or None
            plan.steps.append((decided, CaseStatus.IN_REVIEW, status, reason, seconds))
            row["status_reason"] = reason
            row["decided_at"] = decided
            last = decided
            self.plan_notification(plan, assignee, decided, status)
        row["updated_at"] = last

    def plan_reminder(
        self,
        plan: CasePlan,
        assignee: Worker,
        waiting_since: datetime.datetime,
        until: datetime.datetime,
    ) -> None:
        """A reminder to the usager a week or two into the wait, unless they answered before:
        a campaign's email once campaigns were switched on, the instructor's before."""
        rng = self.rng
        moment = working_time(waiting_since + datetime.timedelta(days=rng.uniform(7, 14)), rng)
        if moment >= until - datetime.timedelta(minutes=5) or moment >= self.now:
            return
        payload = {"about": "missing-documents"}
        if self.gestes.by_robot("campaigns", moment):
            plan.gestes.append((moment, ROBOT_CAMPAIGNS, "send", "send-email", payload, None))
        else:
            done, seconds = self.on_page(plan, assignee, moment, "send-email")
            plan.gestes.append((done, assignee, "send", "send-email", payload, seconds))

    def plan_notification(
        self, plan: CasePlan, assignee: Worker, decided: datetime.datetime, status: str
    ) -> None:
        """The decision's letter and email (status emails), and for an accepted case the
        payment letter (merges): the robots' once switched on, the instructor's before."""
        rng, now, gestes = self.rng, self.now, self.gestes
        ceiling = now - datetime.timedelta(seconds=30)
        letter = {"template_name": "Notification de décision", "status": status}
        if gestes.by_robot("status-emails", decided):
            moment = decided + datetime.timedelta(seconds=rng.randint(5, 40))
            if moment < ceiling:
                plan.gestes.append(
                    (
                        moment,
                        ROBOT_STATUS_EMAIL,
                        "generate-document",
                        "generate-document",
                        letter,
                        None,
                    )
                )
                moment += datetime.timedelta(seconds=rng.randint(1, 3))
                plan.gestes.append((moment, ROBOT_STATUS_EMAIL, "queue-email", "", {}, None))
                moment += datetime.timedelta(seconds=rng.randint(30, 180))
                if moment < ceiling:
                    plan.gestes.append(
                        (moment, ROBOT_STATUS_EMAIL, "send", "send-email", {"status": status}, None)
                    )
        else:
            opened = decided + datetime.timedelta(seconds=rng.randint(20, 600))
            if opened < ceiling:
                done, seconds = self.on_page(plan, assignee, opened, "generate-document")
                plan.gestes.append(
                    (done, assignee, "generate-document", "generate-document", letter, seconds)
                )
                opened = done + datetime.timedelta(seconds=rng.randint(5, 120))
                if opened < ceiling:
                    done, seconds = self.on_page(plan, assignee, opened, "send-email")
                    plan.gestes.append(
                        (done, assignee, "send", "send-email", {"status": status}, seconds)
                    )
        if status != CaseStatus.ACCEPTED:
            return
        payment = {"template_name": "Courrier de mise en paiement"}
        if gestes.by_robot("merges", decided):
            # The weekly merge of the accepted cases, on Monday morning.
            local = decided.astimezone(PARIS)
            monday = local.date() + datetime.timedelta(days=7 - local.weekday())
            moment = datetime.datetime.combine(
                monday, datetime.time(7, rng.randint(0, 20), rng.randint(0, 59)), tzinfo=PARIS
            ).astimezone(UTC)
            if moment < ceiling:
                plan.gestes.append(
                    (moment, ROBOT_MERGE, "generate-document", "generate-document", payment, None)
                )
        else:
            opened = after(decided, hours=rng.uniform(2, 72), rng=rng, now=now)
            if opened < ceiling:
                done, seconds = self.on_page(plan, assignee, opened, "generate-document")
                plan.gestes.append(
                    (done, assignee, "generate-document", "generate-document", payment, seconds)
                )

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
        if plan.checks is not None:
            checker, times = plan.checks
            for document_id, document, (_opened, done, seconds) in zip(
                document_ids, plan.documents, times, strict=True
            ):
                payload = {"document": document_id, "field": document.field_name}
                events.append(
                    self.gesture_event(
                        checker, done, "check-document", target_id,
                        "check-supporting-document", payload, seconds,
                    )
                )  # fmt: skip
        assignee = plan.assignee
        if plan.assignment is not None:
            moment, by, seconds = plan.assignment
            events.append(
                self.agent_event(
                    by,
                    moment,
                    "assign",
                    CASE_TARGET,
                    target_id,
                    "assign-case",
                    {"from": None, "to": assignee.id, "to_label": assignee.label},
                    duration=seconds,
                )
            )
        for moment, from_status, to_status, reason, seconds in plan.steps:
            activity = "decide-case" if to_status in FINAL else "change-case-status"
            event = self.agent_event(
                assignee,
                moment,
                "transition",
                CASE_TARGET,
                target_id,
                activity,
                {"from": from_status, "to": to_status},
                duration=seconds,
            )
            # The reason is free text: the purgeable EventDetail, as case_transition does.
            events.append({**event, DETAIL: reason} if reason else event)
        for moment, reader in plan.reads:
            events.append(
                self.agent_event(
                    reader,
                    moment,
                    "read",
                    CASE_TARGET,
                    target_id,
                    "consult-personal-data",
                    {"what": "case"},
                )
            )
        for comment_id, (moment, author, _body, mentions, seconds) in zip(
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
                    duration=seconds,
                )
            )
        for moment, actor, verb, activity, payload, seconds in plan.gestes:
            events.append(
                self.gesture_event(actor, moment, verb, target_id, activity, payload, seconds)
            )
        return events

    def gesture_event(
        self,
        actor: Worker | str,
        moment: datetime.datetime,
        verb: str,
        target_id: str,
        activity: str,
        payload: dict,
        seconds: int | None,
    ) -> dict[str, Any]:
        """A geste on a case by an agent (`Worker`, with its measured seconds) or a robot."""
        if isinstance(actor, Worker):
            return self.agent_event(
                actor, moment, verb, CASE_TARGET, target_id, activity, payload, duration=seconds
            )
        return self.other_event(
            ActorKind.ROBOT, actor, actor, moment, verb, CASE_TARGET, target_id, activity, payload
        )

    def create_procedure_history(self) -> None:
        """The weekly selection of cases to control, per procedure: the team lead's by hand
        before the atypical-declaration scoring was switched on, its robot's after."""
        if not self.options.journal:
            return
        rows = []
        for slug, procedure in self.setup.procedures.items():
            lead, target = self.leads.get(procedure.team_id), str(procedure.pk)
            for monday in weekly_mondays(self.calendar.start, self.now, hour=6):
                payload = {"procedure": slug}
                if self.gestes.by_robot("controls-scoring", monday):
                    rows.append(
                        self.other_event(
                            ActorKind.ROBOT, ROBOT_SCORING, ROBOT_SCORING, monday, "score",
                            PROCEDURE_TARGET, target, "select-cases-for-control", payload,
                        )
                    )  # fmt: skip
                elif lead is not None:
                    moment = working_time(monday + datetime.timedelta(hours=3), self.rng)
                    seconds = self.gestes.measured("select-cases-for-control")
                    rows.append(
                        self.agent_event(
                            lead, moment, "select-for-control", PROCEDURE_TARGET, target,
                            "select-cases-for-control", payload, duration=seconds,
                        )
                    )  # fmt: skip
        rows = [row for row in rows if row["occurred_at"] < self.now]
        with self.writer.unit():
            self.writer.insert(Event, rows, need_ids=False)
        self.writer.drain()
        self.report.add("events", len(rows))

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
                for moment, author, body, _mentions, _seconds in plan.comments:
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
                for comment_id, (_moment, _author, _body, mentions, _seconds) in zip(
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

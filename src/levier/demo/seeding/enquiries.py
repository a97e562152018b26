"""Demo enquiries (sollicitations): threads of messages and their journal, in bulk.

A mixin of `levier.demo.seeding.Seeder`, which provides the random stream, the
usager pool, the agents and the row writer.
"""

from __future__ import annotations

import datetime
from typing import Any

from levier.core.business_hours import add_business_hours
from levier.core.text import fold
from levier.enquiries.models import Channel, Direction, Enquiry, LabelSource, Message, Priority
from levier.journal.models import ActorKind, Event

from .. import content
from ..plans import ENQUIRY_TARGET, Worker, chunks
from ..timeline import after, usager_time, working_time

# The robots of intake (levier.enquiries.intake, levier.mailing, levier.enquiries.services).
ROBOT_MAIL = "mail"
ROBOT_INTAKE = "intake"
ROBOT_ANSWERS = "answers"
ROBOT_DEADLINES = "deadlines"
WARNING_HOURS = 6  # the warning window of the demo's answer deadlines (demo.automation)

# As intake journals it (enquiries/intake.py): the kinds found, no value (identifiers only).
ENTITIES_PAYLOAD = {"kinds": ["case_reference"], "linked": 1, "invalid": 0}


class EnquiryLoading:
    """Loads enquiries in chunks; mixed into `Seeder`."""

    def create_enquiries(self) -> None:
        options = self.options
        bar = self.progress(options.enquiries, "sollicitations", "Sollicitations")
        for start, end in chunks(options.enquiries, options.chunk_size):
            plans = [self.plan_enquiry(index, options.enquiries) for index in range(start, end)]
            self.write_enquiries(plans)
            bar.update(end - start)
        self.writer.drain()
        bar.close()

    def plan_enquiry(self, index: int, total: int) -> dict[str, Any]:
        rng, setup, now = self.rng, self.setup, self.now
        topic_entry = rng.choices(content.TOPICS, weights=[t["weight"] for t in content.TOPICS])[0]
        created = usager_time(self.calendar.moment(index, total, rng), rng)
        created = min(created, now - datetime.timedelta(minutes=rng.randint(2, 300)))
        channel = rng.choices(
            (Channel.EMAIL, Channel.PORTAL, Channel.PHONE, Channel.COUNTER, Channel.ASSISTANT),
            weights=(40, 35, 15, 5, 5),
        )[0]
        by_agent = channel in {Channel.PHONE, Channel.COUNTER}
        if by_agent:  # a call or a visit: in office hours
            created = min(working_time(created, rng), now - datetime.timedelta(minutes=2))
        kinds = [kind for kind in self.pool if self.pool[kind]]
        kind = rng.choices(kinds, weights=[4 if k == "person" else 1 for k in kinds])[0]
        contact = rng.choice(self.pool[kind])
        case_info = self.cases_of_contact.get(contact.id)
        if case_info is not None and self.case_submitted_of_contact[contact.id] > created:
            case_info = None  # their case came later
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
        due = add_business_hours(created, sla)
        if now < due:
            status = rng.choices(
                ("new", "open", "waiting_for_usager", "closed"), weights=(40, 30, 15, 15)
            )[0]
        else:
            status = rng.choices(
                ("new", "open", "waiting_for_usager", "closed"), weights=(2, 4, 4, 90)
            )[0]
        # Agents rate urgency from what the message says, so the classifier has something
        # to learn: pressing words raise it, with the disagreement people have.
        pressing = any(word in fold(body) for word in content.PRESSING_WORDS)
        if topic_entry["slug"] == "reclamation" or pressing:
            priority = rng.choices((Priority.NORMAL, Priority.HIGH, Priority.URGENT), (10, 60, 30))[
                0
            ]
        else:
            priority = rng.choices((Priority.LOW, Priority.NORMAL, Priority.HIGH), (15, 80, 5))[0]
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
            "sla_due_at": due,
            "topic_source": LabelSource.AGENT,
            "priority_source": LabelSource.AGENT,
            "closed_at": None,
            "updated_at": created,
            "verification_digest": verification_digest,
            "search_text": fold(f"{reference} {subject} {contact.display_name} {contact.email}"),
        }
        # Messages (when, direction, author, body), journal steps (when, verb, actor,
        # activity, payload, measured seconds) and agents' reads of the enquiry (when, who).
        messages: list[tuple] = [(created, Direction.IN, None, body)]
        steps: list[tuple] = []
        reads: list[tuple[datetime.datetime, Worker]] = []
        plan = {
            "row": row,
            "messages": messages,
            "steps": steps,
            "reads": reads,
            "contact": contact,
        }
        registration = {
            "reference": reference,
            "channel": channel,
            "topic": topic.slug,
            "team_id": team.pk,
            "attachments": 0,
        }
        front = topic.team_id  # who reads the mailbox, or takes the call
        last = created
        if by_agent:
            receiver = self.pick_worker(front)
            steps.append(
                (created, "create", receiver, "register-enquiry", registration,
                 self.gestes.measured("register-enquiry"))
            )  # fmt: skip
        elif channel != Channel.EMAIL:
            steps.append((created, "create", contact, "register-enquiry", registration, None))
        elif self.gestes.by_robot("intake-robots", created):
            last = created + datetime.timedelta(seconds=rng.randint(1, 5))
            steps.append(
                (created, "receive", ROBOT_MAIL, "receive-email", {"channel": channel}, None)
            )
            steps.append((last, "create", ROBOT_MAIL, "register-enquiry", registration, None))
        else:  # an agent reads the functional mailbox and types the email in
            receiver = self.pick_worker(front)
            opened = after(created, hours=rng.uniform(0.2, 8), rng=rng, now=now)
            seconds = self.gestes.measured("receive-email")
            steps.append(
                (opened, "receive", receiver, "receive-email", {"channel": channel}, seconds)
            )
            seconds = self.gestes.measured("register-enquiry")
            last = opened + datetime.timedelta(seconds=(seconds or 60) + rng.randint(2, 30))
            steps.append((last, "create", receiver, "register-enquiry", registration, seconds))
        if not by_agent:
            # Topic, team and identifiers of what the usager wrote: the classifier's gestes.
            if self.gestes.by_robot("classifier", last):
                robot_at = last + datetime.timedelta(seconds=rng.randint(1, 20))
                steps.append(
                    (
                        robot_at,
                        "classify",
                        ROBOT_INTAKE,
                        "classify-enquiry",
                        {"topic": topic.slug},
                        None,
                    )
                )
                steps.append(
                    (robot_at, "route", ROBOT_INTAKE, "route-enquiry", {"team_id": team.pk}, None)
                )
                if case_info:
                    steps.append(
                        (
                            robot_at,
                            "extract-entities",
                            ROBOT_INTAKE,
                            "extract-entities",
                            ENTITIES_PAYLOAD,
                            None,
                        )
                    )
                last = robot_at
            else:
                qualifier = self.pick_worker(front)
                last = after(last, hours=rng.uniform(0.1, 6), rng=rng, now=now)
                gestes = [("classify", "classify-enquiry", {"topic": topic.slug})]
                if case_info:
                    gestes.append(("extract-entities", "extract-entities", ENTITIES_PAYLOAD))
                if routed:
                    gestes.append(("route", "route-enquiry", {"team_id": team.pk}))
                for verb, activity, payload in gestes:
                    last = self.enquiry_geste(plan, qualifier, last, verb, activity, payload)
        if status != "new":
            assignee = self.pick_worker(team.pk)
            lead = self.leads.get(team.pk)
            by = lead if lead is not None and rng.random() < 0.4 else assignee
            opened = after(last, hours=rng.uniform(0.2, min(sla, 48)), rng=rng, now=now)
            last = self.enquiry_geste(
                plan, by, opened, "assign", "assign-enquiry",
                {"from": None, "to": assignee.id, "to_label": assignee.label},
            )  # fmt: skip
            row["assignee_id"] = assignee.id
            if status in {"waiting_for_usager", "closed"}:
                exchanges = 1 if status == "waiting_for_usager" or rng.random() < 0.7 else 2
                current = "open"
                for exchange in range(exchanges):
                    opened = after(last, hours=rng.uniform(0.5, sla * 0.8), rng=rng, now=now)
                    if self.gestes.by_robot("classifier", opened):
                        steps.append(
                            (opened - datetime.timedelta(seconds=1), "suggest-answer",
                             ROBOT_ANSWERS, "suggest-answer", {"suggestion": topic.slug}, None)
                        )  # fmt: skip
                    close = status == "closed" and exchange == exchanges - 1
                    to = "closed" if close else "waiting_for_usager"
                    reply = rng.choice(content.AGENT_REPLIES).format(
                        agent=assignee.label, team=team.name
                    )
                    payload = {"from": current, "to": to, "close": close}
                    last = self.enquiry_geste(
                        plan, assignee, opened, "reply", "answer-enquiry", payload
                    )
                    messages.append((last, Direction.OUT, assignee, reply))
                    payload["message_index"] = len(messages) - 1
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
                                None,
                            )
                        )
                        current = "open"
                if status == "closed":
                    row["closed_at"] = last
        self.plan_deadline_warning(plan, team.pk, due, created)
        row["updated_at"] = last
        return plan

    def enquiry_geste(
        self,
        plan: dict[str, Any],
        worker: Worker,
        opened: datetime.datetime,
        verb: str,
        activity: str,
        payload: dict,
    ) -> datetime.datetime:
        """An agent opens the enquiry at `opened` (a read) and does a geste; when it is done."""
        plan["reads"].append((opened, worker))
        seconds = self.gestes.measured(activity)
        if seconds is None:
            done = opened + datetime.timedelta(seconds=1)
        else:
            room = int((self.now - opened).total_seconds()) - 30  # never past now
            seconds = max(1, min(seconds, room))
            done = opened + datetime.timedelta(seconds=seconds)
        plan["steps"].append((done, verb, worker, activity, payload, seconds))
        return done

    def plan_deadline_warning(
        self, plan: dict[str, Any], team_id: int, due: datetime.datetime, created: datetime.datetime
    ) -> None:
        """Close to its answer deadline with no answer yet, the team is warned: by the
        scheduled job once switched on, by the team lead watching the queue before."""
        rng = self.rng
        warned = due - datetime.timedelta(hours=WARNING_HOURS)
        answered = min((step[0] for step in plan["steps"] if step[1] == "reply"), default=self.now)
        if not created < warned < answered or warned >= self.now - datetime.timedelta(minutes=5):
            return
        payload = {"hours_left": WARNING_HOURS, "notified": 1}
        if self.gestes.by_robot("scheduled-jobs", warned):
            plan["steps"].append(
                (warned, "warn-deadline", ROBOT_DEADLINES, "warn-deadline", payload, None)
            )
            return
        lead = self.leads.get(team_id) or self.pick_worker(team_id)
        opened = working_time(warned, rng)
        if opened < answered and opened < self.now - datetime.timedelta(minutes=5):
            self.enquiry_geste(plan, lead, opened, "warn-deadline", "warn-deadline", payload)

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
        for moment, verb, actor, activity, payload, seconds in plan["steps"]:
            if "message_index" in payload:
                payload = {
                    "message_id": message_ids[payload["message_index"]],
                    **{k: v for k, v in payload.items() if k != "message_index"},
                }
            if isinstance(actor, Worker):
                events.append(
                    self.agent_event(
                        actor, moment, verb, ENQUIRY_TARGET, target_id, activity, payload,
                        duration=seconds,
                    )
                )  # fmt: skip
            elif isinstance(actor, str):
                events.append(
                    self.other_event(
                        ActorKind.ROBOT, actor, actor, moment, verb, ENQUIRY_TARGET, target_id,
                        activity, payload,
                    )
                )  # fmt: skip
            else:
                # Registered by the usager on the portal: no agent typed it (enquiry_create).
                events.append(
                    self.other_event(
                        ActorKind.USAGER, str(contact.id), contact.display_name, moment, verb,
                        ENQUIRY_TARGET, target_id, activity, payload,
                        automated=activity == "register-enquiry",
                    )
                )  # fmt: skip
        for moment, reader in plan["reads"]:
            events.append(
                self.agent_event(
                    reader, moment, "read", ENQUIRY_TARGET, target_id, "consult-personal-data",
                    {"what": "enquiry"},
                )
            )  # fmt: skip
        return events

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
from ..plans import ENQUIRY_TARGET, Worker, chunks, growth
from ..timeline import after, usager_time

ROBOT_ROUTER = "orientation-sollicitations"


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
        window = min(self.window(), datetime.timedelta(days=180))
        created = usager_time(now - window + window * growth(index, total, rng, 0.5), rng)
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
        due = add_business_hours(created, sla)
        if now < due:
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

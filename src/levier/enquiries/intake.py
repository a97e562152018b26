"""Every channel's way in: one function turns a received message into an enquiry.

The portal, email, the partners' API and agents logging a call all call `receive`.
In one transaction it resolves the usager, refuses floods, threads a reply into its
enquiry (Message-ID, In-Reply-To, References, or the reference in the subject), groups
a second message on the same subject into the open enquiry, or creates the enquiry
with its triage (classifier, routing rules, business-hours deadline) and the entities
found in the text. Each automated step is a journal event with its activity code, so
the time it saves is counted.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from levier.contacts.models import Contact, ContactKind
from levier.contacts.services import contact_find_or_create
from levier.core.models import Agent
from levier.core.pdf_checks import check_budget
from levier.core.text import fold
from levier.core.uploads import CheckedFile, check_upload
from levier.journal.services import Actor, record

from . import entities as entity_extraction
from .models import Direction, Enquiry, EnquiryStatus, LabelSource, Message, Topic
from .services import MessageMeta, enquiry_add_usager_message, enquiry_create
from .triage import Triage, triage

ENQUIRY_REFERENCE = re.compile(r"\bSOL-\d{4}-\d{6}\b", re.IGNORECASE)
REPLY_PREFIXES = re.compile(r"^\s*((re|tr|fwd?|aw|wg|réf|ref)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
SAME_SUBJECT = 85  # rapidfuzz token-set ratio of two subjects, reply prefixes aside
SAME_TOPIC_SUBJECT = 60  # lower bar when the topic is the same too


class Flood(ValidationError):
    """Too many messages from one sender in the last hour: quarantined, never lost."""


@dataclass
class Incoming:
    """A message as a channel received it, before levier decides anything."""

    channel: str
    subject: str
    body: str
    sender_email: str = ""
    sender_name: str = ""
    contact: Contact | None = None
    topic: Topic | None = None
    quoted: str = ""
    attachments: Sequence[CheckedFile] = ()
    notes: Sequence[str] = ()
    email_message_id: str = ""
    thread_ids: Sequence[str] = ()
    received_at: datetime | None = None


@dataclass
class IntakeResult:
    enquiry: Enquiry
    message: Message
    outcome: str  # "created", "threaded" or "grouped"
    code: str = ""
    triage: Triage | None = None
    notes: list[str] = field(default_factory=list)


# --- the usager ---------------------------------------------------------------------------


def split_display_name(name: str) -> tuple[str, str]:
    """'Jeanne MARTIN' or 'MARTIN Jeanne' -> ('Jeanne', 'Martin'); a single word is a last name."""
    words = [word for word in re.split(r"\s+", (name or "").replace('"', "").strip()) if word]
    if not words:
        return "", ""
    if len(words) == 1:
        return "", words[0][:100]
    upper = [word for word in words if word.isupper() and len(word) > 1]
    if upper and len(upper) < len(words):
        last = " ".join(upper)
        first = " ".join(word for word in words if word not in upper)
        return first[:100], last.title()[:100]
    return " ".join(words[:-1])[:100], words[-1][:100]


def resolve_sender(*, email: str, name: str, actor) -> Contact:
    """The usager an address belongs to (the oldest active contact with it), or a new person."""
    email = (email or "").strip().lower()
    if email:
        existing = (
            # Lower(email) is indexed (contacts' duplicate detection); iexact would not use it.
            Contact.objects.alias(email_lower=Lower("email"))
            .filter(email_lower=email, merged_into__isnull=True)
            .order_by("id")
            .first()
        )
        if existing is not None:
            return existing
    first_name, last_name = split_display_name(name)
    if not last_name:
        last_name = email.split("@")[0] if email else _("Unknown")
    return contact_find_or_create(
        kind=ContactKind.PERSON,
        email=email,
        first_name=first_name,
        last_name=last_name,
        actor=actor,
    )


def check_flood(contact: Contact, now: datetime) -> None:
    limit = settings.LEVIER_INTAKE_MAX_PER_HOUR
    recent = Message.objects.filter(
        enquiry__contact=contact, direction=Direction.IN, created_at__gte=now - timedelta(hours=1)
    ).count()
    if recent >= limit:
        raise Flood(
            _(
                "%(count)d messages from %(who)s in the last hour (limit %(limit)d): set aside "
                "for an administrator, who can release it (LEVIER_INTAKE_MAX_PER_HOUR)."
            )
            % {"count": recent, "who": contact.email or contact.display_name, "limit": limit},
            code="flood",
        )


# --- finding the enquiry a message belongs to --------------------------------------------------


def threaded_enquiry(incoming: Incoming, contact: Contact) -> Enquiry | None:
    """The enquiry this message answers: by the ids of the emails it replies to, then by the
    reference in its subject when the sender is that enquiry's usager."""
    ids = [message_id for message_id in incoming.thread_ids if message_id][:50]
    if ids:
        message = (
            Message.objects.filter(email_message_id__in=ids)
            .select_related("enquiry")
            .order_by("-id")
            .first()
        )
        if message is not None and message.enquiry.contact_id == contact.pk:
            return message.enquiry
    match = ENQUIRY_REFERENCE.search(incoming.subject or "")
    if match:
        return Enquiry.objects.filter(reference=match.group(0).upper(), contact=contact).first()
    return None


def bare_subject(subject: str) -> str:
    return fold(REPLY_PREFIXES.sub("", subject or ""))


def grouped_enquiry(
    *, contact: Contact, subject: str, topic: Topic | None, now: datetime
) -> Enquiry | None:
    """The usager's open enquiry on the same subject, written in the last few days."""
    since = now - timedelta(days=settings.LEVIER_GROUPING_DAYS)
    candidates = (
        Enquiry.objects.filter(contact=contact, created_at__gte=since)
        .exclude(status=EnquiryStatus.CLOSED)
        .only("id", "subject", "topic_id", "contact_id", "status", "team_id", "channel")
        .order_by("-id")[:10]
    )
    wanted = bare_subject(subject)
    for candidate in candidates:
        score = fuzz.token_set_ratio(wanted, bare_subject(candidate.subject))
        same_topic = topic is not None and candidate.topic_id == topic.pk
        if score >= SAME_SUBJECT or (same_topic and score >= SAME_TOPIC_SUBJECT):
            return candidate
    return None


# --- entities ----------------------------------------------------------------------------------


def _link(entity) -> dict | None:
    """The case, enquiry or usager an identifier points to, if levier knows it."""
    from levier.cases.models import Case

    if not entity.valid:
        return None
    if entity.kind == "case_reference":
        if entity.value.startswith("SOL-"):
            found = Enquiry.objects.filter(reference=entity.value).values("pk").first()
            return {"type": "enquiry", "id": found["pk"], "label": entity.value} if found else None
        found = Case.objects.filter(reference=entity.value).values("pk").first()
        return {"type": "case", "id": found["pk"], "label": entity.value} if found else None
    lookups = {"siret": "siret", "siren": "siren", "nir": "nir", "iban": "iban"}
    if entity.kind in lookups:
        contact = (
            Contact.objects.filter(**{lookups[entity.kind]: entity.value}, merged_into__isnull=True)
            .order_by("id")
            .first()
        )
        if contact is not None:
            return {"type": "contact", "id": contact.pk, "label": contact.display_name}
    return None


def found_entities(text: str) -> list[dict]:
    """Entities of a message as stored on it, each linked when levier knows what it names."""
    stored = []
    for entity in entity_extraction.extract(text):
        stored.append(
            {
                "kind": entity.kind,
                "text": entity.text,
                "value": entity.value,
                "start": entity.start,
                "end": entity.end,
                "valid": entity.valid,
                "note": entity.note,
                "link": _link(entity),
            }
        )
    return stored


# --- the one way in ----------------------------------------------------------------------------


def _body_with_notes(incoming: Incoming) -> str:
    body = (incoming.body or "").strip()
    if not body and incoming.attachments:
        body = _("(message without text, %(count)d attachment(s))") % {
            "count": len(incoming.attachments)
        }
    if incoming.notes:
        body = "\n\n".join([body, *(f"[levier] {note}" for note in incoming.notes)]).strip()
    return body


def receive(incoming: Incoming, *, actor: Agent | Actor) -> IntakeResult:
    """Turn a received message into an enquiry, or add it to the one it belongs to.

    Raises Flood when the sender exceeds the hourly limit and ValidationError for a
    message with neither text nor attachment; nothing is written then.
    """
    now = incoming.received_at or timezone.now()
    body = _body_with_notes(incoming)
    if not body:
        raise ValidationError({"body": _("The message is empty: no text and no attachment.")})
    subject = (incoming.subject or "").strip()[:200] or _("(no subject)")
    with transaction.atomic():
        contact = incoming.contact or resolve_sender(
            email=incoming.sender_email, name=incoming.sender_name, actor=actor
        )
        check_flood(contact, now)
        entities = found_entities(body)
        meta = MessageMeta(
            channel=incoming.channel,
            email_message_id=incoming.email_message_id,
            quoted_text=incoming.quoted,
            entities=entities,
            received_at=now,
        )

        def join(enquiry: Enquiry, how: str, outcome: str) -> IntakeResult:
            message = enquiry_add_usager_message(
                enquiry=enquiry,
                body=body,
                attachments=incoming.attachments,
                contact=contact,
                meta=meta,
                how=how,
            )
            _record_entities(enquiry, message, entities)
            return IntakeResult(enquiry=enquiry, message=message, outcome=outcome)

        enquiry = threaded_enquiry(incoming, contact)
        if enquiry is not None:
            return join(enquiry, "thread-message", "threaded")

        decided = triage(
            subject=subject,
            body=body,
            channel=incoming.channel,
            contact=contact,
            received_at=now,
            topic=incoming.topic,
            team=None,
        )
        enquiry = grouped_enquiry(contact=contact, subject=subject, topic=decided.topic, now=now)
        if enquiry is not None:
            return join(enquiry, "group-enquiry", "grouped")

        enquiry, code = enquiry_create(
            channel=incoming.channel,
            contact=contact,
            subject=subject,
            body=body,
            attachments=incoming.attachments,
            actor=actor,
            triage=decided,
            meta=meta,
        )
        message = enquiry.messages.get()  # the one it was created with
        _record_triage(enquiry, decided)
        _record_entities(enquiry, message, entities)
    return IntakeResult(
        enquiry=enquiry, message=message, outcome="created", code=code, triage=decided
    )


def _record_triage(enquiry: Enquiry, decided: Triage) -> None:
    robot = Actor.robot("intake")
    if LabelSource.ROBOT in (decided.topic_source, decided.priority_source):
        record(
            actor=robot,
            verb="classify",
            target=enquiry,
            activity="classify-enquiry",
            payload=decided.payload(),
            detail=decided.detail(),
        )
    record(
        actor=robot,
        verb="route",
        target=enquiry,
        activity="route-enquiry",
        payload=decided.payload(),
        detail=decided.detail(),
    )


def _record_entities(enquiry: Enquiry, message: Message, entities: list[dict]) -> None:
    if not entities:
        return
    record(
        actor=Actor.robot("intake"),
        verb="extract-entities",
        target=enquiry,
        activity="extract-entities",
        payload={
            "message_id": message.pk,
            "kinds": sorted({entity["kind"] for entity in entities}),
            "linked": sum(1 for entity in entities if entity["link"]),
            "invalid": sum(1 for entity in entities if not entity["valid"]),
        },
    )


# --- email ------------------------------------------------------------------------------------


class _Upload(io.BytesIO):
    """An attachment's bytes seen as an upload, for core.uploads.check_upload."""

    def __init__(self, name: str, data: bytes):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def checked_attachments(parsed_attachments) -> tuple[list[CheckedFile], list[str]]:
    """Attachments that pass the upload checks, and a note for each one set aside."""
    kept, notes = [], []
    with check_budget():  # one email's PDFs share one time budget, as a request's do
        for attachment in parsed_attachments:
            name = attachment.filename or "piece-jointe"
            try:
                kept.append(check_upload(_Upload(name, attachment.data)))
            except ValidationError as error:
                notes.append(
                    _("Attachment set aside: %(reason)s The original email is kept.")
                    % {"reason": " ".join(error.messages)}
                )
    return kept, notes


def receive_inbound_mail(*, inbound, parsed) -> str:
    """The mailing app's handler: an email stored in `inbound` becomes an enquiry message.

    Returns the enquiry's reference; raises mailing's Quarantine with the reason when the
    message cannot be taken (flood, no sender, nothing readable).
    """
    from levier.mailing.intake import Quarantine

    if not parsed.from_address:
        raise Quarantine(_("No sender address: nobody to answer."))
    attachments, notes = checked_attachments(parsed.attachments)
    incoming = Incoming(
        channel="email",
        subject=parsed.subject,
        body=parsed.body,
        quoted=parsed.quoted,
        sender_email=parsed.from_address,
        sender_name=parsed.from_name,
        attachments=attachments,
        notes=notes,
        email_message_id=parsed.message_id,
        thread_ids=[*parsed.in_reply_to, *parsed.references],
        received_at=None,
    )
    try:
        result = receive(incoming, actor=Actor.robot("mail"))
    except ValidationError as error:
        raise Quarantine(" ".join(error.messages)) from error
    return result.enquiry.reference

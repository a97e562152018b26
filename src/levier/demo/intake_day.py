"""The demo's last stage: train on the history, then let today's messages come in for real.

The classifier learns from the seeded history (topics set by agents), the answer index
from its answers; then the messages of `todays_mail` arrive through the same code as
production's (MIME parsing and the mailing app for emails, `intake.receive` for the
portal and a partner's API), so the agent's queue holds a day of enquiries already
triaged, with confidence badges, routing reasons, entities and suggested answers.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

from levier.contacts.models import Contact
from levier.enquiries import classification, suggestions
from levier.enquiries.intake import Incoming, receive
from levier.enquiries.models import Enquiry, EnquiryStatus
from levier.journal.services import Actor

from . import todays_mail

DEMO_MAILBOX_ADDRESS = "accueil@levier-demo.example"


def _values(contact: Contact, case: tuple[str, str, str] | None) -> dict[str, str]:
    reference, _procedure, amount = case or ("", "", "")
    return {
        "reference": reference or "(référence oubliée)",
        "amount": f"{amount} €".replace(".", ",") if amount else "l'aide",
        "signature": contact.display_name,
        "siret": contact.siret or "non communiqué",
        "iban": contact.iban or "FR76 3000 6000 0112 3456 7890 189",
    }


def _email(*, contact: Contact, subject: str, body: str, html: bool = False, **headers) -> bytes:
    message = EmailMessage()
    message["From"] = f"{contact.display_name} <{contact.email}>"
    message["To"] = DEMO_MAILBOX_ADDRESS
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = make_msgid(domain=contact.email.rsplit("@", 1)[-1] or "example.org")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if html:
        message.set_content(body, subtype="html")
    else:
        message.set_content(body)
    return message.as_bytes()


def _senders(seeder, kind: str, count: int, rng: random.Random) -> list[tuple[Contact, tuple]]:
    """Usagers of this pool kind ("person", "entreprise") who have a case, with that case."""
    of_kind = {pool.id for pool in seeder.pool.get(kind, ())}
    ids = [contact_id for contact_id in seeder.cases_of_contact if contact_id in of_kind]
    rng.shuffle(ids)
    contacts = Contact.objects.in_bulk(ids[: count * 2])
    chosen = [
        (contact, seeder.cases_of_contact[contact_id])
        for contact_id, contact in contacts.items()
        if contact.email
    ]
    return chosen[:count]


def receive_todays_messages(seeder) -> Counter:
    """Train, then take in today's messages; return how many ended up how."""
    from levier.mailing.services import store_and_process

    outcomes: Counter = Counter()
    try:
        classification.classifier_train(actor=Actor.robot("demo"))
    except classification.NotEnoughData:
        return outcomes  # too small a history (e.g. --enquiries 10): no automation to show
    suggestions.build_answer_index()
    rng = random.Random(seeder.options.seed + 17)
    people = _senders(seeder, "person", 16, rng)
    companies = _senders(seeder, "entreprise", 4, rng) or people
    if not people:
        return outcomes
    now = timezone.now()
    partner = Actor.robot("api:France Services Lyon 8e")
    for index, (channel, subject, body) in enumerate(todays_mail.MESSAGES):
        pool = companies if channel == "api" else people
        contact, case = pool[index % len(pool)]
        values = _values(contact, case)
        subject, body = subject.format(**values), body.format(**values)
        if channel == "email":
            inbound = store_and_process(raw=_email(contact=contact, subject=subject, body=body))
            outcomes[f"email:{inbound.status}"] += 1
            continue
        received_at = now - timedelta(minutes=rng.randint(10, 8 * 60))
        result = receive(
            Incoming(
                channel=channel,
                contact=contact,
                subject=subject,
                body=body,
                received_at=received_at,
            ),
            actor=Actor.usager(contact) if channel == "portal" else partner,
        )
        outcomes[f"{channel}:{result.outcome}"] += 1

    # The same usager writes again on the same subject: grouped into the open enquiry.
    contact, case = people[0]
    channel, subject, body = todays_mail.REPEAT
    values = _values(contact, case)
    raw = _email(contact=contact, subject=subject, body=body.format(**values))
    outcomes[f"repeat:{store_and_process(raw=raw).status}"] += 1

    # A reply to our acknowledgement, naming the reference in its subject: threaded.
    enquiry = (
        Enquiry.objects.filter(contact__email=people[1][0].email)
        .exclude(status=EnquiryStatus.CLOSED)
        .order_by("-id")
        .first()
    )
    if enquiry is not None:
        raw = _email(
            contact=people[1][0],
            subject=f"Re: Votre sollicitation {enquiry.reference} a bien été reçue",
            body="Bonjour,\n\nJe précise que mon numéro de téléphone a changé : 06 39 98 45 21."
            f"\n\n{people[1][0].display_name}\n\n> Bonjour,\n> Nous avons bien reçu votre demande.",
        )
        outcomes[f"reply:{store_and_process(raw=raw).status}"] += 1

    # An out-of-office reply and an HTML-only email.
    contact = people[2][0]
    subject, body = todays_mail.AUTO_REPLY
    raw = _email(contact=contact, subject=subject, body=body, Auto_Submitted="auto-replied")
    outcomes[f"auto-reply:{store_and_process(raw=raw).status}"] += 1
    subject, body = todays_mail.HTML_ONLY
    raw = _email(
        contact=people[3][0],
        subject=subject,
        body=body.format(signature=people[3][0].display_name),
        html=True,
    )
    outcomes[f"html:{store_and_process(raw=raw).status}"] += 1

    # One sender floods the mailbox: beyond the hourly limit, messages are set aside.
    contact = people[4][0]
    for _ in range(todays_mail.FLOOD_COUNT):
        raw = _email(
            contact=contact,
            subject=todays_mail.FLOOD_SUBJECT,
            body=todays_mail.FLOOD_BODY.format(signature=contact.display_name),
        )
        outcomes[f"flood:{store_and_process(raw=raw).status}"] += 1
    return outcomes

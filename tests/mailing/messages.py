"""Raw emails for the inbound mail tests, built the way mail clients write them."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid


def plain(
    body: str = "Bonjour,\n\nJe souhaite connaître l'état de mon dossier.\n\nMerci.",
    *,
    subject: str = "Question sur mon dossier",
    sender: str = "Élise Martin <elise.martin@example.fr>",
    to: str = "accueil@mairie.test",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 3, 12, 9, 30, tzinfo=UTC))
    message["Message-ID"] = message_id or make_msgid(domain="example.fr")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def handler_ok(*, inbound, parsed) -> str:
    """Stands in for the enquiries handler in these tests."""
    return "TEST-REF"


def handler_quarantine(*, inbound, parsed) -> str:
    from levier.mailing.intake import Quarantine

    raise Quarantine("Trop de messages de cet expéditeur en une heure.")


def handler_crash(*, inbound, parsed) -> str:
    """Writes, then fails: its write must be rolled back with its savepoint."""
    from levier.mailing.models import Mailbox

    Mailbox.objects.create(name="written-by-the-handler", host="x", username="x")
    raise ValueError("le classifieur est indisponible")

"""Reading functional mailboxes over IMAP, without losing or duplicating a message.

Messages are stored and handed over (`services.inbound.store_and_process`) by groups
of `COMMIT_EVERY` in one transaction; only after its commit are they marked processed on
the server (\\Seen, or a move to the processed folder). If the process dies in
between, the next run finds the rows by (mailbox, UIDVALIDITY, UID) and only marks the
messages. Fetching uses BODY.PEEK[], so reading a message never marks it seen by itself.
"""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from imapclient import DELETED, SEEN, IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from .models import InboundMail, InboundStatus, Mailbox, Security
from .services import inbound

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60
BATCH = 200  # UIDs per FETCH of sizes, to keep commands short on large folders
# Messages stored per transaction: one commit (a disk flush) for many messages, and still
# marked on the server only after it.
COMMIT_EVERY = 50


@dataclass
class FetchReport:
    mailbox: str
    processed: int = 0
    ignored: int = 0
    quarantined: int = 0
    too_large: int = 0
    already_stored: int = 0
    error: str = ""
    messages: list[int] = field(default_factory=list)  # InboundMail ids of this run

    @property
    def new(self) -> int:
        return self.processed + self.ignored + self.quarantined + self.too_large

    def as_dict(self) -> dict:
        return {
            "mailbox": self.mailbox,
            "processed": self.processed,
            "ignored": self.ignored,
            "quarantined": self.quarantined,
            "too_large": self.too_large,
            "already_stored": self.already_stored,
            "error": self.error,
        }


@contextmanager
def connect(mailbox: Mailbox) -> Iterator[IMAPClient]:
    client = IMAPClient(
        mailbox.host,
        port=mailbox.port,
        ssl=mailbox.security == Security.SSL,
        ssl_context=ssl.create_default_context(),
        timeout=TIMEOUT_SECONDS,
    )
    try:
        if mailbox.security == Security.STARTTLS:
            client.starttls(ssl.create_default_context())
        client.login(mailbox.username, mailbox.password)
        yield client
    finally:
        try:
            client.logout()
        except Exception:
            client.shutdown()


def describe_error(mailbox: Mailbox, error: Exception) -> str:
    """A French message an administrator can act on."""
    where = f"{mailbox.host}:{mailbox.port}"
    if isinstance(error, LoginError):
        return (
            f"Authentification refusée par le serveur {mailbox.host} pour « {mailbox.username} » : "
            f"vérifiez l'identifiant et le mot de passe. ({_detail(error)})"
        )
    if isinstance(error, socket.gaierror):
        return f"Serveur {mailbox.host} introuvable : vérifiez son nom (résolution DNS impossible)."
    if isinstance(error, ssl.SSLError):
        return (
            f"Échec de la connexion chiffrée avec {where} : vérifiez la sécurité choisie "
            f"(SSL/TLS ou STARTTLS) et le certificat du serveur. ({_detail(error)})"
        )
    if isinstance(error, ConnectionRefusedError):
        return f"Serveur {where} injoignable : connexion refusée (port fermé ou mauvais port)."
    if isinstance(error, TimeoutError | socket.timeout):
        return f"Serveur {where} injoignable : pas de réponse dans le délai de {TIMEOUT_SECONDS} s."
    if isinstance(error, IMAPClientAbortError):
        return f"Connexion au serveur {where} interrompue : {_detail(error)}"
    if isinstance(error, IMAPClientError):
        return f"Le serveur {where} a refusé une commande IMAP : {_detail(error)}"
    if isinstance(error, OSError):
        return f"Serveur {where} injoignable : {_detail(error)}"
    return f"Erreur inattendue pendant la relève : {type(error).__name__} : {_detail(error)}"


def _detail(error: Exception) -> str:
    text = str(error)
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return text[:300] or type(error).__name__


def check_connection(mailbox: Mailbox) -> str:
    """Log in and open the folder; returns the error message, empty when it works."""
    try:
        with connect(mailbox) as client:
            client.select_folder(mailbox.folder, readonly=True)
    except Exception as error:
        return describe_error(mailbox, error)
    return ""


def fetch_mailbox(mailbox: Mailbox) -> FetchReport:
    """Take in the new messages of one mailbox; never raises, the error goes to `last_error`."""
    report = FetchReport(mailbox=mailbox.name)
    try:
        with connect(mailbox) as client:
            _fetch(client, mailbox, report)
    except Exception as error:
        report.error = describe_error(mailbox, error)
        logger.warning("fetching mailbox %s failed: %s", mailbox.name, report.error, exc_info=True)
    try:
        inbound.mailbox_record_fetch(mailbox=mailbox, error=report.error)
    except Exception:
        logger.exception("could not record the fetch of mailbox %s", mailbox.name)
    return report


def fetch_all(*, name: str | None = None) -> list[FetchReport]:
    mailboxes = Mailbox.objects.filter(is_active=True)
    if name is not None:
        mailboxes = Mailbox.objects.filter(name=name)
    return [fetch_mailbox(mailbox) for mailbox in mailboxes]


def _fetch(client: IMAPClient, mailbox: Mailbox, report: FetchReport) -> None:
    selected = client.select_folder(mailbox.folder)
    uidvalidity = int(selected[b"UIDVALIDITY"])
    # With a processed folder, every message still in the folder is to do, read or not.
    criteria = ["NOT", "DELETED"] if mailbox.processed_folder else ["UNSEEN"]
    uids = sorted(client.search(criteria))
    limit = settings.LEVIER_MAIL_MAX_BYTES
    for start in range(0, len(uids), BATCH):
        batch = uids[start : start + BATCH]
        sizes = client.fetch(batch, ["RFC822.SIZE"])
        to_take: list[int] = []
        for uid in batch:
            if uid not in sizes:
                continue  # expunged by someone else meanwhile
            size = int(sizes[uid].get(b"RFC822.SIZE", 0))
            stored = InboundMail.objects.filter(
                mailbox=mailbox, uidvalidity=uidvalidity, uid=uid
            ).first()
            if stored is not None:
                # Taken in by an earlier run that stopped before marking it on the server.
                report.already_stored += 1
                _mark_done(client, mailbox, uid, stored)
            elif size > limit:
                headers = client.fetch([uid], ["BODY.PEEK[HEADER]"]).get(uid, {})
                stored = inbound.quarantine_oversized(
                    mailbox=mailbox,
                    uidvalidity=uidvalidity,
                    uid=uid,
                    size=size,
                    headers=headers.get(b"BODY[HEADER]", b"") or b"",
                )
                report.too_large += 1
                report.messages.append(stored.pk)
                _mark_done(client, mailbox, uid, stored)
            else:
                to_take.append(uid)
        for group_start in range(0, len(to_take), COMMIT_EVERY):
            group = to_take[group_start : group_start + COMMIT_EVERY]
            try:
                with transaction.atomic():  # one commit for the group, then the marks
                    taken = _take(client, mailbox, uidvalidity, group)
            except Exception:
                logger.exception(
                    "a group of messages failed in %s; taking them one by one", mailbox
                )
                taken = []
                for uid in group:  # one bad message must not hold the others back
                    taken += _take(client, mailbox, uidvalidity, [uid])
            for uid, stored in taken:
                _count(report, stored)
                report.messages.append(stored.pk)
                _mark_done(client, mailbox, uid, stored)


def _take(
    client: IMAPClient, mailbox: Mailbox, uidvalidity: int, uids: list[int]
) -> list[tuple[int, InboundMail]]:
    """Download and store these messages, one at a time (a body is dropped once stored)."""
    taken = []
    for uid in uids:
        fetched = client.fetch([uid], ["BODY.PEEK[]"]).get(uid)
        if fetched is None:
            continue
        stored = inbound.store_and_process(
            raw=fetched[b"BODY[]"], mailbox=mailbox, uidvalidity=uidvalidity, uid=uid
        )
        taken.append((uid, stored))
    return taken


def _count(report: FetchReport, stored: InboundMail) -> None:
    if stored.status == InboundStatus.PROCESSED:
        report.processed += 1
    elif stored.status == InboundStatus.IGNORED:
        report.ignored += 1
    else:
        report.quarantined += 1


def _mark_done(client: IMAPClient, mailbox: Mailbox, uid: int, stored: InboundMail) -> None:
    """After the commit: a message left on the server goes to quarantine, others are marked."""
    if stored.raw is None and stored.status == InboundStatus.QUARANTINED:
        move(client, uid, settings.LEVIER_MAIL_QUARANTINE_FOLDER)
    elif mailbox.processed_folder:
        move(client, uid, mailbox.processed_folder)
    else:
        mark_seen(client, uid)


def mark_seen(client: IMAPClient, uid: int) -> None:
    client.add_flags([uid], [SEEN], silent=True)


def move(client: IMAPClient, uid: int, folder: str) -> None:
    if not client.folder_exists(folder):
        client.create_folder(folder)
    if client.has_capability("MOVE"):
        client.move([uid], folder)
        return
    # Older servers: copy, then delete this message only (UID EXPUNGE when available).
    client.copy([uid], folder)
    client.add_flags([uid], [DELETED], silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge([uid])
    else:
        client.expunge()

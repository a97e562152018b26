"""End to end against a real Dovecot: nothing lost, nothing taken twice."""

from __future__ import annotations

import pytest
from imapclient import IMAPClient

from levier.mailing import imap
from levier.mailing.models import InboundMail, InboundStatus, Mailbox, Security

from .messages import plain

pytestmark = pytest.mark.django_db

SEEN = b"\\Seen"


@pytest.fixture(autouse=True)
def _handler(settings):
    settings.LEVIER_INBOUND_MAIL_HANDLER = "tests.mailing.messages.handler_ok"


def test_new_messages_are_taken_in_once_and_marked_seen(imap_server, mailbox):
    imap_server.append(plain(subject="Première demande"))
    imap_server.append(plain(subject="Réponse automatique : absent"))
    imap_server.append(plain(subject="Déjà lue par un agent"), flags=(SEEN,))

    report = imap.fetch_mailbox(mailbox)

    assert (report.error, report.processed, report.ignored, report.new) == ("", 1, 1, 2)
    rows = InboundMail.objects.order_by("uid")
    assert [(row.subject, row.status) for row in rows] == [
        ("Première demande", InboundStatus.PROCESSED),
        ("Réponse automatique : absent", InboundStatus.IGNORED),
    ]
    assert all(row.mailbox == mailbox and row.uidvalidity and row.uid for row in rows)
    assert all(SEEN in flags for flags in imap_server.flags())
    mailbox.refresh_from_db()
    assert mailbox.last_fetched_at is not None and mailbox.last_error == ""

    again = imap.fetch_mailbox(mailbox)
    assert (again.new, again.already_stored) == (0, 0)
    assert InboundMail.objects.count() == 2


def test_a_death_between_commit_and_flag_loses_and_duplicates_nothing(
    imap_server, mailbox, monkeypatch
):
    imap_server.append(plain(subject="Un"))
    imap_server.append(plain(subject="Deux"))
    real_mark_seen = imap.mark_seen
    calls = {"count": 0}

    def dies_once(client, uid):
        calls["count"] += 1
        if calls["count"] == 1:
            raise ConnectionResetError("the worker was killed")
        real_mark_seen(client, uid)

    monkeypatch.setattr(imap, "mark_seen", dies_once)

    first = imap.fetch_mailbox(mailbox)
    # Both were committed together; the process died while marking the first one.
    assert first.error
    assert InboundMail.objects.count() == 2
    # Fetched with BODY.PEEK[]: not seen until levier marks it.
    assert [SEEN in flags for flags in imap_server.flags()] == [False, False]

    second = imap.fetch_mailbox(mailbox)
    assert (second.error, second.already_stored, second.processed) == ("", 2, 0)
    assert [row.subject for row in InboundMail.objects.order_by("uid")] == ["Un", "Deux"]
    assert [SEEN in flags for flags in imap_server.flags()] == [True, True]


def test_a_group_that_fails_as_a_whole_is_taken_one_by_one(imap_server, mailbox, monkeypatch):
    imap_server.append(plain(subject="Un"))
    imap_server.append(plain(subject="Deux"))
    real_take = imap._take

    def fails_in_groups(client, box, uidvalidity, uids):
        if len(uids) > 1:
            raise RuntimeError("the database went away")
        return real_take(client, box, uidvalidity, uids)

    monkeypatch.setattr(imap, "_take", fails_in_groups)
    report = imap.fetch_mailbox(mailbox)
    assert (report.error, report.processed) == ("", 2)
    assert [SEEN in flags for flags in imap_server.flags()] == [True, True]


def test_a_too_large_message_is_left_in_the_quarantine_folder(imap_server, mailbox, settings):
    settings.LEVIER_MAIL_MAX_BYTES = 50_000
    imap_server.append(plain(subject="Scan énorme", body="x" * 60_000))
    imap_server.append(plain(subject="Normal"))

    report = imap.fetch_mailbox(mailbox)

    assert (report.too_large, report.processed) == (1, 1)
    big = InboundMail.objects.get(subject="Scan énorme")
    assert big.status == InboundStatus.QUARANTINED and big.raw is None
    assert big.from_address == "elise.martin@example.fr" and big.size > 60_000
    assert big.reason.startswith("Message de 0,1 Mo, au-delà de la limite de ")
    assert big.reason.endswith("laissé dans le dossier levier-quarantaine du serveur")
    assert "levier-quarantaine" in imap_server.folders()
    assert imap_server.count("levier-quarantaine") == 1
    assert imap_server.count("INBOX") == 1
    assert imap.fetch_mailbox(mailbox).new == 0


def test_processed_messages_are_moved_when_a_folder_is_set(imap_server, mailbox):
    mailbox.processed_folder = "Traités"
    mailbox.save()
    imap_server.append(plain(subject="Lue dans le webmail"), flags=(SEEN,))
    imap_server.append(plain(subject="Nouvelle"))

    report = imap.fetch_mailbox(mailbox)

    assert report.processed == 2
    assert imap_server.count("INBOX") == 0
    assert imap_server.count("Traités") == 2
    assert imap.fetch_mailbox(mailbox).new == 0


def test_servers_without_move_get_copy_and_delete(imap_server, mailbox, monkeypatch):
    mailbox.processed_folder = "Traites"
    mailbox.save()
    real = IMAPClient.has_capability
    monkeypatch.setattr(
        IMAPClient, "has_capability", lambda self, name: name != "MOVE" and real(self, name)
    )
    imap_server.append(plain(subject="A"))
    imap_server.append(plain(subject="B"))

    assert imap.fetch_mailbox(mailbox).processed == 2
    assert (imap_server.count("INBOX"), imap_server.count("Traites")) == (0, 2)


def test_a_wrong_password_is_recorded_and_other_mailboxes_still_fetched(imap_server, mailbox):
    Mailbox.objects.create(
        name="aaa-mauvais-mot-de-passe",
        host=imap_server.host,
        port=imap_server.port,
        security=Security.NONE,
        username=imap_server.user,
        password="faux",
    )
    imap_server.append(plain())

    reports = {report.mailbox: report for report in imap.fetch_all()}

    assert reports["aaa-mauvais-mot-de-passe"].error.startswith("Authentification refusée")
    assert reports["accueil"].processed == 1
    wrong = Mailbox.objects.get(name="aaa-mauvais-mot-de-passe")
    assert wrong.last_error.startswith("Authentification refusée") and wrong.last_fetched_at is None


def test_an_unreachable_server_is_recorded(imap_server):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    mailbox = Mailbox.objects.create(
        name="fermee", host="127.0.0.1", port=closed_port, security=Security.NONE, username="u"
    )
    report = imap.fetch_mailbox(mailbox)
    assert "injoignable" in report.error
    mailbox.refresh_from_db()
    assert mailbox.last_error == report.error


def test_check_connection(imap_server, mailbox):
    assert imap.check_connection(mailbox) == ""
    mailbox.password = "faux"
    assert imap.check_connection(mailbox).startswith("Authentification refusée")

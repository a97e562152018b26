from __future__ import annotations

import pytest

from levier.journal.models import Event
from levier.mailing.models import InboundMail, InboundStatus, Mailbox
from levier.mailing.services import CannotReprocess, reprocess, store_and_process

from .messages import plain
from .test_parsing import DSN

pytestmark = pytest.mark.django_db

HANDLERS = "tests.mailing.messages"


@pytest.fixture(autouse=True)
def _handler(settings):
    settings.LEVIER_INBOUND_MAIL_HANDLER = f"{HANDLERS}.handler_ok"


def _events(inbound: InboundMail) -> list[tuple[str, str]]:
    return list(
        Event.objects.filter(target_type="mailing.inboundmail", target_id=str(inbound.pk))
        .order_by("pk")
        .values_list("verb", "activity_code")
    )


def test_a_message_is_stored_handed_over_and_journaled():
    raw = plain(message_id="<m1@example.fr>")
    inbound = store_and_process(raw=raw)
    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.result_reference == "TEST-REF"
    assert inbound.message_id == "<m1@example.fr>"
    assert inbound.from_address == "elise.martin@example.fr"
    assert inbound.subject == "Question sur mon dossier"
    assert bytes(inbound.raw) == raw and inbound.size == len(raw)
    assert inbound.attempts == 1 and inbound.processed_at is not None
    assert _events(inbound) == [("receive", "receive-email")]
    event = Event.objects.get(target_id=str(inbound.pk))
    assert event.actor_kind == "robot" and event.actor_id == "mail"


def test_the_same_eml_imported_twice_is_taken_once():
    raw = plain()
    first = store_and_process(raw=raw)
    assert store_and_process(raw=raw) == first
    assert InboundMail.objects.count() == 1
    assert len(_events(first)) == 1


def test_the_same_imap_uid_is_taken_once_but_other_uids_are_not_deduplicated_by_content():
    mailbox = Mailbox.objects.create(name="accueil", host="imap.test", username="u")
    raw = plain()
    first = store_and_process(raw=raw, mailbox=mailbox, uidvalidity=7, uid=1)
    assert store_and_process(raw=raw, mailbox=mailbox, uidvalidity=7, uid=1) == first
    other = store_and_process(raw=raw, mailbox=mailbox, uidvalidity=7, uid=2)
    assert other != first
    assert InboundMail.objects.count() == 2


def test_auto_replies_are_ignored_without_calling_the_handler(settings):
    settings.LEVIER_INBOUND_MAIL_HANDLER = f"{HANDLERS}.handler_crash"
    inbound = store_and_process(raw=plain(subject="Réponse automatique : votre message"))
    assert inbound.status == InboundStatus.IGNORED
    assert inbound.reason.startswith("Réponse automatique")
    assert _events(inbound) == [("ignore", "quarantine-message")]


def test_bounces_are_ignored_with_the_failed_addresses_in_the_reason():
    inbound = store_and_process(raw=DSN)
    assert inbound.status == InboundStatus.IGNORED
    assert "inconnu@example.fr" in inbound.reason


def test_the_handler_can_quarantine_with_its_reason(settings):
    settings.LEVIER_INBOUND_MAIL_HANDLER = f"{HANDLERS}.handler_quarantine"
    inbound = store_and_process(raw=plain())
    assert inbound.status == InboundStatus.QUARANTINED
    assert inbound.reason == "Trop de messages de cet expéditeur en une heure."
    assert inbound.raw is not None
    assert _events(inbound) == [("quarantine", "quarantine-message")]


def test_a_crashing_handler_is_rolled_back_and_the_message_quarantined(settings, caplog):
    settings.LEVIER_INBOUND_MAIL_HANDLER = f"{HANDLERS}.handler_crash"
    inbound = store_and_process(raw=plain())
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.QUARANTINED
    assert inbound.reason == "Erreur interne : ValueError : le classifieur est indisponible"
    assert not Mailbox.objects.filter(name="written-by-the-handler").exists()
    assert inbound.raw is not None
    assert "handler failed" in caplog.text


def test_an_unimportable_handler_quarantines_instead_of_losing_the_mail(settings):
    settings.LEVIER_INBOUND_MAIL_HANDLER = "levier.nowhere.handler"
    inbound = store_and_process(raw=plain())
    assert inbound.status == InboundStatus.QUARANTINED
    assert inbound.reason.startswith("Erreur interne : ModuleNotFoundError")


def test_an_oversized_import_is_quarantined_without_its_bytes(settings):
    settings.LEVIER_MAIL_MAX_BYTES = 1024 * 1024
    raw = plain(body="x" * (1024 * 1024 + 200_000))
    inbound = store_and_process(raw=raw)
    assert inbound.status == InboundStatus.QUARANTINED
    assert inbound.raw is None and inbound.size == len(raw)
    assert inbound.reason.startswith("Message de 1,2 Mo, au-delà de la limite de 1 Mo")
    assert store_and_process(raw=raw) == inbound


def test_reprocess_tries_the_handler_again(settings, agent):
    settings.LEVIER_INBOUND_MAIL_HANDLER = f"{HANDLERS}.handler_crash"
    inbound = store_and_process(raw=plain())
    settings.LEVIER_INBOUND_MAIL_HANDLER = f"{HANDLERS}.handler_ok"
    inbound = reprocess(inbound=inbound, actor=agent)
    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.result_reference == "TEST-REF" and inbound.reason == ""
    assert inbound.attempts == 2
    last = Event.objects.filter(target_id=str(inbound.pk)).latest("pk")
    assert (last.verb, last.actor_kind, last.actor_id) == ("receive", "agent", str(agent.pk))


def test_reprocess_refuses_processed_and_not_downloaded_messages(settings, agent):
    processed = store_and_process(raw=plain())
    with pytest.raises(CannotReprocess):
        reprocess(inbound=processed, actor=agent)
    settings.LEVIER_MAIL_MAX_BYTES = 1000
    too_large = store_and_process(raw=plain(body="y" * 2000))
    with pytest.raises(CannotReprocess):
        reprocess(inbound=too_large, actor=agent)

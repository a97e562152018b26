"""The outbox: every email a row before it is sent, sent once, retried, never lost."""

from __future__ import annotations

import datetime
import socket
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from levier.enquiries.services import enquiry_reply
from levier.journal.models import Event
from levier.mailing import outbox
from levier.mailing.models import OutboundEmail, OutboundStatus
from levier.mailing.services import (
    email_queue,
    email_record_bounce,
    email_resend,
    outbox_flush,
    store_and_process,
)
from levier.mailing.tasks import send_outbound_email

from ..factories import ContactFactory, EnquiryFactory, TopicFactory
from .test_parsing import DSN

DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
}


class SMTPServer:
    """A real SMTP server on loopback that can be stopped and started again on its port."""

    def __init__(self, settings, refuse_recipients: bool = False):
        from aiosmtpd.handlers import Message

        outer = self

        class Inbox(Message):
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if refuse_recipients:
                    return "550 5.1.1 User unknown"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            def handle_message(self, message):
                outer.messages.append(message)

        self.messages: list = []
        self.handler = Inbox()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = None
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = self.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 5

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def message_ids(self) -> Counter:
        return Counter(message["Message-ID"] for message in self.messages)


@pytest.fixture
def smtp(settings):
    server = SMTPServer(settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def run_worker(**options) -> None:
    call_command(
        "db_worker",
        queue_name="*",
        batch=True,
        interval=0,
        no_startup_delay=True,
        reload=False,
        verbosity=0,
        **options,
    )


def make_due(*emails: OutboundEmail) -> None:
    rows = OutboundEmail.objects.filter(status=OutboundStatus.QUEUED)
    if emails:
        rows = rows.filter(pk__in=[email.pk for email in emails])
    rows.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


def test_the_row_exists_before_sending_with_its_message_id_fixed(
    db, smtp, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Mairie <ne-pas-repondre@mairie.test>"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = email_queue(to="usager@exemple.fr", subject="Votre dossier", body="Bonjour")
    email.refresh_from_db()
    assert email.status == OutboundStatus.QUEUED and email.attempts == 0
    assert email.message_id.startswith("<") and email.message_id.endswith("@mairie.test>")
    assert smtp.messages == []
    for callback in callbacks:  # the commit
        callback()
    email.refresh_from_db()
    assert email.status == OutboundStatus.SENT and email.sent_at is not None
    assert email.attempts == 1
    (received,) = smtp.messages
    assert received["Message-ID"] == email.message_id
    assert received["To"] == "usager@exemple.fr"
    assert (
        Event.objects.filter(
            target_type="mailing.outboundemail", target_id=str(email.pk), verb="send"
        )
        .get()
        .activity_code
        == "send-email"
    )


def test_html_attachments_reply_to_and_about(
    db, smtp, settings, django_capture_on_commit_callbacks
):
    settings.LEVIER_REPLY_TO_EMAIL = "accueil@mairie.test"
    contact = ContactFactory()
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(
            to=contact.email,
            subject="Votre attestation",
            body="Ci-joint.",
            html="<p>Ci-joint.</p>",
            contact=contact,
            about=("cases.case", 12),
            attachments=[("attestation.pdf", b"%PDF-1.4 test", "application/pdf")],
            headers={"List-Unsubscribe": "<mailto:desinscription@mairie.test>"},
        )
    email.refresh_from_db()
    assert (email.about_type, email.about_id, email.contact) == ("cases.case", "12", contact)
    (received,) = smtp.messages
    assert received["Reply-To"] == "accueil@mairie.test"
    assert received["List-Unsubscribe"] == "<mailto:desinscription@mairie.test>"
    names = [part.get_filename() for part in received.walk() if part.get_filename()]
    assert names == ["attestation.pdf"]
    assert "text/html" in {part.get_content_type() for part in received.walk()}


def test_running_the_task_again_never_sends_twice(db, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(to="usager@exemple.fr", subject="Une fois", body="x")
    assert send_outbound_email.call(email.pk) == "skipped"
    assert send_outbound_email.call(email.pk) == "skipped"
    assert len(smtp.messages) == 1


def test_an_email_claimed_by_another_sender_is_left_to_it(
    db, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        email = email_queue(to="usager@exemple.fr", subject="Réclamé", body="x")
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundStatus.SENDING, claimed_at=timezone.now()
    )
    assert send_outbound_email.call(email.pk) == "skipped"
    assert smtp.messages == []


def test_an_invalid_address_is_refused_when_entered(db):
    with pytest.raises(ValidationError) as error:
        email_queue(to="usager@@exemple", subject="x", body="y")
    assert "usager@@exemple" in str(error.value)
    assert not OutboundEmail.objects.exists()


def test_backoff_grows():
    assert [outbox.backoff(n).total_seconds() for n in range(1, 8)] == [
        60,
        300,
        1800,
        7200,
        21600,
        21600,
        21600,
    ]


def test_a_refused_connection_is_retried_later_and_sent_once_the_server_is_back(
    db, settings, django_capture_on_commit_callbacks
):
    server = SMTPServer(settings)  # not started: the connection is refused
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(to="usager@exemple.fr", subject="Patience", body="x")
    after = timezone.now()
    email.refresh_from_db()
    assert email.status == OutboundStatus.QUEUED and email.attempts == 1
    assert "Connection" in email.last_error or "refused" in email.last_error.lower()
    # A minute after the failure, which happened between `before` and `after`, however
    # long that took.
    minute = datetime.timedelta(minutes=1)
    assert before + minute <= email.next_attempt_at <= after + minute
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_flush() == 0  # not due yet
    server.start()
    try:
        make_due(email)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("mail", "flush-outbox", verbosity=0)
        email.refresh_from_db()
        assert email.status == OutboundStatus.SENT and email.attempts == 2
        assert server.message_ids() == Counter({email.message_id: 1})
    finally:
        server.stop()


def test_failure_after_the_last_attempt_is_recorded_on_the_contact(
    db, settings, django_capture_on_commit_callbacks
):
    settings.LEVIER_EMAIL_MAX_ATTEMPTS = 3
    SMTPServer(settings)  # never started
    contact = ContactFactory()
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(to=contact.email, subject="Jamais", body="x", contact=contact)
    for _ in range(2):
        make_due(email)
        with django_capture_on_commit_callbacks(execute=True):
            outbox_flush()
    email.refresh_from_db()
    contact.refresh_from_db()
    assert email.status == OutboundStatus.FAILED and email.attempts == 3
    assert "3" in contact.email_problem and contact.email_problem
    assert contact.email_undeliverable_at is None  # the server never answered: not the address
    verbs = list(
        Event.objects.filter(target_type="mailing.outboundemail", target_id=str(email.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["queue", "send-retry", "send-retry", "send-failed"]


def test_a_permanent_refusal_fails_at_once(db, settings, django_capture_on_commit_callbacks):
    server = SMTPServer(settings, refuse_recipients=True)
    server.start()
    contact = ContactFactory()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            email = email_queue(to=contact.email, subject="Refusé", body="x", contact=contact)
    finally:
        server.stop()
    email.refresh_from_db()
    contact.refresh_from_db()
    assert email.status == OutboundStatus.FAILED and email.attempts == 1
    assert "550" in email.last_error and "550" in contact.email_problem


def test_an_agent_resends_as_a_new_email(db, smtp, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = email_queue(to="usager@exemple.fr", subject="Encore", body="x")
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        again = email_resend(email=first, actor=agent)
    again.refresh_from_db()
    assert again.pk != first.pk and again.message_id != first.message_id
    assert again.resent_from == first and again.status == OutboundStatus.SENT
    assert smtp.message_ids() == Counter({first.message_id: 1, again.message_id: 1})
    event = Event.objects.get(verb="resend")
    assert (event.actor_kind, event.actor_id) == ("agent", str(agent.pk))


def test_an_email_still_in_the_outbox_cannot_be_resent(
    db, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        email = email_queue(to="usager@exemple.fr", subject="x", body="y")
    with pytest.raises(ValidationError):
        email_resend(email=email, actor=agent)


def test_a_bounce_marks_the_email_and_the_contact(db, smtp, django_capture_on_commit_callbacks):
    contact = ContactFactory(email="inconnu@example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(
            to="Inconnu@example.fr", subject="Votre demande", body="x", contact=contact
        )
    store_and_process(raw=DSN)
    email.refresh_from_db()
    contact.refresh_from_db()
    assert email.status == OutboundStatus.BOUNCED
    assert "inconnu@example.fr" in email.last_error
    assert contact.email_undeliverable_at is not None
    assert contact.email_problem.startswith("Avis de non-distribution")


def test_a_bounce_for_an_address_levier_never_wrote_to_marks_the_contact_only(db):
    contact = ContactFactory(email="ancien@example.fr")
    assert email_record_bounce(address="ANCIEN@example.fr", reason="550") is None
    contact.refresh_from_db()
    assert contact.email_undeliverable_at is not None


def test_a_crashed_sender_s_claim_is_sent_again_once(db, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = email_queue(to="usager@exemple.fr", subject="Panne", body="x")
    long_ago = timezone.now() - outbox.STALE_CLAIM - datetime.timedelta(minutes=1)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundStatus.SENDING, claimed_at=long_ago, attempts=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_flush() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_flush() == 0
    email.refresh_from_db()
    assert email.status == OutboundStatus.SENT and email.attempts == 2
    assert smtp.message_ids() == Counter({email.message_id: 1})


def test_the_reply_and_its_email_share_the_message_id(
    db, smtp, agent, team, django_capture_on_commit_callbacks
):
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    with django_capture_on_commit_callbacks(execute=True):
        message = enquiry_reply(enquiry=enquiry, author=agent, body="Voici.", close=False)
    email = OutboundEmail.objects.get()
    assert email.message_id == message.email_message_id
    assert (email.about_type, email.about_id) == ("enquiries.enquiry", str(enquiry.pk))
    assert email.contact == enquiry.contact
    assert smtp.message_ids() == Counter({message.email_message_id: 1})


@pytest.mark.django_db(transaction=True)
def test_an_smtp_outage_loses_nothing_and_sends_nothing_twice(settings, monkeypatch):
    """1,000 emails: the worker sends some, the SMTP server goes down (the rest are
    rescheduled), comes back on the same port, and every email leaves exactly once."""
    settings.TASKS = DATABASE_TASKS
    # The worker reads the real clock: with the 1-minute first backoff, a busy machine
    # failing 700 emails for over a minute retries the first ones in the same run, which
    # is right but not what the steps below count. A backoff no run can outlast keeps
    # every retry waiting until `make_due`, however slow the machine.
    monkeypatch.setattr(outbox, "BACKOFF", [datetime.timedelta(days=1)])
    server = SMTPServer(settings)
    server.start()
    try:
        with transaction.atomic():
            emails = [
                email_queue(to=f"usager{n}@exemple.fr", subject=f"Campagne {n}", body="Bonjour")
                for n in range(1000)
            ]
        assert OutboundEmail.objects.filter(status=OutboundStatus.QUEUED).count() == 1000

        run_worker(max_tasks=300)
        assert len(server.messages) == 300

        server.stop()
        run_worker()  # every remaining email fails and is rescheduled for later
        assert OutboundEmail.objects.filter(status=OutboundStatus.QUEUED, attempts=1).count() == 700
        assert len(server.messages) == 300

        server.start()
        run_worker()  # nothing is due yet: the retries wait for their backoff
        assert len(server.messages) == 300
        make_due()
        call_command("mail", "flush-outbox", verbosity=0)
        run_worker()
    finally:
        server.stop()
    assert server.message_ids() == Counter({email.message_id: 1 for email in emails})
    assert OutboundEmail.objects.filter(status=OutboundStatus.SENT).count() == 1000


def test_an_administrator_resends_from_the_admin(
    db, client, smtp, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from ..factories import AgentFactory

    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(to="usager@exemple.fr", subject="Admin", body="x")
    client.force_login(AgentFactory(username="root", administrator=True))
    url = reverse("admin:mailing_outboundemail_changelist")
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "resend", "_selected_action": [email.pk]})
    assert response.status_code == 302
    assert OutboundEmail.objects.filter(resent_from=email, status=OutboundStatus.SENT).count() == 1
    assert len(smtp.messages) == 2


def test_an_email_that_cannot_be_built_goes_back_to_the_queue(
    db, smtp, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=False):
        email = email_queue(
            to="usager@exemple.fr",
            subject="x",
            body="y",
            attachments=[("a.txt", b"a", "text/plain")],
        )
    attachment = email.attachments.get()
    attachment.file.delete(save=False)  # lost from the storage: a bug, not the server's fault
    assert send_outbound_email.call(email.pk) == "retry"
    email.refresh_from_db()
    assert email.status == OutboundStatus.QUEUED and email.attempts == 1 and email.last_error
    assert smtp.messages == []

"""An email in flight when its worker dies: sent exactly once, and no task row left running.

Security review (issue 10, item 13): a worker killed after the SMTP server accepted an
email made `flush-outbox` send it a second time, and its task row stayed "running"
forever. Here the worker really dies (SIGKILL) on PostgreSQL, where a separate worker
process shares the database; the same recovery runs in-process on every database.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import secrets
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from levier.journal.models import Event
from levier.mailing import outbox
from levier.mailing.models import OutboundEmail, OutboundStatus
from levier.mailing.services import email_queue

from .test_outbox import DATABASE_TASKS, SMTPServer, run_worker

SRC = Path(__file__).resolve().parents[2] / "src"
LONG_AGO = datetime.timedelta(days=1)  # past every recovery window
WAIT_SECONDS = 60  # a bound for the worker process to reach the SMTP server


class StallingSMTPServer(SMTPServer):
    """The test SMTP server, able to stall before accepting (DATA) or after (QUIT)."""

    def __init__(self, settings, *, stall: str):
        super().__init__(settings)
        self.reached = threading.Event()  # the sender got to the stalling command
        self.release = threading.Event()
        server = self

        async def wait_for_release():
            server.reached.set()
            while not server.release.is_set():
                await asyncio.sleep(0.05)

        if stall == "DATA":
            original = self.handler.handle_DATA

            async def handle_DATA(smtp, session, envelope):
                if not server.reached.is_set():
                    await wait_for_release()
                    return "451 4.3.0 Try again later"  # this sender is gone: never accepted
                return await original(smtp, session, envelope)

            self.handler.handle_DATA = handle_DATA
        else:

            async def handle_QUIT(smtp, session, envelope):
                if not server.reached.is_set():
                    await wait_for_release()
                return "221 Bye"

            self.handler.handle_QUIT = handle_QUIT


def _queue_email(settings) -> OutboundEmail:
    settings.TASKS = DATABASE_TASKS
    with transaction.atomic():
        return email_queue(to="usager@exemple.fr", subject="Votre dossier", body="Bonjour")


def _age_every_claim() -> None:
    """Time passes beyond the windows: the dead worker's claims are now stale."""
    past = timezone.now() - LONG_AGO
    DBTaskResult.objects.filter(status="RUNNING").update(started_at=past)
    OutboundEmail.objects.filter(status=OutboundStatus.SENDING).update(claimed_at=past)


def _recover_and_run_the_worker() -> None:
    call_command("watch", "--once", verbosity=0)
    run_worker()


def _assert_sent_once_and_no_task_left_running(smtp, email: OutboundEmail) -> None:
    email.refresh_from_db()
    assert email.status == OutboundStatus.SENT
    assert smtp.message_ids() == Counter({email.message_id: 1})
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()


# --- in-process: the rows a killed worker leaves behind ------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_claiming_leaves_nothing_running_and_the_email_leaves_once(
    settings,
):
    smtp = SMTPServer(settings)
    smtp.start()
    try:
        email = _queue_email(settings)
        # The worker claims its task row and the email, as it does, then dies.
        DBTaskResult.objects.get().claim("worker-killed")
        assert OutboundEmail.objects.filter(pk=email.pk).update(
            status=OutboundStatus.SENDING, claimed_at=timezone.now(), attempts=1
        )
        _age_every_claim()
        _recover_and_run_the_worker()
        _assert_sent_once_and_no_task_left_running(smtp, email)
    finally:
        smtp.stop()
    abandoned = DBTaskResult.objects.get(worker_ids=["worker-killed"])
    assert abandoned.status == "FAILED" and "stopped" in abandoned.traceback
    assert Event.objects.filter(verb="task-abandoned", target_id=str(abandoned.pk)).exists()
    assert Event.objects.filter(verb="unclaim", target_id=str(email.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_smtp_acceptance_does_not_send_again(settings):
    smtp = SMTPServer(settings)
    smtp.start()
    try:
        email = _queue_email(settings)
        task = DBTaskResult.objects.get()
        task.claim("worker-killed")
        # What the worker did before dying: claim, hand over, note the server's acceptance.
        assert OutboundEmail.objects.filter(pk=email.pk).update(
            status=OutboundStatus.SENDING, claimed_at=timezone.now(), attempts=1
        )
        email.refresh_from_db()
        outbox.deliver(email, on_accepted=lambda: _note_acceptance(email))
        assert len(smtp.messages) == 1
        _age_every_claim()
        _recover_and_run_the_worker()
        _assert_sent_once_and_no_task_left_running(smtp, email)
    finally:
        smtp.stop()
    sent = Event.objects.get(verb="send", target_id=str(email.pk))
    assert sent.payload["recovered"] is True


def _note_acceptance(email: OutboundEmail) -> None:
    from levier.mailing.services.outbound import _email_note_accepted  # what email_send does

    _email_note_accepted(email.pk)


@pytest.mark.django_db(transaction=True)
def test_an_smtp_server_that_stalls_after_accepting_gets_the_email_once(settings):
    """The server accepts the email, then never answers QUIT: the timeout comes after
    acceptance, so the email counts as sent and is not retried."""
    smtp = StallingSMTPServer(settings, stall="QUIT")
    settings.EMAIL_TIMEOUT = 1
    smtp.start()
    try:
        email = _queue_email(settings)
        run_worker()
        smtp.release.set()
        email.refresh_from_db()
        OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        call_command("mail", "flush-outbox", verbosity=0)
        run_worker()
        _assert_sent_once_and_no_task_left_running(smtp, email)
    finally:
        smtp.release.set()
        smtp.stop()


# --- a real worker process, killed ---------------------------------------------------------

needs_postgresql = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="a worker process shares the test database on PostgreSQL only",
)


def _start_worker(smtp, tmp_path) -> subprocess.Popen:
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    environment = {
        **os.environ,
        "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "DATABASE_URL": url,
        "LEVIER_VAR_DIR": str(tmp_path),
        "LEVIER_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "LEVIER_EMAIL_HOST": "127.0.0.1",
        "LEVIER_EMAIL_PORT": str(smtp.port),
        "LEVIER_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        # levier refuses to start outside the demo with the public demo key.
        "LEVIER_SECRET_KEY": secrets.token_urlsafe(50),
    }
    command = [sys.executable, "-m", "levier", "db_worker", "--queue-name", "*",
               "--interval", "0.1", "--no-startup-delay", "--no-reload"]  # fmt: skip
    return subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _kill_when_reached(worker: subprocess.Popen, smtp: StallingSMTPServer) -> None:
    try:
        assert smtp.reached.wait(WAIT_SECONDS), "the worker never reached the SMTP server"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(WAIT_SECONDS)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stall", ["DATA", "QUIT"])
def test_a_real_worker_killed_in_flight_sends_once_and_leaves_nothing_running(
    settings, tmp_path, stall
):
    """DATA: killed before the server accepted; QUIT: killed after it accepted."""
    smtp = StallingSMTPServer(settings, stall=stall)
    smtp.start()
    try:
        email = _queue_email(settings)
        worker = _start_worker(smtp, tmp_path)
        _kill_when_reached(worker, smtp)
        assert worker.returncode == -signal.SIGKILL
        assert DBTaskResult.objects.filter(status="RUNNING").count() == 1
        assert len(smtp.messages) == (1 if stall == "QUIT" else 0)
        smtp.release.set()
        _age_every_claim()
        _recover_and_run_the_worker()
        _assert_sent_once_and_no_task_left_running(smtp, email)
    finally:
        smtp.release.set()
        smtp.stop()


@pytest.mark.django_db(transaction=True)
def test_a_task_still_within_its_window_is_left_running(settings):
    from levier.core.services import task_results_recover_stale

    _queue_email(settings)
    task = DBTaskResult.objects.get()
    task.claim("worker-alive")
    later = timezone.now() + datetime.timedelta(minutes=settings.LEVIER_TASKS_STALE_AFTER_MINUTES)
    assert task_results_recover_stale(now=later - datetime.timedelta(minutes=1)) == 0
    assert task_results_recover_stale(now=later + datetime.timedelta(minutes=1)) == 1
    task.refresh_from_db()
    assert task.status == "FAILED" and task.exception_class_path.endswith("WorkerLost")

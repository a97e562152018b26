"""Outgoing email goes through the outbox, the task queue and a real SMTP server."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from levier.mailing.models import OutboundEmail, OutboundStatus
from levier.mailing.services import email_queue


def test_email_is_sent_over_smtp_after_commit(db, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(to="usager@exemple.fr", subject="Votre dossier", body="Référence TST-1")
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "usager@exemple.fr"
    assert message["Subject"] == "Votre dossier"


def test_nothing_is_sent_when_the_transaction_rolls_back(
    db, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_queue(to="usager@exemple.fr", subject="x", body="y")
    # Callbacks captured (the journal's and the enqueue) but never run: that is what a rollback does.
    assert len(callbacks) == 2
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_database_worker_delivers_queued_email(settings, smtp_server):
    """With the database backend, the email waits in the queue until a worker runs it."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }
    email_queue(to="usager@exemple.fr", subject="File d'attente", body="Bonjour")
    assert DBTaskResult.objects.count() == 1
    assert smtp_server.messages == []
    call_command(
        "db_worker", queue_name="*", batch=True, interval=0, no_startup_delay=True, reload=False
    )
    assert len(smtp_server.messages) == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert OutboundEmail.objects.get().status == OutboundStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_with_database_tasks_the_email_commits_or_rolls_back_with_the_data(settings):
    """The outbox row and its task row are written in the data's transaction: no email for
    rolled-back data, and none lost between a commit and a later enqueue."""
    from django.db import transaction

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        email_queue(to="usager@exemple.fr", subject="Annulé", body="x")
        raise Abort
    assert DBTaskResult.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    with transaction.atomic():
        email_queue(to="usager@exemple.fr", subject="Validé", body="x")
        assert DBTaskResult.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert OutboundEmail.objects.count() == 1

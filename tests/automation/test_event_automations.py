"""Event automations: the receiver only queues a task keyed by the event; the task has its
effect once however often it runs; the sweep queues what a crash after commit lost."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from levier.automation.models import AutomationRun, RunStatus
from levier.automation.services import automation_sweep
from levier.automation.tasks import run_automation
from levier.cases import services as case_services
from levier.cases.models import CaseStatus
from levier.documents.models import EmailTemplate, GeneratedDocument
from levier.journal.models import Event
from levier.mailing.models import OutboundEmail

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
}


@pytest.fixture
def accepted_template(procedure, html_template):
    return EmailTemplate.objects.create(
        name="Dossier accepté",
        procedure=procedure,
        status=CaseStatus.ACCEPTED,
        subject="Dossier {{ dossier.reference }} : accepté",
        body_text="Bonjour {{ usager.prenom }}, votre demande est acceptée.",
        attach_template=html_template,
    )


def accept(case, agent) -> Event:
    case.status = CaseStatus.IN_REVIEW
    case.save()
    case_services.case_transition(case=case, to_status=CaseStatus.ACCEPTED, actor=agent)
    return Event.objects.filter(verb="transition", target_id=str(case.pk)).latest("pk")


def test_the_receiver_queues_a_task_keyed_by_the_event_and_does_not_run_it(
    settings, case, agent, accepted_template, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        event = accept(case, agent)
    task = DBTaskResult.objects.get(task_path="levier.automation.tasks.run_automation")
    assert task.args_kwargs["args"] == ["status-emails", event.pk]
    assert AutomationRun.objects.get().status == RunStatus.QUEUED
    # Nothing slow happened in the agent's request: no document, no email.
    assert not GeneratedDocument.objects.exists() and not OutboundEmail.objects.exists()


def test_a_task_run_twice_sends_one_email(
    case, agent, accepted_template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = accept(case, agent)  # the task runs at once in tests
    assert OutboundEmail.objects.get().dedupe_key == f"event:{event.pk}:status-email"
    with django_capture_on_commit_callbacks(execute=True):
        assert run_automation.call("status-emails", event.pk) == "already done"
        # A worker that died after the email, before "done": the run is redone…
        AutomationRun.objects.update(status=RunStatus.QUEUED)
        assert run_automation.call("status-emails", event.pk) == "done"
    # …and finds its email: one email, one attestation, one send.
    assert OutboundEmail.objects.count() == 1
    assert GeneratedDocument.objects.filter(case=case).count() == 1
    assert len(mail.outbox) == 1
    assert Event.objects.filter(verb="queue-email").count() == 1


def test_a_crash_between_commit_and_receiver_is_recovered_by_the_sweep(
    case, agent, accepted_template, django_capture_on_commit_callbacks
):
    # The transaction commits, then the process dies: the receivers never run.
    with django_capture_on_commit_callbacks(execute=False):
        event = accept(case, agent)
    assert not AutomationRun.objects.exists() and not OutboundEmail.objects.exists()
    # Within the grace period the event is left to its receiver.
    assert automation_sweep(now=timezone.now()) == 0
    later = timezone.now() + datetime.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert automation_sweep(now=later) == 1
    assert Event.objects.get(verb="automation-recover").target_id == str(event.pk)
    run = AutomationRun.objects.get(automation="status-emails", event_id=event.pk)
    assert run.status == RunStatus.DONE
    assert OutboundEmail.objects.count() == 1 and len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert automation_sweep(now=later) == 0  # keyed by the event: once
    assert OutboundEmail.objects.count() == 1


def test_the_sweep_ignores_events_older_than_its_window(
    settings, case, agent, accepted_template, django_capture_on_commit_callbacks
):
    settings.LEVIER_AUTOMATION_SWEEP_HOURS = 1
    with django_capture_on_commit_callbacks(execute=False):
        accept(case, agent)
    assert automation_sweep(now=timezone.now() + datetime.timedelta(hours=2)) == 0


def test_a_run_whose_task_was_lost_is_queued_again(
    settings, case, agent, accepted_template, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        event = accept(case, agent)
    DBTaskResult.objects.all().delete()  # the task row went with a lost worker
    later = timezone.now() + datetime.timedelta(
        minutes=settings.LEVIER_TASKS_STALE_AFTER_MINUTES + 1
    )
    assert automation_sweep(now=later) == 1
    assert DBTaskResult.objects.get().args_kwargs["args"] == ["status-emails", event.pk]


def test_a_failing_automation_is_kept_failed_and_the_status_change_stands(
    monkeypatch, case, agent, accepted_template, django_capture_on_commit_callbacks
):
    from levier.documents import signals

    def broken(**kwargs):
        raise RuntimeError("serveur de modèles indisponible")

    monkeypatch.setattr(signals, "send_status_email", broken)
    with django_capture_on_commit_callbacks(execute=True):
        accept(case, agent)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    run = AutomationRun.objects.get()
    assert run.status == RunStatus.FAILED and "indisponible" in run.error
    failed = Event.objects.get(verb="automation-failed")
    assert failed.payload == {"automation": "status-emails", "event": run.event_id,
                              "error": "RuntimeError"}  # fmt: skip


def test_document_checks_are_queued_on_submission_when_switched_on(
    settings, case, agent, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    settings.LEVIER_CONTROLS_ON_SUBMISSION = True
    from levier.journal.services import record

    with django_capture_on_commit_callbacks(execute=True):
        event = record(actor=agent, verb="add-document", target=case)
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == ["document-checks", event.pk]
    settings.LEVIER_CONTROLS_ON_SUBMISSION = False
    with django_capture_on_commit_callbacks(execute=True):
        record(actor=agent, verb="add-document", target=case)
    assert DBTaskResult.objects.count() == 1

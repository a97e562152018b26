"""A process really killed right after committing a status change: no receiver ran, the
usager would get no email; the sweep of `levier watch` queues it, and it is sent once.

PostgreSQL only: the killed process must share the test database.
"""

from __future__ import annotations

import datetime
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from levier.automation.models import AutomationRun, RunStatus
from levier.automation.services import automation_sweep
from levier.cases.models import CaseStatus
from levier.documents.models import EmailTemplate
from levier.journal.models import Event
from levier.mailing.models import OutboundEmail
from tests.mailing.test_outbox import DATABASE_TASKS, run_worker

SRC = Path(__file__).resolve().parents[2] / "src"

# Commits the transition, then dies (SIGKILL) at the first dispatch after the commit.
KILLED_AFTER_COMMIT = """
import os, signal, sys
import django
django.setup()
from levier.journal import services as journal
journal.event_committed.send = lambda **kwargs: os.kill(os.getpid(), signal.SIGKILL)
from levier.cases.models import Case
from levier.cases.services import case_transition
from levier.core.models import Agent
case = Case.objects.get(pk=int(sys.argv[1]))
case_transition(case=case, to_status="accepted", actor=Agent.objects.get(pk=int(sys.argv[2])))
print("the process survived the commit")
"""


@pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="the killed process shares the test database on PostgreSQL only",
)
@pytest.mark.django_db(transaction=True)
def test_a_process_killed_after_commit_is_recovered_by_the_sweep(
    settings, tmp_path, case, agent, procedure, html_template
):
    EmailTemplate.objects.create(
        name="Dossier accepté", procedure=procedure, status=CaseStatus.ACCEPTED,
        subject="Dossier {{ dossier.reference }} : accepté", body_text="Bonjour",
        attach_template=html_template,
    )  # fmt: skip
    case.status = CaseStatus.IN_REVIEW
    case.save()
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    environment = {
        **os.environ,
        "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "DJANGO_SETTINGS_MODULE": "levier.settings",
        "DATABASE_URL": url,
        "LEVIER_VAR_DIR": str(tmp_path),
        "LEVIER_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "LEVIER_SECRET_KEY": secrets.token_urlsafe(50),
    }
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_COMMIT, str(case.pk), str(agent.pk)],
        env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED  # committed…
    event = Event.objects.get(verb="transition", target_id=str(case.pk))
    assert not AutomationRun.objects.exists() and not OutboundEmail.objects.exists()  # …lost

    settings.TASKS = DATABASE_TASKS
    assert automation_sweep(now=timezone.now() + datetime.timedelta(minutes=5)) == 1
    run_worker()  # the automation, then the email it queued
    assert AutomationRun.objects.get(event_id=event.pk).status == RunStatus.DONE
    assert OutboundEmail.objects.get().dedupe_key == f"event:{event.pk}:status-email"
    assert len(mail.outbox) == 1
    assert automation_sweep(now=timezone.now() + datetime.timedelta(minutes=5)) == 0

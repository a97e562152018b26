"""The outbox's dedupe key: a retried automation finds its email instead of writing a second."""

from __future__ import annotations

import pytest
from django.core import mail

from levier.journal.models import Event
from levier.mailing.models import OutboundEmail
from levier.mailing.services import email_queue

pytestmark = pytest.mark.django_db


def queue(key: str, subject: str = "Votre dossier") -> OutboundEmail:
    return email_queue(to="usager@exemple.fr", subject=subject, body="Bonjour", dedupe_key=key)


def test_queueing_twice_with_one_key_returns_the_first_row_and_sends_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue("event:12:status-email")
    with django_capture_on_commit_callbacks(execute=True):
        again = queue("event:12:status-email", subject="Autre objet")
    assert again.pk == first.pk and again.subject == "Votre dossier"
    assert OutboundEmail.objects.count() == 1 and len(mail.outbox) == 1
    assert Event.objects.filter(verb="queue").count() == 1  # the retry is not journaled twice


def test_emails_without_a_key_are_independent(django_capture_on_commit_callbacks):
    email_queue(to="usager@exemple.fr", subject="Un", body="x")
    email_queue(to="usager@exemple.fr", subject="Deux", body="x")
    queue("event:1:a"), queue("event:2:a")
    assert OutboundEmail.objects.count() == 4
    assert OutboundEmail.objects.filter(dedupe_key__isnull=True).count() == 2

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from levier.journal.services import Actor, record

from .models import Agent, Notification


def notification_create(*, agent: Agent, text: str, url: str, actor=None) -> Notification:
    """Notify an agent (an @mention, an assignment)."""
    with transaction.atomic():
        notification = Notification.objects.create(agent=agent, text=text[:300], url=url)
        record(actor=actor or Actor.system(), verb="notify", target=agent, payload={"text": text[:300]})
    return notification


def notification_mark_read(*, agent: Agent, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])

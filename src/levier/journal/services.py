"""`record()`: the one way to write the journal, and dispatch on commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from .models import Activity, ActorKind, Event

# Sent once the transaction that wrote the event commits: automation listens here.
event_committed = Signal()


@dataclass(frozen=True)
class Actor:
    kind: str
    id: str = ""
    label: str = ""

    @classmethod
    def of(cls, agent) -> Actor:
        return cls(ActorKind.AGENT, str(agent.pk), str(agent))

    @classmethod
    def usager(cls, contact=None, label: str = "") -> Actor:
        if contact is None:
            return cls(ActorKind.USAGER, "", label or "usager")
        return cls(ActorKind.USAGER, str(contact.pk), label or str(contact))

    @classmethod
    def robot(cls, name: str) -> Actor:
        return cls(ActorKind.ROBOT, name, name)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM, "", "levier")


def as_actor(who) -> Actor:
    """Accept an Actor or an Agent (the common case in views and services)."""
    if isinstance(who, Actor):
        return who
    return Actor.of(who)


_standard_seconds: dict[str, int] = {}


def standard_seconds(code: str) -> int | None:
    """The catalogue's standard time for an activity, cached per process."""
    if code not in _standard_seconds:
        value = Activity.objects.filter(code=code).values_list("standard_seconds", flat=True).first()
        if value is None:
            return None
        _standard_seconds[code] = value
    return _standard_seconds[code]


def target_key(target: models.Model | tuple[str, Any]) -> tuple[str, str]:
    if isinstance(target, tuple):
        return target[0], str(target[1])
    return target._meta.label_lower, str(target.pk)


def record(
    *,
    actor,
    verb: str,
    target: models.Model | tuple[str, Any],
    activity: str = "",
    automated: bool = False,
    duration_seconds: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Append one event to the journal.

    `duration_seconds` is the measured time when known, otherwise the activity's
    standard time from the catalogue.
    """
    who = as_actor(actor)
    target_type, target_id = target_key(target)
    if duration_seconds is None and activity:
        duration_seconds = standard_seconds(activity)
    event = Event(
        occurred_at=timezone.now(),
        actor_kind=who.kind,
        actor_id=who.id,
        actor_label=who.label[:200],
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        activity_code=activity,
        automated=automated or who.kind == ActorKind.ROBOT,
        duration_seconds=duration_seconds,
        payload=payload or {},
    )
    event.save()
    transaction.on_commit(lambda: event_committed.send(sender=Event, event=event))
    return event


def record_read(*, agent, target: models.Model, what: str = "") -> Event:
    """Journal a read of personal data (RGPD traceability)."""
    return record(
        actor=agent,
        verb="read",
        target=target,
        activity="consult-personal-data",
        payload={"what": what} if what else None,
    )

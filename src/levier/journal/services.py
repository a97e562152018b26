"""`record()`: the one way to write the journal, and dispatch on commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from .models import Activity, ActorKind, Event, EventDetail, EventSubject
from .payload_policy import enforce
from .verbs import EXPORT, READ, READ_LIST, REVEAL

# Sent once the transaction that wrote the event commits: automation listens here.
event_committed = Signal()


@dataclass(frozen=True)
class Actor:
    kind: str
    id: str = ""
    label: str = ""

    @classmethod
    def of(cls, agent: models.Model) -> Actor:
        return cls(ActorKind.AGENT, str(agent.pk), str(agent))

    @classmethod
    def usager(cls, contact: models.Model | None = None, label: str = "") -> Actor:
        if contact is None:
            return cls(ActorKind.USAGER, "", label or "usager")
        return cls(ActorKind.USAGER, str(contact.pk), label or str(contact))

    @classmethod
    def robot(cls, name: str) -> Actor:
        return cls(ActorKind.ROBOT, name, name)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM, "", "levier")


def as_actor(who: Actor | models.Model) -> Actor:
    """Accept an Actor or an Agent (the common case in views and services)."""
    if isinstance(who, Actor):
        return who
    return Actor.of(who)


_standard_seconds: dict[str, int] = {}


def standard_seconds(code: str) -> int | None:
    """The catalogue's standard time for an activity, cached per process."""
    if code not in _standard_seconds:
        value = (
            Activity.objects.filter(code=code).values_list("standard_seconds", flat=True).first()
        )
        if value is None:
            return None
        _standard_seconds[code] = value
    return _standard_seconds[code]


def target_key(target: models.Model | tuple[str, Any]) -> tuple[str, str]:
    if isinstance(target, tuple):
        return target[0], str(target[1])
    # The concrete model: a Person (proxy) and its Contact row are one journal target.
    concrete = cast("type[models.Model]", target._meta.concrete_model)  # set on every model
    return concrete._meta.label_lower, str(target.pk)


def record(
    *,
    actor: Actor | models.Model,
    verb: str,
    target: models.Model | tuple[str, Any],
    activity: str = "",
    automated: bool = False,
    duration_seconds: int | None = None,
    payload: dict[str, Any] | None = None,
    subjects: Iterable[models.Model | tuple[str, Any]] = (),
    detail: str = "",
) -> Event:
    """Append one event to the journal.

    `duration_seconds` is the measured time when known, otherwise the activity's
    standard time from the catalogue. `subjects` are the other objects the event
    concerns (the rows a list showed), indexed for "who read this?".
    `payload` holds identifiers and codes only (journal.payload_policy); text the event
    must show (a refusal's reason, an error) goes to `detail`, which retention purges.
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
        payload=enforce(verb, payload),
    )
    event.save()
    if detail.strip():
        EventDetail.objects.create(event=event, text=detail.strip())
    keys = list(dict.fromkeys(target_key(subject) for subject in subjects))
    if keys:
        EventSubject.objects.bulk_create(
            EventSubject(event=event, subject_type=kind, subject_id=key) for kind, key in keys
        )
    transaction.on_commit(lambda: event_committed.send(sender=Event, event=event))
    return event


def record_read(*, agent: Actor | models.Model, target: models.Model, what: str = "") -> Event:
    """Journal a read of personal data (RGPD traceability)."""
    return record(
        actor=agent,
        verb=READ,
        target=target,
        activity="consult-personal-data",
        payload={"what": what} if what else None,
    )


# A list read names at most this many rows: a page shows 25; an admin page up to 100.
LIST_READ_MAX_IDS = 200


def record_list_read(
    *,
    agent: Actor | models.Model,
    listed: str,
    shown: Iterable[models.Model | tuple[str, Any]],
    query: str = "",
    filters: Iterable[str] = (),
    where: str = "",
) -> Event:
    """Journal one read of a list page (not one event per row): the ids of the rows shown.

    The search text is not stored, only its length: it may be a name or a NIR, and the
    journal can never be erased. A hash would not help, as names and NIRs are few enough
    to hash them all and find it back. `filters` are the names of the filters used;
    `where` says which page ("admin"), when the agent pages are not the one.
    """
    keys = list(dict.fromkeys(target_key(row) for row in shown))[:LIST_READ_MAX_IDS]
    return record(
        actor=agent,
        verb=READ_LIST,
        target=(listed, "list"),
        activity="consult-personal-data",
        payload={
            "ids": [f"{kind}#{key}" for kind, key in keys],
            "query_length": len(query or ""),
            "filters": sorted(set(filters)),
            **({"where": where} if where else {}),
        },
        subjects=keys,
    )


def record_reveal(*, agent: Actor | models.Model, target: models.Model, field: str) -> Event:
    """Journal that an agent unmasked an identifier (NIR, IBAN): the field's name only."""
    return record(
        actor=agent,
        verb=REVEAL,
        target=target,
        activity="consult-personal-data",
        payload={"field": field},
    )


def record_exports(
    *, agent: Actor | models.Model, targets: Iterable[models.Model | tuple[str, Any]], what: str
) -> int:
    """Journal one export per object (each case in a mail merge ZIP), in one bulk insert.

    The events are dispatched on commit like any other; returns how many were written.
    """
    who = as_actor(agent)
    now = timezone.now()
    events = [
        Event(
            occurred_at=now,
            actor_kind=who.kind,
            actor_id=who.id,
            actor_label=who.label[:200],
            verb=EXPORT,
            target_type=kind,
            target_id=key,
            payload=enforce(EXPORT, {"what": what}),
        )
        for kind, key in dict.fromkeys(target_key(target) for target in targets)
    ]
    written = Event.objects.bulk_create(events, batch_size=500)

    def dispatch() -> None:
        for event in written:
            event_committed.send(sender=Event, event=event)

    transaction.on_commit(dispatch)
    return len(written)


# Longest standard time a geste may be given: a geste is a unit of work, not a day.
MAX_STANDARD_SECONDS = 8 * 3600


class StandardDurationError(ValueError):
    """A standard time out of range (the message names the bounds)."""


def activity_adopt_standard_duration(
    *, actor: models.Model, activity: Activity, seconds: int
) -> Activity:
    """Make `seconds` the catalogue's standard time of `activity` (an administrator adopting
    the measured median, insights' calibration), journaled with the times before and after.

    Events already written keep their time; roll-ups rebuilt later count the new standard
    only for events that carried none. Other processes read the new value on restart
    (`standard_seconds` caches per process).

    Who may: whoever may change the activity catalogue (`journal.change_activity`, which
    superusers hold); core.policy's Action.CALIBRATE_STANDARD_TIMES is the same rule."""
    if not (getattr(actor, "is_active", False) and actor.has_perm("journal.change_activity")):  # type: ignore[attr-defined]
        raise PermissionDenied("Only administrators adopt a standard time.")
    if not 1 <= seconds <= MAX_STANDARD_SECONDS:
        raise StandardDurationError(
            f"A standard time is between 1 second and {MAX_STANDARD_SECONDS // 3600} hours; "
            f"{seconds} seconds is out of range."
        )
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        before = locked.standard_seconds
        locked.standard_seconds = seconds
        locked.save(update_fields=["standard_seconds"])
        record(
            actor=actor,
            verb="adopt-standard-duration",
            target=locked,
            payload={"code": locked.code, "before": before, "after": seconds},
        )
    code = locked.code
    _standard_seconds.pop(code, None)
    transaction.on_commit(lambda: _standard_seconds.pop(code, None))
    return locked

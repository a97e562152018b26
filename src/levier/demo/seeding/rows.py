"""Helpers every loading step shares: references, codes, agents, journal rows, stored files."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from levier.core.verification import ALPHABET, digest
from levier.journal.models import ActorKind

from ..pdfs import PrintedDocument
from ..plans import Worker
from ..timeline import PARIS
from .history import HISTORY_DAYS

# Key of an event row carrying the text of its EventDetail (removed before the insert).
DETAIL = "_detail"


class RowHelpers:
    """Shared by the loading mixins of `Seeder`, which provides their state."""

    def window(self) -> datetime.timedelta:
        days = self.options.window_days or (HISTORY_DAYS if self.options.cases <= 50_000 else 1095)
        return datetime.timedelta(days=days)

    def next_reference(self, prefix: str, moment: datetime.datetime) -> str:
        """PREFIX-YYYY-NNNNNN, numbered per prefix and year as the services number them."""
        year = moment.astimezone(PARIS).year
        number = self.references.get((prefix, year), 0) + 1
        self.references[(prefix, year)] = number
        return f"{prefix}-{year}-{number:06d}"

    def verification(self, reference: str) -> tuple[str, str]:
        code = "".join(self.rng.choices(ALPHABET, k=8))
        return code, digest(reference, code)

    def pick_worker(self, team_id: int) -> Worker:
        workers, cumulative = self.workers[team_id]
        return self.rng.choices(workers, cum_weights=cumulative)[0]

    def colleague_of(self, worker: Worker, team_id: int) -> Worker | None:
        others = [other for other in self.workers[team_id][0] if other.id != worker.id]
        return self.rng.choice(others) if others else None

    def agent_event(
        self,
        worker: Worker,
        moment: datetime.datetime,
        verb: str,
        target_type: str,
        target_id: str,
        activity: str,
        payload: dict,
        duration: int | None = None,
    ) -> dict[str, Any]:
        """An agent's event; `duration` is the time measured on the page (else the standard)."""
        return self.other_event(
            ActorKind.AGENT,
            str(worker.id),
            worker.label,
            moment,
            verb,
            target_type,
            target_id,
            activity,
            payload,
            duration=duration,
        )

    def other_event(
        self,
        kind: str,
        actor_id: str,
        label: str,
        moment: datetime.datetime,
        verb: str,
        target_type: str,
        target_id: str,
        activity: str,
        payload: dict,
        *,
        duration: int | None = None,
        automated: bool | None = None,
    ) -> dict[str, Any]:
        if duration is None and activity:
            duration = self.seconds.get(activity)
        return {
            "occurred_at": moment,
            "actor_kind": kind,
            "actor_id": actor_id,
            "actor_label": label[:200],
            "verb": verb,
            "target_type": target_type,
            "target_id": target_id,
            "activity_code": activity,
            "automated": kind == ActorKind.ROBOT if automated is None else automated,
            "duration_seconds": duration,
            "payload": payload,
        }

    def store(self, document: PrintedDocument) -> str:
        """Write a document once under MEDIA_ROOT/demo/ (content-addressed), return its storage name."""
        name = document.storage_name
        if name not in self.stored_files:
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(document.content))
            self.stored_files.add(name)
        return name

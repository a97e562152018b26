"""Human-readable references (APE-2026-000123) allocated without races.

A counter row per prefix and year is locked for the rest of the transaction, so two
submissions at the same instant get two numbers, and allocating stays O(1) however
many cases exist. A counter created on a database that already holds references (demo
data, an import) starts after the highest one.
"""

from __future__ import annotations

from django.db import models, transaction

from .models import ReferenceCounter


def _highest_number(model: type[models.Model], start: str) -> int:
    last = (
        model.objects.filter(reference__startswith=start)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    suffix = last[len(start) :] if last else ""
    return int(suffix) if suffix.isdigit() else 0


def next_reference(*, model: type[models.Model], prefix: str, year: int) -> str:
    """The next free reference for `model` (which has a unique `reference` field)."""
    start = f"{prefix}-{year}-"
    with transaction.atomic():
        counter = (
            ReferenceCounter.objects.select_for_update().filter(prefix=prefix, year=year).first()
        )
        if counter is None:
            counter, _created = ReferenceCounter.objects.get_or_create(
                prefix=prefix, year=year, defaults={"last": _highest_number(model, start)}
            )
            counter = ReferenceCounter.objects.select_for_update().get(pk=counter.pk)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{start}{counter.last:06d}"


def reference_counters_sync(*, model: type[models.Model], prefix: str, year: int) -> None:
    """Move a counter past references written without it (bulk loads)."""
    start = f"{prefix}-{year}-"
    highest = _highest_number(model, start)
    with transaction.atomic():
        counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
            prefix=prefix, year=year, defaults={"last": highest}
        )
        if counter.last < highest:
            counter.last = highest
            counter.save(update_fields=["last"])

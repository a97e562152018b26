"""Cases follow their contact: moved on a merge, searched under its current name."""

from __future__ import annotations

from typing import Any

from levier.contacts.models import Contact
from levier.contacts.signals import contact_changed, contact_merged

from .models import Case

# What `case_search_text` reads of a contact (display_name is built from the names).
SEARCHED_FIELDS = frozenset({"first_name", "last_name", "legal_name", "siret", "email"})


def move_cases(*, source_id: int, target_id: int, **_kwargs: Any) -> dict[str, list[int]]:
    ids = list(
        Case.objects.filter(contact_id=source_id).order_by("id").values_list("id", flat=True)
    )
    Case.objects.filter(id__in=ids).update(contact_id=target_id)
    # The moved cases are now searched under the target's name, SIRET and email.
    Case.objects.filter(id__in=ids).refresh_search_text()
    return {"cases": ids}


def refresh_search_text(*, contact: Contact, fields: list[str], **_kwargs: Any) -> None:
    if SEARCHED_FIELDS.intersection(fields):
        Case.objects.filter(contact=contact).refresh_search_text()


def connect() -> None:
    contact_merged.connect(move_cases, sender=Contact, dispatch_uid="cases.move_cases")
    contact_changed.connect(
        refresh_search_text, sender=Contact, dispatch_uid="cases.refresh_search_text"
    )

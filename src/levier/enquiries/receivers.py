"""Enquiries follow their contact: moved on a merge, searched under its current name."""

from __future__ import annotations

from typing import Any

from levier.contacts.models import Contact
from levier.contacts.signals import contact_changed, contact_merged

from .models import Enquiry

# What `enquiry_search_text` reads of a contact (display_name is built from the names).
SEARCHED_FIELDS = frozenset({"first_name", "last_name", "legal_name", "email"})


def move_enquiries(*, source_id: int, target_id: int, **_kwargs: Any) -> dict[str, list[int]]:
    ids = list(
        Enquiry.objects.filter(contact_id=source_id).order_by("id").values_list("id", flat=True)
    )
    Enquiry.objects.filter(id__in=ids).update(contact_id=target_id)
    Enquiry.objects.filter(id__in=ids).refresh_search_text()
    return {"enquiries": ids}


def refresh_search_text(*, contact: Contact, fields: list[str], **_kwargs: Any) -> None:
    if SEARCHED_FIELDS.intersection(fields):
        Enquiry.objects.filter(contact=contact).refresh_search_text()


def connect() -> None:
    contact_merged.connect(move_enquiries, sender=Contact, dispatch_uid="enquiries.move_enquiries")
    contact_changed.connect(
        refresh_search_text, sender=Contact, dispatch_uid="enquiries.refresh_search_text"
    )

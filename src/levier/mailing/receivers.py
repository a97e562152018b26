"""Outbound emails follow their contact on a merge: the survivor's history shows them."""

from __future__ import annotations

from typing import Any

from levier.contacts.models import Contact
from levier.contacts.signals import contact_merged

from .models import OutboundEmail


def move_outbound_emails(*, source_id: int, target_id: int, **_kwargs: Any) -> dict[str, list[int]]:
    ids = list(
        OutboundEmail.objects.filter(contact_id=source_id)
        .order_by("id")
        .values_list("id", flat=True)
    )
    OutboundEmail.objects.filter(id__in=ids).update(contact_id=target_id)
    return {"outbound_emails": ids}


def connect() -> None:
    contact_merged.connect(
        move_outbound_emails, sender=Contact, dispatch_uid="mailing.move_outbound_emails"
    )

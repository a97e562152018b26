"""A merge keeps the usager's choices: the survivor is unsubscribed if either contact was
(since the earlier of the two dates), and the campaigns' recipients follow the source."""

from __future__ import annotations

from typing import Any

from levier.contacts.models import Contact
from levier.contacts.signals import contact_merged

from .models import CampaignRecipient, Unsubscription


def move_unsubscription_and_recipients(
    *, source_id: int, target_id: int, **_kwargs: Any
) -> dict[str, Any]:
    recipients = list(
        CampaignRecipient.objects.filter(contact_id=source_id)
        .order_by("id")
        .values_list("id", flat=True)
    )
    CampaignRecipient.objects.filter(id__in=recipients).update(contact_id=target_id)
    moved: dict[str, Any] = {"campaign_recipients": recipients}
    source_row = Unsubscription.objects.filter(contact_id=source_id).first()
    if source_row is None:
        return moved
    target_row = Unsubscription.objects.filter(contact_id=target_id).first()
    if target_row is None:
        # One contact, one unsubscription (one-to-one): moved, not copied.
        Unsubscription.objects.filter(pk=source_row.pk).update(contact_id=target_id)
    else:
        if source_row.created_at < target_row.created_at:
            Unsubscription.objects.filter(pk=target_row.pk).update(
                created_at=source_row.created_at, source=source_row.source
            )
        source_row.delete()
    moved["unsubscription_moved"] = True
    return moved


def connect() -> None:
    contact_merged.connect(
        move_unsubscription_and_recipients,
        sender=Contact,
        dispatch_uid="campaigns.move_unsubscription_and_recipients",
    )

"""Reads of the partners' API: a client sees only the enquiries it sent."""

from __future__ import annotations

import math
import re
from datetime import timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from levier.contacts.models import Contact
from levier.enquiries.models import Direction, Enquiry, Message, Topic

from .models import ApiClient, ApiSubmission

REFERENCE = re.compile(r"[A-Z0-9-]{1,30}")
FLOOD_WINDOW = timedelta(hours=1)  # the intake's window, see enquiries.intake.check_flood


def clients_with_prefix(prefix: str) -> QuerySet[ApiClient]:
    return ApiClient.objects.filter(token_prefix=prefix)


def earlier_submission(*, client: ApiClient, external_id: str) -> Enquiry | None:
    """The enquiry a first request with this external id went to, if there was one."""
    if not external_id:
        return None
    reference = (
        ApiSubmission.objects.filter(client=client, external_id=external_id)
        .values_list("enquiry_reference", flat=True)
        .first()
    )
    if reference is None:
        return None
    return Enquiry.objects.select_related("topic", "team").filter(reference=reference).first()


def enquiry_for_client(*, client: ApiClient, reference: str) -> Enquiry | None:
    """The enquiry, with its number of messages, if this client sent it; None otherwise,
    so that another partner's enquiry and a missing one look the same."""
    reference = (reference or "").strip().upper()
    if not REFERENCE.fullmatch(reference):
        return None
    sent = ApiSubmission.objects.filter(client=client, enquiry_reference=reference).exists()
    if not sent:
        return None
    enquiry: Enquiry | None = (
        Enquiry.objects.select_related("topic", "team")
        .annotate(message_count=Count("messages"))
        .filter(reference=reference)
        .first()
    )
    return enquiry


def topics() -> QuerySet[Topic]:
    return Topic.objects.order_by("label", "slug")


def topic_by_slug(slug: str) -> Topic | None:
    return Topic.objects.filter(slug=slug.strip()).first()


def flood_retry_after(contact: Contact | None) -> int:
    """Seconds until the oldest message of the last hour leaves the flood window."""
    now = timezone.now()
    if contact is None or contact.pk is None:
        return int(FLOOD_WINDOW.total_seconds())
    oldest = (
        Message.objects.filter(
            enquiry__contact=contact, direction=Direction.IN, created_at__gte=now - FLOOD_WINDOW
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if oldest is None:
        return 60
    return max(1, math.ceil((oldest + FLOOD_WINDOW - now).total_seconds()))

"""`levier seed --reset`: empty a demo database before loading it again.

The journal is append-only, enforced by database triggers (`levier.journal.triggers`).
A demo reset is the one place where levier removes events: it lifts the triggers
inside the reset's transaction, empties the table and puts the triggers back. To
keep that power away from real data, the reset refuses to run unless the
database holds nothing but the demo organisation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from levier.cases.models import Case, Comment, SupportingDocument
from levier.contacts.models import Contact
from levier.core.models import Notification, Organisation
from levier.enquiries.models import Attachment, Enquiry, Message
from levier.journal.triggers import append_only_triggers_removed

from . import content


class NotADemoDatabase(ImproperlyConfigured):
    pass


def check_demo_only() -> None:
    others = Organisation.objects.exclude(name=content.ORGANISATION["name"])
    if others.exists():
        names = ", ".join(others.values_list("name", flat=True)[:3])
        raise NotADemoDatabase(
            f"This database holds other organisations ({names}): --reset only empties a demo database. "
            "Use a fresh database for the demo (for SQLite, delete the file under LEVIER_VAR_DIR)."
        )


def _purge_journal() -> None:
    """Empty the journal, the append-only triggers lifted for this transaction only."""
    with append_only_triggers_removed(connection), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows written in this transaction leave deferred foreign-key checks pending,
            # which TRUNCATE refuses: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE journal_eventdetail, journal_eventsubject, journal_event")
        else:  # the details and subjects first: they point to the events
            cursor.execute("DELETE FROM journal_eventdetail")
            cursor.execute("DELETE FROM journal_eventsubject")
            cursor.execute("DELETE FROM journal_event")


def _raw_delete(queryset) -> int:
    """DELETE without loading rows (the ORM's cascade collector would load a million cases)."""
    return queryset._raw_delete(queryset.db)


# What refers to usagers, cases and enquiries, emptied before them (dependents first).
# Configuration (procedures, topics, templates, rules, campaigns, API clients) is kept.
DEPENDENT_DATA = [
    "controls.Flag",
    "controls.RuleResult",
    "controls.DocumentCheck",
    "campaigns.CampaignRecipient",
    "campaigns.Unsubscription",
    "documents.MergeBatch",
    "documents.GeneratedDocument",
    "mailing.OutboundAttachment",
    "mailing.OutboundEmail",
    "mailing.InboundMail",
    "exchange.ApiSubmission",
    "exchange.RejectedRequest",
]


def _installed(label: str):
    try:
        return django_apps.get_model(label)
    except LookupError:
        return None


def reset_demo_data() -> dict[str, int]:
    """Remove usagers, cases, enquiries, notifications and the journal; keep accounts and settings."""
    check_demo_only()
    removed: dict[str, int] = {}
    with transaction.atomic():
        for label in DEPENDENT_DATA:
            model = _installed(label)
            if model is not None:
                removed[label] = _raw_delete(model.objects.all())
        removed["documents"] = _raw_delete(SupportingDocument.objects.all())
        _raw_delete(Comment.mentions.through.objects.all())
        removed["comments"] = _raw_delete(Comment.objects.all())
        removed["cases"] = _raw_delete(Case.objects.all())
        _raw_delete(Attachment.objects.all())
        removed["messages"] = _raw_delete(Message.objects.all())
        removed["enquiries"] = _raw_delete(Enquiry.objects.all())
        Contact.objects.filter(merged_into__isnull=False).update(merged_into=None)
        removed["contacts"] = _raw_delete(Contact.objects.all())
        removed["notifications"] = _raw_delete(Notification.objects.all())
        _purge_journal()
    demo_media = Path(settings.MEDIA_ROOT) / "demo"
    if demo_media.is_dir():
        shutil.rmtree(demo_media)
    return removed

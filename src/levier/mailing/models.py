"""Mail: the IMAP mailboxes levier reads, every message it took in, and the outbox."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Security(models.TextChoices):
    SSL = "ssl", _("SSL/TLS (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("None (test servers only)")


class Mailbox(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("IMAP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("connection security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=255)
    # Stored as typed: IMAP needs the clear password; protect the database and its backups.
    password = models.CharField(_("password"), max_length=255, blank=True)
    folder = models.CharField(_("folder to read"), max_length=255, default="INBOX")
    processed_folder = models.CharField(
        _("folder for processed messages"),
        max_length=255,
        blank=True,
        help_text=_(
            "When set, processed messages are moved there; otherwise they are only marked as read."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InboundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored (automatic message)")
    QUARANTINED = "quarantined", _("Quarantined")


class InboundMail(models.Model):
    # Null for a message imported from an .eml file.
    mailbox = models.ForeignKey(
        Mailbox,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("mailbox"),
    )
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    # Null when the message was too large to download: it stays on the server.
    raw = models.BinaryField(null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InboundStatus.choices,
        default=InboundStatus.PENDING,
        db_index=True,
    )
    reason = models.TextField(_("reason"), blank=True)
    result_reference = models.CharField(_("result"), max_length=100, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="mailing_inbound_unique_imap_uid"
            ),
            # One import per file: importing the same .eml twice returns the first row.
            models.UniqueConstraint(
                fields=["sha256"],
                condition=Q(mailbox__isnull=True),
                name="mailing_inbound_unique_imported_sha256",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_address or '?'} — {self.subject or '(sans objet)'}"


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


class OutboundEmailQuerySet(models.QuerySet["OutboundEmail"]):
    def due(self, now: datetime.datetime) -> OutboundEmailQuerySet:
        """Queued emails whose next attempt time has come."""
        return self.filter(status=OutboundStatus.QUEUED).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )


class OutboundEmail(models.Model):
    """One email levier sends: the row exists before any attempt, with its Message-ID fixed."""

    to = models.CharField(_("to"), max_length=254, db_index=True)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    reply_to = models.CharField(_("reply to"), max_length=254, blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OutboundStatus.choices,
        default=OutboundStatus.QUEUED,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # When a sender claimed it (status "sending"): a claim older than the SMTP timeout is
    # a crashed sender, which `mail flush-outbox` puts back in the queue.
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # When the SMTP server accepted it, committed at once (before the sender says goodbye
    # to the server or journals the send): a sender that dies afterwards does not resend.
    accepted_at = models.DateTimeField(_("accepted by the SMTP server"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_emails",
        verbose_name=_("contact"),
    )
    # What the email is about, as in the journal's target (e.g. "enquiries.enquiry", "12").
    about_type = models.CharField(_("about (type)"), max_length=100, blank=True)
    about_id = models.CharField(_("about (id)"), max_length=64, blank=True)
    # The email this one sends again, when an agent resent it.
    resent_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resends",
        verbose_name=_("resent from"),
    )

    # Set by automations ("event:<journal event id>:<purpose>"): a retried task finds the
    # email it queued before instead of queueing a second one. Empty (NULL) otherwise.
    dedupe_key = models.CharField(
        _("deduplication key"), max_length=200, null=True, blank=True, unique=True
    )

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["about_type", "about_id"], name="mailing_outbound_about"),
            models.Index(fields=["status", "next_attempt_at"], name="mailing_outbound_due"),
        ]

    def __str__(self) -> str:
        return f"{self.to} — {self.subject}"


class OutboundAttachment(models.Model):
    email = models.ForeignKey(
        OutboundEmail,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("email"),
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    file = models.FileField(_("file"), upload_to="outbox/%Y/%m/")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename

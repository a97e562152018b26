"""Inbound mail: the IMAP mailboxes levier reads and every message it took in."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
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

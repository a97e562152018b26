"""Campaigns: one email template sent, throttled, to the usagers of a filtered list of cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from levier.core import policy

# Roles that may create, start and cancel a campaign (the policy's rule, named here too).
CAMPAIGN_ROLES = policy.ACTIONS[policy.Action.RUN_CAMPAIGNS].roles


def may_run_campaigns(agent) -> bool:
    """Team leads, managers and administrators (levier.core.policy.Action.RUN_CAMPAIGNS)."""
    return policy.may(agent, policy.Action.RUN_CAMPAIGNS)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign status", "Draft")
    RUNNING = "running", pgettext_lazy("campaign status", "Running")
    DONE = "done", pgettext_lazy("campaign status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("campaign status", "Cancelled")


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, agent) -> CampaignQuerySet:
        return self.filter(policy.rows_for(agent, "campaigns.campaign"))


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200)
    procedure = models.ForeignKey(
        "cases.Procedure",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("procedure"),
    )
    case_statuses = models.JSONField(_("case statuses"), default=list, blank=True)
    only_missing_documents = models.BooleanField(
        _("only cases lacking a required document"), default=False
    )
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("message"))
    mandatory = models.BooleanField(_("mandatory administrative information"), default=False)
    per_minute = models.PositiveIntegerField(_("emails per minute"), default=60)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CampaignStatus.choices,
        default=CampaignStatus.DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    targeted_count = models.PositiveIntegerField(_("targeted"), default=0)
    queued_count = models.PositiveIntegerField(_("queued"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    # Reason -> number of cases skipped for it.
    skipped_reasons = models.JSONField(_("skip reasons"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def done_count(self) -> int:
        return self.queued_count + self.skipped_count

    @property
    def progress_percent(self) -> int:
        if not self.targeted_count:
            return 100 if self.status == CampaignStatus.DONE else 0
        return min(100, round(100 * self.done_count / self.targeted_count))


class RecipientStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("campaign recipient", "Queued")
    SKIPPED = "skipped", pgettext_lazy("campaign recipient", "Skipped")


class CampaignRecipient(models.Model):
    """One case of a campaign, handled once: the unique (campaign, case) makes a resumed
    campaign never queue twice for the same case."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outbound_email = models.ForeignKey(
        "mailing.OutboundEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=RecipientStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("handled"), default=timezone.now)

    class Meta:
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "case"], name="campaigns_recipient_unique_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.case_id}"


class Unsubscription(models.Model):
    """A usager who asked not to receive non-mandatory campaigns any more."""

    contact = models.OneToOneField(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="unsubscription",
        verbose_name=_("contact"),
    )
    created_at = models.DateTimeField(_("unsubscribed"), default=timezone.now)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("unsubscription")
        verbose_name_plural = _("unsubscriptions")

    def __str__(self) -> str:
        return str(self.contact)


# Who sees what (levier.core.policy): a campaign with its procedure's team.
policy.register_rows(Campaign, policy.through("procedure", "cases.procedure"))

"""What automation remembers: one row per (automation, journal event) it acted on, and
the last run of each scheduled step. Both are bounded: the first grows with the events
automations react to (submissions, status changes), the second has one row per step."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RunStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("automation run", "Queued")
    DONE = "done", pgettext_lazy("automation run", "Succeeded")
    FAILED = "failed", pgettext_lazy("automation run", "Failed")


class AutomationRun(models.Model):
    """An automation's run for one journal event.

    Written when its task is queued (so the sweep can tell a lost event from a queued
    one) and marked done once its effect is written; the unique (automation, event)
    key makes a second run of the same event do nothing.
    """

    automation = models.CharField(_("automation"), max_length=64)
    # The journal event's id; not a foreign key: the journal is append-only and huge.
    event_id = models.BigIntegerField(_("journal event"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("automation run")
        verbose_name_plural = _("automation runs")
        ordering = ["-queued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["automation", "event_id"], name="automation_run_once_per_event"
            )
        ]
        indexes = [
            models.Index(
                fields=["automation", "status", "queued_at"], name="automation_run_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.automation} #{self.event_id} ({self.status})"


class ScheduledStepState(models.Model):
    """The last run of one step of `levier watch` (one row per step name)."""

    name = models.CharField(_("step"), max_length=64, unique=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_ok = models.BooleanField(_("last run succeeded"), null=True)
    last_summary = models.CharField(_("last summary"), max_length=300, blank=True)
    last_failed_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("scheduled step")
        verbose_name_plural = _("scheduled steps")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

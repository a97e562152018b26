"""The journal: one append-only event per action, and the activity catalogue.

The journal is the audit trail (RGPD traceability), the event bus for automation,
the event log for process mining and the ledger from which time saved is computed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Activity(models.Model):
    """A geste métier: a unit of agents' work with its standard duration."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    label = models.CharField(_("label"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    family = models.CharField(_("family"), max_length=60, blank=True)
    standard_seconds = models.PositiveIntegerField(_("standard duration (seconds)"), default=60)
    automatable = models.BooleanField(_("can be automated"), default=False)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activity catalogue")
        ordering = ["family", "label"]

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"


class ActorKind(models.TextChoices):
    AGENT = "agent", _("Agent")
    USAGER = "usager", _("Usager")
    ROBOT = "robot", _("Robot")
    SYSTEM = "system", _("System")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Journal events cannot be updated.")

    def delete(self):
        raise PermissionDenied("Journal events cannot be deleted.")

    def _raw_delete(self, using):
        raise PermissionDenied("Journal events cannot be deleted.")

    def for_target(self, target_type: str, target_id: int | str) -> AppendOnlyQuerySet:
        return self.filter(target_type=target_type, target_id=str(target_id))


class Event(models.Model):
    """One action by an agent, a usager or a robot. Never updated, never deleted."""

    occurred_at = models.DateTimeField(_("when"), db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=10, choices=ActorKind.choices)
    actor_id = models.CharField(_("actor id"), max_length=64, blank=True)
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    verb = models.CharField(_("verb"), max_length=60)
    target_type = models.CharField(_("target type"), max_length=40)
    target_id = models.CharField(_("target id"), max_length=64)
    activity_code = models.CharField(_("activity"), max_length=60, blank=True)
    automated = models.BooleanField(_("automated"), default=False)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal event")
        verbose_name_plural = _("journal")
        indexes = [
            models.Index(fields=["target_type", "target_id", "occurred_at"]),
            models.Index(fields=["actor_kind", "actor_id", "occurred_at"]),
            models.Index(fields=["verb", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.target_type}#{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied("Journal events cannot be updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Journal events cannot be deleted.")

    @property
    def detail_text(self) -> str:
        """The event's purgeable text, or "" once retention deleted it (or there was none)."""
        try:
            return self.detail.text
        except EventDetail.DoesNotExist:
            return ""


class EventSubject(models.Model):
    """Another object one event concerns: each row a list view showed, whose event targets
    the list. Lets "who read this person's data?" find list reads by an exact, indexed key on
    every database (a JSON `contains` lookup does not exist on SQLite). Append-only too."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="subjects")
    subject_type = models.CharField(_("subject type"), max_length=40)
    subject_id = models.CharField(_("subject id"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal event subject")
        verbose_name_plural = _("journal event subjects")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.subject_type}#{self.subject_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied("Journal events cannot be updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Journal events cannot be deleted.")


class EventDetail(models.Model):
    """Text an event must show but the journal must not keep forever: a refusal's reason,
    a bounce's error, a document's file name. A normal table, not append-only: retention
    (`levier purge`) deletes these rows after LEVIER_RETENTION_EVENT_DETAILS_DAYS, while
    the event itself stays with identifiers only."""

    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="detail")
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("journal event detail")
        verbose_name_plural = _("journal event details")

    def __str__(self) -> str:
        return f"{self.event_id}: {self.text[:40]}"

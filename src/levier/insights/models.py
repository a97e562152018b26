"""insights' own tables: derived data, rebuilt from the journal at will (never a source).

DailyRollup: the journal's gestes counted per day × team × procedure × geste × actor kind ×
automated, so dashboards and "time saved" read a few thousand rows instead of millions of
events (DESIGN.md §3.1). Built by `rollups.rebuild_rollups` (idempotent, any day range).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from levier.cases.models import Procedure
from levier.core.models import Team
from levier.journal.models import ActorKind


class DailyRollup(models.Model):
    """The gestes of one day on the cases (or enquiries) of one team, for one procedure
    (none for enquiries), one geste, one actor kind, automated or not."""

    day = models.DateField(_("day"))
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    activity_code = models.CharField(_("activity"), max_length=60)
    actor_kind = models.CharField(_("actor kind"), max_length=10, choices=ActorKind.choices)
    automated = models.BooleanField(_("automated"))
    events = models.PositiveIntegerField(_("events"))
    # Σ the events' time: the measured duration when the event has one, else the geste's
    # standard duration in the catalogue when the roll-up was built.
    seconds = models.PositiveBigIntegerField(_("seconds"))

    objects: models.Manager[DailyRollup] = models.Manager()

    class Meta:
        verbose_name = _("daily roll-up")
        verbose_name_plural = _("daily roll-ups")
        constraints = [
            # NULL procedures (enquiries) are never equal in SQL: one constraint for each case.
            models.UniqueConstraint(
                fields=["day", "team", "procedure", "activity_code", "actor_kind", "automated"],
                condition=models.Q(procedure__isnull=False),
                name="insights_rollup_key_with_procedure",
            ),
            models.UniqueConstraint(
                fields=["day", "team", "activity_code", "actor_kind", "automated"],
                condition=models.Q(procedure__isnull=True),
                name="insights_rollup_key_without_procedure",
            ),
        ]
        indexes = [models.Index(fields=["team", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.team_id}/{self.procedure_id} {self.activity_code}: {self.events}"


class RollupDay(models.Model):
    """A day whose roll-ups were built (a day without any geste has no DailyRollup row, yet
    it is built): where `rollup_due` resumes."""

    day = models.DateField(_("day"), primary_key=True)
    built_at = models.DateTimeField(_("built at"))
    events = models.PositiveIntegerField(_("events"))

    objects: models.Manager[RollupDay] = models.Manager()

    class Meta:
        verbose_name = _("built roll-up day")
        verbose_name_plural = _("built roll-up days")

    def __str__(self) -> str:
        return f"{self.day}: {self.events}"


class DailyMeasure(models.Model):
    """Agents' measured durations of one geste on one day, on the cases and enquiries of one
    team (the calibration rule: insights.time_saved.measure_sessions), kept as a histogram
    {seconds: count} so that a median over any period is exact without reading the journal."""

    day = models.DateField(_("day"))
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    activity_code = models.CharField(_("activity"), max_length=60)
    measures = models.PositiveIntegerField(_("measures"))
    histogram = models.JSONField(_("durations (seconds: count)"), default=dict)

    objects: models.Manager[DailyMeasure] = models.Manager()

    class Meta:
        verbose_name = _("daily measure")
        verbose_name_plural = _("daily measures")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team", "activity_code"], name="insights_measure_key"
            )
        ]
        indexes = [models.Index(fields=["team", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.team_id} {self.activity_code}: {self.measures}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """An export too large to stream in the response, written by a background task into a
    file under VAR_DIR/exports, downloadable by its agent only, deleted after
    LEVIER_EXPORT_RETENTION_HOURS (`levier purge`, or `levier watch`)."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    list_name = models.CharField(_("list"), max_length=20)
    format = models.CharField(_("format"), max_length=4)
    # The list page's query string, parsed again by the list's own form when the task runs.
    params = models.TextField(blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)  # relative to the export folder
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agent", "-created_at"], name="export_job_agent")]

    def __str__(self) -> str:
        return f"{self.list_name}.{self.format} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.done_rows * 100 // self.total_rows)

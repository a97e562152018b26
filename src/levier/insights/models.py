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


class ReportFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly (the past week, every Monday)")
    MONTHLY = "monthly", _("Monthly (the past month, on the 1st)")


class AnnexFormat(models.TextChoices):
    XLSX = "xlsx", _("XLSX (Excel)")
    ODS = "ods", _("ODS (LibreOffice)")


class ScheduledReport(models.Model):
    """A dashboard (one team's, or the department's when `team` is empty) sent as a PDF with
    a spreadsheet annex to `recipients` every week or month, computed as its owner sees it
    (insights.reports.services.run_due_reports)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheduled_reports"
    )
    name = models.CharField(_("name"), max_length=120)
    # Empty: the department dashboard (every team the owner sees).
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=ReportFrequency.choices)
    # Email addresses, one per line, validated by the service.
    recipients = models.TextField(_("recipients"))
    annex_format = models.CharField(
        _("annex format"), max_length=4, choices=AnnexFormat.choices, default=AnnexFormat.XLSX
    )
    active = models.BooleanField(_("active"), default=True)
    next_run_at = models.DateTimeField(_("next run"))
    created_at = models.DateTimeField(auto_now_add=True)

    owner_id: int
    team_id: int | None
    objects: models.Manager[ScheduledReport] = models.Manager()

    class Meta:
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["active", "next_run_at"], name="report_due")]

    def __str__(self) -> str:
        return self.name

    @property
    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


class ReportRun(models.Model):
    """One sending of a report for one period: at most one per report and period (the
    unique constraint makes `run_due_reports` idempotent). Files under VAR_DIR/reports."""

    report = models.ForeignKey(ScheduledReport, on_delete=models.CASCADE, related_name="runs")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    pdf_file = models.CharField(max_length=200, blank=True)  # relative to the reports folder
    annex_file = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    emails_queued = models.PositiveIntegerField(_("emails queued"), default=0)

    objects: models.Manager[ReportRun] = models.Manager()

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "period_start"], name="insights_report_run_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.period_start}–{self.period_end}"

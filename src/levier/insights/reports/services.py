"""Scheduled reports: a dashboard sent weekly or monthly as a PDF (tables) with an XLSX or
ODS annex, through the outbox, to a list of addresses.

- `report_create`, `report_update`, `report_delete`: team leads for their teams, managers and
  administrators for the department too (policy.Action.SCHEDULE_REPORTS, hidden: a 404 for
  anyone else); the owner or an administrator changes a report (`get_report_for`).
- `run_due_reports(now)`: every active report whose `next_run_at` has come, for the last
  complete week (Monday to Sunday) or calendar month before `now`. Idempotent: one
  `ReportRun` per report and period at most (a unique constraint), and each email's
  dedupe_key names the run and the address, so running twice sends once. The figures are
  computed as the report's OWNER sees them (their scope, today); an owner who lost access
  (inactive, another role, no longer in the team) gets no report: the skip is journaled
  with its reason and the report waits for its next date.

Journal: one event per write and per run (identifiers only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from levier.core import policy
from levier.core.models import Agent, Team
from levier.journal.services import Actor, record
from levier.mailing.services.outbound import email_queue

from ..dashboards import selectors as dashboards
from ..dashboards.periods import Period
from ..models import AnnexFormat, ReportFrequency, ReportRun, ScheduledReport
from . import content
from .selectors import get_report_for

ROBOT = Actor.robot("reports")
# Local time at which a report becomes due on Monday (weekly) or the 1st (monthly).
SEND_HOUR = 6
MAX_RECIPIENTS = 50
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def reports_dir() -> Path:
    folder = Path(getattr(settings, "LEVIER_REPORTS_DIR", Path(settings.VAR_DIR) / "reports"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- dates -------------------------------------------------------------------------------


def next_run_after(frequency: str, moment: dt.datetime) -> dt.datetime:
    """The first sending time strictly after `moment`: Monday (weekly) or the 1st of the
    month (monthly), at SEND_HOUR local time."""
    zone = timezone.get_current_timezone()
    day = timezone.localtime(moment, zone).date()
    while True:
        if frequency == ReportFrequency.WEEKLY:
            day = day + dt.timedelta(days=(7 - day.weekday()) % 7)
        else:
            if day.day != 1:
                day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        candidate = dt.datetime.combine(day, dt.time(SEND_HOUR), tzinfo=zone)
        if candidate > moment:
            return candidate
        day = day + dt.timedelta(days=1)


def last_complete_period(frequency: str, moment: dt.datetime) -> Period:
    """The last whole week (Monday to Sunday) or calendar month that ended before `moment`'s
    local day."""
    today = timezone.localtime(moment).date()
    if frequency == ReportFrequency.WEEKLY:
        end = today - dt.timedelta(days=today.weekday() + 1)
        return Period(start=end - dt.timedelta(days=6), end=end, kind="week")
    end = today.replace(day=1) - dt.timedelta(days=1)
    return Period(start=end.replace(day=1), end=end, kind="month")


# --- checks ------------------------------------------------------------------------------


def parse_recipients(text: str) -> list[str]:
    """Addresses separated by new lines, commas or semicolons; a ValidationError on the
    field `recipients` names the first address that is not valid."""
    addresses: list[str] = []
    for raw in text.replace(",", "\n").replace(";", "\n").splitlines():
        address = raw.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                {
                    "recipients": _(
                        "“%(address)s” is not a valid email address: correct it or remove it "
                        "from the list (one address per line)."
                    )
                    % {"address": address}
                },
                code="invalid_email",
            ) from None
        if address.lower() not in {known.lower() for known in addresses}:
            addresses.append(address)
    if not addresses:
        raise ValidationError(
            {"recipients": _("Give at least one email address, one per line.")}, code="required"
        )
    if len(addresses) > MAX_RECIPIENTS:
        raise ValidationError(
            {
                "recipients": _("At most %(max)d recipients: remove %(extra)d addresses.")
                % {"max": MAX_RECIPIENTS, "extra": len(addresses) - MAX_RECIPIENTS}
            },
            code="too_many",
        )
    return addresses


def _check_scope(agent: Any, team: Team | None) -> None:
    """May `agent` have this dashboard sent: their own team's, or the department's."""
    policy.check_may(agent, policy.Action.SCHEDULE_REPORTS)
    if team is None:
        policy.check_may(agent, policy.Action.VIEW_DEPARTMENT_DASHBOARD)
    elif team.pk not in policy.visible_team_ids(agent):
        raise policy.NotFound("No such team.")


def owner_may_still(report: ScheduledReport) -> bool:
    owner = report.owner
    if not isinstance(owner, Agent) or not owner.is_active:
        return False
    try:
        _check_scope(owner, report.team)
    except (policy.NotFound, policy.Refused):
        return False
    return True


def _check_choices(frequency: str, annex_format: str) -> None:
    if frequency not in ReportFrequency.values:
        raise ValidationError({"frequency": _("Choose weekly or monthly.")})
    if annex_format not in AnnexFormat.values:
        raise ValidationError({"annex_format": _("Choose XLSX or ODS for the annex.")})


# --- writes ------------------------------------------------------------------------------


def report_create(
    *,
    agent: Agent,
    name: str,
    team: Team | None,
    frequency: str,
    recipients: str,
    annex_format: str = AnnexFormat.XLSX,
    active: bool = True,
) -> ScheduledReport:
    _check_scope(agent, team)
    _check_choices(frequency, annex_format)
    addresses = parse_recipients(recipients)
    with transaction.atomic():
        report = ScheduledReport.objects.create(
            owner=agent,
            name=name.strip()[:120] or _("Report"),
            team=team,
            frequency=frequency,
            recipients="\n".join(addresses),
            annex_format=annex_format,
            active=active,
            next_run_at=next_run_after(frequency, timezone.now()),
        )
        record(
            actor=agent,
            verb="report-create",
            target=report,
            payload={"team_id": team.pk if team else None, "count": len(addresses)},
        )
    return report


def report_update(
    *,
    agent: Agent,
    report: ScheduledReport,
    name: str,
    team: Team | None,
    frequency: str,
    recipients: str,
    annex_format: str,
    active: bool,
) -> ScheduledReport:
    report = get_report_for(agent, report.pk)
    _check_scope(agent, team)
    _check_choices(frequency, annex_format)
    addresses = parse_recipients(recipients)
    with transaction.atomic():
        if frequency != report.frequency:
            report.next_run_at = next_run_after(frequency, timezone.now())
        report.name = name.strip()[:120] or report.name
        report.team = team
        report.frequency = frequency
        report.recipients = "\n".join(addresses)
        report.annex_format = annex_format
        report.active = active
        report.save()
        record(
            actor=agent,
            verb="report-update",
            target=report,
            payload={"team_id": team.pk if team else None, "count": len(addresses)},
        )
    return report


def report_delete(*, agent: Agent, report: ScheduledReport) -> None:
    """The report, its archive and their files."""
    report = get_report_for(agent, report.pk)
    policy.check_may(agent, policy.Action.SCHEDULE_REPORTS)
    files = [
        name
        for run in ReportRun.objects.filter(report=report)
        for name in (run.pdf_file, run.annex_file)
        if name
    ]
    with transaction.atomic():
        record(actor=agent, verb="report-delete", target=report)
        report.delete()
    folder = reports_dir()
    for name in files:
        (folder / Path(name).name).unlink(missing_ok=True)


# --- runs --------------------------------------------------------------------------------


@dataclass
class RunSummary:
    sent: int = 0  # runs made now
    emails: int = 0
    already: int = 0  # the period was already sent
    skipped: int = 0  # the owner lost access


def run_due_reports(now: dt.datetime | None = None, *, every: bool = False) -> RunSummary:
    """Send the reports due at `now` (every active report with `every`, each for its last
    complete period). Safe to run twice, or from two machines: the second finds the run."""
    now = now or timezone.now()
    summary = RunSummary()
    due = ScheduledReport.objects.filter(active=True).select_related("owner", "team")
    if not every:
        due = due.filter(next_run_at__lte=now)
    for report_id in due.order_by("pk").values_list("pk", flat=True):
        outcome, emails = report_run(report_id=report_id, now=now)
        summary.emails += emails
        if outcome == "sent":
            summary.sent += 1
        elif outcome == "already":
            summary.already += 1
        else:
            summary.skipped += 1
    return summary


def report_run(*, report_id: int, now: dt.datetime) -> tuple[str, int]:
    """One report for its last complete period: ("sent" | "already" | "skipped", emails)."""
    with transaction.atomic():
        report = (
            ScheduledReport.objects.select_for_update(of=("self",))
            .select_related("owner", "team")
            .get(pk=report_id)
        )
        period = last_complete_period(report.frequency, now)
        report.next_run_at = next_run_after(report.frequency, now)
        report.save(update_fields=["next_run_at"])
        if ReportRun.objects.filter(report=report, period_start=period.start).exists():
            return "already", 0
        if not owner_may_still(report):
            record(
                actor=ROBOT,
                verb="report-skipped",
                target=report,
                payload={"owner": report.owner_id, "reason_code": "owner-lost-access"},
                detail=_(
                    "Report not sent: its owner may no longer see this dashboard (inactive, "
                    "another role or no longer in the team)."
                ),
            )
            return "skipped", 0
        try:
            with transaction.atomic():
                run = ReportRun.objects.create(
                    report=report, period_start=period.start, period_end=period.end
                )
        except IntegrityError:  # another runner made it meanwhile
            return "already", 0
        emails = _send(report, run, period)
        record(
            actor=ROBOT,
            verb="report-sent",
            target=report,
            payload={"run": run.pk, "owner": report.owner_id, "queued": emails},
        )
    return "sent", emails


def _send(report: ScheduledReport, run: ReportRun, period: Period) -> int:
    owner = report.owner
    with translation.override(settings.LANGUAGE_CODE):
        if report.team is not None:
            teams = [dashboards.team_dashboard(owner, report.team, period)]
        else:
            teams = dashboards.department_dashboard(owner, period)
        rows = content.report_rows(teams)
        title = report.name
        pdf = content.render_pdf(title=title, period=period, rows=rows)
        annex = content.render_annex(fmt=report.annex_format, period=period, rows=rows)
        stem = f"rapport-{report.pk}-{period.start:%Y%m%d}-{run.pk}"
        run.pdf_file, run.annex_file = f"{stem}.pdf", f"{stem}.{report.annex_format}"
        folder = reports_dir()
        (folder / run.pdf_file).write_bytes(pdf)
        (folder / run.annex_file).write_bytes(annex)
        subject = _("%(name)s: %(start)s to %(end)s") % {
            "name": title,
            "start": period.start.strftime("%d/%m/%Y"),
            "end": period.end.strftime("%d/%m/%Y"),
        }
        body = _(
            "Hello,\n\nHere is the report “%(name)s” for the period from %(start)s to "
            "%(end)s: the figures in the PDF, the same in the spreadsheet annex.\n\n"
            "This email is sent automatically by levier on behalf of %(owner)s."
        ) % {
            "name": title,
            "start": period.start.strftime("%d/%m/%Y"),
            "end": period.end.strftime("%d/%m/%Y"),
            "owner": owner.get_full_name() or owner.get_username(),
        }
    attachments = [
        (run.pdf_file, pdf, CONTENT_TYPES["pdf"]),
        (run.annex_file, annex, CONTENT_TYPES[report.annex_format]),
    ]
    count = 0
    for address in report.recipient_list:
        email_queue(
            to=address,
            subject=subject,
            body=body,
            attachments=attachments,
            about=report,
            dedupe_key=f"report-run:{run.pk}:{address.lower()}",
        )
        count += 1
    run.emails_queued = count
    run.save(update_fields=["pdf_file", "annex_file", "emails_queued"])
    return count


def run_file(run: ReportRun, kind: str) -> Path | None:
    name = run.pdf_file if kind == "pdf" else run.annex_file
    if not name:
        return None
    path = reports_dir() / Path(name).name
    return path if path.exists() else None

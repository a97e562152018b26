"""`levier reports run [--now]`: send the scheduled reports that are due (`levier watch` does
the same every hour); with --now, every active report at once, for its last complete week
or month. Prints how many reports were sent. Running it twice sends nothing twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from levier.insights.reports.services import run_due_reports


class Command(BaseCommand):
    help = "Scheduled reports: `run` sends the due ones (--now: every active report)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"], help="run: send the reports that are due.")
        parser.add_argument(
            "--now",
            action="store_true",
            help="Send every active report now, for its last complete period, due or not.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = run_due_reports(every=options["now"])
        self.stdout.write(
            f"{summary.sent} report(s) sent, {summary.emails} email(s) queued; "
            f"{summary.already} already sent for their period; "
            f"{summary.skipped} skipped (owner without access, see the journal)."
        )

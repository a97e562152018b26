"""`levier watch`: every round, run the due steps of the schedule registry
(`levier.automation.schedule`): fetch the mailboxes, retry due emails, recover abandoned
tasks, warn about deadlines, queue the daily scorings, clear expired sessions, apply
retention, queue the automations' lost events… each registered by the app that owns it.

Runs beside the task worker (`levier worker`) and the web server. One summary line per
round; a failing step is logged and the next round tries again. Ctrl-C stops it.
"""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from levier.automation import schedule

DEFAULT_EVERY = 60


class Command(BaseCommand):
    help = (
        "Run the periodic work of levier (mailboxes, emails to retry, deadline warnings, "
        "scorings, sessions, retention, lost automations) every --every seconds until "
        "Ctrl-C (or once with --once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one round and stop.")
        parser.add_argument(
            "--every",
            type=int,
            default=DEFAULT_EVERY,
            metavar="SECONDS",
            help=f"Seconds between the starts of two rounds (default {DEFAULT_EVERY}).",
        )

    def handle(self, *args, once: bool = False, every: int = DEFAULT_EVERY, **options) -> None:
        if every < 1:
            raise CommandError("--every must be at least 1 second.")
        try:
            while True:
                started = time.monotonic()
                ok = self.round(every)
                if once:
                    if not ok:
                        raise CommandError("The round had errors: see the log above.")
                    return
                time.sleep(max(0.0, every - (time.monotonic() - started)))
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def round(self, every: int = DEFAULT_EVERY) -> bool:
        """One round; False when a step failed (it is logged, the next round retries)."""
        report = schedule.run_round(interval=datetime.timedelta(seconds=every))
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        self.stdout.write(f"{stamp} {'; '.join(report.parts)}")
        return report.ok

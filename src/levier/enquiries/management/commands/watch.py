"""`levier watch`: every round, fetch the mailboxes, retry due emails, warn about deadlines,
queue the scoring of procedures whose last one is older than a day, clear expired
sessions, and purge the API's refused calls past their retention.

Runs beside the task worker (`levier worker`) and the web server. One summary line per
round; a failing step is logged and the next round tries again. Ctrl-C stops it.
"""

from __future__ import annotations

import importlib
import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from levier.enquiries import services
from levier.journal.retention import purge_summary

logger = logging.getLogger(__name__)
DEFAULT_EVERY = 60


def fetch_mail() -> str:
    """Fetch every active mailbox; a summary for the round's line."""
    try:
        # Imported lazily: the IMAP module is optional for a deployment without mailboxes.
        imap = importlib.import_module("levier.mailing.imap")
    except ModuleNotFoundError as error:
        if error.name != "levier.mailing.imap":
            raise  # the module is there but a dependency is missing: say so
        logger.info("Mail: levier.mailing.imap is not installed; skipped.")
        return "mail skipped (no IMAP module)"
    from levier.mailing.models import Mailbox

    if not Mailbox.objects.filter(is_active=True).exists():
        logger.info("Mail: no active mailbox is configured; skipped.")
        return "mail skipped (no mailbox)"
    reports = imap.fetch_all()
    new = sum(getattr(report, "new", 0) for report in reports)
    failed = [report for report in reports if getattr(report, "error", "")]
    for report in failed:
        logger.warning("Mail: mailbox %s: %s", report.mailbox, report.error)
    summary = f"mail: {new} new from {len(reports)} mailbox(es)"
    return summary + (f", {len(failed)} in error" if failed else "")


def clear_expired_sessions() -> str:
    """Django's `clearsessions`, and the expired counters of the shared cache: rows that
    would otherwise stay (sessions) or be deleted only once the cache is full."""
    from django.contrib.sessions.models import Session

    from levier.core.attempt_limits import clear_expired_cache_rows

    expired = Session.objects.filter(expire_date__lt=timezone.now()).count()
    engine = importlib.import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    counters = clear_expired_cache_rows()
    return f"sessions: {expired} expired session(s) cleared, {counters} expired counter(s)"


def purge_refused_api_requests() -> str:
    """Delete the API's refused calls past their retention (once a day, see the service)."""
    from levier.exchange.services import api_rejections_purge

    return f"refused API requests: {api_rejections_purge()} purged"


class Command(BaseCommand):
    help = (
        "Fetch the IMAP mailboxes, queue again the emails due for a retry, and warn agents "
        "about enquiries close to their deadline, "
        "every --every seconds until Ctrl-C (or once with --once)."
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
                ok = self.round()
                if once:
                    if not ok:
                        raise CommandError("The round had errors: see the log above.")
                    return
                time.sleep(max(0.0, every - (time.monotonic() - started)))
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def round(self) -> bool:
        """One round; False when a step failed (it is logged, the next round retries)."""
        parts, ok = [], True
        steps = (
            ("mail", fetch_mail),
            ("outbox", self.flush_outbox),
            ("tasks", self.recover_tasks),
            ("deadlines", self.warn_due),
            ("controls", self.schedule_scoring),
            ("sessions", clear_expired_sessions),
            ("retention", purge_refused_api_requests),
            ("purge", purge_summary),
        )
        for name, step in steps:
            try:
                parts.append(step())
            except Exception:
                logger.exception("watch: the %s step failed", name)
                parts.append(f"{name}: failed")
                ok = False
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        self.stdout.write(f"{stamp} {'; '.join(parts)}")
        return ok

    @staticmethod
    def flush_outbox() -> str:
        from levier.mailing.services import outbox_flush

        return f"outbox: {outbox_flush()} email(s) queued again"

    @staticmethod
    def recover_tasks() -> str:
        from levier.core.services import task_results_recover_stale

        return f"tasks: {task_results_recover_stale()} abandoned task(s) marked failed"

    @staticmethod
    def schedule_scoring() -> str:
        from levier.controls.scheduling import enqueue_due_scorings

        return f"controls: {enqueue_due_scorings()} procedure scoring(s) queued"

    @staticmethod
    def warn_due() -> str:
        return f"deadlines: {services.enquiries_warn_due()} enquiry warning(s) sent"

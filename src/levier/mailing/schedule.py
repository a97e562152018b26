"""mailing's steps of `levier watch`: fetch the mailboxes, queue the emails due again."""

from __future__ import annotations

import importlib
import logging

logger = logging.getLogger(__name__)


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
    from .models import Mailbox

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


def flush_outbox() -> str:
    from .services.outbound import outbox_flush

    return f"outbox: {outbox_flush()} email(s) queued again"


def register_steps(schedule) -> None:
    schedule.register("mail", every=schedule.EVERY_ROUND, function=fetch_mail)
    schedule.register("outbox", every=schedule.EVERY_ROUND, function=flush_outbox)

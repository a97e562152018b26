"""`levier mail fetch` and `levier mail import`: inbound mail from IMAP mailboxes or .eml files;
`levier mail flush-outbox`: queue again the outgoing emails that are due."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from levier.mailing import imap, selectors, services
from levier.mailing.models import InboundMail, InboundStatus, Mailbox


def outcome(inbound: InboundMail) -> str:
    text = f"{inbound.get_status_display()} (#{inbound.pk})"
    if inbound.result_reference:
        text += f" → {inbound.result_reference}"
    if inbound.reason:
        text += f" : {inbound.reason}"
    return text


class Command(BaseCommand):
    help = (
        "Inbound mail: fetch the IMAP mailboxes, or import messages saved as .eml files; "
        "outgoing mail: queue again the emails that are due (flush-outbox)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{fetch,import,flush-outbox}"
        )
        fetch = actions.add_parser(
            "fetch", help="Take in the new messages of the active mailboxes."
        )
        fetch.add_argument(
            "--mailbox", metavar="NAME", help="Only this mailbox (even if inactive)."
        )
        fetch.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            help="Fetch again every SECONDS seconds until interrupted.",
        )
        load = actions.add_parser("import", help="Take in messages saved as .eml files.")
        load.add_argument("files", nargs="+", metavar="FILE.eml")
        actions.add_parser(
            "flush-outbox",
            help="Queue again the outgoing emails whose next attempt is due "
            "(e.g. for a worker restarted after an SMTP outage).",
        )

    def handle(self, *args, **options) -> None:
        if options["action"] == "fetch":
            self.fetch(options["mailbox"], options["loop"])
        elif options["action"] == "flush-outbox":
            queued = services.outbox_flush()
            self.stdout.write(f"{queued} outgoing email(s) queued for sending.")
        else:
            self.import_files([Path(name) for name in options["files"]])

    def fetch(self, name: str | None, loop: int | None) -> None:
        if name is not None and not Mailbox.objects.filter(name=name).exists():
            known = ", ".join(Mailbox.objects.values_list("name", flat=True)) or "aucune"
            raise CommandError(f"No mailbox named “{name}”. Configured mailboxes: {known}.")
        if loop is not None and loop < 1:
            raise CommandError("--loop takes a number of seconds of at least 1 (e.g. --loop 300).")
        try:
            while True:
                self.fetch_once(name)
                if loop is None:
                    return
                time.sleep(loop)
        except KeyboardInterrupt:  # the usual way to stop --loop
            self.stdout.write("Stopped.")

    def fetch_once(self, name: str | None) -> None:
        reports = imap.fetch_all(name=name)
        if not reports:
            self.stdout.write(
                "No active mailbox: add one in the administration (Mail › Mailboxes)."
            )
        for report in reports:
            line = (
                f"{report.mailbox}: {report.processed} processed, {report.ignored} ignored, "
                f"{report.quarantined} quarantined, {report.too_large} too large, "
                f"{report.already_stored} already stored"
            )
            if report.error:
                self.stderr.write(f"{report.mailbox}: {report.error}")
            else:
                self.stdout.write(line)
        failed = sum(1 for report in reports if report.error)
        self.stdout.write(
            f"Total: {sum(report.new for report in reports)} new messages, "
            f"{failed} mailbox(es) in error."
        )

    def import_files(self, paths: list[Path]) -> None:
        failures = 0
        counts = {status: 0 for status in InboundStatus.values}
        for path in paths:
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                self.stderr.write(f"{path}: no such file. Check the path.")
                failures += 1
                continue
            except (IsADirectoryError, PermissionError, OSError) as error:
                self.stderr.write(f"{path}: cannot be read ({error.strerror or error}).")
                failures += 1
                continue
            earlier = selectors.find_imported(raw)
            if earlier is not None:
                self.stdout.write(f"{path}: already imported, {outcome(earlier)}")
                continue
            inbound = services.store_and_process(raw=raw)
            counts[inbound.status] += 1
            self.stdout.write(f"{path}: {outcome(inbound)}")
        summary = ", ".join(
            f"{count} {InboundStatus(status).label.lower()}"
            for status, count in counts.items()
            if count
        )
        self.stdout.write(f"Imported {len(paths) - failures} file(s): {summary or 'none'}.")
        if failures:
            raise CommandError(f"{failures} file(s) could not be read.")

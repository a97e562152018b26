"""`levier purge [--dry-run]`: apply the retention durations (docs/rgpd.md).

Each kind of personal data past its retention is purged (or, with --dry-run, only
counted) and each kind purged is journaled as one `purge` event with its count.
`levier watch` runs it every round; it acts once a day (durations count whole days).
"""

from django.core.management.base import BaseCommand, CommandParser
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from levier.journal.retention import purge_due


class Command(BaseCommand):
    help = "Purge the personal data past its retention (--dry-run: only say what would go)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be purged, change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        outcomes = purge_due(dry_run=dry_run)
        line = (
            _("%(kind)s: %(count)d would be purged (kept %(days)d days, before %(date)s)")
            if dry_run
            else _("%(kind)s: %(count)d purged (kept %(days)d days, before %(date)s)")
        )
        for outcome in outcomes:
            self.stdout.write(
                line
                % {
                    "kind": outcome.kind,
                    "count": outcome.count,
                    "days": outcome.days,
                    "date": date_format(outcome.before.date()),
                }
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))

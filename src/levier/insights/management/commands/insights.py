"""`levier insights mine FILE` and `levier insights export`: process mining from the command line."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from levier.insights.mining import export
from levier.insights.mining.analysis import mine
from levier.insights.mining.log import LogError, journal_log, read_log

EXPORT_FORMATS = ("ocel-json", "ocel-sqlite", "xes", "csv")


class Command(BaseCommand):
    help = (
        "Process mining: analyse an event log file (XES, gzipped XES, or CSV in the XES naming) "
        "and print its directly-follows counts, variants and throughput times as JSON; or export "
        "the journal as an event log (OCEL 2.0 JSON or SQLite, XES, CSV); or build the daily "
        "roll-ups of the journal (time saved, dashboards)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{mine,export,rollup}"
        )
        mine_parser = actions.add_parser("mine", help="Analyse an event log file; prints JSON.")
        mine_parser.add_argument("file", metavar="FILE")
        mine_parser.add_argument("--format", choices=("xes", "csv"), help="Default: by extension.")
        mine_parser.add_argument(
            "--encoding", default="utf-8", help="Of a CSV file (default utf-8)."
        )
        mine_parser.add_argument("--delimiter", help="Of a CSV file (default: guessed , ; or tab).")
        out = actions.add_parser("export", help="Export the journal as an event log.")
        out.add_argument("--format", choices=EXPORT_FORMATS, required=True)
        out.add_argument("--output", required=True, metavar="FILE")
        out.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="First day (included).")
        out.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="Last day (included).")
        out.add_argument("--procedure", metavar="SLUG", help="Only the cases of this procedure.")
        out.add_argument(
            "--team", metavar="SLUG", help="Only the cases (or enquiries) of this team."
        )
        out.add_argument("--subject", choices=("case", "enquiry"), default="case",
                         help="One trace per case (default) or per enquiry.")  # fmt: skip
        out.add_argument(
            "--channel", help="Enquiries of this channel only (with --subject enquiry)."
        )

        rollup = actions.add_parser(
            "rollup",
            help="Build the daily roll-ups: what is due (from the last built day to yesterday), "
            "or rebuild the days from --from to --to.",
        )
        rollup.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="First day.")
        rollup.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="Last day (included).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "mine":
            self.mine(options)
        elif options["action"] == "rollup":
            self.rollup(options)
        else:
            self.export(options)

    def rollup(self, options: dict[str, Any]) -> None:
        from levier.insights import rollups

        start = self._date(options["start"], "--from")
        end = self._date(options["end"], "--to")
        if start is None and end is None:
            due = rollups.due_range()
            if due is None:
                self.stdout.write("Roll-ups are up to date: nothing to build.")
                return
            start, end = due
        elif start is None or end is None:
            raise CommandError(
                "Give both --from and --to (e.g. --from 2026-01-01 --to 2026-01-31), or neither "
                "to build what is due."
            )
        if start > end:
            raise CommandError(f"--from {start} comes after --to {end}: swap them.")
        with tqdm(total=(end - start).days + 1, unit=" day", desc="roll-ups") as bar:
            events = rollups.rebuild_rollups(start, end, progress=lambda _day, _n: bar.update(1))
        self.stdout.write(
            f"Roll-ups built for {(end - start).days + 1} day(s), {start} to {end}: "
            f"{events} events counted."
        )

    @staticmethod
    def _date(text: str | None, option: str) -> dt.date | None:
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError(
                f"{option} {text}: write the day as YYYY-MM-DD, e.g. 2026-01-31."
            ) from None

    def mine(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        reading: dict[str, Any] = {}
        if (options["format"] or "").lower() != "xes" and not path.name.lower().endswith(
            (".xes", ".xes.gz")
        ):
            reading = {"encoding": options["encoding"], "delimiter": options["delimiter"]}
        try:
            result = mine(read_log(path, fmt=options["format"], **reading))
        except LogError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=1))

    def export(self, options: dict[str, Any]) -> None:
        filters = self._filters(options)
        output = Path(options["output"])
        fmt = options["format"]
        # Write next to the target, then rename: a failed export leaves no half-written file.
        handle, partial = tempfile.mkstemp(
            prefix=f".{output.name}.", dir=output.parent or Path(".")
        )
        os.close(handle)
        try:
            with tqdm(unit=" events", desc=f"export {fmt}") as bar:
                traces = journal_log(**filters, progress=bar.update)
                if fmt == "ocel-sqlite":
                    count = export.write_ocel_sqlite(traces, partial)
                else:
                    writer = {"ocel-json": export.write_ocel_json, "xes": export.write_xes,
                              "csv": self._write_csv}[fmt]  # fmt: skip
                    with open(partial, "w", encoding="utf-8", newline="") as out:
                        count = writer(traces, out)
            os.replace(partial, output)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        self.stdout.write(f"{count} events written to {output}.")

    @staticmethod
    def _write_csv(traces: Any, out: Any) -> int:
        return export.write_csv(
            traces, out, case_columns=("procedure", "channel", "team"),
            event_columns=("levier:verb", "levier:automated"),
        )  # fmt: skip

    def _filters(self, options: dict[str, Any]) -> dict[str, Any]:
        from levier.cases.models import Procedure
        from levier.core.models import Team

        filters: dict[str, Any] = {"subject": options["subject"], "channel": options["channel"]}
        if options["procedure"]:
            if options["subject"] != "case":
                raise CommandError("--procedure applies to cases: drop it or use --subject case.")
            filters["procedure"] = Procedure.objects.filter(slug=options["procedure"]).first()
            if filters["procedure"] is None:
                known = ", ".join(Procedure.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(
                    f"No procedure “{options['procedure']}”. Known procedures: {known}."
                )
        if options["team"]:
            filters["team"] = Team.objects.filter(slug=options["team"]).first()
            if filters["team"] is None:
                known = ", ".join(Team.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"No team “{options['team']}”. Known teams: {known}.")
        filters["start"] = self._day(options["start"], "--from")
        end = self._day(options["end"], "--to")
        filters["end"] = end + dt.timedelta(days=1) if end else None
        return filters

    @staticmethod
    def _day(text: str | None, option: str) -> dt.datetime | None:
        if not text:
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError(
                f"{option} {text}: write the day as YYYY-MM-DD, e.g. 2026-01-31."
            ) from None
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

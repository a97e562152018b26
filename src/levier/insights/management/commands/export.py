"""`levier export cases|enquiries|proposals|journal --format csv|xlsx|ods --agent LOGIN
[--filter name=value ...] -o FILE`: a list exported as the agent sees it, with a progress bar.

The same path as the web page's export (insights.exports.services): the list's own form
checks the filters, its own selector reads the rows, the export is journaled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import QueryDict
from tqdm import tqdm

from levier.core import policy
from levier.core.models import Agent
from levier.insights.exports import services
from levier.insights.exports.lists import LISTS, ExportError
from levier.insights.exports.writers import FORMATS


class Command(BaseCommand):
    help = (
        "Export a list (cases, enquiries, control proposals, the journal) to CSV, XLSX or ODS, "
        "as the agent named by --agent sees it, with the list page's filters (--filter "
        "name=value, as in the page's address, e.g. --filter status=open)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("list_name", choices=sorted(LISTS), metavar="LIST",
                            help=f"One of: {', '.join(sorted(LISTS))}.")  # fmt: skip
        parser.add_argument("--format", required=True, help="csv, xlsx or ods.")
        parser.add_argument("--agent", metavar="LOGIN", help="The agent whose view is exported.")
        parser.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                            help="A filter of the list page; repeat for several.")  # fmt: skip
        parser.add_argument("-o", "--output", required=True, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["agent"]:
            raise CommandError(
                "Name the agent on whose behalf to export with --agent LOGIN: an export holds "
                "exactly what that agent sees."
            )
        agent = Agent.objects.filter(username=options["agent"], is_active=True).first()
        if agent is None:
            raise CommandError(f"No active agent with the login {options['agent']!r}.")
        if options["format"] not in FORMATS:
            raise CommandError(
                f"Unknown format {options['format']!r}: choose one of {', '.join(FORMATS)}."
            )
        params = QueryDict(mutable=True)
        for item in options["filter"]:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise CommandError(
                    f"--filter {item!r}: write it as name=value, e.g. --filter status=open."
                )
            params.appendlist(name.strip(), value)
        try:
            prepared = services.export_prepare(
                agent=agent, list_name=options["list_name"], format=options["format"], params=params
            )
        except ExportError as error:
            raise CommandError(str(error)) from error
        except policy.NotFound as error:
            raise CommandError(
                f"The agent {agent.username!r} may not export the list {options['list_name']!r}."
            ) from error
        total = services.counted_rows(prepared, -1)
        path = Path(options["output"])
        if not path.parent.is_dir():
            raise CommandError(f"The folder {str(path.parent)!r} does not exist.")
        with tqdm(total=total, unit=" rows", disable=None, file=self.stderr) as bar:
            shown = 0

            def progress(count: int) -> None:
                nonlocal shown
                bar.update(count - shown)
                shown = count

            written = services.export_to_file(prepared, path, on_rows=progress)
        services.export_record(prepared=prepared, rows=written)
        self.stdout.write(f"{written} rows written to {path}")

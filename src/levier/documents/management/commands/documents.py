"""`levier documents merge`: a mail merge from the command line, with a progress bar.

levier documents merge --template ID --procedure ID [--status S] [--format pdf] --agent USERNAME
levier documents merge --resume BATCH_ID
"""

from __future__ import annotations

import argparse

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from levier.core.models import Agent
from levier.documents import merge, services
from levier.documents.models import DocumentTemplate, MergeBatch, MergeStatus, OutputFormat


class Command(BaseCommand):
    help = "Document generation from the command line: mail merge (start or resume)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{merge}")
        run = actions.add_parser(
            "merge",
            help="Generate a template's document on every case of a procedure (one ZIP), "
            "or resume a mail merge that stopped.",
        )
        run.add_argument("--template", type=int, metavar="ID", help="Document template id.")
        run.add_argument("--procedure", type=int, metavar="ID", help="Procedure id.")
        run.add_argument("--status", default="", help="Only the cases with this status.")
        run.add_argument(
            "--format",
            default=OutputFormat.PDF,
            choices=OutputFormat.values,
            help="pdf, docx or odt.",
        )
        run.add_argument(
            "--agent", metavar="USERNAME", help="Agent on whose behalf the merge runs."
        )
        run.add_argument("--resume", type=int, metavar="BATCH_ID", help="Resume this merge.")
        run.add_argument("--chunk", type=int, default=merge.DEFAULT_CHUNK, help=argparse.SUPPRESS)

    def handle(self, *args, **options) -> None:
        if options["resume"] is not None:
            batch = MergeBatch.objects.filter(pk=options["resume"]).first()
            if batch is None:
                raise CommandError(f"No mail merge #{options['resume']}.")
        else:
            batch = self.start(options)
        self.run(batch, chunk=options["chunk"])

    def start(self, options) -> MergeBatch:
        missing = [f"--{name}" for name in ("template", "procedure", "agent") if not options[name]]
        if missing:
            raise CommandError(
                f"Missing {', '.join(missing)}: a new merge needs --template, --procedure "
                "and --agent (or --resume BATCH_ID to continue one)."
            )
        agent = Agent.objects.filter(username=options["agent"], is_active=True).first()
        if agent is None:
            raise CommandError(f"No active agent with username “{options['agent']}”.")
        template = DocumentTemplate.objects.filter(pk=options["template"]).first()
        if template is None:
            raise CommandError(f"No document template #{options['template']}.")
        filters = {"procedure_id": options["procedure"], "status": options["status"]}
        try:
            batch = services.merge_start(
                template=template,
                format=options["format"],
                agent=agent,
                filters=filters,
                enqueue=False,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Mail merge #{batch.pk}: {len(batch.case_ids)} case(s).")
        return batch

    def run(self, batch: MergeBatch, *, chunk: int) -> None:
        batch.refresh_from_db()
        if batch.status == MergeStatus.DONE:
            self.stdout.write(f"Mail merge #{batch.pk} is already done.")
        else:
            with tqdm(
                total=len(batch.case_ids),
                initial=merge.position(batch),
                unit="case",
                desc=f"Merge #{batch.pk}",
                file=self.stderr,
            ) as bar:
                batch = services.merge_run(batch_id=batch.pk, chunk=chunk, on_progress=bar.update)
        self.stdout.write(
            f"Mail merge #{batch.pk}: {batch.done_count} document(s), "
            f"{len(batch.failures)} failure(s)."
        )
        for failure in batch.failures:
            self.stdout.write(
                f"  {failure['reference'] or '#' + str(failure['case_id'])}: {failure['reason']}"
            )
        if batch.zip_file:
            self.stdout.write(f"ZIP: {batch.zip_file.name}")

"""`levier seed`: load the demo administration, its usagers, cases and enquiries."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from levier.automation import registry
from levier.core.models import Role
from levier.demo.reset import NotADemoDatabase, reset_demo_data
from levier.demo.seeding import Seeder, SeedOptions
from levier.demo.setup import DEMO_PASSWORD
from levier.demo.timeline import PARIS


class Command(BaseCommand):
    help = (
        "Load demo data: an organisation, teams, demo logins, three procedures, usagers with valid "
        "identifiers living in real communes, cases across their lifecycle with PDF supporting "
        "documents, enquiries and the journal. Idempotent: accounts are created once, and data is "
        "loaded only into a database without demo cases (use --reset to load again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cases", type=int, default=3000, help="Number of cases (default 3000)."
        )
        parser.add_argument(
            "--enquiries", type=int, default=1500, help="Number of enquiries (default 1500)."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remove demo usagers, cases, enquiries and journal first (demo databases only).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="Rows per INSERT with bulk_create (default 1000); PostgreSQL streams rows with COPY.",
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=5_000,
            help="Cases generated and written per transaction (default 5000).",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed: same seed, same people."
        )
        parser.add_argument(
            "--departement",
            default=None,
            help="Draw usagers' communes in one département only (e.g. 69, 2A, 974).",
        )
        parser.add_argument(
            "--personal-documents",
            type=int,
            default=600,
            help="The N most recent cases, and open cases among the 3N most recent, get PDFs "
            "printed for them; older cases share a few specimens per procedure and year, whose "
            "amounts they declare (default 600).",
        )
        parser.add_argument(
            "--contacts",
            type=int,
            default=None,
            help="Size of the usager pool (default: about one per case, at most 60000).",
        )
        parser.add_argument(
            "--password", default=DEMO_PASSWORD, help="Password of the demo logins."
        )
        parser.add_argument(
            "--no-documents", action="store_true", help="Skip PDF supporting documents."
        )
        parser.add_argument(
            "--no-controls",
            action="store_true",
            help="Skip controls (document checks, rules, atypical declarations).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args, **options) -> None:
        for name in ("cases", "enquiries", "batch_size", "chunk_size", "personal_documents"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} must be 0 or more.")
        if options["batch_size"] == 0 or options["chunk_size"] == 0:
            raise CommandError("--batch-size and --chunk-size must be at least 1.")
        if options["reset"]:
            try:
                removed = reset_demo_data()
            except NotADemoDatabase as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                "Demo data removed: " + ", ".join(f"{n} {k}" for k, n in removed.items())
            )
        seed_options = SeedOptions(
            cases=options["cases"],
            enquiries=options["enquiries"],
            batch_size=options["batch_size"],
            chunk_size=options["chunk_size"],
            seed=options["seed"],
            departement=options["departement"],
            password=options["password"],
            personal_documents=options["personal_documents"],
            contacts=options["contacts"],
            documents=not options["no_documents"],
            controls=not options["no_controls"],
            progress=not options["no_progress"] and options["verbosity"] > 0,
        )
        try:
            report = Seeder(seed_options).run()
        except ValueError as error:
            raise CommandError(str(error)) from error
        if report.skipped:
            self.stdout.write(
                self.style.WARNING(
                    "Demo data is already loaded: accounts checked, nothing added. "
                    "Run `levier seed --reset` to load it again."
                )
            )
        else:
            counts = ", ".join(f"{count} {name}" for name, count in report.counts.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded in {report.seconds:.1f} s on {connection.vendor}: {counts}."
                )
            )
            stages = ", ".join(
                f"{name} {secs:.1f} s" for name, secs in report.stage_seconds.items()
            )
            self.stdout.write(f"Stages: {stages}; {report.rows / report.seconds:.0f} rows/s.")
            if report.period:
                self.print_history(report.period)
            if report.intake:
                outcomes = ", ".join(
                    f"{name} {count}" for name, count in sorted(report.intake.items())
                )
                self.stdout.write(f"Today's messages through intake: {outcomes}.")
            if report.controls:
                self.print_controls(report.controls)
        self.print_logins(report, options["password"])

    def print_history(self, period) -> None:
        """The period the history covers and the month each automation was switched on."""
        start, end = (moment.astimezone(PARIS).date() for moment in period)
        self.stdout.write(
            f"History from {start:%Y-%m-%d} to {end:%Y-%m-%d} ({(end - start).days // 30} months); "
            "automations switched on (their gestes by agents before, by robots after):"
        )
        for automation in sorted(registry.AUTOMATIONS, key=lambda a: a.switched_on):
            day = automation.switched_on
            where = "" if start <= day <= end else " (outside the history)"
            self.stdout.write(f"  {day:%Y-%m}  {automation.code}{where}")

    def print_controls(self, controls) -> None:
        write = self.stdout.write
        write(
            f"Controls: {controls.checked} documents checked now, {controls.queued} cases queued "
            f"for the worker, {controls.flags} flags, {controls.outcomes} past control results "
            f"({', '.join(f'{name} {secs} s' for name, secs in controls.seconds.items())})."
        )
        write(
            f"Planted atypical declarations found by the batch: {len(controls.found_planted)} of "
            f"{len(controls.planted)} ({', '.join(controls.planted)})."
        )
        if controls.tampered:
            write(
                f"Tampered 2D-Doc: case {controls.tampered}; genuine 2D-Docs: "
                f"{', '.join(controls.two_d_doc)}; photo of a tax notice (OCR): {controls.scanned}; "
                f"bank details of another account: {controls.rib_mismatch or '-'}."
            )
        write(
            f"Same IBAN as another usager: {controls.duplicate_iban or '-'}; same tax notice as "
            f"another case: {controls.duplicate_document or '-'}."
        )

    def print_logins(self, report, password: str) -> None:
        write = self.stdout.write
        write("")
        write("Demo logins (password for all: " + self.style.SUCCESS(password) + ")")
        labels = {
            Role.AGENT: "agent",
            Role.TEAM_LEAD: "team lead",
            Role.MANAGER: "manager",
            Role.ADMINISTRATOR: "administrator",
            Role.DPO: "DPO",
        }
        for agent in report.setup.logins:
            teams = ", ".join(team.name for team in agent.teams.all()) or (
                "who read each usager's data" if agent.role == Role.DPO else "all teams"
            )
            write(f"  {agent.username:<20} {labels.get(agent.role, agent.role):<14} {teams}")
        if report.example_case:
            write(
                f"Usager portal, follow a case: reference {report.example_case[0]}, "
                f"code {report.example_case[1]}"
            )
        if report.example_enquiry:
            write(
                f"Usager portal, follow an enquiry: reference {report.example_enquiry[0]}, "
                f"code {report.example_enquiry[1]}"
            )

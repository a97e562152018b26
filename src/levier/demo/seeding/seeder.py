"""`Seeder`: sets up the administration, then runs each loading step once per database."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from levier.campaigns.demo import ensure_demo_campaign
from levier.cases.models import Case
from levier.core.models import Agent
from levier.core.references import reference_counters_sync
from levier.documents.demo import ensure_demo_email_templates, ensure_demo_templates
from levier.enquiries.models import Enquiry

from ..automation import ensure_automation
from ..casedata import CaseDataBuilder
from ..controls import run_demo_controls
from ..generators import DemoGenerator
from ..intake_day import receive_todays_messages
from ..pdfs import PrintedDocument
from ..plans import PoolContact, Worker
from ..setup import DemoSetup, ensure_demo_setup
from ..writer import RowWriter
from .cases import CaseLoading
from .contacts import ContactLoading
from .enquiries import EnquiryLoading
from .history import Gestes, HistoryCalendar
from .options import SeedOptions, SeedReport
from .rows import RowHelpers


class Seeder(ContactLoading, CaseLoading, EnquiryLoading, RowHelpers):
    """Loads the demo: `Seeder(SeedOptions(...)).run()`; see `levier seed --help`."""

    def __init__(self, options: SeedOptions):
        self.options = options
        # A random stream apart from the generator's, so that usagers do not depend on cases.
        self.rng = random.Random(f"levier-demo-{options.seed}")
        self.now = timezone.now()
        self.generator = DemoGenerator(
            options.seed, departement=options.departement, today=timezone.localdate(self.now)
        )
        self.builder = CaseDataBuilder(self.generator)
        self.writer = RowWriter(batch_size=options.batch_size, use_copy=options.use_copy)
        self.references: dict[tuple[str, int], int] = {}
        self.pool: dict[str, list[PoolContact]] = {}
        self.next_contact: dict[str, int] = {}
        self.specimens: dict[tuple[str, int], list[tuple[dict, list[PrintedDocument]]]] = {}
        self.stored_files: set[str] = set()
        # usager -> (reference, procedure, amount) of their latest case, for enquiries about it
        self.cases_of_contact: dict[int, tuple[str, str, str]] = {}
        self.case_submitted_of_contact: dict[int, datetime.datetime] = {}
        self.setup: DemoSetup | None = None
        self.report: SeedReport | None = None
        # team id -> (agents, cumulative weights of their share of the work)
        self.workers: dict[int, tuple[list[Worker], list[int]]] = {}
        self.leads: dict[int, Worker] = {}
        self.seconds: dict[str, int] = {}
        self.calendar: HistoryCalendar | None = None
        self.gestes: Gestes | None = None

    # -- entry points -----------------------------------------------------------------

    def run(self) -> SeedReport:
        """Set up the administration, then load usagers, cases and enquiries (once per database)."""
        started = time.perf_counter()
        self.prepare()
        if self.already_seeded():
            self.report.skipped = True
        else:
            self.timed("contacts", self.create_contacts)
            if self.options.cases:
                self.timed("cases", self.create_cases)
                self.timed("procedures", self.create_procedure_history)
            if self.options.enquiries:
                self.timed("enquiries", self.create_enquiries)
            self.timed("finish", self.finish)
            if self.options.cases and self.options.controls:
                self.timed("controls", self.run_controls)
            if self.options.enquiries:
                self.timed("intake", self.receive_today)
        self.report.seconds = time.perf_counter() - started
        return self.report

    def finish(self) -> None:
        """Reference counters past the loaded references; fresh planner statistics."""
        for prefix, model in [
            (p.reference_prefix, Case) for p in self.setup.procedures.values()
        ] + [("SOL", Enquiry)]:
            dates = model.objects.filter(reference__startswith=f"{prefix}-").dates(
                "created_at", "year"
            )
            # A reference carries its year in Paris time: the one after may hold a few too.
            for year in sorted({d.year for d in dates} | {d.year + 1 for d in dates}):
                reference_counters_sync(model=model, prefix=prefix, year=year)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # After a bulk load the statistics still describe empty tables, and the planner
            # would pick poor plans for the queue until autovacuum gets round to them.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def run_controls(self) -> None:
        """Configure controls, plant a few anomalies, check documents and score the procedures."""
        self.report.controls = run_demo_controls(self.setup, seed=self.options.seed)

    def receive_today(self) -> None:
        """Train on the history, then take in today's messages through the real intake."""
        self.report.intake = dict(receive_todays_messages(self))

    def prepare(self) -> None:
        self.setup = ensure_demo_setup(password=self.options.password)
        ensure_automation(self.setup)
        ensure_demo_templates(self.setup)
        ensure_demo_email_templates(self.setup)
        ensure_demo_campaign(self.setup)
        self.report = SeedReport(setup=self.setup)
        self.seconds = self.setup.standard_seconds
        self.calendar = HistoryCalendar(now=self.now, days=self.window().days)
        self.gestes = Gestes(standard_seconds=self.seconds, rng=self.rng)
        self.report.period = (self.calendar.start, self.now)
        for team_id, members in self.setup.members.items():
            workers = [self.worker(agent) for agent, _weight in members]
            cumulative, total = [], 0
            for _agent, weight in members:
                total += weight
                cumulative.append(total)
            self.workers[team_id] = (workers, cumulative)
        self.leads = {team_id: self.worker(agent) for team_id, agent in self.setup.leads.items()}

    def timed(self, name: str, stage: Callable[[], None]) -> None:
        started = time.perf_counter()
        stage()
        self.report.stage_seconds[name] = time.perf_counter() - started

    @staticmethod
    def worker(agent: Agent) -> Worker:
        return Worker(agent.pk, str(agent)[:200], agent.username)

    def already_seeded(self) -> bool:
        setup = self.setup
        return (
            Case.objects.filter(procedure__in=setup.procedures.values()).exists()
            or Enquiry.objects.filter(topic__in=setup.topics.values()).exists()
        )

    def progress(self, total: int, unit: str, desc: str) -> tqdm:
        return tqdm(
            total=total,
            unit=f" {unit}",
            desc=desc,
            disable=not self.options.progress,
            dynamic_ncols=True,
            mininterval=0.5,
        )


def seed(**options: Any) -> SeedReport:
    """Load the demo with `SeedOptions` given as keyword arguments."""
    return Seeder(SeedOptions(**options)).run()

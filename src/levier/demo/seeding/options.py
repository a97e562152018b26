"""What a demo load is asked (`SeedOptions`) and what it reports (`SeedReport`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from ..controls import ControlsReport
from ..pdfs import DocumentTruth
from ..setup import DEMO_PASSWORD, DemoSetup


@dataclass
class SeedOptions:
    cases: int = 3000
    enquiries: int = 1500
    batch_size: int = 1000  # rows per INSERT (bulk_create)
    chunk_size: int = 5_000  # cases generated and written per transaction
    seed: int = 2026
    departement: str | None = None
    password: str = DEMO_PASSWORD
    personal_documents: int = 600  # the N most recent cases get documents printed for them
    contacts: int | None = None  # size of the usager pool (default: from the number of cases)
    documents: bool = True
    controls: bool = True  # configure controls, plant anomalies, check, score (demo.controls)
    comments: bool = True
    journal: bool = True
    progress: bool = True
    window_days: int | None = None  # how far back the history goes
    use_copy: bool | None = None  # None: COPY on PostgreSQL, bulk_create elsewhere


@dataclass
class SeedReport:
    setup: DemoSetup
    skipped: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # (reference, verification code) of a recent open case and enquiry, for the portal
    example_case: tuple[str, str] | None = None
    example_enquiry: tuple[str, str] | None = None
    # Declared against printed values of the first documents (5,000 at most), for tests and checks.
    truths: list[tuple[str, str, DocumentTruth]] = field(default_factory=list)
    # What the controls found (planted anomalies, 2D-Docs, checks), see demo.controls.
    controls: ControlsReport | None = None
    # The period the history covers (oldest possible moment, now).
    period: tuple[datetime.datetime, datetime.datetime] | None = None
    # How today's messages went through intake, e.g. {"email:processed": 9, "flood:quarantined": 3}.
    intake: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

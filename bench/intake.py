"""Benchmark: enquiry intake from email, against a bare bulk insert of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1/postgres python bench/intake.py [--quick]

Needs PostgreSQL: the script creates its own database (`levier_bench_intake`), seeds a
history (cases and agent-labelled enquiries), trains the classifier on it, then:

(a) Intake. N raw MIME emails (French texts, new and known senders, some replies and
    repeats) go one by one through `levier.mailing.services.store_and_process`, the code
    behind `levier mail fetch`: MIME parsing, raw mail stored, sender resolved or
    created, flood check, entities extracted and linked, threading and grouping,
    triage (classifier, routing rules, business-hours deadline), enquiry, message,
    journal events and the queued acknowledgement — committed by groups of
    `COMMIT_EVERY` messages, as `levier mail fetch` does.
(b) Baseline. Every row the intake wrote (contacts, inbound mails, enquiries,
    messages, journal events, queued tasks) is read back and written again with a bare
    psycopg COPY into copies of those tables that have the same indexes.

Printed: messages per second, the bare rows per second, classification latency per
message (median and 95th percentile), and last `intake_vs_bare_insert` (goal >= 0.3x).
One figure per line, `name: value`. Benchmarks assert nothing about time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

# bench/queue.py would shadow the standard library's `queue`: keep this folder off sys.path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
from bench.common import emit, own_database  # noqa: E402

# Tables the intake writes, with the column that orders their rows by creation.
WRITTEN_TABLES = {
    "contacts_contact": "id",
    "mailing_inboundmail": "id",
    "enquiries_enquiry": "id",
    "enquiries_message": "id",
    "journal_event": "id",
    "django_tasks_database_dbtaskresult": "enqueued_at",
}


def raw_emails(count: int, rng: random.Random) -> list[bytes]:
    """French emails: history-like texts and freely written ones, from many senders."""
    from email.message import EmailMessage
    from email.utils import make_msgid

    from levier.contacts.models import Contact
    from levier.core.text import fold
    from levier.demo import content, todays_mail
    from levier.demo.generators import DemoGenerator

    generator = DemoGenerator(seed=rng.randint(0, 10**6))
    known = list(
        Contact.objects.exclude(email="").values_list("email", "first_name", "last_name")[:2000]
    )
    texts = [
        (subject, body)
        for templates in content.ENQUIRY_TEMPLATES.values()
        for subject, body in templates
    ] + [(subject, body) for _channel, subject, body in todays_mail.MESSAGES]
    values = {
        "reference": "APE-2026-000123", "procedure": "Aide au logement",
        "procedure_lower": "aide au logement", "amount": "1 250,00 €",
        "siret": "732 829 320 00074", "iban": "FR76 3000 6000 0112 3456 7890 189",
    }  # fmt: skip
    emails = []
    for index in range(count):
        if known and rng.random() < 0.3:
            address, first, last = rng.choice(known)
        else:
            person = generator.person()
            first, last = person.first_name, person.last_name
            address = fold(f"{first}.{last}.{index}@exemple.fr").replace(" ", "-")
        subject, body = rng.choice(texts)
        filled = {**values, "signature": f"{first} {last}"}
        message = EmailMessage()
        message["From"] = f"{first} {last} <{address}>"
        message["To"] = "accueil@levier-demo.example"
        message["Subject"] = subject.format(**filled)
        message["Message-ID"] = make_msgid(domain="exemple.fr")
        message.set_content(body.format(**filled) + f"\n\n(envoi {index})")
        emails.append(message.as_bytes())
    return emails


def seed_history(args) -> None:
    from levier.demo.seeding import Seeder, SeedOptions

    Seeder(
        SeedOptions(
            cases=args.history // 2, enquiries=args.history, documents=False, progress=False
        )
    ).run()


def classification_latency(samples: int) -> tuple[float, float]:
    from levier.enquiries.models import Enquiry
    from levier.enquiries.triage import classify

    texts = list(Enquiry.objects.order_by("-id").values_list("subject", "search_text")[:samples])
    timings = []
    for subject, body in texts:
        started = time.perf_counter()
        classify(subject, body)
        timings.append(time.perf_counter() - started)
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))]


def high_water_marks(connection) -> dict[str, str]:
    """The newest row of each table before the intake, as an SQL condition for the rows after."""
    marks = {}
    with connection.cursor() as cursor:
        for table, column in WRITTEN_TABLES.items():
            cursor.execute(f'SELECT MAX("{column}") FROM "{table}"')  # noqa: S608
            newest = cursor.fetchone()[0]
            marks[table] = f"\"{column}\" > '{newest}'" if newest is not None else "TRUE"
    return marks


def bare_copy_seconds(psycopg_url: str, marks: dict[str, str]) -> tuple[float, int]:
    """Read the intake's rows back, then COPY them into same-indexed copies of their tables."""
    import psycopg

    with psycopg.connect(psycopg_url, autocommit=True) as connection:
        exported: dict[str, bytes] = {}
        for table in WRITTEN_TABLES:
            copy_table = f"bench_bare_{table}"
            connection.execute(f'DROP TABLE IF EXISTS "{copy_table}"')
            connection.execute(
                f'CREATE TABLE "{copy_table}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING INDEXES)'
            )
            buffer = bytearray()
            query = f'COPY (SELECT * FROM "{table}" WHERE {marks[table]}) TO STDOUT'  # noqa: S608
            with connection.cursor().copy(query) as copy:
                for chunk in copy:
                    buffer += chunk
            exported[table] = bytes(buffer)
        rows = sum(data.count(b"\n") for data in exported.values())
        started = time.perf_counter()
        with connection.transaction():
            for table, data in exported.items():
                with connection.cursor().copy(f'COPY "bench_bare_{table}" FROM STDIN') as copy:
                    copy.write(data)
        return time.perf_counter() - started, rows


def bench(args, psycopg_url: str) -> None:
    from django.db import connection, transaction

    from levier.mailing.imap import COMMIT_EVERY
    from levier.mailing.services import store_and_process

    started = time.perf_counter()
    seed_history(args)
    emit("history_seeded_s", f"{time.perf_counter() - started:.1f}")
    rng = random.Random(2026)
    emails = raw_emails(args.messages, rng)
    marks = high_water_marks(connection)

    outcomes: Counter = Counter()
    started = time.perf_counter()
    for start in range(0, len(emails), COMMIT_EVERY):
        with transaction.atomic():  # as `levier mail fetch` does: one commit per group
            for raw in emails[start : start + COMMIT_EVERY]:
                outcomes[store_and_process(raw=raw).status] += 1
    intake_seconds = time.perf_counter() - started
    emit("intake_messages", str(len(emails)))
    emit("intake_outcomes", ", ".join(f"{key} {value}" for key, value in sorted(outcomes.items())))
    emit("intake_messages_per_s", f"{len(emails) / intake_seconds:.0f}")

    median, p95 = classification_latency(min(500, args.messages))
    emit("classification_latency_ms_median", f"{median * 1000:.2f}")
    emit("classification_latency_ms_p95", f"{p95 * 1000:.2f}")

    bare_seconds, rows = bare_copy_seconds(psycopg_url, marks)
    emit("rows_written_per_message", f"{rows / len(emails):.1f}")
    emit("bare_insert_rows_per_s", f"{rows / bare_seconds:.0f}")
    emit("bare_insert_messages_per_s", f"{len(emails) / bare_seconds:.0f}")
    emit("intake_vs_bare_insert", f"{bare_seconds / intake_seconds:.2f}x (goal >= 0.3x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute")
    parser.add_argument("--messages", type=int, default=None, help="emails (default 5,000)")
    parser.add_argument("--history", type=int, default=None, help="enquiries in the history")
    parser.add_argument("--database", default="levier_bench_intake")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()
    args.messages = args.messages or (500 if args.quick else 5_000)
    args.history = args.history or (1_000 if args.quick else 5_000)

    # Many messages from one sender are part of the benchmark, not a flood.
    os.environ["LEVIER_INTAKE_MAX_PER_HOUR"] = "1000000"
    os.environ["LEVIER_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    with own_database("intake.py", args.database, keep=args.keep) as psycopg_url:
        bench(args, psycopg_url)


if __name__ == "__main__":
    main()

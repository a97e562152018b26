"""Benchmark: personalised letters through levier's PDF pipeline, against the usual route.

    DATABASE_URL=postgres://postgres@127.0.0.1/postgres python bench/documents.py [--quick]

Needs PostgreSQL (own database `levier_bench_documents`) and, for the baseline,
LibreOffice (`soffice`, Debian's `libreoffice-writer-nogui`; not installed by the
project: it is only the baseline).

(a) Letters. The same one-page letter (organisation block, usager's address, subject,
    amount in figures and in words, signature), merged for N seeded cases:
    - levier: the case's merge context (`documents.context.merge_context`), the HTML
      template rendered by the sandboxed Jinja2 environment and turned into a PDF/A by
      WeasyPrint (`documents.render`), one PDF per case, in memory;
    - baseline (the usual route): the same letter as a DOCX template filled by docxtpl,
      written to disk, then converted to PDF by LibreOffice headless in one batch
      (`soffice --convert-to pdf *.docx` over batches of 200 files: one soffice run
      stops after about 250 files, so its start-up is counted once per 200 letters).
    Printed as letters per second and `letters_vs_libreoffice` (goal >= 3x).
(b) Emails. N emails through the outbox (`mailing.outbox.email_queue` and the send task)
    into a local SMTP server (aiosmtpd), against the same messages sent with bare
    smtplib on one connection. Printed as `emails_per_s` and `outbox_vs_bare_smtp`.

One figure per line, `name: value`, the headline ratio last. Benchmarks assert
nothing about time.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# bench/queue.py would shadow the standard library's `queue`: keep this folder off sys.path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
from bench.common import emit, own_database  # noqa: E402

SOFFICE_BATCH = 200

LETTER_HTML = """<div class="expediteur"><strong>{{ organisation.nom }}</strong>
{{ organisation.adresse }}</div>
<div class="destinataire">{{ usager.nom_complet }}
{{ usager.adresse }}
{{ usager.code_postal }} {{ usager.commune }}</div>
<p class="date">{{ organisation.commune }}, le {{ date_du_jour }}</p>
<p class="objet">Objet : dossier {{ dossier.reference }} — {{ dossier.demarche }}</p>
<div class="corps">
<p>Madame, Monsieur,</p>
<p>Votre demande enregistrée sous la référence {{ dossier.reference }} a été examinée.
Le montant retenu est de {{ montant|montant }} ({{ montant|en_lettres }}).</p>
<p>Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.</p>
</div>
<p class="signature">{{ organisation.signataire }}</p>
"""

LETTER_PARAGRAPHS = [
    "{{ organisation.nom }}",
    "{{ organisation.adresse }}",
    "{{ usager.nom_complet }}",
    "{{ usager.adresse }}",
    "{{ usager.code_postal }} {{ usager.commune }}",
    "{{ organisation.commune }}, le {{ date_du_jour }}",
    "Objet : dossier {{ dossier.reference }} — {{ dossier.demarche }}",
    "Madame, Monsieur,",
    "Votre demande enregistrée sous la référence {{ dossier.reference }} a été examinée. "
    "Le montant retenu est de {{ montant|montant }} ({{ montant|en_lettres }}).",
    "Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
    "{{ organisation.signataire }}",
]


def letter_docx() -> bytes:
    from docx import Document

    document = Document()
    for text in LETTER_PARAGRAPHS:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def contexts(count: int) -> list[dict]:
    from levier.cases.models import Case
    from levier.demo.seeding import Seeder, SeedOptions
    from levier.documents.context import merge_context

    Seeder(
        SeedOptions(cases=count, enquiries=0, documents=False, comments=False, progress=False)
    ).run()
    cases = (
        Case.objects.select_related(
            "procedure__organisation", "procedure_version", "contact", "team"
        )
        .exclude(status="draft")
        .order_by("id")[:count]
    )
    merged = []
    for index, case in enumerate(cases):
        context = merge_context(case)
        context["montant"] = 1000 + index * 7.35
        merged.append(context)
    return merged


def bench_letters(count: int) -> None:
    from levier.documents.render import html_to_pdf, render_docx, render_html

    merged = contexts(count)
    emit("letters", str(len(merged)))
    html_to_pdf(render_html(LETTER_HTML, merged[0]))  # fonts and stylesheets loaded once

    started = time.perf_counter()
    total_bytes = 0
    for context in merged:
        total_bytes += len(html_to_pdf(render_html(LETTER_HTML, context)))
    levier_seconds = time.perf_counter() - started
    emit("levier_letters_per_s", f"{len(merged) / levier_seconds:.1f}")
    emit("levier_pdf_kb_per_letter", f"{total_bytes / len(merged) / 1024:.0f}")

    soffice = shutil.which("soffice")
    if soffice is None:
        emit("letters_vs_libreoffice", "not measured (install libreoffice-writer-nogui)")
        return
    template = letter_docx()
    with tempfile.TemporaryDirectory(prefix="levier-bench-lo-") as folder:
        started = time.perf_counter()
        for index, context in enumerate(merged):
            Path(folder, f"lettre-{index:05d}.docx").write_bytes(render_docx(template, context))
        docx_seconds = time.perf_counter() - started
        sources = sorted(str(path) for path in Path(folder).glob("*.docx"))
        # One soffice run converts ~250 files and then stops without a word: batches of 200.
        for start in range(0, len(sources), SOFFICE_BATCH):
            subprocess.run(
                [soffice, f"-env:UserInstallation=file://{folder}/profile", "--headless",
                 "--norestore", "--convert-to", "pdf", "--outdir", f"{folder}/pdf",
                 *sources[start : start + SOFFICE_BATCH]],
                check=True, capture_output=True,
            )  # fmt: skip
        baseline_seconds = time.perf_counter() - started
        converted = len(list(Path(folder, "pdf").glob("*.pdf")))
    emit("baseline_docxtpl_s", f"{docx_seconds:.1f}")
    emit("baseline_pdfs", str(converted))
    emit("baseline_letters_per_s", f"{len(merged) / baseline_seconds:.1f}")
    emit(
        "letters_vs_libreoffice",
        f"{baseline_seconds / levier_seconds:.1f}x faster (goal >= 3x)",
    )


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_emails(count: int) -> None:
    import smtplib

    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.db import transaction

    from levier.mailing.models import OutboundEmail
    from levier.mailing.services import email_queue, email_send

    class Counting:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Counting.received += 1
            return "250 OK"

    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    port = free_port()
    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    body = "Bonjour,\n\nVotre dossier APE-2026-{index:06d} est complet.\n\nCordialement."
    try:
        started = time.perf_counter()
        with transaction.atomic():
            ids = [
                email_queue(
                    to=f"usager.{index}@exemple.fr",
                    subject=f"Votre dossier APE-2026-{index:06d}",
                    body=body.format(index=index),
                ).pk
                for index in range(count)
            ]
        for email_id in ids:
            email_send(email_id=email_id)
        levier_seconds = time.perf_counter() - started
        sent = OutboundEmail.objects.filter(pk__in=ids, status="sent").count()
        emit("outbox_emails", f"{sent} sent of {count}")
        emit("outbox_emails_per_s", f"{count / levier_seconds:.0f}")

        messages = [OutboundEmail.objects.get(pk=email_id) for email_id in ids[: min(count, 200)]]
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for index in range(count):
                email = messages[index % len(messages)]
                smtp.sendmail(
                    settings.DEFAULT_FROM_EMAIL,
                    [email.to],
                    f"Subject: {email.subject}\r\nMessage-ID: <bare{index}@bench>\r\n\r\n"
                    f"{email.body_text}".encode(),
                )
        bare_seconds = time.perf_counter() - started
        emit("bare_smtp_emails_per_s", f"{count / bare_seconds:.0f}")
        emit("smtp_server_received", str(Counting.received))
        emit("outbox_vs_bare_smtp", f"{bare_seconds / levier_seconds:.2f}x")
    finally:
        controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute")
    parser.add_argument("--letters", type=int, default=None, help="letters (default 1,000)")
    parser.add_argument("--emails", type=int, default=None, help="emails (default 2,000)")
    parser.add_argument("--database", default="levier_bench_documents")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()
    args.letters = args.letters or (100 if args.quick else 1_000)
    args.emails = args.emails or (200 if args.quick else 2_000)

    with own_database("documents.py", args.database, keep=args.keep):
        bench_emails(args.emails)
        bench_letters(args.letters)


if __name__ == "__main__":
    main()

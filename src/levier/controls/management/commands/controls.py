"""`levier controls score|check|rules`: batch controls of whole procedures, with a progress bar."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from levier.cases.models import Case, CaseStatus, Procedure
from levier.controls import batch_scoring, document_checks, rule_checks
from levier.controls.models import AnomalyModel


class Command(BaseCommand):
    help = (
        "Controls in batch: score a procedure's declarations for atypical ones (and draw the "
        "random baseline), check every supporting document against the declared data, or "
        "evaluate the control rules on every case."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{score,check,rules}")
        score = actions.add_parser(
            "score", help="Score the declarations of a procedure (all with a model by default)."
        )
        check = actions.add_parser("check", help="Read and compare the documents of the cases.")
        rules = actions.add_parser(
            "rules", help="Evaluate the active rules on the open cases (--all: every case)."
        )
        rules.add_argument("--all", action="store_true", help="Closed cases too.")
        for sub in (score, check, rules):
            sub.add_argument("--procedure", metavar="SLUG", help="Only this procedure.")
        score.add_argument("--seed", type=int, help="Seed of the random draw (reproducible runs).")
        check.add_argument("--case", metavar="REFERENCE", help="Only this case.")
        check.add_argument(
            "--unchecked", action="store_true", help="Only documents never checked yet."
        )

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "score":
            self.score(options["procedure"], options["seed"])
        elif action == "check":
            self.check_documents(options["procedure"], options["case"], options["unchecked"])
        else:
            self.rules(options["procedure"], options["all"])

    def _procedure(self, slug: str | None) -> Procedure | None:
        if not slug:
            return None
        procedure = Procedure.objects.filter(slug=slug).first()
        if procedure is None:
            known = ", ".join(Procedure.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No procedure “{slug}”. Known procedures: {known}.")
        return procedure

    def score(self, slug: str | None, seed: int | None) -> None:
        procedure = self._procedure(slug)
        models = AnomalyModel.objects.filter(active=True).select_related("procedure")
        if procedure is not None:
            models = models.filter(procedure=procedure)
        if not models:
            raise CommandError(
                "No active atypical-declaration model"
                + (f" for “{slug}”" if slug else "")
                + ": configure one in the administration (Controls > models)."
            )
        for model in models:
            total = Case.objects.filter(procedure=model.procedure).exclude_drafts().count()
            with tqdm(total=None, desc=f"{model.procedure.slug}: flags", unit=" flag") as bar:
                try:
                    summary = batch_scoring.anomaly_score_procedure(
                        procedure=model.procedure, progress=bar.update, seed=seed
                    )
                except ValueError as error:
                    raise CommandError(str(error)) from error
            self.stdout.write(
                f"{summary.procedure}: {summary.cases} declarations scored (of {total}), "
                f"{summary.flagged} flagged as atypical, {summary.sampled} drawn at random, "
                f"{summary.cleared} earlier flags withdrawn."
            )

    def check_documents(self, slug: str | None, reference: str | None, unchecked: bool) -> None:
        documents = document_checks.SupportingDocument.objects.select_related(
            "case__contact", "case__procedure_version"
        ).exclude(case__status=CaseStatus.DRAFT)
        if slug:
            documents = documents.filter(case__procedure=self._procedure(slug))
        if reference:
            documents = documents.filter(case__reference=reference)
            if not documents.exists():
                raise CommandError(f"No case “{reference}” with documents.")
        if unchecked:
            documents = documents.filter(reading_check__isnull=True)
        outcomes: dict[str, int] = {}
        for document in tqdm(documents.order_by("id").iterator(chunk_size=200),
                             total=documents.count(), unit=" doc", desc="documents"):  # fmt: skip
            check = document_checks.document_check(document=document)
            outcomes[check.outcome] = outcomes.get(check.outcome, 0) + 1
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        self.stdout.write(f"{sum(outcomes.values())} documents checked: {summary or 'none'}.")

    def rules(self, slug: str | None, every_case: bool) -> None:
        cases = Case.objects.exclude_drafts().select_related("procedure_version")
        if not every_case:
            cases = cases.open()
        if slug:
            cases = cases.filter(procedure=self._procedure(slug))
        with tqdm(total=cases.count(), unit=" case", desc="rules") as bar:
            counts = rule_checks.rules_evaluate_cases(
                cases.order_by("id").iterator(chunk_size=500), progress=bar.update
            )
        self.stdout.write(f"{counts['cases']} cases evaluated, {counts['failed']} rule(s) failed.")

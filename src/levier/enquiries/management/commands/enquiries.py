"""`levier enquiries train` and `levier enquiries evaluate`: the topic and urgency classifier."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from levier.enquiries import classification, suggestions
from levier.enquiries.models import Priority


def _label_name(target: str, label) -> str:
    if target == "urgency":
        return f"{label} {Priority(label).label}"
    return str(label)


class Command(BaseCommand):
    help = (
        "Classifier of enquiries' topic and urgency, learnt from the enquiries agents labelled "
        "(subject and first message of every enquiry whose topic is set), and the index of "
        "past answers that suggested replies search."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{train,evaluate}")
        actions.add_parser(
            "train",
            help="Train on all labelled enquiries and index past answers; both saved under "
            "MEDIA_ROOT/models/.",
        )
        evaluate = actions.add_parser(
            "evaluate",
            help="Train on part of the labelled enquiries and print macro-F1 and per-class "
            "precision and recall on the held-out rest.",
        )
        evaluate.add_argument(
            "--test-size",
            type=float,
            default=classification.TEST_SIZE,
            help=f"Share held out for scoring (default {classification.TEST_SIZE}).",
        )
        evaluate.add_argument(
            "--random-state",
            type=int,
            default=classification.RANDOM_STATE,
            help="Seed of the split: same seed, same split.",
        )

    def handle(self, *args, **options) -> None:
        if options["action"] == "train":
            self.train()
        else:
            self.evaluate(options["test_size"], options["random_state"])

    def train(self) -> None:
        # The index of past answers does not need labels: built even if the classifier can't be.
        self.index_answers()
        try:
            classifier, skipped = classification.classifier_train()
        except classification.NotEnoughData as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Trained on {classifier.sample_count} labelled enquiries.")
        for target, model in classifier.models.items():
            classes = ", ".join(
                f"{_label_name(target, label)} ({model.class_counts[label]})"
                for label in model.classes
            )
            self.stdout.write(f"{target}: {len(model.classes)} classes: {classes}")
        for target, reason in skipped.items():
            self.stderr.write(f"{target}: not trained. {reason}")
        self.stdout.write(
            f"Saved to {classification.model_path()}. Suggestions below a confidence of "
            f"{classification.threshold():.2f} are left to agents "
            f"({classification.THRESHOLD_VARIABLE})."
        )

    def index_answers(self) -> None:
        index = suggestions.build_answer_index()
        count = len(index) if index is not None else 0
        self.stdout.write(
            f"Indexed {count} past answers for suggested replies"
            + (f" in {suggestions.index_path()}." if count else ".")
        )

    def evaluate(self, test_size: float, random_state: int) -> None:
        if not 0 < test_size < 1:
            raise CommandError("--test-size must be between 0 and 1 (e.g. 0.25).")
        scored = 0
        for target in classification.TARGETS:
            texts, labels = classification.training_data(target)
            try:
                result = classification.evaluate(
                    texts, labels, test_size=test_size, random_state=random_state, what=target
                )
            except classification.NotEnoughData as error:
                if target == "topic":
                    raise CommandError(str(error)) from None
                self.stderr.write(f"{target}: not evaluated. {error}")
                continue
            scored += 1
            self.stdout.write(
                f"{target}: macro-F1 {result.macro_f1:.3f} "
                f"(trained on {result.train_count}, held out {result.test_count})"
            )
            width = max(12, *(len(_label_name(target, label)) for label in result.per_class))
            self.stdout.write(f"  {'class':<{width}}  precision  recall  support")
            for label, score in result.per_class.items():
                self.stdout.write(
                    f"  {_label_name(target, label):<{width}}  {score.precision:>9.3f}  "
                    f"{score.recall:>6.3f}  {score.support:>7}"
                )

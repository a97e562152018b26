"""Topic and urgency of an enquiry, suggested by a French text classifier.

A scikit-learn pipeline learns from the agent-labelled history: the subject and first
received message of every enquiry whose topic is set (agents' corrections included, since
the topic field holds the last word). Text is lower-cased, tokenised, stripped of French
stop words and stemmed with the Snowball French stemmer, then accents are folded; TF-IDF
weights word uni- and bigrams of stems and character n-grams (robust to typos and
inflections the stemmer misses). A logistic regression gives a probability per class.

A suggestion only flags: below the confidence threshold (``LEVIER_CLASSIFIER_THRESHOLD``,
0.6 by default) `suggest` answers None and the enquiry is left to a human, never forced.
"""

from __future__ import annotations

import datetime
import logging
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import joblib
import sklearn
import snowballstemmer
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline
from threadpoolctl import threadpool_limits

from levier.core.text import fold
from levier.journal.services import Actor, record

from .models import Direction, Enquiry, LabelSource, Message
from .saved_models import LoadedOnce, save_atomically

logger = logging.getLogger(__name__)

# Bump when the pipeline or the saved bundle changes shape: older files are then ignored.
MODEL_VERSION = 2
MODEL_FILENAME = "enquiry-classifier.joblib"
THRESHOLD_VARIABLE = "LEVIER_CLASSIFIER_THRESHOLD"
DEFAULT_THRESHOLD = 0.6
# Fewer labelled enquiries than this and a model would only learn noise.
MIN_SAMPLES = 20
TEST_SIZE = 0.25
RANDOM_STATE = 2026

Label = str | int
Target = Literal["topic", "urgency"]
TARGETS: tuple[Target, ...] = ("topic", "urgency")

# Words that say nothing about what a message is about: articles, pronouns, auxiliaries,
# prepositions, and the politeness every letter carries. Compared folded (no accents).
FRENCH_STOP_WORDS = frozenset(
    fold(
        """
        a à au aux avec ce ces cet cette ceci cela ça dans de des du elle elles en et eux il ils
        je j la le les leur leurs lui l ma mais me m même mes moi mon ne n nos notre nous on ou
        où par pas pour qu que qui quoi sa se s ses son sur ta te t tes toi ton tu un une vos
        votre vous y c d est sont suis es sommes êtes été être ai as avons avez ont avait
        étais était étions étiez étaient aurai aura aurons aurez auront serai sera serons
        serez seront fait faire peux peut pouvez pouvons veux veut voudrais souhaite
        souhaiterais si très plus moins aussi bien tout tous toute toutes car donc or ni comme
        quand alors ainsi encore déjà ici là cela celui celle ceux celles dont lequel laquelle
        bonjour bonsoir madame monsieur mesdames messieurs merci cordialement cordiales
        salutations sincères distinguées veuillez agréer avance
        """
    ).split()
)

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_DIGITS = re.compile(r"\d")
_local = threading.local()


class NotEnoughData(ValueError):
    """Too few labelled enquiries, or too few classes, to train or evaluate a model."""


# --- normalisation ---------------------------------------------------------------------


def _stemmer() -> snowballstemmer.stemmer:
    # Snowball stemmers keep state while stemming: one per thread.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("french")
    return stemmer


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """Snowball French stem of a lower-case word, accents folded: 'déposée' -> 'depos'."""
    return fold(_stemmer().stemWord(word))


def normalise(text: str) -> str:
    """Lower-case, accents folded, digits made alike (amounts and references are not topics)."""
    return _DIGITS.sub("0", fold(text))


def tokens(text: str) -> list[str]:
    """Stems of the meaningful words of a French text, in order."""
    words = _WORD.findall((text or "").lower())
    return [stem(word) for word in words if len(word) > 1 and fold(word) not in FRENCH_STOP_WORDS]


def analyse_words(text: str) -> list[str]:
    """Word features: stems, and pairs of consecutive stems ('pas recu' differs from 'recu')."""
    stems = tokens(text)
    return stems + [f"{first} {second}" for first, second in zip(stems, stems[1:], strict=False)]


def build_pipeline() -> Pipeline:
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer=analyse_words, sublinear_tf=True, min_df=1)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    preprocessor=normalise,
                    ngram_range=(3, 5),
                    sublinear_tf=True,
                    min_df=2,
                ),
            ),
        ]
    )
    classifier = LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000)
    return Pipeline([("features", features), ("classifier", classifier)])


# --- models ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    label: Label
    confidence: float
    runner_up: tuple[Label, float] | None


def _python(value) -> Label:
    """numpy scalars (np.int64, np.str_) as plain Python values."""
    return value.item() if hasattr(value, "item") else value


@dataclass
class Model:
    """A trained pipeline for one target, with what it was trained on."""

    pipeline: Pipeline
    trained_at: datetime.datetime
    sample_count: int
    class_counts: dict[Label, int]
    version: int = MODEL_VERSION

    @property
    def classes(self) -> list[Label]:
        return [_python(label) for label in self.pipeline.classes_]

    @property
    def features(self) -> FeatureUnion:
        return self.pipeline.named_steps["features"]

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str], matrix=None) -> list[Prediction]:
        """Predictions for many texts at once (one matrix product for the whole batch).

        `matrix` is the texts' features when the caller already computed them.
        """
        if matrix is None:
            matrix = features_of(self.features, texts)
        classes = self.classes
        predictions = []
        for probabilities in self.pipeline.named_steps["classifier"].predict_proba(matrix):
            ranked = sorted(zip(classes, probabilities, strict=True), key=lambda p: -p[1])
            label, confidence = ranked[0]
            runner_up = (ranked[1][0], float(ranked[1][1])) if len(ranked) > 1 else None
            predictions.append(
                Prediction(label=label, confidence=float(confidence), runner_up=runner_up)
            )
        return predictions


def features_of(features: FeatureUnion, texts: Sequence[str]):
    """The feature matrix of texts, the union's parts applied by hand.

    FeatureUnion.transform goes through joblib's machinery on every call, which costs
    more than the prediction itself on one short message. Sparse features use no BLAS
    threads, so no thread-pool limit is needed either.
    """
    return sparse.hstack(
        [transformer.transform(texts) for _name, transformer in features.transformer_list]
    ).tocsr()


def _check_trainable(texts: Sequence[str], labels: Sequence[Label], what: str) -> None:
    if len(texts) != len(labels):
        raise ValueError("texts and labels must have the same length.")
    classes = set(labels)
    if len(classes) < 2:
        raise NotEnoughData(
            f"{what}: {len(classes)} class among {len(labels)} labelled enquiries; at least 2 "
            "are needed. Label more enquiries (set their topic and priority), or run "
            "`levier seed` on a demo database."
        )
    if len(texts) < MIN_SAMPLES:
        raise NotEnoughData(
            f"{what}: {len(texts)} labelled enquiries; at least {MIN_SAMPLES} are needed. Label "
            "more enquiries, or run `levier seed` on a demo database."
        )


def train(
    texts: Sequence[str],
    labels: Sequence[Label],
    *,
    what: str = "classifier",
    features: FeatureUnion | None = None,
) -> Model:
    """Fit a pipeline on labelled texts; raise NotEnoughData when they cannot teach anything.

    With `features` (already fitted, e.g. the topic model's), only the classifier is
    fitted on them: both targets then share one vocabulary, and a message's features
    are computed once for both predictions.
    """
    _check_trainable(texts, labels, what)
    pipeline = build_pipeline()
    # Sparse features on a few thousand rows: BLAS threads only fight over the cores.
    with threadpool_limits(limits=1):
        if features is None:
            pipeline.fit(list(texts), list(labels))
        else:
            pipeline.steps[0] = ("features", features)
            pipeline.named_steps["classifier"].fit(features.transform(list(texts)), list(labels))
    return Model(
        pipeline=pipeline,
        trained_at=timezone.now(),
        sample_count=len(texts),
        class_counts={_python(k): v for k, v in Counter(labels).items()},
    )


@dataclass(frozen=True)
class ClassScore:
    precision: float
    recall: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    macro_f1: float
    per_class: dict[Label, ClassScore]
    train_count: int
    test_count: int


def evaluate(
    texts: Sequence[str],
    labels: Sequence[Label],
    *,
    test_size: float = TEST_SIZE,
    random_state: int = RANDOM_STATE,
    what: str = "classifier",
) -> Evaluation:
    """Train on a stratified part of the data and score on the rest (held out)."""
    _check_trainable(texts, labels, what)
    counts = Counter(labels)
    rare = sorted(str(label) for label, count in counts.items() if count < 2)
    if rare:
        raise NotEnoughData(
            f"{what}: classes {', '.join(rare)} have a single labelled enquiry; a held-out split "
            "needs at least 2 per class. Label more enquiries of these classes."
        )
    test_count = max(int(round(len(labels) * test_size)), len(counts))
    train_texts, test_texts, train_labels, test_labels = train_test_split(
        list(texts),
        list(labels),
        test_size=test_count,
        random_state=random_state,
        stratify=list(labels),
    )
    model = train(train_texts, train_labels, what=what)
    with threadpool_limits(limits=1):
        predicted = [_python(label) for label in model.pipeline.predict(test_texts)]
    classes = sorted(counts, key=str)
    precision, recall, _f1, support = precision_recall_fscore_support(
        test_labels, predicted, labels=classes, zero_division=0
    )
    return Evaluation(
        macro_f1=float(f1_score(test_labels, predicted, labels=classes, average="macro")),
        per_class={
            label: ClassScore(float(p), float(r), int(s))
            for label, p, r, s in zip(classes, precision, recall, support, strict=True)
        },
        train_count=len(train_texts),
        test_count=len(test_texts),
    )


# --- the enquiry classifier: both targets, saved together -------------------------------


@dataclass
class EnquiryClassifier:
    models: dict[Target, Model]
    trained_at: datetime.datetime = field(default_factory=timezone.now)
    sample_count: int = 0
    version: int = MODEL_VERSION
    sklearn_version: str = sklearn.__version__

    def predict_all(self, text: str) -> dict[Target, Prediction]:
        """Every target's prediction for one text; shared features are computed once."""
        matrices: dict[int, object] = {}
        predictions = {}
        for target, model in self.models.items():
            key = id(model.features)
            if key not in matrices:
                matrices[key] = features_of(model.features, [text])
            predictions[target] = model.predict_many([text], matrix=matrices[key])[0]
        return predictions


def enquiry_text(subject: str, body: str) -> str:
    return f"{subject}\n{body}".strip()


def training_data(target: Target) -> tuple[list[str], list[Label]]:
    """Texts and labels of the labelled history: enquiries whose topic a person set."""
    first_body = (
        Message.objects.filter(enquiry=OuterRef("pk"), direction=Direction.IN)
        .order_by("created_at", "id")
        .values("body")[:1]
    )
    field_name = "topic__slug" if target == "topic" else "priority"
    # Only people's labels teach: what the classifier set itself would feed its own errors.
    source_field = "topic_source" if target == "topic" else "priority_source"
    rows = (
        Enquiry.objects.filter(topic__isnull=False)
        .exclude(**{source_field: LabelSource.ROBOT})
        .annotate(first_body=Subquery(first_body))
        .order_by("pk")
        .values_list("subject", "first_body", field_name)
    )
    texts, labels = [], []
    for subject, body, label in rows:
        texts.append(enquiry_text(subject, body or ""))
        labels.append(label)
    return texts, labels


def model_path() -> Path:
    return Path(settings.MEDIA_ROOT) / "models" / MODEL_FILENAME


def save(classifier: EnquiryClassifier, path: Path | None = None) -> Path:
    """Write the classifier atomically (a worker loading it never reads half a file)."""
    saved = save_atomically(classifier, path or model_path())
    _loaded.clear()
    return saved


_loaded = LoadedOnce()


def load(path: Path | None = None) -> EnquiryClassifier | None:
    """The saved classifier, or None when there is none usable (then a human classifies)."""
    return _loaded.get(path or model_path(), _read)


def _read(path: Path) -> EnquiryClassifier | None:
    try:
        classifier = joblib.load(path)
    except Exception:
        logger.exception(
            "Cannot read the enquiry classifier %s; run `levier enquiries train`.", path
        )
        return None
    if not isinstance(classifier, EnquiryClassifier) or classifier.version != MODEL_VERSION:
        logger.warning("The enquiry classifier %s is outdated; run `levier enquiries train`.", path)
        return None
    if classifier.sklearn_version != sklearn.__version__:
        logger.warning(
            "The enquiry classifier %s was trained with scikit-learn %s (now %s); run "
            "`levier enquiries train`.",
            path,
            classifier.sklearn_version,
            sklearn.__version__,
        )
        return None
    return classifier


def classifier_train(*, actor: Actor | None = None) -> tuple[EnquiryClassifier, dict[Target, str]]:
    """Train topic and urgency on the labelled history, save the models, journal it.

    The topic model is required (NotEnoughData otherwise); the urgency model is skipped,
    with the reason returned, when priorities do not vary enough to learn from.
    """
    models: dict[Target, Model] = {}
    skipped: dict[Target, str] = {}
    sample_count = 0
    for target in TARGETS:
        texts, labels = training_data(target)
        sample_count = max(sample_count, len(texts))
        shared = models["topic"].features if "topic" in models else None
        try:
            models[target] = train(texts, labels, what=target, features=shared)
        except NotEnoughData as error:
            if target == "topic":
                raise
            skipped[target] = str(error)
    classifier = EnquiryClassifier(models=models, sample_count=sample_count)
    save(classifier)
    record(
        actor=actor or Actor.system(),
        verb="train",
        target=("enquiries.classifier", MODEL_VERSION),
        automated=True,
        payload={
            "samples": sample_count,
            "classes": {
                target: {str(k): v for k, v in model.class_counts.items()}
                for target, model in models.items()
            },
            "skipped": list(skipped),
        },
    )
    return classifier, skipped


def threshold() -> float:
    """Confidence below which a suggestion is withheld, from LEVIER_CLASSIFIER_THRESHOLD."""
    raw = str(settings.LEVIER_CLASSIFIER_THRESHOLD).strip()
    if not raw:
        return DEFAULT_THRESHOLD
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise ImproperlyConfigured(
            f"{THRESHOLD_VARIABLE} must be a number between 0 and 1 (e.g. 0.6), not {raw!r}."
        )
    return value


def suggest(
    enquiry: Enquiry,
    *,
    target: Target = "topic",
    classifier: EnquiryClassifier | None = None,
    body: str | None = None,
) -> Prediction | None:
    """The label the classifier is confident about for this enquiry, or None.

    None when no model is trained, when it has no model for `target`, or when its
    confidence is below the threshold: the enquiry is then left to a human. `body` saves
    a query when the caller already holds the first message's text.
    """
    classifier = classifier or load()
    if classifier is None or target not in classifier.models:
        return None
    if body is None:
        body = (
            enquiry.messages.filter(direction=Direction.IN)
            .order_by("created_at", "id")
            .values_list("body", flat=True)
            .first()
            or ""
        )
    prediction = classifier.models[target].predict(enquiry_text(enquiry.subject, body))
    if prediction.confidence < threshold():
        return None
    return prediction

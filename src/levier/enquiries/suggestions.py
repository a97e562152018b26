"""Suggested replies for an enquiry: answer templates and answers given to similar enquiries.

Templates are ranked with those of the enquiry's topic first, then by how close their text
is to the enquiry's first message. Past answers are the first agent answer of closed
enquiries whose first message is closest (TF-IDF over French stems, cosine). A past answer
was written to someone else: before it is shown, that usager's names, email and
identifiers become merge fields or "[…]", so nothing personal of theirs is suggested.

Only suggests: nothing is written here. The reply service journals the suggestion the
agent started from. `levier enquiries train` builds the index of past answers; without it,
the 500 latest answered enquiries of the agent's teams are compared on the fly.
"""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
import sklearn
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.template import TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from threadpoolctl import threadpool_limits

from levier.contacts.models import Contact
from levier.core import policy
from levier.core.models import Agent
from levier.core.text import fold

from . import answers, classification
from . import entities as entity_extraction
from .models import AnswerTemplate, Direction, Enquiry, EnquiryStatus, Message
from .saved_models import LoadedOnce, save_atomically

logger = logging.getLogger(__name__)

INDEX_VERSION = 1
INDEX_FILENAME = "answer-index.joblib"
INDEX_LIMIT = 50_000  # newest answered enquiries indexed: older answers are rarely current
FALLBACK_LIMIT = 500
MAX_TEMPLATES = 3
MAX_ANSWERS = 3
# Below this similarity a past answer is about something else: not worth the agent's time.
MIN_ANSWER_SCORE = 0.12
MIN_TEMPLATE_SCORE = 0.05  # templates of the enquiry's topic are shown whatever their score
MASK = "[…]"
_TEMPLATE_SYNTAX = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "template" or "answer"
    id: int
    title: str
    text: str  # rendered for this enquiry, ready to send
    score: float  # 0–1, similarity to the enquiry's first message
    why: str

    @property
    def key(self) -> str:
        """What the reply form sends back, and the reply service journals."""
        return f"{self.kind}:{self.id}"

    @property
    def percent(self) -> int:
        return round(100 * self.score)


# --- text ---------------------------------------------------------------------------------


def question_text(subject: str, body: str) -> str:
    return classification.enquiry_text(subject, body)


def template_text(template: AnswerTemplate) -> str:
    """What a template is about: its title and words, merge fields and tags aside."""
    return f"{template.title}\n{_TEMPLATE_SYNTAX.sub(' ', template.body)}"


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=classification.analyse_words, sublinear_tf=True)


# --- the index of past answers -------------------------------------------------------------


@dataclass
class AnswerIndex:
    """Past answers, one row each: the question's TF-IDF vector and where the answer is."""

    vectorizer: TfidfVectorizer
    matrix: sparse.csr_matrix
    message_ids: np.ndarray
    enquiry_ids: np.ndarray
    team_ids: np.ndarray
    built_at: datetime.datetime = field(default_factory=timezone.now)
    version: int = INDEX_VERSION
    sklearn_version: str = sklearn.__version__

    def __len__(self) -> int:
        return len(self.message_ids)


def answered_enquiries() -> QuerySet:
    """(enquiry id, team id, subject, first received text, first agent answer id) of
    closed enquiries, newest first."""
    first_in = Message.objects.filter(enquiry=OuterRef("pk"), direction=Direction.IN).order_by(
        "created_at", "id"
    )
    first_out = Message.objects.filter(
        enquiry=OuterRef("pk"), direction=Direction.OUT, author_agent__isnull=False
    ).order_by("created_at", "id")
    return (
        Enquiry.objects.filter(status=EnquiryStatus.CLOSED)
        .annotate(
            question=Subquery(first_in.values("body")[:1]),
            answer_id=Subquery(first_out.values("pk")[:1]),
        )
        .filter(answer_id__isnull=False)
        .order_by("-pk")
        .values_list("pk", "team_id", "subject", "question", "answer_id")
    )


def _index_of(rows: Sequence[tuple], extra_texts: Sequence[str] = ()) -> AnswerIndex | None:
    """Fit a vectorizer on the questions (and texts to compare with them) and index them."""
    texts = [question_text(subject, question or "") for _pk, _team, subject, question, _a in rows]
    vectorizer = _vectorizer()
    try:
        with threadpool_limits(limits=1):
            vectorizer.fit([*texts, *extra_texts])
    except ValueError:  # no word at all: nothing to compare
        return None
    matrix = vectorizer.transform(texts) if texts else sparse.csr_matrix((0, 0))
    return AnswerIndex(
        vectorizer=vectorizer,
        matrix=sparse.csr_matrix(matrix),
        message_ids=np.array([row[4] for row in rows], dtype=np.int64),
        enquiry_ids=np.array([row[0] for row in rows], dtype=np.int64),
        team_ids=np.array([row[1] for row in rows], dtype=np.int64),
    )


def index_path() -> Path:
    return classification.model_path().parent / INDEX_FILENAME


def build_answer_index(*, path: Path | None = None) -> AnswerIndex | None:
    """Index the answers of the newest closed enquiries and save it next to the classifier.

    Returns None (and removes a stale file) when no enquiry was ever answered.
    """
    path = path or index_path()
    rows = list(answered_enquiries()[:INDEX_LIMIT])
    index = _index_of(rows) if rows else None
    if index is None:
        path.unlink(missing_ok=True)
        _loaded.clear()
        return None
    save_atomically(index, path)
    _loaded.clear()
    return index


_loaded = LoadedOnce()


def load_answer_index(path: Path | None = None) -> AnswerIndex | None:
    """The saved index, or None when there is none usable (then compare on the fly)."""
    return _loaded.get(path or index_path(), _read_index)


def _read_index(path: Path) -> AnswerIndex | None:
    try:
        index = joblib.load(path)
    except Exception:
        logger.exception("Cannot read the answer index %s; run `levier enquiries train`.", path)
        index = None
    if not isinstance(index, AnswerIndex) or index.version != INDEX_VERSION:
        index = None
    elif index.sklearn_version != sklearn.__version__:
        index = None  # pickles of another scikit-learn may misbehave: compare on the fly
    return index


def _fallback_index(agent: Agent, extra_texts: Sequence[str]) -> AnswerIndex | None:
    rows = list(
        answered_enquiries().filter(team_id__in=policy.visible_team_ids(agent))[:FALLBACK_LIMIT]
    )
    return _index_of(rows, extra_texts)


def _cosines(index: AnswerIndex, query, matrix) -> np.ndarray:
    if matrix.shape[0] == 0:
        return np.zeros(0)
    with threadpool_limits(limits=1):
        return np.asarray((matrix @ query.T).toarray()).ravel()


# --- privacy: another usager's answer, made anonymous -----------------------------------------


def _accent_variants() -> dict[str, str]:
    variants: dict[str, set[str]] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[0].lower()
        if base.isascii() and base.isalpha():
            variants.setdefault(base, {base}).add(char.lower())
    return {base: "".join(sorted(chars)) for base, chars in variants.items()}


_VARIANTS = _accent_variants()
_SEPARATORS = "[\\s.\\-\u00a0\u202f]*"


def _loose_name(name: str) -> str:
    """A regex for a name however it is written: case, accents, spaces or hyphens."""
    parts = []
    for char in name.strip():
        base = fold(char)
        if char.isspace() or char in "-'’":
            parts.append(r"[\s\-'’]+")
        elif len(base) == 1 and base in _VARIANTS:
            parts.append(f"[{re.escape(_VARIANTS[base])}]")
        else:
            parts.append(re.escape(char))
    return r"(?<!\w)" + "".join(parts) + r"(?!\w)"


def _loose_code(code: str) -> str:
    """A regex for an identifier written with or without spaces and dots between groups."""
    return _SEPARATORS.join(re.escape(char) for char in re.sub(r"[\s.\-]", "", code))


def _replacements(contact: Contact, author: Agent | None, reference: str) -> list[tuple[str, str]]:
    """(regex, merge field) pairs, most specific first."""
    pairs: list[tuple[str, str]] = [(re.escape(reference), "{{ sollicitation.reference }}")]
    if contact.email:
        pairs.append((re.escape(contact.email), "{{ usager.email }}"))
    for code in (contact.iban, contact.siret, contact.siren, contact.nir, contact.phone):
        if code and len(re.sub(r"\W", "", code)) >= 6:
            pairs.append((_loose_code(code), MASK))
    if contact.address:
        pairs.append((_loose_name(contact.address), MASK))
    names = []
    if contact.legal_name:
        names.append((contact.legal_name, "{{ usager.nom_complet }}"))
    if contact.first_name and contact.last_name:
        names.append((f"{contact.first_name} {contact.last_name}", "{{ usager.nom_complet }}"))
        names.append((f"{contact.last_name} {contact.first_name}", "{{ usager.nom_complet }}"))
    if contact.last_name:
        names.append((contact.last_name, "{{ usager.nom }}"))
    if contact.first_name:
        names.append((contact.first_name, "{{ usager.prenom }}"))
    if author is not None:
        names += [(author.last_name, "{{ agent.nom }}"), (author.first_name, "{{ agent.prenom }}")]
    pairs += [(_loose_name(name), field) for name, field in names if len(name.strip()) >= 2]
    return pairs


def mask_personal_data(
    text: str,
    *,
    contact: Contact,
    author: Agent | None = None,
    reference: str = "",
    merge_fields: bool = True,
) -> str:
    """`text` without the personal data of `contact`: names and email become merge fields
    (or "[…]" with merge_fields=False), and every identifier, amount, date, reference,
    phone or place `entities.extract` finds becomes "[…]"."""
    taken = bytearray(len(text))
    spans: list[tuple[int, int, str]] = []

    def take(start: int, end: int, replacement: str) -> None:
        if end > start and not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            spans.append((start, end, replacement if merge_fields else MASK))

    for pattern, replacement in _replacements(contact, author, reference or "\0"):
        for match in re.finditer(pattern, text, re.IGNORECASE):
            take(match.start(), match.end(), replacement)
    for entity in entity_extraction.extract(text):
        take(entity.start, entity.end, MASK)
    parts, position = [], 0
    for start, end, replacement in sorted(spans):
        parts += [text[position:start], replacement]
        position = end
    parts.append(text[position:])
    return "".join(parts)


# --- suggestions ----------------------------------------------------------------------------


def _first_question(enquiry: Enquiry) -> str:
    body = (
        enquiry.messages.filter(direction=Direction.IN)
        .order_by("created_at", "id")
        .values_list("body", flat=True)
        .first()
    )
    return question_text(enquiry.subject, body or "")


def _topic_id(enquiry: Enquiry) -> int | None:
    """The enquiry's topic or, while an agent has not chosen one, the classifier's guess."""
    return enquiry.topic_id or enquiry.suggested_topic_id


def _template_suggestion(
    template: AnswerTemplate, score: float, *, enquiry: Enquiry, agent: Agent
) -> Suggestion | None:
    try:
        text = answers.render_answer(template, enquiry=enquiry, agent=agent)
    except (TemplateSyntaxError, ValidationError):
        logger.warning("Answer template %s does not compile: fix it in the admin.", template.pk)
        return None
    values = {"topic": template.topic, "score": round(100 * score)}
    if template.topic_id is None:
        why = _("General template (%(score)d %%)") if score >= 0.01 else _("General template")
    elif template.topic_id == _topic_id(enquiry):
        # A template of the topic is offered even when its words differ: no "0 %" then.
        why = (
            _("Template of the topic “%(topic)s” (%(score)d %%)")
            if score >= 0.01
            else _("Template of the topic “%(topic)s”")
        )
    else:
        why = _("Template of another topic, “%(topic)s” (%(score)d %%)")
    why = why % values
    return Suggestion("template", template.pk, template.title, text, score, why)


def _answer_suggestion(
    message: Message, score: float, *, enquiry: Enquiry, agent: Agent
) -> Suggestion:
    past = message.enquiry
    masked = mask_personal_data(
        message.body, contact=past.contact, author=message.author_agent, reference=past.reference
    )
    subject = mask_personal_data(
        past.subject, contact=past.contact, reference=past.reference, merge_fields=False
    )
    return Suggestion(
        kind="answer",
        id=message.pk,
        title=_("Answer to “%(subject)s”") % {"subject": subject},
        text=answers.fill_fields(masked, enquiry=enquiry, agent=agent).strip(),
        score=score,
        why=_("Answer given to a similar enquiry (%(reference)s, %(score)d %%)")
        % {"reference": past.reference, "score": round(100 * score)},
    )


def _past_answers(agent: Agent) -> QuerySet[Message]:
    """Answers the agent may start from: first answers of their teams' closed enquiries."""
    return Message.objects.filter(
        direction=Direction.OUT,
        author_agent__isnull=False,
        enquiry__status=EnquiryStatus.CLOSED,
        enquiry__team_id__in=policy.visible_team_ids(agent),
    ).select_related("enquiry__contact", "author_agent")


def _interleave(first: list[Suggestion], second: list[Suggestion]) -> list[Suggestion]:
    """Merge by score, each list keeping its own order (a topic's templates stay first)."""
    merged: list[Suggestion] = []
    while first and second:
        merged.append((first if first[0].score >= second[0].score else second).pop(0))
    return merged + first + second


def _dedupe(found: Iterable[Suggestion]) -> list[Suggestion]:
    seen: set[str] = set()
    kept = []
    for suggestion in found:
        text = fold(suggestion.text)
        if text not in seen:
            seen.add(text)
            kept.append(suggestion)
    return kept


def suggestions_for(enquiry: Enquiry, *, agent: Agent, limit: int = 5) -> list[Suggestion]:
    """Ranked replies for this enquiry, each rendered for it (a few queries, no write)."""
    question = _first_question(enquiry)
    templates = list(AnswerTemplate.objects.filter(is_active=True).select_related("topic"))
    template_texts = [template_text(template) for template in templates]
    index = load_answer_index() or _fallback_index(agent, [question, *template_texts])
    if index is None:
        return []
    query = index.vectorizer.transform([question])

    template_scores = (
        _cosines(index, query, index.vectorizer.transform(template_texts))
        if templates
        else np.zeros(0)
    )
    topic_id = _topic_id(enquiry)
    ranked = sorted(
        zip(templates, template_scores, strict=True),
        key=lambda pair: (pair[0].topic_id is None or pair[0].topic_id != topic_id, -pair[1]),
    )
    template_suggestions = []
    for template, score in ranked:
        if template.topic_id != topic_id and score < MIN_TEMPLATE_SCORE:
            continue
        found = _template_suggestion(template, float(min(score, 1.0)), enquiry=enquiry, agent=agent)
        if found is not None:
            template_suggestions.append(found)
        if len(template_suggestions) == MAX_TEMPLATES:
            break

    answer_suggestions = []
    scores = _cosines(index, query, index.matrix)
    if len(scores):
        visible = np.isin(index.team_ids, policy.visible_team_ids(agent)) & (
            index.enquiry_ids != enquiry.pk
        )
        scores = np.where(visible, scores, 0.0)
        best = [i for i in np.argsort(-scores)[: 4 * MAX_ANSWERS] if scores[i] >= MIN_ANSWER_SCORE]
        if best:
            wanted = {int(index.message_ids[i]): float(scores[i]) for i in best}
            messages = _past_answers(agent).filter(pk__in=wanted).exclude(enquiry=enquiry)
            by_score = sorted(messages, key=lambda message: -wanted[message.pk])
            answer_suggestions = [
                _answer_suggestion(message, min(wanted[message.pk], 1.0), enquiry=enquiry,
                                   agent=agent)
                for message in by_score
            ]  # fmt: skip
    answer_suggestions = _dedupe(answer_suggestions)[:MAX_ANSWERS]
    return _dedupe(_interleave(template_suggestions, answer_suggestions))[:limit]


def suggestion_by_key(
    key: str, *, enquiry: Enquiry, agent: Agent, shown: Sequence[Suggestion] = ()
) -> Suggestion | None:
    """The suggestion "template:12" or "answer:345" for this enquiry, or None when it does
    not exist, is inactive or belongs to an enquiry the agent may not see."""
    for suggestion in shown:
        if suggestion.key == key:
            return suggestion
    kind, _colon, raw_id = (key or "").partition(":")
    if not raw_id.isdigit():
        return None
    if kind == "template":
        template = (
            AnswerTemplate.objects.filter(is_active=True, pk=int(raw_id))
            .select_related("topic")
            .first()
        )
        if template is None:
            return None
        return _template_suggestion(template, 0.0, enquiry=enquiry, agent=agent)
    if kind == "answer":
        message = _past_answers(agent).exclude(enquiry=enquiry).filter(pk=int(raw_id)).first()
        if message is None:
            return None
        return _answer_suggestion(message, 0.0, enquiry=enquiry, agent=agent)
    return None

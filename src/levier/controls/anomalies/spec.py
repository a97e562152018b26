"""What the anomaly layer is configured with, what it reads and what it returns.

Also the guard of section 7 of the design: no variable about social status, precarity,
nationality, sex or age enters a risk model. `check_inputs` refuses a model whose
inputs, ratio terms or peer-group keys name one, by field name or by label.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext


@dataclass(frozen=True)
class ModelSpec:
    inputs: tuple[str, ...]  # declared numeric fields, e.g. ("turnover", "headcount")
    ratios: tuple[tuple[str, str], ...] = ()  # (numerator, denominator) pairs
    peer_group: tuple[str, ...] = ()  # categorical keys, e.g. ("naf_section", "size_band")
    contamination: float = 0.02  # share of declarations flagged by the detector
    thresholds: dict[str, float] = field(default_factory=dict)  # field -> threshold
    # Smaller peer groups fall back to the whole procedure: tails estimated from a few
    # dozen values are too noisy to single a declaration out.
    min_peers: int = 50
    amounts: tuple[str, ...] = ()  # fields in euros (formatting, Benford); default: none
    isolation: bool = False  # add an Isolation Forest: finds more, explains less


@dataclass(frozen=True)
class Declaration:
    case_id: int
    declarant: str  # a stable key for the usager (contact id), for history tests
    year: int
    values: dict[str, float | None]
    group: dict[str, str]  # peer group keys


class Reason(NamedTuple):
    """Why a declaration is flagged (a tuple: tens of thousands are made per batch)."""

    code: str  # high-for-peers, low-for-peers, ratio, benford, jump, just-under-threshold
    field: str
    value: float
    low: float | None  # the peer group's usual range (5th-95th percentile), or test bounds
    high: float | None
    peers: int
    text: str  # translated sentence an agent can repeat to the usager


@dataclass(frozen=True)
class Scored:
    case_id: int
    score: float
    flagged: bool
    reasons: tuple[Reason, ...]


# Folded words (lower case, no accents) that mark a protected variable, by topic.
# Matched as whole tokens of the field name or label (so "page", "stage", "message" or
# "average_amount" pass), multi-word entries as consecutive tokens.
PROTECTED_VARIABLES: dict[str, str] = {
    # age
    "age": "age",
    "ages": "age",
    "naissance": "age",
    "birth": "age",
    "birthdate": "age",
    "birthday": "age",
    "date of birth": "age",
    "dob": "age",
    # sex
    "sexe": "sex",
    "sex": "sex",
    "genre": "sex",
    "gender": "sex",
    "civilite": "sex",
    "nir": "sex",  # the social security number encodes sex and birth
    # nationality
    "nationalite": "nationality",
    "nationality": "nationality",
    "citizenship": "nationality",
    # social status
    "situation familiale": "social status",
    "situation matrimoniale": "social status",
    "marital status": "social status",
    "family status": "social status",
    "handicap": "social status",
    "disability": "social status",
    "aah": "social status",  # allocation aux adultes handicapés
    # precarity
    "rsa": "precarity",
    "minima sociaux": "precarity",
    "minimum social": "precarity",
    "precarite": "precarity",
    "precarity": "precarity",
    "chomage": "precarity",
    "unemployment": "precarity",
    "unemployed": "precarity",
}

_TOPIC_NAMES = {
    "age": lambda: gettext("age"),
    "sex": lambda: gettext("sex"),
    "nationality": lambda: gettext("nationality"),
    "social status": lambda: gettext("social status"),
    "precarity": lambda: gettext("precarity"),
}


def protected_topics() -> list[str]:
    """The protected topics, translated: what the public register says is never used."""
    return [name() for name in _TOPIC_NAMES.values()]


def fold_tokens(text: str) -> list[str]:
    """Lower-case, accent-free tokens: 'dateNaissance' and 'Date de naissance' both give 'naissance'."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return [token for token in re.split(r"[^a-z0-9]+", text) if token]


def protected_term(text: str) -> str | None:
    """The protected vocabulary entry `text` contains as whole tokens, if any."""
    tokens = fold_tokens(text)
    for term in PROTECTED_VARIABLES:
        words = term.split()
        for start in range(len(tokens) - len(words) + 1):
            if tokens[start : start + len(words)] == words:
                return term
    return None


def model_variables(spec: ModelSpec) -> list[str]:
    names = list(spec.inputs) + [term for pair in spec.ratios for term in pair]
    return list(dict.fromkeys(names + list(spec.peer_group)))


def check_inputs(spec: ModelSpec, labels: dict[str, str] | None = None) -> None:
    """Raise ValueError (translated reason) if a variable of the model is a protected one."""
    labels = labels or {}
    for name in model_variables(spec):
        for text in (name, labels.get(name, "")):
            term = protected_term(text) if text else None
            if term:
                raise ValueError(
                    gettext(
                        "“%(variable)s” cannot enter a risk model: it is about %(topic)s "
                        "(“%(term)s”), and no variable about social status, precarity, "
                        "nationality, sex or age may be used to score declarations. "
                        "Remove it from the model."
                    )
                    % {
                        "variable": labels.get(name) or name,
                        "topic": _TOPIC_NAMES[PROTECTED_VARIABLES[term]](),
                        "term": term,
                    }
                )
    if not 0 < spec.contamination < 1:
        raise ValueError(gettext("The share of declarations flagged must be between 0 and 1."))

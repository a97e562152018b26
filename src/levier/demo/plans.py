"""Small shared pieces of the demo loader: who works, who asks, when things happen."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from .generators import CompanyRecord, PersonRecord

CASE_TARGET = "cases.case"
ENQUIRY_TARGET = "enquiries.enquiry"


@dataclass(frozen=True, slots=True)
class Worker:
    id: int
    label: str
    username: str


@dataclass(slots=True)
class PoolContact:
    id: int
    kind: str  # person, entreprise, association
    record: PersonRecord | CompanyRecord
    display_name: str
    siret: str
    email: str
    folded: str  # fold(name siret email): the usager's part of search_text


def growth(index: int, total: int, rng: random.Random, power: float = 0.75) -> float:
    """Where the index-th of `total` items falls in the history (0 oldest, 1 now).

    Increasing with the index, so that ids follow time; bent towards the present, as the
    use of a young online procedure grows (and so that queues have work in them).
    """
    return ((index + rng.random()) / total) ** power


def chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(total, start + size)

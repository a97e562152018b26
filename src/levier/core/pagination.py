"""Keyset pagination for large lists.

A page view never counts the whole table: it fetches one row more than the page
size to know whether a next page exists, and moves with `?after=<id>` /
`?before=<id>` over a descending id order, which the (team, -id) indexes serve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

PAGE_SIZE = 25


@dataclass
class KeysetPage:
    rows: list[Any]
    has_next: bool
    has_previous: bool
    query: QueryDict = field(repr=False)

    def _with(self, **params: str | None) -> str:
        q = self.query.copy()
        for key in ("after", "before"):
            q.pop(key, None)
        for key, value in params.items():
            if value is not None:
                q[key] = value
        return q.urlencode()

    @property
    def next_query(self) -> str:
        return self._with(after=str(self.rows[-1].pk)) if self.rows else self._with()

    @property
    def previous_query(self) -> str:
        return self._with(before=str(self.rows[0].pk)) if self.rows else self._with()

    @property
    def first_query(self) -> str:
        return self._with()

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _int_param(query: QueryDict, name: str) -> int | None:
    value = query.get(name, "")
    return int(value) if value.isdigit() else None


def keyset_page(queryset: QuerySet, query: QueryDict, *, size: int = PAGE_SIZE) -> KeysetPage:
    """One page of `queryset` ordered by descending id, positioned by the query string."""
    after = _int_param(query, "after")
    before = _int_param(query, "before")
    if before is not None:
        rows = list(queryset.filter(pk__gt=before).order_by("pk")[: size + 1])
        has_previous = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(rows, has_next=True, has_previous=has_previous, query=query)
    if after is not None:
        queryset = queryset.filter(pk__lt=after)
    rows = list(queryset.order_by("-pk")[: size + 1])
    return KeysetPage(
        rows[:size], has_next=len(rows) > size, has_previous=after is not None, query=query
    )


# A filtered list says how many rows match, counting at most this many (a dashboard's
# figure opens the list; the count stays bounded at a million rows).
MATCHING_CAP = 100_000


@dataclass(frozen=True)
class Matching:
    count: int
    capped: bool  # more than `count` rows match


def matching_count(queryset: QuerySet, *, cap: int = MATCHING_CAP) -> Matching:
    """How many rows the filtered list holds, up to `cap` (a COUNT over a LIMIT)."""
    found = queryset.order_by()[: cap + 1].count()
    return Matching(count=min(found, cap), capped=found > cap)

"""Failed attempts counted in the shared cache, per subject, within a sliding window.

The cache (`settings.CACHES`, a database table) is seen by every web worker, so a client
that drops its cookies or spreads its requests over workers is counted all the same.

A counter of `limit` attempts is `limit` slots, `<scope>:<subject>:<n>`, each claimed with
`cache.add` and expiring `window` seconds later. `add` is atomic in every Django cache
(the database one relies on the table's primary key), whereas `incr` on the database
cache is a read then a write that loses counts under concurrency: concurrent attempts can
never claim more slots than there are. The subject (a reference, an address) is stored
only as a keyed hash.

The database cache deletes a third of its rows, live or not, once it holds more than
MAX_ENTRIES: an attacker could fill it to erase the counters blocking them. So MAX_ENTRIES
is high (`LEVIER_CACHE_MAX_ENTRIES`) and `levier watch` deletes expired rows every round
(`clear_expired_cache_rows`), which the cache itself only does when full.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone


@dataclass(frozen=True)
class AttemptLimit:
    scope: str  # what is counted, e.g. "follow-reference"
    limit: int
    window_seconds: int

    def fingerprint(self, subject: str) -> str:
        """A stable pseudonym of the subject, for cache keys and the journal."""
        key = settings.SECRET_KEY.encode()
        return hmac.new(key, f"{self.scope}:{subject}".encode(), hashlib.sha256).hexdigest()[:32]

    def _keys(self, subject: str) -> list[str]:
        prefix = f"attempts:{self.scope}:{self.fingerprint(subject)}"
        return [f"{prefix}:{slot}" for slot in range(self.limit)]

    def _claimed(self, subject: str) -> dict[str, float]:
        return cache.get_many(self._keys(subject))

    def retry_after(self, subject: str) -> int:
        """Seconds before the subject may try again; 0 when it is not blocked."""
        claimed = self._claimed(subject)
        if len(claimed) < self.limit:
            return 0
        return max(1, math.ceil(min(claimed.values()) + self.window_seconds - time.time()))

    def record_failure(self, subject: str) -> bool:
        """Count one failure; True when it is the one that reaches the limit."""
        claimed = self._claimed(subject)
        for key in self._keys(subject):
            # A slot taken meanwhile by a concurrent attempt makes `add` refuse: try the next.
            if key not in claimed and cache.add(key, time.time(), timeout=self.window_seconds):
                return len(self._claimed(subject)) >= self.limit
        return False  # already full: the caller should have refused the attempt


def wait_minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def clear_expired_cache_rows() -> int:
    """Delete the expired rows of the database cache; how many were deleted."""
    shared = caches["default"]
    if not isinstance(shared, DatabaseCache):
        return 0  # other backends expire their keys themselves
    db = router.db_for_write(shared.cache_model_class)
    connection = connections[db]
    table = connection.ops.quote_name(shared._table)  # type: ignore[attr-defined]
    expires = connection.ops.quote_name("expires")
    now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {expires} < %s", [now])  # noqa: S608
        return int(cursor.rowcount)

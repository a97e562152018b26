"""Failed attempts counted in the shared database cache: atomic slots, no reset by culling."""

from __future__ import annotations

import math
import threading
import time
import uuid

import pytest
from django.core.cache import cache
from django.db import connection, connections

from levier.core.attempt_limits import AttemptLimit


def subject() -> str:
    # The cache table is not emptied between transactional tests: a fresh subject each time.
    return f"test-{uuid.uuid4()}"


@pytest.mark.django_db
def test_the_limit_blocks_then_says_how_long():
    limit, who = AttemptLimit("test", 3, 600), subject()
    before = time.time()
    assert [limit.record_failure(who) for _ in range(3)] == [False, False, True]
    retry_after = limit.retry_after(who)
    took = time.time() - before
    # The window counts from the first failure, whatever time the steps took.
    assert math.floor(600 - took) <= retry_after <= 600
    assert limit.retry_after(subject()) == 0


@pytest.mark.django_db
def test_subjects_are_stored_as_keyed_hashes():
    limit = AttemptLimit("test", 2, 600)
    limit.record_failure("203.0.113.9")
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM levier_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert keys and not any("203.0.113.9" in key for key in keys)


@pytest.mark.django_db
def test_culling_a_full_cache_does_not_reset_a_counter(settings):
    """Django's database cache deletes a third of its rows past MAX_ENTRIES (300 by default),
    whatever their expiry: an attacker filling it would erase the counters that block them."""
    limit, who = AttemptLimit("test", 3, 600), subject()
    for _ in range(3):
        limit.record_failure(who)
    cache.set_many({f"filler-{n}": n for n in range(400)}, timeout=600)
    cache.set("one-more", 1)  # each write first counts the rows, and culls past the maximum
    assert limit.retry_after(who) > 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_never_claim_more_than_the_limit():
    """Many workers failing at once: each slot is claimed once (`add` relies on the
    table's primary key), where a read-then-write counter loses counts."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite serialises them")
    limit, who, workers = AttemptLimit("test", 5, 600), subject(), 16
    start = threading.Barrier(workers)

    def fail() -> None:
        try:
            start.wait()
            limit.record_failure(who)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fail) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert limit.retry_after(who) > 0
    claimed = cache.get_many([f"attempts:test:{limit.fingerprint(who)}:{n}" for n in range(9)])
    assert len(claimed) == 5

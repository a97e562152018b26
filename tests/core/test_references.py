import threading

import pytest
from django.db import connection

from levier.cases.models import Case
from levier.core.references import next_reference, reference_counters_sync

from ..factories import CaseFactory


def test_references_follow_each_other(db):
    assert next_reference(model=Case, prefix="APE", year=2026) == "APE-2026-000001"
    assert next_reference(model=Case, prefix="APE", year=2026) == "APE-2026-000002"
    assert next_reference(model=Case, prefix="APE", year=2027) == "APE-2027-000001"
    assert next_reference(model=Case, prefix="LOG", year=2026) == "LOG-2026-000001"


def test_a_new_counter_starts_after_references_already_there(db):
    CaseFactory(reference="APE-2026-000041")
    assert next_reference(model=Case, prefix="APE", year=2026) == "APE-2026-000042"


def test_sync_moves_a_counter_past_bulk_loaded_references(db):
    next_reference(model=Case, prefix="APE", year=2026)
    CaseFactory(reference="APE-2026-000500")
    reference_counters_sync(model=Case, prefix="APE", year=2026)
    assert next_reference(model=Case, prefix="APE", year=2026) == "APE-2026-000501"


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_never_share_a_number():
    if connection.vendor != "postgresql":
        pytest.skip(
            "row locks across connections are a PostgreSQL matter; SQLite serialises writers"
        )
    next_reference(model=Case, prefix="APE", year=2026)
    results, errors = [], []

    def allocate():
        try:
            for _ in range(10):
                results.append(next_reference(model=Case, prefix="APE", year=2026))
        except Exception as error:  # reported below, not swallowed
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == len(set(results)) == 40

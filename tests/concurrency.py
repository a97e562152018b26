"""Two agents at once: another thread, on its own database connection, holds a row while
the test's own connection asks for it (PostgreSQL: SQLite has no row locks)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction

HOLD_SECONDS = 0.5


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between two connections need PostgreSQL"
)


def while_holding_the_row(
    change: Callable[[], Any],
) -> tuple[threading.Thread, list[BaseException]]:
    """Run `change` in another thread and connection, keeping its transaction (and the row
    lock its service took) open HOLD_SECONDS after it; returns once the lock is held."""
    held = threading.Event()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with transaction.atomic():
                change()
                held.set()
                time.sleep(HOLD_SECONDS)
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)
            held.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    assert held.wait(10), "the colleague's change never took the row"
    return thread, failures

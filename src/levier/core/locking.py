"""Lock a row and reload it before changing it: the one way services change an object that
another agent may be changing at the same time (assignment, status).

A view loads an object, checks it and hands it to a service; by then another agent may
have assigned it, changed its status or moved it to another team. A service that decided
from that copy would check the lifecycle against an old status, journal a wrong "before"
and write back what the other agent changed. So every assignment and status change runs
inside `locked(obj)`: the row is read again with `SELECT ... FOR UPDATE` at the start of
the transaction (PostgreSQL holds the lock until the commit; SQLite serialises writers on
its own), the caller's instance is refreshed from it, and the service decides, checks
permissions and journals from that fresh copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import router, transaction
from django.db.models import ForeignObject, Model

from .policy import NotFound

M = TypeVar("M", bound=Model)


def lock_and_reload(instance: M) -> M:
    """Lock `instance`'s row for the rest of the current transaction and reload every field
    of the instance from it; returns the same instance, now fresh.

    Raises `NotFound` when the row was deleted meanwhile. Must run inside
    `transaction.atomic()` (a lock outside a transaction would end at once): refused on
    every database, SQLite included, so a forgotten transaction fails in tests.
    """
    model = type(instance)
    using = instance._state.db or router.db_for_write(model, instance=instance)
    if not transaction.get_connection(using).in_atomic_block:
        raise transaction.TransactionManagementError(
            f"lock_and_reload({model._meta.label}) runs inside transaction.atomic(): "
            "use `with locked(obj):`."
        )
    try:
        fresh = model._base_manager.using(using).select_for_update().get(pk=instance.pk)
    except ObjectDoesNotExist:
        raise NotFound(f"No such {model._meta.model_name}.") from None
    for field in model._meta.concrete_fields:
        old = instance.__dict__.get(field.attname)  # never loads a deferred field
        new = getattr(fresh, field.attname)
        setattr(instance, field.attname, new)
        # A cached related object stays valid while its id is unchanged (keeps the
        # caller's select_related); a changed id drops it, to be loaded on access.
        if isinstance(field, ForeignObject) and old != new and field.is_cached(instance):
            field.delete_cached_value(instance)
    instance._state.db = using
    return instance


@contextmanager
def locked(instance: M) -> Iterator[M]:
    """`with locked(case):` opens a transaction (or a savepoint), locks the row and reloads
    the instance; the lock is held until the outermost transaction commits."""
    with transaction.atomic(using=instance._state.db or router.db_for_write(type(instance))):
        yield lock_and_reload(instance)

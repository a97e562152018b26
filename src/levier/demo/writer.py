"""Fast inserts of many rows given as dicts: COPY on PostgreSQL, bulk_create elsewhere.

    writer = RowWriter(batch_size=1000)
    with writer.unit():                       # one transaction
        case_ids = writer.insert(Case, case_rows)
        writer.insert(Event, event_rows_using(case_ids), need_ids=False)
    writer.drain()                            # wait until everything is written

Rows are dicts keyed by attname (`contact_id`, not `contact`); `insert` returns the
new ids in order. On PostgreSQL the ids are reserved from the table's sequence
(`nextval` over `generate_series`) and the rows are streamed with COPY, the way
PostgreSQL loads data fastest; a unit is written by a background thread on its own
connection while the caller builds the next one, so Python and the database work
at the same time (at most one unit waits in line, so memory stays flat). Elsewhere
(SQLite) a unit is a plain transaction and rows go through `bulk_create`, which
returns the ids.
"""

from __future__ import annotations

import json
import queue
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

Batch = tuple[str, bytes]  # COPY statement, data


class RowWriter:
    def __init__(
        self, *, batch_size: int = 1000, use_copy: bool | None = None, background: bool = True
    ):
        self.batch_size = batch_size
        self.use_copy = connection.vendor == "postgresql" if use_copy is None else use_copy
        self.background = background and self.use_copy
        self.rows_written = 0
        self._pending: list[Batch] | None = None
        self._queue: queue.Queue[list[Batch] | None] = queue.Queue(maxsize=1)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # -- API ------------------------------------------------------------------------

    @contextmanager
    def unit(self) -> Iterator[None]:
        """Rows inserted inside are written in one transaction."""
        if not self.use_copy:
            with transaction.atomic():
                yield
            return
        self._pending = []
        try:
            yield
            batches, self._pending = self._pending, None
            # Inside the caller's transaction (tests, a wrapping atomic block), write in it.
            if self.background and not connection.in_atomic_block:
                self._submit(batches)
            else:
                self._write(batches)
        finally:
            self._pending = None

    def insert(
        self, model: type[models.Model], rows: Sequence[dict[str, Any]], *, need_ids: bool = True
    ) -> list[int]:
        """Insert rows (inside `unit()`); return their ids unless `need_ids` is False (COPY only)."""
        if not rows:
            return []
        self.rows_written += len(rows)
        if not self.use_copy:
            objects = [model(**row) for row in rows]
            model._base_manager.bulk_create(objects, batch_size=self.batch_size)
            return [obj.pk for obj in objects]
        ids = self._reserve_ids(model, len(rows)) if need_ids else None
        if self._pending is None:
            raise RuntimeError("RowWriter.insert() must run inside `with writer.unit():`.")
        # Formatted here: the background thread then only sends bytes and waits for the server.
        self._pending.append(self._format(model, rows, ids))
        return ids or []

    def drain(self) -> None:
        """Wait until every unit is written; raise the writer's error if one failed."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._raise_if_failed()

    # -- COPY -----------------------------------------------------------------------

    def _reserve_ids(self, model: type[models.Model], count: int) -> list[int]:
        meta = model._meta
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def _submit(self, batches: list[Batch]) -> None:
        self._raise_if_failed()
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="levier-seed-writer", daemon=True
            )
            self._thread.start()
        self._queue.put(batches)

    def _run(self) -> None:
        try:
            while (batches := self._queue.get()) is not None:
                if self._error is None:
                    try:
                        self._write(batches)
                    except BaseException as error:  # re-raised in the caller's thread
                        self._error = error
        finally:
            connection.close()  # this thread's own connection

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _write(self, batches: list[Batch]) -> None:
        with transaction.atomic(), connection.cursor() as wrapper:
            for statement, payload in batches:
                with wrapper.cursor.copy(statement) as copy:
                    copy.write(payload)

    @staticmethod
    def _format(
        model: type[models.Model], rows: Sequence[dict[str, Any]], ids: list[int] | None
    ) -> Batch:
        """The COPY statement and its data, in PostgreSQL's text format."""
        meta = model._meta
        pk = meta.pk
        fields = [field for field in meta.concrete_fields if field is not pk]
        # What Django would store for a field left out: its default, '' for text, None when nullable.
        columns = [(field.attname, field.get_default(), _converter(field)) for field in fields]
        # auto_now(_add) fields get the current time, whatever the row says, as Django's save does.
        now = timezone.now()
        stamped = {
            field.attname
            for field in fields
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        }
        quote = connection.ops.quote_name
        names = ([pk] if ids is not None else []) + fields
        statement = (
            f"COPY {quote(meta.db_table)} ({', '.join(quote(f.column) for f in names)}) FROM STDIN"
        )
        lines = []
        for position, row in enumerate(rows):
            values = [str(ids[position])] if ids is not None else []
            for name, default, convert in columns:
                value = now if name in stamped else row.get(name, default)
                values.append("\\N" if value is None else convert(value))
            lines.append("\t".join(values))
        lines.append("")
        return statement, "\n".join(lines).encode()


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]").search


def _escaped(text: str) -> str:
    """Backslash escapes of COPY's text format, only where needed (rarely)."""
    return text.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE(text) else text


def _converter(field: models.Field):
    """How a value of this field is written in COPY's text format (NULL is handled before)."""
    if isinstance(field, models.JSONField):
        return lambda value: _escaped(json.dumps(value, ensure_ascii=False))
    if isinstance(field, models.BooleanField):
        return lambda value: "t" if value else "f"
    if isinstance(field, models.DateField):  # DateTimeField too: ISO 8601 with the UTC offset
        return lambda value: value.isoformat()
    if isinstance(field, models.IntegerField | models.ForeignKey):
        return str
    return lambda value: _escaped(value if isinstance(value, str) else str(value))

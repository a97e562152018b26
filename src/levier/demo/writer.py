"""Fast inserts of many rows given as dicts: COPY on PostgreSQL, bulk_create elsewhere.

`RowWriter.insert(Model, rows)` takes dicts keyed by attname (`contact_id`, not
`contact`), writes them and returns their new ids in order. On PostgreSQL it
reserves the ids from the table's sequence and streams the rows with COPY,
the way PostgreSQL loads data fastest; elsewhere it builds model instances and
calls `bulk_create`, which returns the ids (SQLite >= 3.35).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


class RowWriter:
    def __init__(self, *, batch_size: int = 1000, use_copy: bool | None = None):
        self.batch_size = batch_size
        self.use_copy = connection.vendor == "postgresql" if use_copy is None else use_copy
        self.rows_written = 0

    def insert(self, model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        ids = self._copy(model, rows) if self.use_copy else self._bulk_create(model, rows)
        self.rows_written += len(rows)
        return ids

    def _bulk_create(self, model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
        objects = [model(**row) for row in rows]
        model._base_manager.bulk_create(objects, batch_size=self.batch_size)
        return [obj.pk for obj in objects]

    def _copy(self, model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
        from psycopg.types.json import Jsonb

        meta = model._meta
        pk = meta.pk
        fields = [field for field in meta.concrete_fields if field is not pk]
        # What Django would store for a field left out: its default, '' for text, None when nullable.
        defaults = {field.attname: field.get_default() for field in fields}
        json_columns = {field.attname for field in fields if isinstance(field, models.JSONField)}
        table = connection.ops.quote_name(meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in [pk, *fields])
        attnames = [field.attname for field in fields]
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor  # the psycopg cursor under Django's wrapper
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for new_id, row in zip(ids, rows, strict=True):
                    values = [new_id]
                    for name in attnames:
                        value = row[name] if name in row else defaults.get(name)
                        if name in json_columns and value is not None:
                            value = Jsonb(value)
                        values.append(value)
                    copy.write_row(values)
        return ids

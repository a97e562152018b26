"""RowWriter: COPY on PostgreSQL, bulk_create elsewhere; values come back unchanged."""

from __future__ import annotations

import datetime

from django.db import connection

from levier.contacts.models import Contact
from levier.demo.writer import RowWriter
from levier.journal.models import Event

MOMENT = datetime.datetime(2026, 3, 2, 14, 5, 6, 789000, tzinfo=datetime.UTC)
TRICKY = "tab\there, newline\nthere, back\\slash, carriage\r, quote ' \" and é€œ"


def test_rows_round_trip_with_ids_and_without(db):
    writer = RowWriter(batch_size=2)
    with writer.unit():
        ids = writer.insert(
            Contact,
            [
                {
                    "kind": "person",
                    "first_name": TRICKY,
                    "last_name": "Durand",
                    "created_at": MOMENT,
                },
                {
                    "kind": "company",
                    "legal_name": "SAS Exemple",
                    "birth_date": None,
                    "created_at": MOMENT,
                },
                {
                    "kind": "person",
                    "last_name": "Martin",
                    "birth_date": datetime.date(1980, 2, 29),
                    "created_at": MOMENT,
                },
            ],
        )
        writer.insert(
            Event,
            [
                {
                    "occurred_at": MOMENT,
                    "actor_kind": "robot",
                    "actor_id": "x",
                    "verb": "check",
                    "target_type": "contacts.contact",
                    "target_id": str(ids[0]),
                    "automated": True,
                    "duration_seconds": None,
                    "payload": {"text": TRICKY, "n": [1, 2.5, None, True]},
                }
            ],
            need_ids=connection.vendor != "postgresql",
        )
    writer.drain()
    assert len(ids) == 3 and len(set(ids)) == 3
    first, second, third = (Contact.objects.get(pk=pk) for pk in ids)
    assert first.first_name == TRICKY and first.email == ""
    assert first.created_at > MOMENT  # auto_now_add wins, on every database
    assert (
        second.legal_name == "SAS Exemple"
        and second.birth_date is None
        and second.merged_into_id is None
    )
    assert third.birth_date == datetime.date(1980, 2, 29)
    event = Event.objects.get(target_id=str(ids[0]))
    assert (
        event.occurred_at == MOMENT and event.automated is True and event.duration_seconds is None
    )
    assert event.payload == {"text": TRICKY, "n": [1, 2.5, None, True]}
    assert writer.rows_written == 4

"""Event-log writers: CSV and XES in the XES naming, OCEL 2.0 JSON and SQLite. All stream.

Each takes `Trace`s (log.journal_log for levier's journal) and a binary or text file, writes
as it reads (one trace in memory), and returns the number of events written. An empty log
gives a valid empty file. Values written are what the traces hold: for the journal,
identifiers and codes only (see log.journal_resource for who did what).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from .log import ACTIVITY, CASE, RESOURCE, TIMESTAMP, Trace

# The type of an attribute value, for XES tags and OCEL 2.0 type declarations.


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, dt.datetime):
        return "date"
    return "string"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return iso(value)
    return "" if value is None else str(value)


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------------------
# CSV in the XES naming
# ---------------------------------------------------------------------------


def write_csv(traces: Iterable[Trace], out: IO[str], *, case_columns: Iterable[str] = (),
              event_columns: Iterable[str] = ()) -> int:  # fmt: skip
    """One row per event: case:concept:name, concept:name, time:timestamp, org:resource, then
    `case:<name>` for each case attribute and each named event attribute."""
    case_columns, event_columns = list(case_columns), list(event_columns)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([CASE, ACTIVITY, TIMESTAMP, RESOURCE]
                    + [f"case:{name}" for name in case_columns] + event_columns)  # fmt: skip
    written = 0
    for trace in traces:
        case_values = [_text(trace.attributes.get(name)) for name in case_columns]
        for event in trace.events:
            writer.writerow(
                [trace.case, event.activity, iso(event.timestamp), event.resource, *case_values]
                + [_text(event.attributes.get(name)) for name in event_columns]
            )
            written += 1
    return written


# ---------------------------------------------------------------------------
# XES (IEEE 1849-2016)
# ---------------------------------------------------------------------------

XES_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <global scope="trace"><string key="concept:name" value=""/></global>
  <global scope="event">
    <string key="concept:name" value=""/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000000Z"/>
  </global>
"""


def _xes_attribute(key: str, value: Any) -> str:
    return f"<{_kind(value)} key={quoteattr(key)} value={quoteattr(_text(value))}/>"


def write_xes(traces: Iterable[Trace], out: IO[str]) -> int:
    out.write(XES_HEADER)
    written = 0
    for trace in traces:
        out.write("  <trace>\n    " + _xes_attribute(ACTIVITY, trace.case) + "\n")
        for key, value in trace.attributes.items():
            out.write("    " + _xes_attribute(key, value) + "\n")
        for event in trace.events:
            parts = [_xes_attribute(ACTIVITY, event.activity),
                     _xes_attribute(TIMESTAMP, event.timestamp)]  # fmt: skip
            if event.resource:
                parts.append(_xes_attribute(RESOURCE, event.resource))
            parts += [_xes_attribute(key, value) for key, value in event.attributes.items()]
            out.write("    <event>" + "".join(parts) + "</event>\n")
            written += 1
        out.write("  </trace>\n")
    out.write("</log>\n")
    return written


# ---------------------------------------------------------------------------
# OCEL 2.0: one object per case, one event per journal event, related by the qualifier "case"
# ---------------------------------------------------------------------------

OCEL_TYPES = {"string": "string", "int": "integer", "float": "float", "boolean": "boolean",
              "date": "time"}  # fmt: skip
CASE_OBJECT_TYPE = "case"
EPOCH = "1970-01-01T00:00:00Z"


def _event_id(trace_number: int, event_number: int, event: Any) -> str:
    journal_id = event.attributes.get("levier:event")
    return f"e{journal_id}" if journal_id is not None else f"e{trace_number}-{event_number}"


def _event_attributes(event: Any) -> dict[str, Any]:
    attributes = {key: value for key, value in event.attributes.items() if key != "levier:event"}
    if event.resource:
        attributes[RESOURCE] = event.resource
    return attributes


def write_ocel_json(traces: Iterable[Trace], out: IO[str]) -> int:
    """OCEL 2.0 JSON, streamed: events first, then objects and the types seen (JSON keys have
    no order, and the types are known only once every event was read). Attribute values are
    written as strings, as the published OCEL 2.0 JSON schema requires; their declared types
    say how to read them back."""
    event_types: dict[str, dict[str, str]] = {}
    object_attributes: dict[str, str] = {}
    out.write('{"events": [')
    objects: list[tuple[str, dict[str, Any], str]] = []
    written = 0
    for number, trace in enumerate(traces):
        for index, event in enumerate(trace.events):
            attributes = _event_attributes(event)
            declared = event_types.setdefault(event.activity, {})
            for key, value in attributes.items():
                declared.setdefault(key, OCEL_TYPES[_kind(value)])
            record = {
                "id": _event_id(number, index, event),
                "type": event.activity,
                "time": iso(event.timestamp),
                "attributes": [
                    {"name": key, "value": _text(value)} for key, value in attributes.items()
                ],
                "relationships": [{"objectId": trace.case, "qualifier": "case"}],
            }
            out.write(("," if written else "") + "\n" + json.dumps(record, ensure_ascii=False))
            written += 1
        if trace.events:
            for key, value in trace.attributes.items():
                object_attributes.setdefault(key, OCEL_TYPES[_kind(value)])
            # An object's attributes carry the time they took their value: the case's first event.
            objects.append((trace.case, dict(trace.attributes), iso(trace.events[0].timestamp)))
    out.write('\n], "objects": [')
    for index, (case, attributes, since) in enumerate(objects):
        record = {
            "id": case,
            "type": CASE_OBJECT_TYPE,
            "attributes": [
                {"name": key, "value": _text(value), "time": since}
                for key, value in attributes.items()
            ],  # fmt: skip
            "relationships": [],
        }
        out.write(("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False))
    types = {
        "eventTypes": [
            {
                "name": name,
                "attributes": [{"name": key, "type": kind} for key, kind in sorted(attrs.items())],
            }
            for name, attrs in sorted(event_types.items())
        ],
        "objectTypes": [
            {
                "name": CASE_OBJECT_TYPE,
                "attributes": [
                    {"name": key, "type": kind} for key, kind in sorted(object_attributes.items())
                ],
            }
        ],  # fmt: skip
    }
    out.write("\n], " + json.dumps(types, ensure_ascii=False)[1:] + "\n")
    return written


def _map_name(name: str, taken: dict[str, str]) -> str:
    """A table-name suffix for a type (OCEL 2.0 SQLite: event_<map>, object_<map>)."""
    base = re.sub(r"[^A-Za-z0-9]", "", name.title()) or "Type"
    candidate, n = base, 1
    while candidate in taken.values():
        n += 1
        candidate = f"{base}{n}"
    taken[name] = candidate
    return candidate


SQL_TYPES = {
    "string": "TEXT",
    "integer": "INTEGER",
    "float": "REAL",
    "boolean": "INTEGER",
    "time": "TIMESTAMP",
}


def write_ocel_sqlite(traces: Iterable[Trace], path: str | Path) -> int:
    """OCEL 2.0 SQLite (the relational format of the specification): event, object,
    event_object, object_object, the type maps, and one table per event and object type."""
    path = Path(path)
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript(
            """
            CREATE TABLE event (ocel_id TEXT PRIMARY KEY, ocel_type TEXT);
            CREATE TABLE object (ocel_id TEXT PRIMARY KEY, ocel_type TEXT);
            CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT, ocel_qualifier TEXT,
                PRIMARY KEY (ocel_event_id, ocel_object_id, ocel_qualifier));
            CREATE TABLE object_object (ocel_source_id TEXT, ocel_target_id TEXT, ocel_qualifier TEXT,
                PRIMARY KEY (ocel_source_id, ocel_target_id, ocel_qualifier));
            CREATE TABLE event_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);
            CREATE TABLE object_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);
            """
        )
        event_maps: dict[str, str] = {}
        event_columns: dict[str, list[str]] = {}
        object_columns: list[str] | None = None
        written = 0
        for number, trace in enumerate(traces):
            if not trace.events:
                continue
            if object_columns is None:
                object_columns = list(trace.attributes)
                _create_type_table(
                    db, "object", CASE_OBJECT_TYPE, "Case", trace.attributes, changed_field=True
                )
                db.execute("INSERT INTO object_map_type VALUES (?, ?)", (CASE_OBJECT_TYPE, "Case"))
            db.execute("INSERT INTO object VALUES (?, ?)", (trace.case, CASE_OBJECT_TYPE))
            db.execute(
                f"INSERT INTO object_Case VALUES ({', '.join('?' * (3 + len(object_columns)))})",
                (
                    trace.case,
                    iso(trace.events[0].timestamp),
                    None,
                    *[_sql_value(trace.attributes.get(key)) for key in object_columns],
                ),  # fmt: skip
            )
            for index, event in enumerate(trace.events):
                attributes = _event_attributes(event)
                if event.activity not in event_maps:
                    table = _map_name(event.activity, event_maps)
                    event_columns[event.activity] = list(attributes)
                    _create_type_table(db, "event", event.activity, table, attributes)
                    db.execute("INSERT INTO event_map_type VALUES (?, ?)", (event.activity, table))
                columns = event_columns[event.activity]
                event_id = _event_id(number, index, event)
                db.execute("INSERT INTO event VALUES (?, ?)", (event_id, event.activity))
                db.execute(
                    "INSERT INTO event_object VALUES (?, ?, ?)", (event_id, trace.case, "case")
                )
                db.execute(
                    f'INSERT INTO "event_{event_maps[event.activity]}" VALUES '
                    f"({', '.join('?' * (2 + len(columns)))})",
                    (
                        event_id,
                        iso(event.timestamp),
                        *[_sql_value(attributes.get(key)) for key in columns],
                    ),
                )
                written += 1
            if number % 500 == 0:
                db.commit()
        if object_columns is None:
            _create_type_table(db, "object", CASE_OBJECT_TYPE, "Case", {}, changed_field=True)
            db.execute("INSERT INTO object_map_type VALUES (?, ?)", (CASE_OBJECT_TYPE, "Case"))
        db.commit()
    finally:
        db.close()
    return written


def _sql_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _create_type_table(db: sqlite3.Connection, kind: str, name: str, table: str,
                       attributes: Any, *, changed_field: bool = False) -> None:  # fmt: skip
    columns = ["ocel_id TEXT", "ocel_time TIMESTAMP"]
    if changed_field:
        columns.append("ocel_changed_field TEXT")
    columns += [
        f'"{key}" {SQL_TYPES[OCEL_TYPES[_kind(value)]]}' for key, value in attributes.items()
    ]
    db.execute(f'CREATE TABLE "{kind}_{table}" ({", ".join(columns)})')

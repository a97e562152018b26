"""Event logs: a case's events in order, read from levier's journal, an XES file or a CSV file.

Every reader yields `Trace`s, one per case, each with its events sorted by timestamp; events
with equal timestamps keep their order in the source (file order, or the journal's id), which
is how PM4Py orders them (a sort by case, timestamp, then original position). Readers stream:
XES with lxml's iterparse (one trace in memory at a time), CSV through a temporary SQLite file
that sorts the rows by case, the journal by chunks of cases.

Bad input raises `LogError` naming the line, the column and the fix. A file is read to its end
before the first trace is yielded, so an error means nothing was analysed or imported.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, NamedTuple

CASE = "case:concept:name"
ACTIVITY = "concept:name"
TIMESTAMP = "time:timestamp"
RESOURCE = "org:resource"
REQUIRED_COLUMNS = (CASE, ACTIVITY, TIMESTAMP)

# Without a Django setting (a script, a test): 1 GiB.
DEFAULT_MAX_BYTES = 1024**3


class LogError(ValueError):
    """An event log levier cannot read, with where and what to do."""


NO_ATTRIBUTES: Mapping[str, Any] = MappingProxyType({})


class LogEvent(NamedTuple):
    """One event. A named tuple: millions are made per log, and a tuple is made fastest."""

    activity: str
    timestamp: dt.datetime  # timezone-aware
    resource: str = ""
    attributes: Mapping[str, Any] = NO_ATTRIBUTES


@dataclass(frozen=True, slots=True)
class Trace:
    case: str
    events: list[LogEvent]
    attributes: Mapping[str, Any] = field(default_factory=dict)


def parse_timestamp(text: str) -> dt.datetime:
    """ISO 8601 (a space or a T between date and time); without an offset, UTC."""
    value = dt.datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _micros(value: dt.datetime) -> int:
    delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _from_micros(micros: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=micros)


def max_bytes_setting() -> int:
    try:
        from django.conf import settings

        return int(getattr(settings, "LEVIER_EVENTLOG_MAX_BYTES", DEFAULT_MAX_BYTES))
    except Exception:  # Django not configured: a plain script
        return DEFAULT_MAX_BYTES


class _Limited:
    """A binary stream that refuses to give more than `limit` bytes (a gzip bomb, a 2 GB file)."""

    def __init__(self, raw: IO[bytes], limit: int, name: str) -> None:
        self.raw, self.limit, self.name, self.read_so_far = raw, limit, name, 0

    def _count(self, size: int) -> None:
        self.read_so_far += size
        if self.read_so_far > self.limit:
            raise LogError(
                f"{self.name}: larger than {self.limit:,} bytes (LEVIER_EVENTLOG_MAX_BYTES). "
                "Split the log by period, or raise the limit if this machine has the memory and "
                "disk for it."
            )

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self._count(len(data))
        return data

    def __iter__(self) -> Iterator[bytes]:
        for line in self.raw:
            self._count(len(line))
            yield line


def _open(path: Path, max_bytes: int | None) -> tuple[IO[bytes], _Limited]:
    limit = max_bytes_setting() if max_bytes is None else max_bytes
    try:
        raw: IO[bytes] = open(path, "rb")  # noqa: SIM115 (closed by the caller)
    except OSError as error:
        raise LogError(f"{path}: cannot be opened ({error.strerror}).") from error
    if os.fstat(raw.fileno()).st_size > limit:
        raw.close()
        raise LogError(
            f"{path.name}: larger than {limit:,} bytes (LEVIER_EVENTLOG_MAX_BYTES). Split the log "
            "by period, or raise the limit if this machine has the memory and disk for it."
        )
    if raw.read(2) == b"\x1f\x8b":
        raw.seek(0)
        stream: IO[bytes] = gzip.open(raw)  # type: ignore[assignment]
    else:
        raw.seek(0)
        stream = raw
    return raw, _Limited(stream, limit, path.name)


def detect_format(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".xes"):
        return "xes"
    if name.endswith((".csv", ".txt")):
        return "csv"
    raise LogError(
        f"{path.name}: unknown log format; name the file .xes, .xes.gz or .csv, or pass "
        "--format xes|csv."
    )


def read_log(path: str | Path, *, fmt: str | None = None, **options: Any) -> Iterator[Trace]:
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt == "xes":
        return read_xes(path, **options)
    if fmt == "csv":
        return read_csv(path, **options)
    raise LogError(f"Unknown log format “{fmt}”: use xes or csv.")


# ---------------------------------------------------------------------------
# CSV in the XES naming
# ---------------------------------------------------------------------------


def _decoded_lines(stream: _Limited, encoding: str, name: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)()
    for number, line in enumerate(stream, start=1):
        try:
            text = decoder.decode(line)
        except UnicodeDecodeError as error:
            column = len(line[: error.start].decode(encoding, errors="replace")) + 1
            raise LogError(
                f"{name}, line {number}, column {column}: byte 0x{line[error.start]:02X} is not "
                f"valid {encoding}. Save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`), or "
                "name its encoding with --encoding (latin-1, cp1252...)."
            ) from error
        if number == 1:
            text = text.removeprefix("\ufeff")
        yield text


def read_csv(
    path: str | Path,
    *,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    max_bytes: int | None = None,
) -> Iterator[Trace]:
    """Read a CSV whose columns follow the XES naming; other columns become attributes
    (`case:*` ones on the case, the rest on each event). Validates every row first."""
    path = Path(path)
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise LogError(f"Unknown encoding “{encoding}”: use utf-8, latin-1 or cp1252.") from error
    raw, stream = _open(path, max_bytes)
    spill_dir = tempfile.TemporaryDirectory(prefix="levier-log-")
    database = sqlite3.connect(Path(spill_dir.name) / "log.sqlite")
    try:
        with raw:
            lines = _decoded_lines(stream, encoding, path.name)
            try:
                first = next(lines)
            except StopIteration:
                raise LogError(f"{path.name}: the file is empty.") from None
            if delimiter is None:
                counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
                delimiter = max(counts, key=lambda sep: counts[sep])
            header = next(csv.reader([first], delimiter=delimiter))
            missing = [column for column in REQUIRED_COLUMNS if column not in header]
            if missing:
                raise LogError(
                    f"{path.name}, line 1: missing column(s) {', '.join(missing)}. A log in the "
                    f"XES naming needs {', '.join(REQUIRED_COLUMNS)} (and optionally "
                    f"{RESOURCE}); rename the columns in the header."
                )
            _spill_csv(database, path.name, header, lines, delimiter)
        yield from _traces_from_spill(database)
    finally:
        database.close()
        spill_dir.cleanup()


def _spill_csv(
    database: sqlite3.Connection,
    name: str,
    header: list[str],
    lines: Iterator[str],
    delimiter: str,
) -> None:
    """Validate every row and store it in SQLite, attributes in columns of their own (a
    JSON document per row would cost more than the rest of the reading)."""
    position = {column: index for index, column in enumerate(header)}
    case_at, activity_at, time_at = (position[c] for c in REQUIRED_COLUMNS)
    resource_at = position.get(RESOURCE)
    known = {CASE, ACTIVITY, TIMESTAMP, RESOURCE}
    case_columns = [i for i, c in enumerate(header) if c.startswith("case:") and c not in known]
    event_columns = [
        i for i, c in enumerate(header) if not c.startswith("case:") and c not in known
    ]
    database.execute(
        "CREATE TABLE event (seq INTEGER PRIMARY KEY, case_id TEXT, micros INTEGER, activity TEXT,"
        " resource TEXT" + "".join(f", e{n} TEXT" for n in range(len(event_columns))) + ")"
    )
    database.execute(
        "CREATE TABLE case_attributes (case_id TEXT PRIMARY KEY"
        + "".join(f", c{n} TEXT" for n in range(len(case_columns)))
        + ")"
    )
    insert_event = (
        "INSERT INTO event (case_id, micros, activity, resource"
        + "".join(f", e{n}" for n in range(len(event_columns)))
        + f") VALUES ({', '.join('?' * (4 + len(event_columns)))})"
    )
    insert_case = (
        f"INSERT OR IGNORE INTO case_attributes VALUES ({', '.join('?' * (1 + len(case_columns)))})"
    )
    reader = csv.reader(lines, delimiter=delimiter)
    batch: list[tuple[Any, ...]] = []
    case_batch: dict[str, tuple[Any, ...]] = {}
    for row in reader:
        line = reader.line_num + 1  # the header was line 1
        if len(row) != len(header):
            if not any(cell.strip() for cell in row):
                continue
            raise LogError(
                f"{name}, line {line}: {len(row)} fields where the header has {len(header)}. "
                f"Check the separator (“{delimiter}”) and the quoting of that line."
            )
        case = row[case_at].strip()
        activity = row[activity_at].strip()
        if not case or not activity:
            if not any(cell.strip() for cell in row):
                continue
            raise LogError(
                f"{name}, line {line}, column {CASE if not case else ACTIVITY}: empty. "
                "Fill it or drop the line."
            )
        try:
            micros = _micros(parse_timestamp(row[time_at]))
        except ValueError:
            raise LogError(
                f"{name}, line {line}, column {TIMESTAMP}: “{row[time_at][:40]}” is not a "
                "timestamp. Write it in ISO 8601, e.g. 2024-03-01T14:30:00+01:00."
            ) from None
        resource = row[resource_at].strip() if resource_at is not None else ""
        batch.append((case, micros, activity, resource, *[row[i] or None for i in event_columns]))
        if case_columns and case not in case_batch:
            case_batch[case] = (case, *[row[i] or None for i in case_columns])
        if len(batch) >= 5000:
            database.executemany(insert_event, batch)
            database.executemany(insert_case, case_batch.values())
            batch.clear()
            case_batch.clear()  # the table keeps the first row's values; memory stays flat
    database.executemany(insert_event, batch)
    database.executemany(insert_case, case_batch.values())
    database.execute("CREATE INDEX event_order ON event (case_id, micros, seq)")
    database.execute(
        "CREATE TABLE names (kind TEXT, n INTEGER, name TEXT)",
    )
    database.executemany(
        "INSERT INTO names VALUES (?, ?, ?)",
        [("e", n, header[i]) for n, i in enumerate(event_columns)]
        + [("c", n, header[i][5:]) for n, i in enumerate(case_columns)],
    )


def _traces_from_spill(database: sqlite3.Connection) -> Iterator[Trace]:
    event_names = [
        r[0] for r in database.execute("SELECT name FROM names WHERE kind='e' ORDER BY n")
    ]
    case_names = [
        r[0] for r in database.execute("SELECT name FROM names WHERE kind='c' ORDER BY n")
    ]
    rows = database.execute(
        "SELECT event.case_id, micros, activity, resource"
        + "".join(f", e{n}" for n in range(len(event_names)))
        + "".join(f", case_attributes.c{n}" for n in range(len(case_names)))
        + " FROM event LEFT JOIN case_attributes ON case_attributes.case_id = event.case_id"
        " ORDER BY event.case_id, micros, seq"
    )
    case_from = 4 + len(event_names)
    current: str | None = None
    events: list[LogEvent] = []
    case_attributes: dict[str, Any] = {}
    for row in rows:
        case = row[0]
        if case != current:
            if current is not None:
                yield Trace(current, events, case_attributes)
            current, events = case, []
            case_attributes = {
                key: value
                for key, value in zip(case_names, row[case_from:], strict=True)
                if value is not None
            }
        attributes = (
            {
                key: value
                for key, value in zip(event_names, row[4:case_from], strict=True)
                if value is not None
            }
            if event_names
            else NO_ATTRIBUTES
        )
        events.append(LogEvent(row[2], _from_micros(row[1]), row[3], attributes or NO_ATTRIBUTES))
    if current is not None:
        yield Trace(current, events, case_attributes)


# ---------------------------------------------------------------------------
# XES (IEEE 1849), plain or gzipped
# ---------------------------------------------------------------------------

_XES_TYPES = {"string", "date", "int", "float", "boolean", "id"}


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xes_value(element: Any) -> Any:
    kind, value = _local(element.tag), element.get("value", "")
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "boolean":
        return value.strip().lower() == "true"
    if kind == "date":
        return parse_timestamp(value)
    return value


def read_xes(path: str | Path, *, max_bytes: int | None = None, **_: Any) -> Iterator[Trace]:
    """Read an XES log trace by trace; each trace is validated and sorted before it is yielded.

    To keep "nothing half-analysed", callers consume the whole iterator before using results
    (analysis.mine does); an error in trace 900 raises before anything is printed or stored.
    """
    from lxml import etree

    path = Path(path)
    raw, stream = _open(path, max_bytes)
    with raw:
        parser = etree.iterparse(
            stream, events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=True
        )
        trace_attributes: dict[str, Any] = {}
        events: list[tuple[int, int, LogEvent]] = []
        event_attributes: dict[str, Any] = {}
        event_line = 0
        seen_log = False
        try:
            for action, element in parser:
                tag = _local(element.tag)
                if action == "start":
                    if tag == "log":
                        seen_log = True
                    elif tag == "trace":
                        trace_attributes, events = {}, []
                    elif tag == "event":
                        event_attributes, event_line = {}, element.sourceline or 0
                    continue
                if tag in _XES_TYPES and element.getparent() is not None:
                    parent = _local(element.getparent().tag)
                    if parent in ("event", "trace"):
                        key = element.get("key")
                        if key is None:
                            raise LogError(
                                f"{path.name}, line {element.sourceline}: a <{tag}> without its "
                                'key attribute. Add key="...".'
                            )
                        try:
                            value = _xes_value(element)
                        except ValueError:
                            raise LogError(
                                f"{path.name}, line {element.sourceline}, attribute {key}: "
                                f"“{element.get('value', '')[:40]}” is not a valid {tag}. "
                                + (
                                    "Write dates in ISO 8601, e.g. 2024-03-01T14:30:00+01:00."
                                    if tag == "date"
                                    else "Fix the value or its type."
                                )
                            ) from None
                        (event_attributes if parent == "event" else trace_attributes)[key] = value
                elif tag == "event":
                    events.append(_xes_event(path.name, event_line, len(events), event_attributes))
                    element.clear(keep_tail=False)
                elif tag == "trace":
                    case = trace_attributes.pop(ACTIVITY, None)
                    if case is None or str(case) == "":
                        raise LogError(
                            f"{path.name}, line {element.sourceline}: a trace without "
                            f'{ACTIVITY} (its case id). Add <string key="{ACTIVITY}" value="..."/>.'
                        )
                    events.sort(key=lambda item: (item[0], item[1]))
                    yield Trace(str(case), [event for _, _, event in events], trace_attributes)
                    element.clear(keep_tail=False)
                    while element.getprevious() is not None:
                        del element.getparent()[0]
        except etree.XMLSyntaxError as error:
            line, column = error.position if error.position else (0, 0)
            raise LogError(
                f"{path.name}, line {line}, column {column}: not well-formed XML ({error.msg}). "
                "Check the file is complete and really XES."
            ) from error
        except UnicodeDecodeError as error:
            raise LogError(
                f"{path.name}: not valid in the encoding its XML declaration names ({error.reason}). "
                "Re-save it as UTF-8."
            ) from error
        if not seen_log:
            raise LogError(f"{path.name}: no <log> element; this is not an XES file.")


def _xes_event(
    name: str, line: int, seq: int, attributes: dict[str, Any]
) -> tuple[int, int, LogEvent]:
    activity = attributes.pop(ACTIVITY, None)
    if activity is None or str(activity) == "":
        raise LogError(f"{name}, line {line}: an event without {ACTIVITY}. Add its activity name.")
    timestamp = attributes.pop(TIMESTAMP, None)
    if not isinstance(timestamp, dt.datetime):
        raise LogError(
            f'{name}, line {line}: an event without a <date key="{TIMESTAMP}">. Add its time.'
        )
    resource = str(attributes.pop(RESOURCE, ""))
    return _micros(timestamp), seq, LogEvent(str(activity), timestamp, resource, attributes)


# ---------------------------------------------------------------------------
# levier's journal
# ---------------------------------------------------------------------------

# Cases (or enquiries) whose events are fetched in one query: bounded memory, indexed reads.
JOURNAL_CHUNK = 1000

# Status changes are one geste ("change-case-status") whatever the status; the status reached
# is what a process reads, so it is part of the activity name.
STATUS_VERBS = {"transition"}


def journal_resource(actor_kind: str, actor_id: str) -> str:
    """Who did it, without surveillance: a robot by its name, people by their kind only.

    DESIGN.md: a figure about one agent is shown only to that agent; no ranking. A log
    leaves levier and can be mined per resource by anyone, so agents and usagers appear as
    "agent" and "usager", never by id or name (docs/insights.md).
    """
    if actor_kind == "robot" and actor_id:
        return f"robot:{actor_id}"
    return actor_kind


def journal_activity(activity_code: str, verb: str, payload: Mapping[str, Any]) -> str:
    name = activity_code or verb
    if verb in STATUS_VERBS and isinstance(payload, Mapping) and payload.get("to"):
        name = f"{name}:{payload['to']}"
    return name


def journal_log(
    *,
    subject: str = "case",
    procedure: Any = None,
    team: Any = None,
    channel: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    progress: Any = None,
) -> Iterator[Trace]:
    """The journal as an event log: one trace per case (or enquiry), its events in the period.

    `subject` "case" (filters: procedure, team) or "enquiry" (filters: team, channel). The
    period keeps the events with start <= occurred_at < end. Reads of personal data (read,
    list, export, reveal) are audit, not process: they are left out. Events are ordered by
    time then journal id, the id standing for the order they were written in.
    `progress(n)` is called with the number of events of each chunk.
    """
    from django.db.models import Q

    from levier.journal.models import Event
    from levier.journal.verbs import PERSONAL_DATA_VERBS

    objects: Any  # a queryset of cases or of enquiries
    if subject == "case":
        from levier.cases.models import Case, CaseStatus

        objects = Case.objects.exclude(status=CaseStatus.DRAFT)
        if procedure is not None:
            objects = objects.filter(procedure=procedure)
        target_type = "cases.case"
        fields = ("pk", "reference", "procedure__slug", "team__slug")
    elif subject == "enquiry":
        from levier.enquiries.models import Enquiry

        objects = Enquiry.objects.all()
        if channel:
            objects = objects.filter(channel=channel)
        target_type = "enquiries.enquiry"
        fields = ("pk", "reference", "channel", "team__slug")
    else:
        raise LogError(f"Unknown subject “{subject}”: use case or enquiry.")
    if team is not None:
        objects = objects.filter(team=team)
    events = Event.objects.filter(target_type=target_type).exclude(
        verb__in=list(PERSONAL_DATA_VERBS)
    )
    if start is not None:
        events = events.filter(occurred_at__gte=start)
    if end is not None:
        events = events.filter(occurred_at__lt=end)
        # A case has no event before its submission, an enquiry none before its creation.
        moment = "submitted_at" if subject == "case" else "created_at"
        objects = objects.filter(Q(**{f"{moment}__lt": end}) | Q(**{f"{moment}__isnull": True}))
    keys = objects.order_by("pk").values_list(*fields)
    last_pk = 0
    while True:
        chunk = list(keys.filter(pk__gt=last_pk)[:JOURNAL_CHUNK])
        if not chunk:
            return
        last_pk = chunk[-1][0]
        described = {str(row[0]): row for row in chunk}
        rows = (
            events.filter(target_id__in=list(described))
            .order_by("target_id", "occurred_at", "id")
            .values_list(
                "id",
                "target_id",
                "occurred_at",
                "actor_kind",
                "actor_id",
                "verb",
                "activity_code",
                "automated",
                "payload",
            )
        )
        current: str | None = None
        trace: list[LogEvent] = []
        count = 0
        for (
            event_id,
            target_id,
            occurred_at,
            kind,
            actor_id,
            verb,
            code,
            automated,
            payload,
        ) in rows.iterator(chunk_size=2000):
            if target_id != current:
                if current is not None and trace:
                    yield _journal_trace(subject, described[current], trace)
                current, trace = target_id, []
            trace.append(
                LogEvent(
                    journal_activity(code, verb, payload),
                    occurred_at,
                    journal_resource(kind, actor_id),
                    {"levier:event": event_id, "levier:verb": verb, "levier:automated": automated},
                )
            )
            count += 1
        if current is not None and trace:
            yield _journal_trace(subject, described[current], trace)
        if progress is not None:
            progress(count)


def _journal_trace(subject: str, row: tuple[Any, ...], events: list[LogEvent]) -> Trace:
    pk, reference, third, team = row
    attributes = {"levier:id": pk, "team": team}
    attributes["procedure" if subject == "case" else "channel"] = third
    # The reference is the case's public identifier (no personal data), stable across exports.
    return Trace(reference or f"{subject}-{pk}", events, attributes)

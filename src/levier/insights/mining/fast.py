"""The directly-follows graph of the journal, computed over arrays rather than event by event.

Same definitions and same figures as `analysis.Miner` (an arc counts each time b directly
follows a in a case, events ordered by time then journal id; its median waiting time is the
median of the waits in seconds, the mean of the two middle ones for an even count), but:

- `directly_follows` takes four numpy arrays (case, time in microseconds, order of writing,
  activity number) and sorts them once, then groups the arcs with numpy: no Python object
  per event. It is the core, usable with any log (tests feed it receipt.csv).
- `journal_directly_follows` reads the journal for it. On PostgreSQL, one
  `COPY (SELECT ...) TO STDOUT (FORMAT BINARY)` sends four fixed-width integers per event
  (the case's id, `occurred_at` as PostgreSQL's microseconds, the event's id, and a 64-bit
  hash of the activity name computed by the database), which numpy reads in place; the
  names behind the hashes come from the activity catalogue and the verbs (one small query),
  the rare unknown one from a query of its own. On another database (SQLite in development)
  it is the Python path: `log.journal_log` fed to `analysis.Miner`.

The filters are `journal_log`'s (log.py): submitted cases of the given teams (optionally one
procedure), or enquiries (optionally one channel), events in [start, end), reads and exports
of personal data left out, a status change named with the status reached.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt

from .analysis import Arc, Miner
from .log import STATUS_VERBS, journal_log

# PostgreSQL's binary COPY: 11-byte signature, flags, header extension length; each row a
# field count then (length, value) per field; a -1 field count at the end.
_COPY_HEADER = 19
_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("l0", ">i4"),
        ("case", ">i8"),
        ("l1", ">i4"),
        ("time", ">i8"),
        ("l2", ">i4"),
        ("seq", ">i8"),
        ("l3", ">i4"),
        ("activity", ">i8"),
    ]
)

# Binary COPY streams read at once on a large journal (one connection each, on a range of
# its pages), at most; LEVIER_PROCESS_DFG_STREAMS overrides (1: one stream).
MAX_STREAMS = 4
PARALLEL_MIN_PAGES = 4096  # 32 MB of journal
WORK_MEM = "256MB"

# hash of an activity name -> the name, learnt from the catalogue and earlier reads.
_NAMES: dict[int, str] = {}


def directly_follows(
    cases: npt.ArrayLike,
    times: npt.ArrayLike,
    seq: npt.ArrayLike,
    activities: npt.ArrayLike,
    names: Sequence[str] | dict[int, str],
) -> list[Arc]:
    """Arcs of the log whose event i is (cases[i], times[i] in microseconds, seq[i] the
    order of writing, activities[i] a key of `names`), sorted by (source, target) names as
    `Miner.result` sorts them.

    Sorting values is several times faster than sorting indices (numpy's argsort jumps
    around memory), so wherever the numbers fit in 63 bits, what must travel with the sort
    key is packed into its low bits and `np.sort` does the work; `np.lexsort` otherwise.
    """
    case = np.asarray(cases, dtype=np.int64)
    if case.size < 2:
        return []
    time = np.asarray(times, dtype=np.int64)
    order = _case_time_order(case, time, np.asarray(seq, dtype=np.int64))
    keys, dense = _dense(np.asarray(activities, dtype=np.int64))
    case, time, dense = case[order], time[order], dense[order]
    del order
    follows = case[1:] == case[:-1]
    del case
    arc = (dense[:-1] * len(keys) + dense[1:])[follows]
    wait = (time[1:] - time[:-1])[follows]
    del time, dense, follows
    if arc.size == 0:
        return []
    arc, wait = _sorted_pairs(arc, wait)
    starts = np.flatnonzero(np.concatenate(([True], arc[1:] != arc[:-1])))
    counts = np.diff(np.append(starts, arc.size))
    middle = starts + counts // 2
    upper = wait[middle] / 1e6
    lower = wait[middle - 1 + (counts % 2)] / 1e6
    # The same arithmetic as statistics.median over seconds: (a + b) / 2, or the middle one.
    medians = np.where(counts % 2 == 1, upper, (lower + upper) / 2)
    lookup = names if isinstance(names, dict) else dict(enumerate(names))
    result = [
        Arc(
            lookup[keys[code // len(keys)].item()],
            lookup[keys[code % len(keys)].item()],
            int(count),
            float(median),
        )
        for code, count, median in zip(arc[starts], counts, medians, strict=True)
    ]
    result.sort(key=lambda item: (item.source, item.target))
    return result


def _bits(values: npt.NDArray[np.int64]) -> int:
    return int(values.max() - values.min()).bit_length() if values.size else 0


def _case_time_order(
    case: npt.NDArray[np.int64], time: npt.NDArray[np.int64], seq: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Indices of the events ordered by case, time, then order of writing.

    The journal is append-only: rows come in the order they were written, and a case's
    events are mostly written in time order. Then sorting (case, row number) packed in one
    integer gives the answer, checked below; anything else goes through `np.lexsort`."""
    n = case.size
    row_bits = int(n - 1).bit_length()
    if _bits(case) + row_bits <= 63 and bool(np.all(seq[1:] > seq[:-1])):
        packed = np.sort(((case - case.min()) << row_bits) | np.arange(n, dtype=np.int64))
        order = packed & ((1 << row_bits) - 1)
        del packed
        ordered_case, ordered_time = case[order], time[order]
        if not np.any(
            (ordered_case[1:] == ordered_case[:-1]) & (ordered_time[1:] < ordered_time[:-1])
        ):
            return order
    return np.lexsort((seq, time, case))


# Activities are told apart by the low bits of their hash, through a table of this size.
_LOW_BITS = 20


def _dense(
    activities: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(distinct activities sorted, each event's index in them), without sorting the events."""
    low = activities & ((1 << _LOW_BITS) - 1)
    table = np.zeros(1 << _LOW_BITS, dtype=np.int64)
    table[low] = activities
    if np.array_equal(table[low], activities):  # no two activities share their low bits
        present = np.flatnonzero(np.bincount(low, minlength=1 << _LOW_BITS))
        keys = np.sort(table[present])
        index = np.zeros(1 << _LOW_BITS, dtype=np.int64)
        index[keys & ((1 << _LOW_BITS) - 1)] = np.arange(keys.size)
        return keys, index[low]
    keys, dense = np.unique(activities, return_inverse=True)
    return keys, dense.astype(np.int64).reshape(-1)


def _sorted_pairs(
    arc: npt.NDArray[np.int64], wait: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(arc, wait) pairs sorted by arc then wait."""
    low = int(wait.min())
    wait_bits = _bits(wait)
    if int(arc.max()).bit_length() + wait_bits <= 63:
        packed = np.sort((arc << wait_bits) | (wait - low))
        return packed >> wait_bits, (packed & ((1 << wait_bits) - 1)) + low
    order = np.lexsort((wait, arc))
    return arc[order], wait[order]


def python_directly_follows(**filters: Any) -> list[Arc]:
    """The reference path: the journal read trace by trace and mined in Python."""
    miner = Miner()
    for trace in journal_log(**filters):
        miner.add(trace)
    return miner.result().arcs


def journal_directly_follows(
    *,
    team_ids: Iterable[int],
    subject: str = "case",
    procedure: Any = None,
    channel: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[Arc]:
    """The directly-follows graph of the journal of these teams' cases (or enquiries)."""
    from django.db import connection

    teams = sorted(set(team_ids))
    if connection.vendor != "postgresql":
        from levier.core.models import Team

        miner = Miner()
        for team in Team.objects.filter(pk__in=teams).order_by("pk"):
            for trace in journal_log(
                subject=subject,
                procedure=procedure,
                team=team,
                channel=channel,
                start=start,
                end=end,
            ):
                miner.add(trace)
        return miner.result().arcs
    events, params = _journal_query(subject, teams, procedure, channel, start, end)
    query = (
        f"SELECT e.target_id::int8, e.occurred_at, e.id::int8, "
        f"hashtextextended({_activity_sql()}, 0) {events}"
    )
    parts = _block_ranges(connection)
    if len(parts) == 1:
        arrays = [_read(connection, query, params)]
    else:
        from django.db import transaction

        # One snapshot for every stream: the graph of one moment of the journal.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            with ThreadPoolExecutor(len(parts)) as pool:
                arrays = list(
                    pool.map(lambda part: _read_part(query, params, part, snapshot), parts)
                )
    cases, times, seq, activities = (np.concatenate(column) for column in zip(*arrays, strict=True))
    del arrays
    with connection.cursor() as wrapper:
        names = _names(wrapper.cursor, _dense(activities)[0], events, params)
    return directly_follows(cases, times, seq, activities, names)


def _streams() -> int:
    from django.conf import settings

    default = min(len(os.sched_getaffinity(0)), MAX_STREAMS)
    return max(1, int(getattr(settings, "LEVIER_PROCESS_DFG_STREAMS", default)))


def _block_ranges(connection: Any) -> list[tuple[int, int] | None]:
    """The journal's pages cut in one range per stream; one stream (None) when the table is
    small, or inside a transaction (other connections would not see its rows)."""
    streams = _streams()
    if streams < 2 or connection.in_atomic_block:
        return [None]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size('journal_event') / current_setting('block_size')::int8"
        )
        pages = int(cursor.fetchone()[0])
    if pages < PARALLEL_MIN_PAGES:
        return [None]
    # The last range is open (rows are read in one snapshot, wherever they are).
    bounds = [pages * index // streams for index in range(streams)] + [2**32 - 2]
    return [(bounds[index], bounds[index + 1]) for index in range(streams)]


def _read_part(
    query: str, params: dict[str, Any], part: tuple[int, int] | None, snapshot: str
) -> tuple[npt.NDArray[np.int64], ...]:
    """One range of the journal's pages, on this thread's own connection, in `snapshot`."""
    from django.db import connections

    connection = connections["default"]
    try:
        if part is not None:
            query += " AND e.ctid >= %(first_page)s::tid AND e.ctid < %(end_page)s::tid"
            params = {**params, "first_page": f"({part[0]},0)", "end_page": f"({part[1]},0)"}
        return _read(connection, query, params, snapshot)
    finally:
        connection.close()


def _read(
    connection: Any, query: str, params: dict[str, Any], snapshot: str | None = None
) -> tuple[npt.NDArray[np.int64], ...]:
    """(cases, times, seq, activities) of the query's rows, by one binary COPY."""
    from django.db import transaction
    from psycopg.sql import SQL, Literal

    with transaction.atomic(using=connection.alias), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own, for COPY
        if snapshot is not None:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute(SQL("SET TRANSACTION SNAPSHOT {}").format(Literal(snapshot)))
        # Enough memory to hash the cases in one go (the default spills to disk).
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        data = bytearray()
        with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT BINARY)", params) as copy:
            for block in copy:
                data += block
    rows = np.frombuffer(data, dtype=_ROW, offset=_COPY_HEADER, count=_row_count(len(data)))
    return tuple(rows[name].astype(np.int64) for name in ("case", "time", "seq", "activity"))


def _row_count(size: int) -> int:
    body = size - _COPY_HEADER - 2
    if size == 0 or body < 0:
        return 0
    if body % _ROW.itemsize:
        raise ValueError("Unexpected COPY data from PostgreSQL (a NULL in a fixed-width column?)")
    return body // _ROW.itemsize


def _activity_sql() -> str:
    """`log.journal_activity` in SQL: the code (or the verb), and for a status change the
    status reached (a string, as levier writes it)."""
    name = "COALESCE(NULLIF(e.activity_code, ''), e.verb)"
    status = "e.verb = ANY(%(status_verbs)s)"
    return (
        f"CASE WHEN {status} AND jsonb_typeof(e.payload -> 'to') IN ('string', 'number') "
        f"AND e.payload -> 'to' NOT IN ('\"\"'::jsonb, '0'::jsonb) "
        f"THEN {name} || ':' || (e.payload ->> 'to') "
        f"WHEN {status} AND e.payload -> 'to' = 'true'::jsonb THEN {name} || ':True' "
        f"ELSE {name} END"
    )


def _journal_query(
    subject: str,
    teams: list[int],
    procedure: Any,
    channel: str | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> tuple[str, dict[str, Any]]:
    from levier.journal.verbs import PERSONAL_DATA_VERBS

    params: dict[str, Any] = {
        "status_verbs": sorted(STATUS_VERBS),
        "personal": sorted(PERSONAL_DATA_VERBS),
        "teams": teams,
    }
    if subject == "case":
        table, target, moment = "cases_case", "cases.case", "submitted_at"
        where = ["o.status <> 'draft'"]
        if procedure is not None:
            where.append("o.procedure_id = %(procedure)s")
            params["procedure"] = getattr(procedure, "pk", procedure)
    elif subject == "enquiry":
        table, target, moment = "enquiries_enquiry", "enquiries.enquiry", "created_at"
        where = []
        if channel:
            where.append("o.channel = %(channel)s")
            params["channel"] = channel
    else:
        raise ValueError(f"Unknown subject “{subject}”: use case or enquiry.")
    params["target"] = target
    where.append("o.team_id = ANY(%(teams)s)")
    event_where = ["e.target_type = %(target)s", "NOT (e.verb = ANY(%(personal)s))"]
    if start is not None:
        event_where.append("e.occurred_at >= %(start)s")
        params["start"] = start
    if end is not None:
        event_where.append("e.occurred_at < %(end)s")
        where.append(f"(o.{moment} < %(end)s OR o.{moment} IS NULL)")
        params["end"] = end
    events = (
        f"FROM journal_event e WHERE {' AND '.join(event_where)} AND e.target_id IN "
        f"(SELECT o.id::text FROM {table} o WHERE {' AND '.join(where)})"
    )
    return events, params


def _names(
    cursor: Any, hashes: npt.NDArray[np.int64], events: str, params: dict[str, Any]
) -> dict[int, str]:
    """Hash -> activity name for every hash read; candidates first, then the journal."""
    wanted = {int(value) for value in hashes}
    missing = wanted - _NAMES.keys()
    if missing:
        from levier.cases.models import CaseStatus
        from levier.enquiries.models import EnquiryStatus
        from levier.journal.models import Activity

        codes = set(Activity.objects.values_list("code", flat=True)) | STATUS_VERBS
        statuses = set(CaseStatus.values) | set(EnquiryStatus.values)
        candidates = sorted(codes | {f"{code}:{status}" for code in codes for status in statuses})
        cursor.execute(
            "SELECT name, hashtextextended(name, 0) FROM unnest(%s::text[]) AS name",
            [candidates],
        )
        for name, value in cursor.fetchall():
            _NAMES.setdefault(int(value), name)
        missing = wanted - _NAMES.keys()
    if missing:
        cursor.execute(
            f"SELECT DISTINCT activity_hash, activity_name FROM (SELECT "
            f"hashtextextended({_activity_sql()}, 0) AS activity_hash, "
            f"{_activity_sql()} AS activity_name {events}) AS named "
            "WHERE activity_hash = ANY(%(missing)s)",
            {**params, "missing": sorted(missing)},
        )
        for value, name in cursor.fetchall():
            _NAMES[int(value)] = name
    return {value: _NAMES[value] for value in wanted}

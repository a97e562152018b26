"""Reading event logs: XES (plain, gzipped), CSV in the XES naming, and every refusal."""

from __future__ import annotations

import datetime as dt
import gzip
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from levier.insights.mining.analysis import mine
from levier.insights.mining.export import write_csv, write_xes
from levier.insights.mining.log import LogError, LogEvent, Trace, read_csv, read_log, read_xes

HEADER = "case:concept:name,concept:name,time:timestamp,org:resource,case:channel,cost\n"


def write(tmp_path, name, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_csv_groups_cases_and_sorts_by_time_keeping_file_order_on_ties(tmp_path):
    path = write(
        tmp_path,
        "log.csv",
        HEADER
        + "c2,B,2024-01-01T10:05:00+01:00,r1,web,3\n"
        + "c1,A,2024-01-01T10:00:00+00:00,r1,mail,\n"
        + "c2,A,2024-01-01T10:00:00+01:00,r2,web,1\n"
        + "c1,C,2024-01-01T11:00:00+00:00,,mail,\n"
        + "c1,B,2024-01-01T11:00:00+00:00,r3,mail,2\n",  # same time as C: stays after it
    )
    traces = list(read_csv(path))
    assert [trace.case for trace in traces] == ["c1", "c2"]
    assert [event.activity for event in traces[0].events] == ["A", "C", "B"]
    assert [event.activity for event in traces[1].events] == ["A", "B"]
    assert traces[0].attributes == {"channel": "mail"}
    assert traces[0].events[2].resource == "r3" and traces[0].events[2].attributes == {"cost": "2"}
    assert traces[1].events[0].timestamp == dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)


def test_csv_semicolons_and_bom_and_naive_times_as_utc(tmp_path):
    path = write(
        tmp_path,
        "log.csv",
        "\ufeffcase:concept:name;concept:name;time:timestamp\nc1;A;2024-01-01 10:00:00\n",
    )
    (trace,) = read_csv(path)
    assert trace.events[0].timestamp == dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "case:concept:name,time:timestamp\nc1,2024-01-01\n",
            "line 1: missing column(s) concept:name",
        ),
        (
            HEADER + "c1,A,yesterday,r,w,1\n",
            "line 2, column time:timestamp: “yesterday” is not a timestamp",
        ),
        (
            HEADER + "c1,A,2024-01-01,r,w,1\nc1,,2024-01-02,r,w,1\n",
            "line 3, column concept:name: empty",
        ),
        (HEADER + "c1,A,2024-01-01,r\n", "line 2: 4 fields where the header has 6"),
        ("", "the file is empty"),
    ],
)
def test_csv_refusals_name_line_column_and_fix(tmp_path, content, message):
    with pytest.raises(LogError, match=message.replace("(", r"\(").replace(")", r"\)")):
        list(read_csv(write(tmp_path, "log.csv", content)))


def test_csv_in_another_encoding_is_refused_with_the_line_then_read_with_it(tmp_path):
    path = write(
        tmp_path, "log.csv", (HEADER + "c1,Réception,2024-01-01,r,w,1\n").encode("latin-1")
    )
    with pytest.raises(
        LogError, match=r"line 2, column 5: byte 0xE9 is not valid utf-8.*--encoding"
    ):
        list(read_csv(path))
    (trace,) = read_csv(path, encoding="latin-1")
    assert trace.events[0].activity == "Réception"
    with pytest.raises(LogError, match="Unknown encoding"):
        list(read_csv(path, encoding="klingon"))


def test_oversize_files_are_refused_before_reading_and_gzip_bombs_while_reading(tmp_path):
    big = write(tmp_path, "log.csv", HEADER + "c1,A,2024-01-01,r,w,1\n" * 100)
    with pytest.raises(LogError, match=r"larger than 1,000 bytes \(LEVIER_EVENTLOG_MAX_BYTES\)"):
        list(read_csv(big, max_bytes=1000))
    bomb = tmp_path / "log.xes.gz"
    bomb.write_bytes(gzip.compress(XES.encode() + b"<!--" + b" " * 100_000 + b"-->"))
    assert bomb.stat().st_size < 5000
    with pytest.raises(LogError, match="larger than 5,000 bytes"):
        list(read_xes(bomb, max_bytes=5000))


def test_max_bytes_comes_from_the_setting(tmp_path, settings):
    settings.LEVIER_EVENTLOG_MAX_BYTES = 10
    with pytest.raises(LogError, match="larger than 10 bytes"):
        list(read_csv(write(tmp_path, "log.csv", HEADER)))


def test_an_error_late_in_the_file_means_no_result(tmp_path):
    rows = "".join(f"c{n},A,2024-01-01T10:00:00,r,w,1\n" for n in range(3000))
    path = write(tmp_path, "log.csv", HEADER + rows + "c9,A,not-a-time,r,w,1\n")
    with pytest.raises(LogError, match="line 3002"):
        mine(read_log(path))


XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <trace>
    <string key="concept:name" value="t1"/>
    <string key="department" value="General"/>
    <event>
      <string key="concept:name" value="B"/>
      <date key="time:timestamp" value="2024-01-02T10:00:00.000+01:00"/>
      <string key="org:resource" value="Resource1"/>
      <int key="cost" value="3"/>
    </event>
    <event>
      <string key="concept:name" value="A"/>
      <date key="time:timestamp" value="2024-01-01T10:00:00.000+01:00"/>
    </event>
    <event>
      <string key="concept:name" value="C"/>
      <date key="time:timestamp" value="2024-01-02T10:00:00.000+01:00"/>
    </event>
  </trace>
</log>
"""


def test_xes_traces_sorted_by_time_with_ties_in_file_order(tmp_path):
    (trace,) = read_xes(write(tmp_path, "log.xes", XES))
    assert trace.case == "t1" and trace.attributes == {"department": "General"}
    assert [event.activity for event in trace.events] == ["A", "B", "C"]
    assert trace.events[1].resource == "Resource1" and trace.events[1].attributes == {"cost": 3}
    result = mine([trace])
    assert result.throughput_seconds == {"t1": 86400.0}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            XES.replace("2024-01-01T10:00:00.000+01:00", "1er janvier"),
            "line 14, attribute time:timestamp: “1er janvier” is not a valid date",
        ),
        (
            XES.replace('<string key="concept:name" value="t1"/>', ""),
            "a trace without concept:name",
        ),
        (
            XES.replace(
                '<date key="time:timestamp" value="2024-01-02T10:00:00.000+01:00"/>\n      <string key="org:resource"',
                '<string key="org:resource"',
            ),
            r"line 6: an event without a <date key=\"time:timestamp\">",
        ),
        (XES.replace("</trace>", ""), "not well-formed XML"),
        ("<html><body>hello</body></html>", "no <log> element"),
    ],
)
def test_xes_refusals(tmp_path, content, message):
    with pytest.raises(LogError, match=message):
        list(read_xes(write(tmp_path, "log.xes", content)))


def test_xes_external_entities_are_refused_not_read(tmp_path):
    hostile = XES.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE log [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
    ).replace('value="General"', 'value="&secret;"')
    with pytest.raises(LogError, match="line 5, column 45: not well-formed XML") as refusal:
        list(read_xes(write(tmp_path, "log.xes", hostile)))
    assert "root:" not in str(refusal.value)


def test_unknown_extension_asks_for_a_format(tmp_path):
    with pytest.raises(LogError, match="--format xes|csv"):
        read_log(write(tmp_path, "log.json", "{}"))


names = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=12
).filter(str.strip)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(names, st.lists(st.tuples(names, st.integers(0, 10**9)), min_size=1, max_size=5)),
        min_size=0,
        max_size=6,
        unique_by=lambda case: case[0].strip(),
    )
)
def test_written_logs_read_back_to_the_same_analysis(tmp_path_factory, cases):
    """Property: CSV and XES written by levier read back to the same DFG, variants, times."""
    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    traces = [
        Trace(
            case.strip(),
            sorted(
                (
                    LogEvent(activity.strip(), base + dt.timedelta(seconds=s), "r")
                    for activity, s in events
                ),
                key=lambda event: event.timestamp,
            ),
        )
        for case, events in cases
    ]
    expected = mine(traces).as_json()
    folder = tmp_path_factory.mktemp("roundtrip")
    for name, writer in (("log.csv", write_csv), ("log.xes", write_xes)):
        with open(folder / name, "w", encoding="utf-8", newline="") as out:
            writer(traces, out)
        assert mine(read_log(folder / name)).as_json() == expected, name


def test_empty_logs_write_valid_empty_files(tmp_path):
    for name, writer in (("log.csv", write_csv), ("log.xes", write_xes)):
        buffer = io.StringIO()
        assert writer([], buffer) == 0
        (tmp_path / name).write_text(buffer.getvalue())
        assert mine(read_log(tmp_path / name)).cases == 0

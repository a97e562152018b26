"""levier's directly-follows counts, variants and throughput times equal PM4Py's on a real log.

PM4Py is AGPL: a test-time reference only (dev extras), never imported by levier itself.
"""

from __future__ import annotations

import ast
import gzip
import shutil
from pathlib import Path

import pytest

from levier.insights.mining.analysis import mine
from levier.insights.mining.log import read_log

pd = pytest.importorskip("pandas")
pm4py = pytest.importorskip("pm4py")

RECEIPT = Path(__file__).parent / "data" / "receipt.csv"
SRC = Path(__file__).resolve().parents[2] / "src" / "levier"


@pytest.fixture(scope="module")
def reference():
    frame = pm4py.format_dataframe(
        pd.read_csv(RECEIPT),
        case_id="case:concept:name",
        activity_key="concept:name",
        timestamp_key="time:timestamp",
    )
    dfg, starts, ends = pm4py.discover_dfg(frame)
    return {
        "frame": frame,
        "dfg": dict(dfg),
        "starts": dict(starts),
        "ends": dict(ends),
        "variants": dict(pm4py.get_variants(frame)),
        "durations": sorted(pm4py.get_all_case_durations(frame)),
    }


def assert_agrees(result, reference):
    assert result.cases == 1434 and result.events == 8577
    assert {(arc.source, arc.target): arc.count for arc in result.arcs} == reference["dfg"]
    assert result.start_activities == reference["starts"]
    assert result.end_activities == reference["ends"]
    assert dict(result.variants) == reference["variants"]
    assert sorted(result.throughput_seconds.values()) == pytest.approx(
        reference["durations"], abs=1e-6
    )


def test_csv_agrees_with_pm4py(reference):
    result = mine(read_log(RECEIPT))
    assert_agrees(result, reference)
    # Variants sorted by count, most frequent first, then by their activities.
    counts = [count for _, count in result.variants]
    assert counts == sorted(counts, reverse=True) and counts[0] == 713


def test_xes_written_by_pm4py_agrees(reference, tmp_path):
    """The same log as XES, written by PM4Py, plain and gzipped."""
    xes = tmp_path / "receipt.xes"
    pm4py.write_xes(pm4py.convert_to_event_log(reference["frame"]), str(xes))
    assert_agrees(mine(read_log(xes)), reference)
    with open(xes, "rb") as plain, gzip.open(tmp_path / "receipt.xes.gz", "wb") as packed:
        shutil.copyfileobj(plain, packed)
    assert_agrees(mine(read_log(tmp_path / "receipt.xes.gz")), reference)


def test_levier_never_imports_pm4py():
    """PM4Py is AGPL: the package must not import it, even lazily."""
    offenders = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
                names = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
            offenders += [f"{path}: {name}" for name in names if str(name).split(".")[0] == "pm4py"]
    assert offenders == []


def test_pm4py_reads_levier_s_exports_to_the_same_figures(reference, tmp_path):
    """XES and CSV written by levier (from the log levier read) are read by PM4Py alike."""
    from levier.insights.mining.export import write_csv, write_xes

    for name, writer in (("out.xes", write_xes), ("out.csv", write_csv)):
        with open(tmp_path / name, "w", encoding="utf-8", newline="") as out:
            writer(read_log(RECEIPT), out)
    frame = pm4py.convert_to_dataframe(pm4py.read_xes(str(tmp_path / "out.xes")))
    assert dict(pm4py.discover_dfg(frame)[0]) == reference["dfg"]
    assert dict(pm4py.get_variants(frame)) == reference["variants"]
    frame = pm4py.format_dataframe(pd.read_csv(tmp_path / "out.csv"))
    assert dict(pm4py.discover_dfg(frame)[0]) == reference["dfg"]
    assert sorted(pm4py.get_all_case_durations(frame)) == pytest.approx(
        reference["durations"], abs=1e-6
    )

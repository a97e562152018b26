"""Writers of a table (headers, then rows) to CSV, XLSX and ODS, with memory bounded in the
number of rows: each row is written as it comes and never kept.

- CSV: the standard library, `;`-separated and UTF-8 with a byte-order mark, as French
  spreadsheets open it without an import dialog.
- XLSX: openpyxl's write-only workbook (rows go to a temporary file, zipped at the end).
- ODS: a small writer of the OpenDocument spreadsheet format: the ZIP's `content.xml` entry
  is written row by row through `zipfile` (which streams an entry, compressing as it goes),
  so the document is never built in memory. `mimetype` comes first, stored, as the spec asks.

A cell is a str, int, float, bool, date, datetime (naive, local time) or None. A string is
always a string: a value beginning with "=" is never turned into a formula (in CSV, where
a spreadsheet would, it is prefixed with an apostrophe).
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

Cell = str | int | float | bool | dt.date | dt.datetime | None
FORMATS = ("csv", "xlsx", "ods")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
# Characters XML 1.0 cannot hold (control characters but tab, line feed, carriage return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A spreadsheet opening a CSV takes a cell starting with these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Rows written between two hand-overs of the bytes produced so far (streaming).
FLUSH_EVERY = 500


class ChunkSink(io.RawIOBase):
    """A write-only, unseekable file that keeps what was written until `take()` hands it
    over: the bridge between a writer and a streamed HTTP response."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:  # zipfile asks; it never seeks an unseekable file
        return self._position

    def seekable(self) -> bool:
        return False

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def clean_text(value: str) -> str:
    return _NOT_XML.sub("", value) if _NOT_XML.search(value) else value


# --- CSV ---------------------------------------------------------------------------------


def csv_text(value: Cell) -> str:
    if type(value) is str:  # the usual case first
        text = clean_text(value)
        return "'" + text if text.startswith(_FORMULA_START) else text
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value).replace(".", ",")  # a French spreadsheet reads 1,5
    if isinstance(value, str):
        return csv_text(str.__str__(value))
    return str(value)


def iter_csv(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    sink = io.StringIO()
    writer = csv.writer(sink, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_text(header) for header in headers])
    yield "\ufeff".encode() + sink.getvalue().encode()
    sink.seek(0)
    sink.truncate()
    for count, row in enumerate(rows, 1):
        writer.writerow([csv_text(value) for value in row])
        if count % FLUSH_EVERY == 0:
            yield sink.getvalue().encode()
            sink.seek(0)
            sink.truncate()
    yield sink.getvalue().encode()


# --- XLSX --------------------------------------------------------------------------------


def iter_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, sheet_title: str = "Export"
) -> Iterator[bytes]:
    """openpyxl's write-only workbook keeps each row in a temporary file, not in memory;
    the XLSX (a ZIP) is assembled at the end in another temporary file, then read out."""
    openpyxl: Any = importlib.import_module("openpyxl")  # untyped: used as Any
    write_only_cell = openpyxl.cell.WriteOnlyCell
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=clean_text(sheet_title)[:31])
    sheet.append([clean_text(header) for header in headers])
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, str):
                cell = write_only_cell(sheet, value=clean_text(value))
                cell.data_type = "s"  # text stays text, "=…" included
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    with tempfile.TemporaryFile(suffix=".xlsx") as spool:
        workbook.save(spool)
        spool.seek(0)
        while piece := spool.read(256 * 1024):
            yield piece


# --- ODS ---------------------------------------------------------------------------------

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<office:document-styles {_NS} office:version="1.2"><office:styles/>'
    "</office:document-styles>"
)
# Dates shown the French way (31/12/2026, 31/12/2026 14:05); a bold header row.
_CONTENT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<office:document-content {_NS} office:version="1.2"><office:automatic-styles>'
    '<number:date-style style:name="N1"><number:day number:style="long"/><number:text>/'
    '</number:text><number:month number:style="long"/><number:text>/</number:text>'
    '<number:year number:style="long"/></number:date-style>'
    '<number:date-style style:name="N2"><number:day number:style="long"/><number:text>/'
    '</number:text><number:month number:style="long"/><number:text>/</number:text>'
    '<number:year number:style="long"/><number:text> </number:text>'
    '<number:hours number:style="long"/><number:text>:</number:text>'
    '<number:minutes number:style="long"/></number:date-style>'
    '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>'
    '<style:style style:name="ce2" style:family="table-cell" style:data-style-name="N2"/>'
    '<style:style style:name="ce3" style:family="table-cell">'
    '<style:text-properties fo:font-weight="bold"/></style:style>'
    "</office:automatic-styles><office:body><office:spreadsheet>"
)
_CONTENT_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def ods_cell(value: Cell, style: str = "") -> str:
    styled = f' table:style-name="{style}"' if style else ""
    if value is None or value == "":
        return f"<table:table-cell{styled}/>"
    if isinstance(value, bool):
        shown = "TRUE" if value else "FALSE"  # what readers compare with, any locale
        flag = "true" if value else "false"
        return (
            f'<table:table-cell{styled} office:value-type="boolean" office:boolean-value="{flag}">'
            f"<text:p>{shown}</text:p></table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell{styled} office:value-type="float" office:value="{value!r}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.datetime):
        return (
            '<table:table-cell table:style-name="ce2" office:value-type="date" '
            f'office:date-value="{value.replace(tzinfo=None).isoformat(timespec="seconds")}">'
            f"<text:p>{value.strftime('%d/%m/%Y %H:%M')}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.date):
        return (
            '<table:table-cell table:style-name="ce1" office:value-type="date" '
            f'office:date-value="{value.isoformat()}">'
            f"<text:p>{value.strftime('%d/%m/%Y')}</text:p></table:table-cell>"
        )
    text = clean_text(str(value))
    # A line break is a new paragraph in ODF; spaces stay as they are (text:s is not needed
    # for the values levier exports, which it reads back as written).
    paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in text.split("\n"))
    return f'<table:table-cell{styled} office:value-type="string">{paragraphs}</table:table-cell>'


def ods_row(values: Sequence[Cell], style: str = "") -> str:
    return "<table:table-row>" + "".join(ods_cell(v, style) for v in values) + "</table:table-row>"


def iter_ods(
    headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, sheet_title: str = "Export"
) -> Iterator[bytes]:
    sink = ChunkSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        archive.writestr("styles.xml", _STYLES)
        with archive.open("content.xml", "w", force_zip64=True) as content:
            buffer: list[str] = [
                _CONTENT_HEAD,
                f"<table:table table:name={quoteattr(clean_text(sheet_title))}>",
                f'<table:table-column table:number-columns-repeated="{max(len(headers), 1)}"/>',
                ods_row(headers, "ce3"),
            ]
            for count, row in enumerate(rows, 1):
                buffer.append(ods_row(row))
                if count % FLUSH_EVERY == 0:
                    content.write("".join(buffer).encode())
                    buffer.clear()
                    yield sink.take()
            buffer.append(_CONTENT_TAIL)
            content.write("".join(buffer).encode())
        yield sink.take()
    yield sink.take()  # the ZIP's central directory, written on close


# --- one entry point ---------------------------------------------------------------------


def stream(
    fmt: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, sheet_title: str = "Export"
) -> Iterator[bytes]:
    """The file's bytes, piece by piece, as the rows are read (for a streamed response or
    a file): CSV and ODS hand over what they wrote every FLUSH_EVERY rows; XLSX at the end,
    from its temporary file on disk."""
    if fmt == "csv":
        return iter_csv(headers, rows)
    if fmt == "xlsx":
        return iter_xlsx(headers, rows, sheet_title=sheet_title)
    if fmt == "ods":
        return iter_ods(headers, rows, sheet_title=sheet_title)
    raise ValueError(f"Unknown export format: {fmt!r}")


def write(
    fmt: str, out: IO[bytes], headers: Sequence[str], rows: Iterable[Sequence[Cell]], *,
    sheet_title: str = "Export",
) -> None:  # fmt: skip
    """Write the table to the file `out` in `fmt`."""
    for piece in stream(fmt, headers, rows, sheet_title=sheet_title):
        if piece:
            out.write(piece)

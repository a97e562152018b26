"""Hostile PDFs built byte by byte, for the upload tests.

`page_tree_pdf(200_000)` is the review's attack: one page object referenced 200,000
times from the /Kids array of the page tree, 1.2 MB that a reader flattens into
200,000 pages. `extra` adds entries to the catalog (an /OpenAction, for instance);
`kids` replaces the page references (`b"2 0 R"`: the tree contains itself).
"""

from __future__ import annotations

JAVASCRIPT_OPEN_ACTION = b" /OpenAction << /S /JavaScript /JS (app.alert\\('levier'\\);) >>"


def page_tree_pdf(
    pages: int,
    *,
    count: int | None = None,
    extra: bytes = b"",
    comment: bytes = b"",
    kids: bytes | None = None,
) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R" + extra + b" >>",
        b"<< /Type /Pages /Count %d /Kids [" % (pages if count is None else count)
        + (b"3 0 R " * pages if kids is None else kids)
        + b"] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + comment)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def html_polyglot_pdf() -> bytes:
    """A PDF that is also a web page: a browser taking it for HTML would run its script."""
    return page_tree_pdf(
        1, comment=b"%<html><body><script>alert(document.cookie)</script></body></html>\n"
    )

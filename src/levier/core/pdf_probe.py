"""Count a PDF's pages and note its active content, inside a child process with hard limits.

Run by core.pdf_checks as `python -I pdf_probe.py MAX_PAGES MEMORY_BYTES CPU_SECONDS`
with the PDF on stdin; prints one JSON object. It imports nothing from levier (a fast
start, nothing trusted) and sets its own limits before it reads a byte of the file:
a hostile file can exhaust this process, never the web worker that waits for it.
"""

from __future__ import annotations

import io
import json
import re
import resource
import sys

# Names of PDF features that run code, start programs or carry files inside the PDF.
ACTIVE_NAMES = {
    b"/JavaScript": "javascript",
    b"/JS": "javascript",
    b"/Launch": "launch",
    b"/EmbeddedFile": "embedded-file",
    b"/EmbeddedFiles": "embedded-file",
    b"/RichMedia": "rich-media",
    b"/XFA": "xfa",
    b"/SubmitForm": "submit-form",
    b"/ImportData": "submit-form",
}
# A name ends at a delimiter; "/JSON" is not "/JS".
_ACTIVE_NAME_RE = re.compile(
    rb"(" + b"|".join(re.escape(name) for name in ACTIVE_NAMES) + rb")(?=[\s/<>\[\]()%{}]|$)"
)
# A PDF that is also an HTML page (a polyglot) runs its script if a browser takes it for HTML.
_HTML_RE = re.compile(rb"<\s*(script|html|iframe|body|svg|object|embed)[\s>/]", re.IGNORECASE)
# Actions an /OpenAction or /AA may start that reach outside the document.
_ACTIVE_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/SubmitForm": "submit-form",
    "/ImportData": "submit-form",
    "/RichMediaExecute": "rich-media",
}


class TooComplex(Exception):
    """The page tree has more nodes than its pages can need (a cycle, or a bomb)."""


def _set_limits(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # Past the soft limit the kernel sends SIGXCPU, which ends the process.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # writes no file
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _pages(root, max_pages: int) -> list | None:
    """The page dictionaries in order, or None past max_pages; every node visit counts."""
    visits_left = 2 * max_pages + 100
    pages: list = []
    stack = [root]
    while stack:
        node = stack.pop().get_object()
        visits_left -= 1
        if visits_left < 0:
            raise TooComplex
        kids = node.get("/Kids") if hasattr(node, "get") else None
        if node.get("/Type") != "/Page" and kids is not None:
            stack.extend(reversed(list(kids)))
            continue
        pages.append(node)
        if len(pages) > max_pages:
            return None
    return pages


def _action_kinds(action) -> set[str]:
    kinds = set()
    for _hops in range(20):  # an action may chain others through /Next
        action = action.get_object() if action is not None else None
        if not hasattr(action, "get"):
            break
        kind = _ACTIVE_ACTIONS.get(str(action.get("/S", "")))
        if kind:
            kinds.add(kind)
        action = action.get("/Next")
        if isinstance(action, list):
            action = action[0] if action else None
    return kinds


def _active_content(reader, catalog, pages: list, content: bytes) -> set[str]:
    found = {ACTIVE_NAMES[match.group(1)] for match in _ACTIVE_NAME_RE.finditer(content)}
    if _HTML_RE.search(content):
        found.add("html")
    if "/OpenAction" in catalog:
        found |= _action_kinds(catalog["/OpenAction"])
    triggers = [catalog.get("/AA")] + [page.get("/AA") for page in pages]
    for trigger in triggers:
        trigger = trigger.get_object() if trigger is not None else None
        if hasattr(trigger, "values"):
            for action in trigger.values():
                found |= _action_kinds(action)
    names = catalog.get("/Names")
    names = names.get_object() if names is not None else None
    if hasattr(names, "get"):
        if "/JavaScript" in names:
            found.add("javascript")
        if "/EmbeddedFiles" in names:
            found.add("embedded-file")
    form = catalog.get("/AcroForm")
    form = form.get_object() if form is not None else None
    if hasattr(form, "get") and "/XFA" in form:
        found.add("xfa")
    return found


def probe(content: bytes, max_pages: int) -> dict:
    from pypdf import apply_configuration
    from pypdf.errors import LimitReachedError

    # No array a document of max_pages needs is this long; a /Kids array of 99,000 page
    # references is refused after parsing 10,000 of them, not all.
    with apply_configuration(array_maximum_element_count=max(10_000, 4 * max_pages)):
        try:
            return _probe(content, max_pages)
        except (LimitReachedError, TooComplex, RecursionError):
            return {"outcome": "too-complex"}


def _probe(content: bytes, max_pages: int) -> dict:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content), strict=False)
    if reader.is_encrypted:
        return {"outcome": "encrypted"}
    catalog = reader.trailer["/Root"].get_object()
    root = catalog["/Pages"].get_object()
    declared = root.get("/Count")
    if isinstance(declared, int) and declared > max_pages:
        return {"outcome": "too-many-pages", "pages": int(declared)}
    pages = _pages(root, max_pages)
    if pages is None:
        return {"outcome": "too-many-pages", "pages": None}
    if not pages:
        return {"outcome": "damaged"}
    active = _active_content(reader, catalog, pages, content)
    return {"outcome": "ok", "pages": len(pages), "active": sorted(active)}


def main() -> None:
    max_pages, memory_bytes, cpu_seconds = (int(value) for value in sys.argv[1:4])
    _set_limits(memory_bytes, cpu_seconds)
    content = sys.stdin.buffer.read()
    try:
        result = probe(content, max_pages)
    except MemoryError:
        result = {"outcome": "too-complex"}
    except Exception:  # any other failure to read the file: pypdf raises many kinds
        result = {"outcome": "damaged"}
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main()

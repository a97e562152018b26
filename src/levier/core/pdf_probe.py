"""Open an untrusted PDF inside a child process with hard limits.

Run by core.pdf_checks with the PDF on stdin, as
- `python -I pdf_probe.py count MAX_PAGES 0 MEMORY_BYTES CPU_SECONDS`: counts the pages
  and notes active content, prints one JSON object;
- `python -I pdf_probe.py render PAGE WIDTH MEMORY_BYTES CPU_SECONDS`: prints page PAGE
  (from 1) as a PNG WIDTH pixels wide, or nothing.
It imports nothing from levier (a fast start, nothing trusted) and sets its own limits
before it reads a byte of the file: a hostile file can exhaust this process, never the
web worker that waits for it.
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


# A rendered page larger than this is a trap (a MediaBox of kilometres), not a preview.
MAX_RENDER_PIXELS = 12_000_000


def render(content: bytes, page_number: int, width: int) -> bytes:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    if not 1 <= page_number <= len(document):
        return b""
    page = document[page_number - 1]
    page_width, page_height = page.get_size()
    scale = width / max(page_width, 1)
    if page_width * scale * page_height * scale > MAX_RENDER_PIXELS:
        return b""
    image = page.render(scale=scale, may_draw_forms=False).to_pil()
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=False)
    return output.getvalue()


def main() -> None:
    mode, first, second, memory_bytes, cpu_seconds = sys.argv[1:6]
    _set_limits(int(memory_bytes), int(cpu_seconds))
    content = sys.stdin.buffer.read()
    if mode == "render":
        try:
            sys.stdout.buffer.write(render(content, int(first), int(second)))
        except Exception:  # noqa: BLE001 - nothing printed: no preview
            pass
        return
    try:
        result = probe(content, int(first))
    except MemoryError:
        result = {"outcome": "too-complex"}
    except Exception:  # any other failure to read the file: pypdf raises many kinds
        result = {"outcome": "damaged"}
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main()

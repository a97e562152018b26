"""The directly-follows graph drawn as SVG by Graphviz's `dot`, safe to inline in a page.

`dot` runs in a subprocess with a timeout, on a DOT source whose labels are escaped; its
output is parsed and rebuilt from an allow-list of SVG elements and attributes (no script,
no link, no style, no event handler, no external reference), so whatever a label held, the
page gets shapes and text only. Without `dot` (or when it fails) `draw` returns None and
the page says so; the table of arcs beside the graph carries the same figures (RGAA).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable

from lxml import etree

from .mining.analysis import Mining

logger = logging.getLogger(__name__)

DOT_TIMEOUT_SECONDS = 10
# Arcs drawn at most (the most frequent ones): beyond that a map is unreadable anyway, and
# the table lists them all.
MAX_DRAWN_ARCS = 30
BLUE = "#000091"  # DSFR blue France
GREY = "#666666"

SVG = "http://www.w3.org/2000/svg"
ALLOWED_ELEMENTS = {"svg", "g", "polygon", "polyline", "ellipse", "path", "text"}
ALLOWED_ATTRIBUTES = {
    "width",
    "height",
    "viewBox",
    "points",
    "d",
    "cx",
    "cy",
    "rx",
    "ry",
    "x",
    "y",
    "fill",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "transform",
    "class",
}


def dot_string(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as DOT's \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r", "").replace("\n", "\\n")
    return f'"{escaped}"'


def dot_source(
    mining: Mining, label: Callable[[str], str], duration: Callable[[float], str]
) -> str:
    """The DOT source of the most frequent arcs, each labelled with its count and median wait."""
    arcs = sorted(mining.arcs, key=lambda arc: (-arc.count, arc.source, arc.target))
    arcs = arcs[:MAX_DRAWN_ARCS]
    heaviest = max((arc.count for arc in arcs), default=1)
    nodes: dict[str, str] = {}

    def node(code: str) -> str:
        return nodes.setdefault(code, f"n{len(nodes)}")

    lines = [
        "digraph process {",
        '  graph [rankdir=TB, nodesep=0.3, ranksep=0.4, bgcolor="transparent", '
        'fontname="Helvetica"];',
        f'  node [shape=box, style="rounded", color="{BLUE}", fontcolor="#161616", '
        f'fontname="Helvetica", fontsize=11, margin="0.15,0.06"];',
        f'  edge [color="{GREY}", fontcolor="#3a3a3a", fontname="Helvetica", fontsize=9];',
    ]
    for arc in arcs:
        source, target = node(arc.source), node(arc.target)
        width = 1 + 3 * arc.count / heaviest
        text = f"{arc.count} · {duration(arc.median_seconds)}"
        lines.append(f"  {source} -> {target} [label={dot_string(text)}, penwidth={width:.2f}];")
    for code, identifier in nodes.items():
        lines.append(f"  {identifier} [label={dot_string(wrap(label(code)))}];")
    lines.append("}")
    return "\n".join(lines)


def wrap(text: str, width: int = 28) -> str:
    """Long labels on several lines, so that boxes stay narrow (phones)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def render(source: str) -> bytes | None:
    """Run `dot -Tsvg`; None when it is missing, fails or takes too long (logged)."""
    executable = shutil.which("dot")
    if executable is None:
        logger.warning("Graphviz's dot is not installed: the process map is not drawn.")
        return None
    try:
        done = subprocess.run(  # noqa: S603 (fixed arguments, the source on stdin)
            [executable, "-Tsvg"],
            input=source.encode(),
            capture_output=True,
            timeout=DOT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.warning("dot failed: %s", error)
        return None
    if done.returncode != 0:
        logger.warning("dot failed (%s): %s", done.returncode, done.stderr[:500])
        return None
    return done.stdout


def sanitise(svg: bytes, *, title: str) -> str | None:
    """The SVG rebuilt from allowed elements and attributes, sized by its viewBox."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )
    try:
        root = etree.fromstring(svg, parser)
    except etree.XMLSyntaxError:
        return None
    if root.tag != f"{{{SVG}}}svg":
        return None
    clean = _copy(root)
    if clean is None:
        return None
    # The page's width, the height following from the viewBox; insights/process.css keeps
    # it readable on phones (a minimum width, scrolling sideways).
    clean.set("width", "100%")
    clean.attrib.pop("height", None)
    clean.set("role", "img")
    clean.set("aria-label", title)
    clean.set("focusable", "false")
    text: str = etree.tostring(clean, encoding="unicode")
    return text


def _copy(element: etree._Element) -> etree._Element | None:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith(f"{{{SVG}}}"):
        return None
    local = tag.split("}", 1)[1]
    if local not in ALLOWED_ELEMENTS:
        return None
    copy = etree.Element(f"{{{SVG}}}{local}", nsmap={None: SVG} if local == "svg" else None)
    for name, value in element.attrib.items():
        if name in ALLOWED_ATTRIBUTES and "url(" not in value.lower():
            copy.set(name, value)
    copy.text = element.text if local == "text" else None
    for child in element:
        child_copy = _copy(child)
        if child_copy is not None:
            copy.append(child_copy)
    return copy


def draw(
    mining: Mining, label: Callable[[str], str], duration: Callable[[float], str], *, title: str
) -> str | None:
    """The inline SVG of the graph, or None if it could not be drawn."""
    if not mining.arcs:
        return None
    svg = render(dot_source(mining, label, duration))
    if svg is None:
        return None
    return sanitise(svg, title=title)

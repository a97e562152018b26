"""Checking an uploaded PDF without letting it hold the web worker.

The page count and the search for active content (JavaScript, launch actions, embedded
files, an HTML page hidden in the PDF) run in a child process (core/pdf_probe.py) with
a memory cap, a CPU cap and a wall-clock timeout. All the PDFs of one request share one
time budget (`check_budget`), so five hostile files take no longer than one.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PROBE = Path(__file__).with_name("pdf_probe.py")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PdfFacts:
    page_count: int
    active_content: tuple[str, ...]


class CheckBudget:
    """Wall-clock seconds left for checking the PDFs of one request (or one email)."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()


_budget: contextvars.ContextVar[CheckBudget | None] = contextvars.ContextVar(
    "levier_pdf_check_budget", default=None
)


@contextlib.contextmanager
def check_budget(seconds: float | None = None) -> Iterator[CheckBudget]:
    """Share one time budget among the PDF checks made inside the block."""
    budget = CheckBudget(settings.LEVIER_UPLOAD_CHECK_SECONDS if seconds is None else seconds)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def check_budget_middleware(get_response):
    """Each request gets its own budget for the PDFs it uploads."""

    def middleware(request):
        with check_budget():
            return get_response(request)

    return middleware


def inspect_pdf(content: bytes, name: str) -> PdfFacts:
    """Pages and active content of a PDF; ValidationError (in words) when it is refused."""
    budget = _budget.get() or CheckBudget(settings.LEVIER_UPLOAD_CHECK_SECONDS)
    seconds = budget.left()
    if seconds <= 0:
        raise ValidationError(
            _(
                "“%(name)s” was not checked: the files sent together took too long to check. "
                "Send this file on its own, or as a lighter PDF."
            )
            % {"name": name},
            code="check_budget",
        )
    max_pages = settings.LEVIER_UPLOAD_MAX_PAGES
    try:
        result = json.loads(_run_child(["count", str(max_pages), "0"], content, seconds) or b"{}")
    except subprocess.TimeoutExpired:  # run() has killed the child
        result = {"outcome": "too-complex"}
    except ValueError:
        result = {}
    outcome = result.get("outcome")
    if outcome is None:  # killed by its limits (memory, CPU) before it could answer
        outcome = "too-complex"
    if outcome == "ok":
        return PdfFacts(
            page_count=int(result["pages"]), active_content=tuple(result.get("active", ()))
        )
    raise _refusal(outcome, name, result.get("pages"), max_pages)


def render_pdf_page(content: bytes, page_number: int, *, width: int = 900) -> bytes:
    """Page `page_number` (from 1) as PNG bytes, drawn in the limited child; b"" if it
    cannot be drawn. An image runs no script, whatever the PDF holds: the safe preview."""
    seconds = settings.LEVIER_UPLOAD_CHECK_SECONDS
    try:
        return _run_child(["render", str(page_number), str(width)], content, seconds)
    except subprocess.TimeoutExpired:
        return b""


def _run_child(arguments: list[str], content: bytes, seconds: float) -> bytes:
    command = [
        sys.executable,
        "-I",  # ignores PYTHON* variables and the current directory
        str(PROBE),
        *arguments,
        str(settings.LEVIER_UPLOAD_CHECK_MEMORY_MB * 1024 * 1024),
        str(max(1, int(seconds + 0.999))),
    ]
    finished = subprocess.run(
        command, input=content, capture_output=True, timeout=seconds, check=False
    )
    if finished.returncode != 0:
        # Killed by its limits (a hostile file), or unable to start (a broken install):
        # the file is refused either way; the log tells the two apart for the operator.
        logger.warning(
            "PDF child process ended with %s: %s",
            finished.returncode,
            finished.stderr.decode("utf-8", "replace")[-500:],
        )
    return finished.stdout


def _refusal(outcome: str, name: str, pages: int | None, max_pages: int) -> ValidationError:
    if outcome == "encrypted":
        message = _("“%(name)s” is password-protected. Send a copy without a password.")
    elif outcome == "too-many-pages" and pages:
        message = _(
            "“%(name)s” has %(pages)s pages; the limit is %(max)s. "
            "Send only the pages asked for, or split the file."
        )
    elif outcome == "too-many-pages":
        message = _(
            "“%(name)s” has more than %(max)s pages, the limit. "
            "Send only the pages asked for, or split the file."
        )
    elif outcome == "too-complex":
        message = _(
            "“%(name)s” is too large or too complex to be checked (more than %(max)s pages, "
            "or a structure levier does not read). Send only the pages asked for, "
            "or print the document again as PDF."
        )
    else:
        message = _(
            "“%(name)s” is a damaged PDF that cannot be opened. "
            "Export it again and send the new file."
        )
    return ValidationError(
        message % {"name": name, "pages": pages, "max": max_pages}, code=f"pdf_{outcome}"
    )

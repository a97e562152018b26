"""The child process that opens uploaded PDFs: its limits stop it, and the file is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from levier.core.pdf_checks import check_budget, inspect_pdf

from ..hostile_pdfs import JAVASCRIPT_OPEN_ACTION, html_polyglot_pdf, page_tree_pdf


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refused(content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        inspect_pdf(content, "piece.pdf")
    assert "piece.pdf" in error.value.messages[0]
    return error.value


def test_a_page_tree_that_contains_itself_is_refused_not_walked_forever():
    assert refused(page_tree_pdf(0, kids=b"2 0 R 2 0 R")).code == "pdf_too-complex"


def test_a_child_above_its_memory_cap_is_stopped_and_the_file_refused(settings):
    settings.LEVIER_UPLOAD_CHECK_MEMORY_MB = 16  # not even enough to start the PDF library
    assert refused(page_tree_pdf(2)).code == "pdf_too-complex"


def test_a_check_past_its_time_is_killed_and_the_file_refused(settings):
    settings.LEVIER_UPLOAD_CHECK_SECONDS = 0.01
    error = refused(page_tree_pdf(2))
    assert error.code == "pdf_too-complex"


def test_files_checked_together_share_one_budget():
    with check_budget(seconds=30):
        assert inspect_pdf(page_tree_pdf(2), "a.pdf").page_count == 2
    with check_budget(seconds=0):
        error = refused(page_tree_pdf(2))
    assert error.code == "check_budget"
    assert "files sent together took too long" in error.messages[0]


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (page_tree_pdf(1, extra=JAVASCRIPT_OPEN_ACTION), ("javascript",)),
        (page_tree_pdf(1, extra=b" /OpenAction << /S /Launch /F (cmd.exe) >>"), ("launch",)),
        (page_tree_pdf(1, extra=b" /OpenAction [3 0 R /Fit]"), ()),  # a zoom, not a script
        (html_polyglot_pdf(), ("html",)),
        (page_tree_pdf(1, extra=b" /Names << /EmbeddedFiles 1 0 R >>"), ("embedded-file",)),
    ],
)
def test_active_content_is_named(content, found):
    assert inspect_pdf(content, "piece.pdf").active_content == found

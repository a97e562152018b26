import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from fpdf import FPDF

from levier.core.uploads import check_upload


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked against their English msgids, whatever catalogue is compiled."""
    with translation.override("en"):
        yield


def make_pdf(pages: int = 2) -> bytes:
    pdf = FPDF()
    for n in range(pages):
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.cell(text=f"Page {n + 1}")
    return bytes(pdf.output())


def make_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"\x00\xff\x00\x00"  # one red pixel
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_pdf_is_accepted_with_hash_and_page_count():
    checked = check_upload(SimpleUploadedFile("avis.pdf", make_pdf(3)))
    assert checked.content_type == "application/pdf"
    assert checked.page_count == 3
    assert len(checked.sha256) == 64


def test_png_is_accepted():
    assert check_upload(SimpleUploadedFile("rib.png", make_png())).content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("photo.png", make_pdf(), "not a real PNG"),
        ("avis.pdf", make_png(), "not a real PDF"),
        ("script.exe", b"MZ\x90\x00", "not accepted"),
        ("vide.pdf", b"", "empty"),
        ("casse.pdf", b"%PDF-1.4\n garbage without structure", "damaged"),
    ],
)
def test_mismatched_or_bad_files_are_refused_with_a_clear_reason(name, content, fragment):
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile(name, content))
    assert fragment in str(error.value)
    assert name in str(error.value)


def test_oversized_file_is_refused(settings):
    settings.LEVIER_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="limit"):
        check_upload(SimpleUploadedFile("gros.pdf", make_pdf(1) + b"\n" * 2000))


def test_size_is_checked_on_bytes_read_not_on_the_claimed_size(settings):
    settings.LEVIER_UPLOAD_MAX_BYTES = 1000

    class Lying(io.BytesIO):
        name = "menteur.pdf"
        size = 10

    with pytest.raises(ValidationError, match="limit"):
        check_upload(Lying(make_pdf(1) + b"\n" * 2000))

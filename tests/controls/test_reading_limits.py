"""Files levier refuses to read are refused with a reason and a code, never a crash."""

from __future__ import annotations

import io
import zlib

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader, PdfWriter

from levier.controls.reading import limits, text
from levier.controls.reading.ocr import OcrPage
from levier.controls.reading.text import read_document
from levier.controls.reading.types import ReadDocument, UnreadableDocument

from .reading_samples import demo_documents

REAL_PDF: list[bytes] = []  # a module-level value: hypothesis would print a fixture's bytes


@pytest.fixture(scope="module", autouse=True)
def real_pdf() -> bytes:
    if not REAL_PDF:
        REAL_PDF.append(demo_documents(1)[0][1].content)
    return REAL_PDF[0]


@pytest.fixture(autouse=True)
def _no_ocr(monkeypatch):
    """Limits are about opening files: OCR (tested elsewhere) is replaced by a stub."""

    def fake_ocr(image):
        return OcrPage("", 0.0, 0, 0.0, image)

    monkeypatch.setattr(text, "ocr_page", fake_ocr)


def refused(content: bytes, content_type: str = "application/pdf") -> UnreadableDocument:
    with pytest.raises(UnreadableDocument) as caught:
        read_document(content, content_type)
    assert caught.value.reason
    return caught.value


def blank_pdf(pages: int, width: float = 595, height: float = 842) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width, height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_empty_file():
    assert refused(b"").code == "empty"


def test_pdf_without_pages():
    assert refused(blank_pdf(0)).code in {"empty", "corrupt"}


def test_unsupported_type():
    error = refused(b"PK\x03\x04 a docx", "application/vnd.openxmlformats")
    assert error.code == "unsupported" and "PDF" in error.reason


def test_bytes_that_are_not_what_they_claim():
    assert refused(b"hello world", "application/pdf").code == "corrupt"
    assert refused(b"hello world", "image/png").code == "corrupt"


def test_encrypted_pdf(real_pdf):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(real_pdf)))
    writer.encrypt("secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    with translation.override("en"):
        error = refused(out.getvalue())
    assert error.code == "encrypted" and "password" in error.reason


def test_truncated_pdf(real_pdf):
    error = refused(real_pdf[: len(real_pdf) // 3])
    assert error.code == "corrupt"


def test_too_many_pages():
    assert refused(blank_pdf(limits.MAX_PAGES + 1)).code == "too-many-pages"
    assert len(read_document(blank_pdf(limits.MAX_PAGES), "application/pdf").pages) == 30


def test_page_too_large_at_ocr_resolution():
    # 2 m x 2 m at 300 dpi is ~550 million pixels.
    assert refused(blank_pdf(1, 5670, 5670)).code == "too-many-pixels"


def test_image_with_too_many_pixels():
    out = io.BytesIO()
    Image.new("1", (8000, 6000), 1).save(out, format="PNG")
    assert refused(out.getvalue(), "image/png").code == "too-many-pixels"


def test_truncated_image():
    out = io.BytesIO()
    Image.effect_noise((400, 300), 40).save(out, format="JPEG")
    assert refused(out.getvalue()[:2000], "image/jpeg").code == "corrupt"


def test_pdf_whose_stream_inflates_absurdly(monkeypatch):
    monkeypatch.setattr(limits, "MAX_INFLATED_BYTES", 50_000_000)
    monkeypatch.setattr(limits, "INFLATE_RATIO_FLOOR", 1_000_000)
    inflater = zlib.compressobj(9)
    zeros = bytes(1 << 20)
    body = b"".join(inflater.compress(zeros) for _ in range(60)) + inflater.flush()
    bomb = (
        b"%PDF-1.4\n1 0 obj\n<< /Length "
        + str(len(body)).encode()
        + b" /Filter /FlateDecode >>\nstream\n"
        + body
        + b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    assert refused(bomb).code == "bomb"


def test_image_declared_huge_inside_a_pdf():
    pdf = (
        b"%PDF-1.4\n1 0 obj\n<< /Type /XObject /Subtype /Image /Width 100000 /Height 100000"
        b" /BitsPerComponent 8 /ColorSpace /DeviceGray /Length 3 >>\nstream\nabc\nendstream\n"
    )
    assert refused(pdf).code == "too-many-pixels"


def test_a_real_pdf_and_image_are_read(real_pdf):
    assert read_document(real_pdf, "application/pdf").pages[0].source == "text"
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(out, format="PNG")
    document = read_document(out.getvalue(), "image/jpeg")  # a PNG sent as JPEG is read
    assert document.rasters[0].mode == "L"


def reads_or_refuses(content: bytes, content_type: str) -> None:
    try:
        assert isinstance(read_document(content, content_type), ReadDocument)
    except UnreadableDocument as error:
        assert error.code in {"encrypted", "corrupt", "empty", "too-many-pages",
                              "too-many-pixels", "bomb", "unsupported"}  # fmt: skip


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TYPES = st.sampled_from(["application/pdf", "image/jpeg", "image/png", "text/plain"])


@FUZZ
@given(st.binary(max_size=2000), TYPES)
def test_random_bytes_never_crash(content, content_type):
    reads_or_refuses(content, content_type)


@FUZZ
@given(st.binary(max_size=2000), TYPES)
def test_random_bytes_behind_a_real_header_never_crash(content, content_type):
    for header in (b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0"):
        reads_or_refuses(header + content, content_type)


@FUZZ
@given(st.data())
def test_truncated_and_damaged_real_pdfs_never_crash(data):
    real_pdf = REAL_PDF[0]
    cut = data.draw(st.integers(min_value=0, max_value=len(real_pdf)))
    reads_or_refuses(real_pdf[:cut], "application/pdf")
    position = data.draw(st.integers(min_value=0, max_value=len(real_pdf) - 1))
    damage = data.draw(st.binary(min_size=1, max_size=64))
    reads_or_refuses(real_pdf[:position] + damage + real_pdf[position + len(damage) :],
                     "application/pdf")  # fmt: skip


def test_a_truncated_image_is_refused_even_after_weasyprint_relaxed_pillow():
    import weasyprint  # noqa: F401  (sets ImageFile.LOAD_TRUNCATED_IMAGES = True on import)

    out = io.BytesIO()
    Image.effect_noise((400, 300), 40).save(out, format="JPEG")
    assert refused(out.getvalue()[:2000], "image/jpeg").code == "corrupt"

"""Documents are recognised by kind, also through OCR-like noise, and explain their scores."""

from __future__ import annotations

import pytest

from levier.controls.reading.classify import classify
from levier.controls.reading.normalise import fold
from levier.controls.reading.text import read_document
from levier.controls.reading.types import KINDS

from .reading_samples import demo_documents, other_documents


@pytest.fixture(scope="module")
def texts() -> list[tuple[str, str]]:
    printed = [document for _spec, document in demo_documents(8) + other_documents(6)]
    return [(d.kind, read_document(d.content, d.content_type).text) for d in printed]


def test_every_demo_document_is_recognised(texts):
    assert {kind for kind, _text in texts} == set(KINDS)
    for kind, text in texts:
        result = classify(text)
        assert result.kind == kind, (kind, result)
        assert result.confidence >= 0.35 and set(result.scores) == set(KINDS)


def ocr_noise(text: str) -> str:
    """What a poor scan does: accents lost, O for 0, spaces broken, some letters misread."""
    noisy = fold(text).upper().replace("0", "O").replace("L", "I", 3)
    return noisy.replace(" DE ", " DE", 5).replace("E", "É", 2)


def test_noisy_text_is_still_recognised(texts):
    for kind, text in texts:
        assert classify(ocr_noise(text)).kind == kind


def test_unrelated_text_is_unknown():
    result = classify("Bonjour, je vous écris au sujet de mon chat qui aime le jardin.")
    assert result.kind == "unknown" and result.confidence < 0.35
    assert classify("").kind == "unknown"

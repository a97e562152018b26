"""No bytes make parsing or storing fail: arbitrary input, mutated real mail, CPython's corpus."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from levier.mailing.models import InboundMail, InboundStatus
from levier.mailing.parsing import ParsedMail, parse_message
from levier.mailing.services import store_and_process

from .messages import plain
from .test_parsing import DSN


def _corpus() -> list[Path]:
    spec = importlib.util.find_spec("test")
    if spec is None or spec.origin is None:
        return []
    folder = Path(spec.origin).parent / "test_email" / "data"
    return sorted(folder.glob("msg_*.txt"))


CORPUS = _corpus()
SEEDS = [plain(), DSN, *(path.read_bytes() for path in CORPUS[:10])]


def _check(parsed: ParsedMail) -> None:
    assert isinstance(parsed, ParsedMail)
    for text in (parsed.text, parsed.body, parsed.subject, parsed.from_address, parsed.message_id):
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogate: storable in any database


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_raise(raw):
    _check(parse_message(raw))


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    cuts=st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 200), st.binary(max_size=40)), max_size=6
    ),
)
def test_mutated_real_messages_never_raise(seed, cuts):
    raw = bytearray(seed)
    for position, length, replacement in cuts:
        position %= max(len(raw), 1)
        raw[position : position + length] = replacement
    _check(parse_message(bytes(raw)))


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_arbitrary_text_bodies_never_raise(body):
    raw = b"From: a@example.fr\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body.encode(
        "utf-8", "surrogatepass"
    )
    _check(parse_message(raw))


def test_pathological_blank_lines_stay_fast():
    raw = plain(body="Bonjour\n" + " \n" * 50_000 + "-- \nsignature\n")
    assert parse_message(raw).body.startswith("Bonjour")


@pytest.mark.skipif(
    not CORPUS, reason="CPython's own test suite (test.test_email) is not installed"
)
@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.name)
@pytest.mark.django_db
def test_cpython_email_corpus_is_parsed_and_stored(path, settings):
    settings.LEVIER_INBOUND_MAIL_HANDLER = "tests.mailing.messages.handler_ok"
    raw = path.read_bytes()
    _check(parse_message(raw))
    inbound = store_and_process(raw=raw)
    assert inbound.pk and bytes(inbound.raw) == raw
    assert inbound.status in {InboundStatus.PROCESSED, InboundStatus.IGNORED}
    if inbound.status == InboundStatus.PROCESSED:
        assert inbound.result_reference == "TEST-REF"
    assert store_and_process(raw=raw) == inbound
    assert InboundMail.objects.count() == 1

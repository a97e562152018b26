"""Real-world emails that no one here wrote go through the real intake without a crash.

The corpus is CPython's own email test data (`test/test_email/data/msg_*.txt`): old
mailers, broken MIME, odd charsets, multipart reports, nested messages.
"""

from __future__ import annotations

import pytest

from levier.enquiries.models import Enquiry
from levier.mailing.models import InboundMail, InboundStatus
from levier.mailing.services import store_and_process

from ..mailing.test_robustness import CORPUS

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not CORPUS, reason="CPython's test package (test.test_email) is not installed")
def test_every_corpus_message_is_taken_in_ignored_or_quarantined_with_a_reason(team, settings):
    settings.LEVIER_INTAKE_MAX_PER_HOUR = 10_000
    for path in CORPUS:
        inbound = store_and_process(raw=path.read_bytes())
        assert inbound.status in {
            InboundStatus.PROCESSED,
            InboundStatus.IGNORED,
            InboundStatus.QUARANTINED,
        }, path.name
        assert not inbound.reason.startswith("Erreur interne"), (path.name, inbound.reason)
        if inbound.status == InboundStatus.PROCESSED:
            assert Enquiry.objects.filter(reference=inbound.result_reference).exists()
        else:
            assert inbound.reason, path.name
    statuses = set(InboundMail.objects.values_list("status", flat=True))
    assert InboundStatus.PROCESSED in statuses
    assert Enquiry.objects.count() >= len(CORPUS) // 3

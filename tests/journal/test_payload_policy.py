"""The journal keeps identifiers only: every payload written by the demo's flows (the seed
with its controls and today's intake, which run the real services) is checked against the
policy, and `record()` refuses a personal value where it is strict, drops it elsewhere.

Every other test is a check too: tests/conftest.py makes the policy strict, so a service
that writes free text or an address into a payload fails its own tests."""

import io
import logging

import pytest
from django.core.management import call_command

from levier.cases.models import Case
from levier.journal.models import Event
from levier.journal.payload_policy import PayloadPolicyError, payload_violations
from levier.journal.services import Actor, record

pytestmark = pytest.mark.django_db

PERSONAL = {
    "reason": "Revenus de M. Dupont trop élevés",
    "to": "jean.dupont@example.org",
    "text": "Appeler Mme Martin au 06 12 34 56 78",
    "name": "x" * 120,
    "what": "ligne 1\nligne 2",
}


@pytest.mark.parametrize(("key", "value"), PERSONAL.items())
def test_a_personal_value_is_refused_when_strict(key, value):
    case_like = ("cases.case", "1")
    with pytest.raises(PayloadPolicyError, match=key):
        record(actor=Actor.system(), verb="test", target=case_like, payload={key: value})
    assert not Event.objects.exists()


def test_in_production_the_offending_keys_are_dropped_and_logged(settings, caplog):
    settings.JOURNAL_PAYLOAD_STRICT = False
    with caplog.at_level(logging.WARNING, logger="levier.journal.payload_policy"):
        event = record(
            actor=Actor.system(), verb="test", target=("cases.case", "1"),
            payload={"to": "jean.dupont@example.org", "status": "refused"},
        )  # fmt: skip
    assert event.payload == {"status": "refused"}
    assert "to: an email address" in caplog.text and "dupont" not in caplog.text


def test_text_to_show_goes_to_the_purgeable_detail():
    event = record(
        actor=Actor.system(), verb="test", target=("cases.case", "1"),
        payload={"status": "refused"}, detail="Revenus trop élevés",
    )  # fmt: skip
    assert event.detail_text == "Revenus trop élevés"
    assert "Revenus" not in str(Event.objects.get(pk=event.pk).payload)


def test_every_payload_of_the_demo_flows_holds_identifiers_only():
    call_command("seed", cases=40, enquiries=15, no_progress=True, stdout=io.StringIO())
    assert Case.objects.exists()
    verbs = set()
    for event in Event.objects.all().iterator():
        verbs.add(event.verb)
        assert not payload_violations(event.payload), (
            event.verb,
            payload_violations(event.payload),
        )
    # The flows ran: submissions, decisions, enquiries, controls.
    assert {"submit", "transition", "create", "score"} <= verbs

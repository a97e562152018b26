"""Limits on follow-up codes tried on the portal: per reference and per client address.

Counted in the shared cache (`levier.core.attempt_limits`), never in the session, so a
client without cookies is counted all the same and a failed attempt writes no session
row. A reference under attack is blocked for everyone for the window, its rightful usager
included (they still receive every email): that delays them, while a code can no longer be
guessed. One address can only block a couple of references per window.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from levier.core.attempt_limits import AttemptLimit, wait_minutes
from levier.core.client_address import client_address
from levier.journal.services import Actor, record


def _per_reference() -> AttemptLimit:
    return AttemptLimit(
        "follow-reference",
        settings.LEVIER_FOLLOW_FAILURES_PER_REFERENCE,
        settings.LEVIER_FOLLOW_WINDOW_SECONDS,
    )


def _per_address() -> AttemptLimit:
    return AttemptLimit(
        "follow-address",
        settings.LEVIER_FOLLOW_FAILURES_PER_ADDRESS,
        settings.LEVIER_FOLLOW_WINDOW_SECONDS,
    )


def address_blocked(request: HttpRequest) -> str:
    """Why this client may not try a code now; empty when it may."""
    seconds = _per_address().retry_after(client_address(request))
    if not seconds:
        return ""
    return _(
        "Too many incorrect attempts from your connection. For your security, "
        "wait %(minutes)s minutes before trying again."
    ) % {"minutes": wait_minutes(seconds)}


def reference_blocked(reference: str) -> str:
    """Why no code may be tried on this reference now; empty when one may."""
    seconds = _per_reference().retry_after(reference)
    if not seconds:
        return ""
    return _(
        "Too many incorrect attempts for this reference. For your security, "
        "wait %(minutes)s minutes before trying again."
    ) % {"minutes": wait_minutes(seconds)}


def record_failure(request: HttpRequest, reference: str) -> None:
    """Count a wrong code against the reference and the address; journal a block once."""
    window = settings.LEVIER_FOLLOW_WINDOW_SECONDS
    for limit, subject, target_type in (
        (_per_reference(), reference, "portal.reference"),
        (_per_address(), client_address(request), "portal.client"),
    ):
        if limit.record_failure(subject):
            # The address is personal data: the journal, never erased, gets its pseudonym.
            target_id = (
                reference if target_type == "portal.reference" else limit.fingerprint(subject)
            )
            record(
                actor=Actor.usager(label="usager"),
                verb="follow-blocked",
                target=(target_type, target_id),
                payload={"failures": limit.limit, "window_seconds": window},
            )

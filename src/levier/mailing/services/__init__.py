"""Every write of mail, in two modules: `inbound` (storing a message, handing it over,
quarantining it, a mailbox's fetch) and `outbound` (the outbox: queueing, sending,
resending, bounces). This package exposes both, so `from levier.mailing import services`
gives the app's writes.
"""

from __future__ import annotations

from .inbound import (
    CannotReprocess,
    mailbox_record_fetch,
    quarantine_oversized,
    reprocess,
    store_and_process,
)
from .outbound import (
    email_queue,
    email_record_bounce,
    email_resend,
    email_send,
    outbox_flush,
)

__all__ = [
    "CannotReprocess",
    "email_queue",
    "email_record_bounce",
    "email_resend",
    "email_send",
    "mailbox_record_fetch",
    "outbox_flush",
    "quarantine_oversized",
    "reprocess",
    "store_and_process",
]

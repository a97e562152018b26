"""The contract between inbound mail and whatever turns it into work (enquiries).

The handler named by `LEVIER_INBOUND_MAIL_HANDLER` is called as
`handler(inbound=InboundMail, parsed=ParsedMail) -> str`, inside the transaction
that stores the message and in a savepoint of its own. It returns a short
reference of what it created (an enquiry reference), or raises `Quarantine` with a
French reason for an administrator when the message must not be processed. Any
other exception rolls its savepoint back and quarantines the message as an
internal error. Storing and calling are done by `services.inbound.store_and_process`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .models import InboundMail
    from .parsing import ParsedMail


class Quarantine(Exception):
    """Raised by the handler: keep the message aside, with this reason (French, for an administrator)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InboundHandler(Protocol):
    def __call__(self, *, inbound: InboundMail, parsed: ParsedMail) -> str: ...

"""Recognising messages no person wrote: auto-replies, out-of-office notices, bounces.

They must not open enquiries (nor trigger an acknowledgement that would answer the
robot back); the reason is kept in French for the administrator.
"""

from __future__ import annotations

import email
import logging
import re
from collections.abc import Callable
from email.message import Message

logger = logging.getLogger(__name__)

PRECEDENCE_AUTOMATIC = {"bulk", "junk", "auto_reply", "list"}
DAEMON_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(réponse automatique|reponse automatique|absen(?:ce|t)\s*(?:du bureau|:)"
    r"|out of (?:the )?office|automatic reply|auto[- ]?reply|autoreply|auto:)",
    re.IGNORECASE,
)
BOUNCE_SUBJECT = re.compile(
    r"^\s*(undelivered mail|undeliverable|delivery status notification|mail delivery failed"
    r"|returned mail|delivery failure|non remis|échec de (?:la )?remise|message non remis)",
    re.IGNORECASE,
)


def detect_automatic(
    msg: Message, raw: bytes, header: Callable[[str], str], from_address: str
) -> tuple[str, list[str]]:
    """(reason, bounced addresses): the reason is empty for a message a person wrote."""
    subject = header("Subject")
    null_sender = "Return-Path" in msg and header("Return-Path") in {"", "<>"}
    report_type = _report_type(msg)
    # A daemon sender or a delivery report is a bounce even when the Return-Path was rewritten.
    if (
        DAEMON_SENDERS.match(from_address)
        or report_type == "delivery-status"
        or BOUNCE_SUBJECT.match(subject)
    ):
        return "Avis de non-distribution (message revenu en erreur)", bounced_addresses(raw)
    if report_type == "disposition-notification":
        return "Accusé de lecture automatique", []
    if null_sender and report_type:
        return f"Rapport automatique ({report_type[:40]}) envoyé sans adresse de retour", []

    auto_submitted = header("Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Réponse automatique (Auto-Submitted : {auto_submitted[:40]})", []
    for name in ("X-Autoreply", "X-Autorespond"):
        if header(name):
            return f"Réponse automatique (en-tête {name})", []
    precedence = header("Precedence").lower()
    if precedence in PRECEDENCE_AUTOMATIC:
        return f"Envoi automatique ou en nombre (Precedence : {precedence})", []
    if header("X-Auto-Response-Suppress"):
        return "Message automatique (en-tête X-Auto-Response-Suppress)", []
    if AUTO_REPLY_SUBJECT.match(subject):
        return f"Réponse automatique (objet « {subject[:60]} »)", []
    return "", []


def _report_type(msg: Message) -> str:
    try:
        if msg.get_content_type() != "multipart/report":
            return ""
        return str(msg.get_param("report-type") or "").lower()
    except Exception:
        return ""


def bounced_addresses(raw: bytes) -> list[str]:
    """The original recipients a bounce reports as permanently failed (flufl.bounce)."""
    from flufl.bounce import scan_message

    try:
        # flufl.bounce's detectors are written against the classic Message API.
        found = scan_message(email.message_from_bytes(raw))
    except Exception:
        logger.info("bounce detection failed", exc_info=True)
        return []
    addresses = {
        (address.decode("utf-8", "replace") if isinstance(address, bytes) else str(address))
        .strip()
        .strip("<>")
        .lower()
        for address in found
    }
    return sorted(address for address in addresses if address and "\x00" not in address)

"""Turning the raw bytes of an inbound email into what levier needs of it.

`parse_message` never raises on bad input (only `MailTooLarge`): mail comes from
anyone, and a message that cannot be read well must still reach an agent or an
administrator, with notes on what was wrong in `problems`.
"""

from __future__ import annotations

import codecs
import email
import logging
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from django.conf import settings

from .replies import split_reply

logger = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024


class MailTooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"message of {size} bytes, limit {limit} bytes")
        self.size = size
        self.limit = limit


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""
    body: str = ""
    quoted: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    automatic: str = ""
    bounced_addresses: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def clean_text(value: str) -> str:
    """Valid Unicode without NUL (PostgreSQL refuses it in text columns), Unix line ends."""
    if any("\ud800" <= char <= "\udfff" for char in value):
        # Undecodable header bytes come back as lone surrogates: recover them as UTF-8 or drop them.
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def _one_line(value: str) -> str:
    return " ".join(clean_text(value).split())


class _Reader:
    """Parses one message, collecting problems instead of raising."""

    def __init__(self, raw: bytes) -> None:
        self.problems: list[str] = []
        self.msg: Message = email.message_from_bytes(raw, policy=policy.default)
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[ParsedAttachment] = []

    def note(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    # Headers ---------------------------------------------------------------

    def header(self, name: str, part: Message | None = None) -> str:
        """A header's decoded value; a malformed one is decoded by hand and noted."""
        part = part if part is not None else self.msg
        try:
            value = part.get(name)
            return _one_line(str(value)) if value is not None else ""
        except Exception as error:  # the header registry raises on some malformed values
            self.note(f"En-tête {name} mal formé ({type(error).__name__}) : décodé au mieux.")
        raw = next((value for key, value in part.raw_items() if key.lower() == name.lower()), "")
        try:
            return _one_line(str(make_header(decode_header(raw))))
        except Exception:
            return _one_line(str(raw))

    def message_ids(self, name: str) -> list[str]:
        return normalise_ids(self.header(name))

    def addresses(self, name: str) -> list[tuple[str, str]]:
        value = self.header(name)
        if not value:
            return []
        try:
            pairs = getaddresses([value])
        except Exception:
            self.note(f"En-tête {name} mal formé : adresses illisibles.")
            return []
        return [(_one_line(real), address.strip().lower()) for real, address in pairs if address]

    def date(self) -> datetime | None:
        value = self.header("Date")
        if not value:
            return None
        try:
            parsed = parsedate_to_datetime(value)
        except Exception:
            self.note(f"Date illisible (« {value[:60]} ») : ignorée.")
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)

    # Body ------------------------------------------------------------------

    def decode_text(self, part: Message) -> str:
        data = self.payload(part)
        charset = self.charset(part)
        try:
            codec = codecs.lookup(charset).name
        except LookupError:
            codec = None
            self.note(f"Jeu de caractères inconnu « {charset} » : détecté automatiquement.")
        if codec is not None:
            try:
                return clean_text(data.decode(codec))
            except (UnicodeDecodeError, ValueError):
                self.note(
                    f"Texte non conforme à son jeu de caractères « {charset} » : détecté automatiquement."
                )
        return clean_text(guess_decode(data, fallback=codec or "utf-8"))

    def charset(self, part: Message) -> str:
        try:
            return part.get_content_charset() or "us-ascii"
        except Exception:
            return "us-ascii"

    def payload(self, part: Message) -> bytes:
        try:
            data = part.get_payload(decode=True)
        except Exception as error:
            self.note(f"Contenu d'une partie illisible ({type(error).__name__}) : ignoré.")
            return b""
        if isinstance(data, bytes):
            return data
        return str(data or "").encode("utf-8", "surrogateescape")

    def filename(self, part: Message) -> str:
        try:
            name = part.get_filename() or ""
        except Exception:
            self.note("Nom de pièce jointe mal formé : remplacé.")
            name = ""
        return _one_line(str(name)).replace("/", "_").replace("\\", "_")[:200]

    def walk(self, part: Message, take_text: bool = True, depth: int = 0) -> None:
        if depth > 50:
            self.note("Message trop imbriqué : parties au-delà de 50 niveaux ignorées.")
            return
        content_type = safe_content_type(part)
        if content_type == "message/rfc822":
            self.keep_message(part)
            return
        if part.is_multipart():
            subparts = part.get_payload()
            if not isinstance(subparts, list):
                return
            if content_type.startswith("message/"):
                return  # delivery-status and the like: machine headers, not content
            chosen = (
                preferred_alternative(subparts) if content_type == "multipart/alternative" else None
            )
            for index, subpart in enumerate(subparts):
                text_here = take_text and (chosen is None or index == chosen)
                self.walk(subpart, text_here, depth + 1)
            return
        self.leaf(part, content_type, take_text)

    def leaf(self, part: Message, content_type: str, take_text: bool) -> None:
        filename = self.filename(part)
        try:
            disposition = part.get_content_disposition()
        except Exception:
            disposition = None
        is_body = disposition != "attachment" and not filename
        if is_body and content_type in {"text/plain", "text/html"}:
            if take_text:
                target = self.plain if content_type == "text/plain" else self.html
                target.append(self.decode_text(part))
            return
        if content_type.startswith("image/") and not filename and part.get("Content-ID"):
            return  # a logo or picture of an HTML layout, not a document sent to us
        data = self.payload(part)
        name = filename or default_name(content_type, len(self.attachments) + 1)
        self.attachments.append(ParsedAttachment(name, content_type, data))

    def keep_message(self, part: Message) -> None:
        """A forwarded message is kept whole, as an .eml file an agent can open."""
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        data = b""
        if isinstance(inner, Message):
            try:
                data = inner.as_bytes(policy=policy.default.clone(linesep="\r\n"))
            except Exception:
                try:
                    data = inner.as_string().encode("utf-8", "surrogateescape")
                except Exception:
                    self.note("Message transféré illisible : joint vide.")
        name = self.filename(part)
        if not name:
            subject = self.header("Subject", inner) if isinstance(inner, Message) else ""
            name = (re.sub(r"[^\w .,'()-]+", "_", subject).strip()[:80] or "message") + ".eml"
        elif not name.lower().endswith(".eml"):
            name += ".eml"
        self.attachments.append(ParsedAttachment(name, "message/rfc822", data))

    def readable_text(self) -> str:
        if any(text.strip() for text in self.plain):
            return "\n\n".join(text.strip("\n") for text in self.plain if text.strip())
        if self.html:
            return html_to_text("\n".join(self.html))
        return ""

    def defects(self) -> None:
        for part in _all_parts(self.msg):
            for defect in getattr(part, "defects", []):
                self.note(
                    f"Structure du message non conforme : {DEFECTS.get(type(defect).__name__, type(defect).__name__)}."
                )


DEFECTS = {
    "NoBoundaryInMultipartDefect": "partie multiple sans délimiteur",
    "StartBoundaryNotFoundDefect": "délimiteur de début absent",
    "CloseBoundaryNotFoundDefect": "délimiteur de fin absent",
    "MissingHeaderBodySeparatorDefect": "pas de ligne vide entre en-têtes et corps",
    "InvalidBase64PaddingDefect": "pièce en base64 mal complétée",
    "InvalidBase64CharactersDefect": "caractères invalides dans une pièce en base64",
    "InvalidBase64LengthDefect": "pièce en base64 tronquée",
    "MultipartInvariantViolationDefect": "type multiple sans parties",
    "HeaderMissingRequiredValue": "en-tête obligatoire vide",
    "NonPrintableDefect": "caractères non imprimables dans un en-tête",
    "UndecodableBytesDefect": "octets non décodables dans un en-tête",
    "InvalidHeaderDefect": "en-tête invalide",
    "MisplacedEnvelopeHeaderDefect": "ligne d'enveloppe mal placée",
    "FirstHeaderLineIsContinuationDefect": "première ligne d'en-tête en continuation",
}


def _all_parts(msg: Message, depth: int = 0):
    yield msg
    if depth > 50:
        return
    try:
        payload = msg.get_payload() if msg.is_multipart() else None
    except Exception:
        return
    if isinstance(payload, list):
        for part in payload:
            if isinstance(part, Message):
                yield from _all_parts(part, depth + 1)


def safe_content_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "text/plain"


def preferred_alternative(subparts: list) -> int | None:
    """The alternative to read: plain text if there is one, else the last (richest)."""
    for index, subpart in enumerate(subparts):
        if isinstance(subpart, Message) and any(
            safe_content_type(part) == "text/plain" for part in _all_parts(subpart)
        ):
            return index
    return len(subparts) - 1 if subparts else None


def default_name(content_type: str, number: int) -> str:
    extension = mimetypes.guess_extension(content_type) or ".bin"
    return f"piece-jointe-{number}{extension}"


def guess_decode(data: bytes, *, fallback: str = "utf-8") -> str:
    from charset_normalizer import from_bytes

    try:
        best = from_bytes(data[:1_000_000]).best()
        if best is not None:
            return data.decode(best.encoding, "replace")
    except Exception:
        logger.debug("charset detection failed", exc_info=True)
    return data.decode(fallback, "replace")


def html_to_text(html: str) -> str:
    from inscriptis import get_text

    try:
        text = get_text(html)
    except Exception:
        # inscriptis refuses some junk (no element at all): drop the tags by hand.
        text = re.sub(r"<[^>]*>", " ", html)
    text = re.sub(r"[ \t]+\n", "\n", clean_text(text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def normalise_ids(value: str) -> list[str]:
    """Message ids as `<id@host>`, in order, without duplicates; bare ids get brackets."""
    found = re.findall(r"<([^<>\s]+)>", value)
    if not found:
        found = [token.strip("<>,;") for token in value.split() if "@" in token]
    ids: list[str] = []
    for token in found:
        normalised = f"<{token.strip()}>"
        if token.strip() and normalised not in ids:
            ids.append(normalised[:250])
    return ids


def parse_message(raw: bytes) -> ParsedMail:
    """Read an email; never raises, except `MailTooLarge` above LEVIER_MAIL_MAX_BYTES."""
    limit = settings.LEVIER_MAIL_MAX_BYTES
    if len(raw) > limit:
        raise MailTooLarge(len(raw), limit)
    try:
        return _parse(raw)
    except RecursionError:
        return ParsedMail(problems=["Message trop imbriqué pour être lu : à ouvrir à la main."])
    except Exception as error:  # last resort: whatever the mail, the caller gets a result
        logger.exception("unexpected error while parsing an email")
        text = clean_text(raw.decode("utf-8", "replace"))
        return ParsedMail(
            text=text,
            body=text,
            problems=[f"Message illisible ({type(error).__name__}) : contenu brut conservé."],
        )


def _parse(raw: bytes) -> ParsedMail:
    from .automatic import detect_automatic

    reader = _Reader(raw)
    msg = reader.msg
    if not raw.strip():
        reader.note("Message vide.")
    if not any(True for _ in msg.raw_items()):
        reader.note("Aucun en-tête : ce n'est pas un courriel au format standard.")
    reader.walk(msg)
    reader.defects()
    text = reader.readable_text()
    body, quoted = split_reply(text)
    senders = reader.addresses("From")
    from_name, from_address = senders[0] if senders else ("", "")
    if not from_address:
        reader.note("Expéditeur absent ou illisible.")
    automatic, bounced = detect_automatic(msg, raw, reader.header, from_address)
    return ParsedMail(
        message_id=next(iter(reader.message_ids("Message-ID")), ""),
        in_reply_to=reader.message_ids("In-Reply-To"),
        references=reader.message_ids("References"),
        subject=reader.header("Subject"),
        from_name=from_name,
        from_address=from_address[:254],
        to=[address for _name, address in reader.addresses("To")],
        date=reader.date(),
        text=text,
        body=body,
        quoted=quoted,
        attachments=reader.attachments,
        automatic=automatic,
        bounced_addresses=bounced,
        problems=reader.problems,
    )

"""Writes of the partners' API: clients and their tokens, submissions, refused requests.

Each service changes the data in one transaction and writes one journal event. A
submission goes through the enquiries' intake like every other channel; the API
layer (api.py) only parses the request and words the errors.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from levier.contacts.models import Contact, ContactKind
from levier.contacts.services import contact_find_or_create
from levier.core.models import Agent
from levier.core.uploads import CheckedFile
from levier.enquiries.intake import Flood, Incoming, receive
from levier.enquiries.models import Enquiry
from levier.journal.services import Actor, record

from . import selectors
from .models import SCOPES, TOKEN_PREFIX_LENGTH, ApiClient, ApiSubmission, RejectedRequest

TOKEN_START = "lev_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- clients ----------------------------------------------------------------------------------


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    cleaned = sorted({scope.strip() for scope in scopes if scope.strip()})
    unknown = [scope for scope in cleaned if scope not in SCOPES]
    if unknown:
        raise ValidationError(
            {
                "scopes": _("Unknown scope(s): %(unknown)s. Choose among: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(SCOPES)}
            }
        )
    if not cleaned:
        raise ValidationError({"scopes": _("Give the client at least one scope.")})
    return cleaned


def api_client_create(
    *, name: str, scopes: Iterable[str], actor: Agent | Actor, description: str = ""
) -> tuple[ApiClient, str]:
    """A new client and its token; the token is returned once and only its hash is kept."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the client a name, e.g. the partner's name.")})
    existing = ApiClient.objects.filter(name__iexact=name).first()
    if existing is not None:
        raise ValidationError(
            {"name": _("A client named “%(name)s” already exists.") % {"name": existing.name}}
        )
    cleaned = _clean_scopes(scopes)
    token = TOKEN_START + secrets.token_urlsafe(32)
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name,
            description=description,
            token_prefix=token[:TOKEN_PREFIX_LENGTH],
            token_hash=token_hash(token),
            scopes=cleaned,
        )
        record(actor=actor, verb="create", target=client, payload={"scopes": cleaned})
    return client, token


def api_client_revoke(*, client: ApiClient, actor: Agent | Actor) -> ApiClient:
    """Refuse the client's token from now on; its history stays."""
    if not client.is_active:
        return client
    with transaction.atomic():
        client.is_active = False
        client.save(update_fields=["is_active"])
        record(actor=actor, verb="revoke", target=client)
    return client


# --- refused requests -------------------------------------------------------------------------


def api_request_reject(
    *,
    client: ApiClient | None,
    method: str,
    path: str,
    status_code: int,
    reason: str,
    payload_excerpt: str = "",
    client_address: str = "",
    token_prefix: str = "",
    now: datetime | None = None,
) -> RejectedRequest:
    """Keep a refused call for an administrator, so that nothing is lost silently.

    The same refusal seen again within the refusals' window adds to its row's count.
    A known client's refusal is journaled once per row; an anonymous one never is: it is
    nobody's action, anyone can send it in any number, and the journal can never be
    erased, whereas this table is purged (api_rejections_purge).
    """
    now = now or timezone.now()
    since = now - timedelta(seconds=settings.LEVIER_API_REFUSALS_WINDOW_SECONDS)
    refusal = {
        "client": client,
        "client_address": client_address or None,
        "method": method[:10],
        "path": path[:300],
        "status_code": status_code,
        "reason": reason,
    }
    with transaction.atomic():
        same: RejectedRequest | None = RejectedRequest.objects.same_refusal_since(
            since, **refusal
        ).first()
        if same is not None:
            RejectedRequest.objects.filter(pk=same.pk).update(
                count=F("count") + 1, last_received_at=now
            )
            same.refresh_from_db(fields=["count", "last_received_at"])
            return same
        rejected = RejectedRequest.objects.create(
            **refusal,
            token_prefix=token_prefix[:TOKEN_PREFIX_LENGTH],
            payload_excerpt=payload_excerpt,
            received_at=now,
            last_received_at=now,
        )
        if client is not None:
            record(
                actor=Actor.robot(f"api:{client.name}"),
                verb="reject",
                target=rejected,
                payload={"status": status_code, "path": rejected.path},
            )
    return rejected


def api_rejections_purge(*, now: datetime | None = None) -> int:
    """Delete the refused calls last seen more than LEVIER_RETENTION_REFUSED_API_DAYS ago.

    Counted in whole days from the start of today, so that `levier watch`, which calls
    it every round, deletes (and journals) once a day.
    """
    today = timezone.localtime(now or timezone.now()).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    before = today - timedelta(days=settings.LEVIER_RETENTION_REFUSED_API_DAYS)
    with transaction.atomic():
        deleted, _by_model = RejectedRequest.objects.filter(last_received_at__lt=before).delete()
        if deleted:
            record(
                actor=Actor.robot("retention"),
                verb="purge",
                target=("exchange.rejectedrequest", "retention"),
                payload={"deleted": deleted, "last_seen_before": before.isoformat()},
            )
    return deleted


# --- submissions ------------------------------------------------------------------------------


@dataclass
class PartnerEnquiry:
    """What a partner sent to create an enquiry, already parsed, files already checked."""

    subject: str
    message: str
    email: str
    kind: str = ContactKind.PERSON
    first_name: str = ""
    last_name: str = ""
    legal_name: str = ""
    siret: str = ""
    phone: str = ""
    topic: str = ""
    external_id: str = ""
    attachments: Sequence[CheckedFile] = field(default_factory=list)


@dataclass
class SubmissionResult:
    enquiry: Enquiry
    outcome: str  # intake's "created", "threaded" or "grouped", or "repeated"

    @property
    def created(self) -> bool:
        return self.outcome == "created"


class Flooded(Exception):
    """The usager sent too many messages in the last hour: retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _check_required(data: PartnerEnquiry) -> None:
    required = {"subject": data.subject, "message": data.message, "email": data.email}
    if data.kind == ContactKind.COMPANY:
        required |= {"legal_name": data.legal_name, "siret": data.siret}
    else:
        required["last_name"] = data.last_name
    errors = {
        name: _("“%(field)s” is required: fill it in and send the request again.") % {"field": name}
        for name, value in required.items()
        if not (value or "").strip()
    }
    if data.kind == ContactKind.PERSON and (data.legal_name or data.siret):
        errors["kind"] = _(
            "A legal name or a SIRET was sent for a person: send kind=company for a company."
        )
    if errors:
        raise ValidationError(errors)


def _resolve_contact(data: PartnerEnquiry, actor: Actor) -> Contact:
    details: dict[str, Any]
    if data.kind == ContactKind.COMPANY:
        details = {"legal_name": data.legal_name, "siret": data.siret}
    else:
        details = {"first_name": data.first_name, "last_name": data.last_name}
    return contact_find_or_create(
        kind=data.kind, email=data.email, phone=data.phone, actor=actor, **details
    )


def api_enquiry_submit(*, client: ApiClient, data: PartnerEnquiry) -> SubmissionResult:
    """Create (or thread) an enquiry from a partner's request, once per external id.

    Raises ValidationError keyed by the API's field names, and Flooded. Nothing is
    written when it raises: contact, enquiry and submission share one transaction.
    """
    if data.external_id:
        earlier = selectors.earlier_submission(client=client, external_id=data.external_id)
        if earlier is not None:
            return SubmissionResult(enquiry=earlier, outcome="repeated")
    _check_required(data)
    topic = selectors.topic_by_slug(data.topic) if data.topic else None
    if data.topic and topic is None:
        raise ValidationError(
            {
                "topic": _(
                    "Unknown topic “%(slug)s”: send one of the slugs listed by GET /api/v1/topics, "
                    "or leave it out."
                )
                % {"slug": data.topic}
            }
        )
    actor = Actor.robot(f"api:{client.name}")
    contact: Contact | None = None
    try:
        with transaction.atomic():
            contact = _resolve_contact(data, actor)
            result = receive(
                Incoming(
                    channel="api",
                    subject=data.subject,
                    body=data.message,
                    sender_email=data.email,
                    contact=contact,
                    topic=topic,
                    attachments=data.attachments,
                ),
                actor=actor,
            )
            submission = ApiSubmission.objects.create(
                client=client,
                external_id=data.external_id,
                enquiry_reference=result.enquiry.reference,
                outcome=result.outcome,
            )
            # The intake journals the registration and the time it saves; this event is
            # the exchange log, so it counts no time of its own.
            record(
                actor=actor,
                verb="receive",
                target=submission,
                activity="exchange-partner-data",
                duration_seconds=0,
                payload={
                    "client": client.pk,
                    "external_id": data.external_id,
                    "reference": result.enquiry.reference,
                    "outcome": result.outcome,
                    "attachments": len(data.attachments),
                },
            )
    except Flood as error:
        raise Flooded(
            " ".join(error.messages), retry_after=selectors.flood_retry_after(contact)
        ) from error
    except IntegrityError:
        # The same external id sent twice at once: the other request won, answer with its result.
        earlier = selectors.earlier_submission(client=client, external_id=data.external_id)
        if not data.external_id or earlier is None:
            raise
        return SubmissionResult(enquiry=earlier, outcome="repeated")
    except ValidationError as error:
        raise _renamed(error) from error
    return SubmissionResult(enquiry=result.enquiry, outcome=result.outcome)


# Intake's and contacts' field names -> the API's.
_API_FIELDS = {"body": "message"}


def _renamed(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {_API_FIELDS.get(name, name): errors for name, errors in error.error_dict.items()}
    )

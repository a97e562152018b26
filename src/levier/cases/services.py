"""Every write on procedures and cases.

Each service checks that the acting agent may act (team scoping), changes the data
in one transaction, writes one journal event and queues its emails on commit.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from levier.contacts.models import Contact
from levier.contacts.services import contact_find_or_create
from levier.core import policy
from levier.core.french import format_date
from levier.core.locking import locked
from levier.core.models import Agent
from levier.core.references import next_reference
from levier.core.services import notification_create
from levier.core.uploads import CheckedFile, store_checked
from levier.core.verification import digest, new_code
from levier.journal.services import Actor, as_actor, record
from levier.mailing.services import email_queue

from . import hooks
from .models import (
    Case,
    CaseStatus,
    Comment,
    Procedure,
    ProcedureVersion,
    SupportingDocument,
    case_search_text,
)
from .schema import file_field_names, validate_schema

# The lifecycle: from each status, the statuses a case may go to. A draft leaves its
# status only through its usager's submission (which dates it, sets its deadline and
# emails the verification code), never through a transition.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.DRAFT: (),
    CaseStatus.SUBMITTED: (CaseStatus.IN_REVIEW,),
    CaseStatus.IN_REVIEW: (
        CaseStatus.WAITING_FOR_USAGER,
        CaseStatus.ACCEPTED,
        CaseStatus.REFUSED,
        CaseStatus.CLOSED_WITHOUT_FOLLOW_UP,
    ),
    CaseStatus.WAITING_FOR_USAGER: (CaseStatus.IN_REVIEW, CaseStatus.CLOSED_WITHOUT_FOLLOW_UP),
    CaseStatus.ACCEPTED: (),
    CaseStatus.REFUSED: (),
    CaseStatus.CLOSED_WITHOUT_FOLLOW_UP: (),
}
FINAL_STATUSES = frozenset(
    {CaseStatus.ACCEPTED, CaseStatus.REFUSED, CaseStatus.CLOSED_WITHOUT_FOLLOW_UP}
)
COMMENT_MAX_LENGTH = 5000
# @username as Django allows it (letters, digits and @ . + - _), not inside an email address.
MENTION = re.compile(r"(?<![\w.@+-])@([\w.+-]+)")


# ---------------------------------------------------------------------------
# Permission checks
# ---------------------------------------------------------------------------


def check_may_see(actor: Any, case: Case) -> None:
    """An agent acts only on the submitted cases of their teams (a draft is its usager's):
    anything else is `policy.NotFound`, as if missing. Robots and usagers are checked
    upstream. Kept by name for the apps that import it; the rule is in levier.core.policy."""
    policy.check_may_see(actor, case, what="case")


def _check_may_configure(actor: Any) -> None:
    policy.check_may(actor, policy.Action.CONFIGURE_PROCEDURES)


def allowed_transitions(case: Case) -> tuple[str, ...]:
    return TRANSITIONS.get(case.status, ())


# ---------------------------------------------------------------------------
# Procedures
# ---------------------------------------------------------------------------


def procedure_publish_version(*, procedure: Procedure, actor: Any) -> ProcedureVersion:
    """Freeze the procedure's schema as a new version, unless it equals the current one.

    Returns the version cases are now submitted on.
    """
    _check_may_configure(actor)
    validate_schema(procedure.field_schema)
    with transaction.atomic():
        Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
        current = procedure.versions.order_by("-number").first()
        if current is not None and current.field_schema == procedure.field_schema:
            return current
        version = ProcedureVersion.objects.create(
            procedure=procedure,
            number=(current.number + 1) if current else 1,
            field_schema=procedure.field_schema,
        )
        record(
            actor=actor,
            verb="publish-version",
            target=procedure,
            activity="configure-procedure",
            payload={"version": version.number, "fields": len(procedure.field_schema)},
        )
    return version


# ---------------------------------------------------------------------------
# Submission
# ---------------------------------------------------------------------------


def _check_declared(
    version: ProcedureVersion, data: dict[str, Any], files: list[tuple[str, CheckedFile]]
) -> None:
    """Data must match the version's schema: no unknown field, every required one given."""
    schema = version.field_schema
    names = {entry["name"] for entry in schema}
    file_names = set(file_field_names(schema))
    errors: dict[str, list[str]] = {}
    for name in data:
        if name not in names or name in file_names:
            errors.setdefault(name, []).append(_("This field is not part of the procedure."))
    given_files = {field_name for field_name, _checked in files}
    for field_name in given_files - file_names - {""}:
        errors.setdefault(field_name, []).append(_("This document is not part of the procedure."))
    for entry in schema:
        if not entry.get("required"):
            continue
        name = entry["name"]
        if entry["type"] == "file":
            if name not in given_files:
                errors.setdefault(name, []).append(_("This document is required."))
        elif data.get(name) in (None, "", {}, []):
            errors.setdefault(name, []).append(_("This field is required."))
    if errors:
        raise ValidationError(errors)


def _store_document(case: Case, field_name: str, checked: CheckedFile) -> SupportingDocument:
    document = SupportingDocument(case=case, field_name=field_name)
    store_checked(document, checked)
    return document


def follow_url() -> str:
    return settings.BASE_URL + reverse("portal:follow")


def case_submit(
    *,
    procedure: Procedure,
    contact: Contact,
    data: dict[str, Any],
    files: Iterable[tuple[str, CheckedFile]] = (),
    actor: Any = None,
    notify_email: str = "",
) -> tuple[Case, str]:
    """Register a case on the procedure's current version; returns it with its verification code.

    The code is emailed once (to `notify_email`, by default the contact's address) and
    only its HMAC is kept.
    """
    files = list(files)
    actor = actor or Actor.usager(contact)
    if isinstance(actor, Agent):
        policy.check_may_see(actor, procedure, what="procedure")
    elif not procedure.published:
        raise ValidationError(_("This procedure is not open to submissions."), code="unpublished")
    version = procedure.current_version
    if version is None:
        raise ValidationError(
            _("This procedure has no published version yet; publish its field schema first."),
            code="no_version",
        )
    _check_declared(version, data, files)
    now = timezone.now()
    code = new_code()
    with transaction.atomic():
        reference = next_reference(
            model=Case, prefix=procedure.reference_prefix, year=timezone.localdate(now).year
        )
        case = Case.objects.create(
            reference=reference,
            procedure=procedure,
            procedure_version=version,
            contact=contact,
            team_id=procedure.team_id,
            status=CaseStatus.SUBMITTED,
            data=data,
            created_at=now,
            submitted_at=now,
            updated_at=now,
            due_at=now + datetime.timedelta(days=procedure.instruction_days),
            verification_digest=digest(reference, code),
            search_text=case_search_text(reference, contact),
        )
        documents = [_store_document(case, field_name, checked) for field_name, checked in files]
        record(
            actor=actor,
            verb="submit",
            target=case,
            activity="register-case",
            payload={
                "reference": case.reference,
                "procedure": procedure.slug,
                "version": version.number,
                "documents": len(documents),
            },
        )
        if notify_email or contact.email:
            email_queue(
                to=notify_email or contact.email,
                contact=contact,
                about=case,
                subject=_("Your case %(reference)s has been registered")
                % {"reference": case.reference},
                body=_(
                    "Hello,\n\n"
                    "We have received your case on “%(procedure)s”.\n\n"
                    "Reference: %(reference)s\n"
                    "Verification code: %(code)s\n\n"
                    "Keep this code: with the reference it lets you follow your case at\n"
                    "%(url)s\n\n"
                    "We will answer by %(due)s at the latest.\n\n"
                    "— %(organisation)s"
                )
                % {
                    "procedure": procedure.name,
                    "reference": case.reference,
                    "code": code,
                    "url": follow_url(),
                    "due": format_date(case.due_at or now),
                    "organisation": procedure.organisation.name,
                },
            )
    return case, code


def case_submit_from_portal(
    *,
    procedure: Procedure,
    identity: dict[str, Any],
    data: dict[str, Any],
    files: Iterable[tuple[str, CheckedFile]] = (),
) -> tuple[Case, str]:
    """A usager's submission: resolve the contact from their identity, then submit, atomically.

    The code goes to the address typed in the form, even when the contact matched an
    existing one that agents know under another address.
    """
    label = identity.get("legal_name") or " ".join(
        part for part in (identity.get("first_name", ""), identity.get("last_name", "")) if part
    )
    with transaction.atomic():
        contact = contact_find_or_create(**identity, actor=Actor.usager(label=label or "usager"))
        return case_submit(
            procedure=procedure,
            contact=contact,
            data=data,
            files=files,
            actor=Actor.usager(contact),
            notify_email=identity.get("email", ""),
        )


# ---------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------


def _status_label(status: str) -> str:
    return str(CaseStatus(status).label) if status in CaseStatus.values else status


def case_transition(*, case: Case, to_status: str, actor: Any, reason: str = "") -> Case:
    """Move a case along its lifecycle; refusing needs a reason. Emails the usager.

    Decides from the current row (`locked`), whatever copy the caller holds."""
    reason = (reason or "").strip()
    with locked(case):
        check_may_see(actor, case)
        if to_status not in CaseStatus.values:
            raise ValidationError(
                {"to_status": _("“%(status)s” is not a case status.") % {"status": to_status}}
            )
        from_status = case.status
        if to_status not in allowed_transitions(case):
            raise ValidationError(
                {
                    "to_status": _("A case that is %(from)s cannot go to %(to)s.")
                    % {
                        "from": _status_label(from_status).lower(),
                        "to": _status_label(to_status).lower(),
                    }
                },
                code="illegal_transition",
            )
        if to_status == CaseStatus.REFUSED and not reason:
            raise ValidationError(
                {"reason": _("Give the reason for the refusal: the usager will receive it.")},
                code="reason_required",
            )
        now = timezone.now()
        case.status = to_status
        case.status_reason = reason
        case.updated_at = now
        if to_status in FINAL_STATUSES:
            case.decided_at = now
        case.save(update_fields=["status", "status_reason", "updated_at", "decided_at"])
        record(
            actor=actor,
            verb="transition",
            target=case,
            activity="decide-case" if to_status in FINAL_STATUSES else "change-case-status",
            payload={"from": from_status, "to": to_status},
            detail=reason,
        )
        if not hooks.status_email_is_overridden(case, to_status):
            _email_status_change(case, reason)
    return case


def _email_status_change(case: Case, reason: str, *, dedupe_key: str = "") -> None:
    lines = [
        _("Hello,"),
        "",
        _("Your case %(reference)s on “%(procedure)s” is now: %(status)s.")
        % {
            "reference": case.reference,
            "procedure": case.procedure.name,
            "status": _status_label(case.status),
        },
    ]
    if reason:
        lines += ["", _("Reason: %(reason)s") % {"reason": reason}]
    lines += [
        "",
        _("Follow your case with its reference and your verification code at %(url)s")
        % {"url": follow_url()},
    ]
    if not case.contact.email:
        return
    email_queue(
        to=case.contact.email,
        contact=case.contact,
        about=case,
        subject=_("Your case %(reference)s: %(status)s")
        % {"reference": case.reference, "status": _status_label(case.status)},
        body="\n".join(lines),
        dedupe_key=dedupe_key,
    )


def case_assign(*, case: Case, assignee: Agent | None, actor: Any) -> Case:
    """Give the case to an agent of its team (or to nobody); the new assignee is notified.

    Decides from the current row (`locked`), whatever copy the caller holds."""
    with locked(case):
        check_may_see(actor, case)
        if assignee is not None and (
            not assignee.is_active or not assignee.teams.filter(pk=case.team_id).exists()
        ):
            raise ValidationError(
                {
                    "assignee": _("%(agent)s is not a member of the team %(team)s.")
                    % {"agent": assignee, "team": case.team}
                },
                code="not_in_team",
            )
        previous_id = case.assignee_id
        case.assignee = assignee
        case.updated_at = timezone.now()
        case.save(update_fields=["assignee", "updated_at"])
        record(
            actor=actor,
            verb="assign",
            target=case,
            activity="assign-case",
            payload={
                "from": previous_id,
                "to": assignee.pk if assignee else None,
                "to_label": str(assignee) if assignee else "",
            },
        )
        acting_agent = actor if isinstance(actor, Agent) else None
        if assignee is not None and assignee != acting_agent and assignee.pk != previous_id:
            notification_create(
                agent=assignee,
                text=_("%(actor)s assigned you the case %(reference)s.")
                % {"actor": as_actor(actor).label, "reference": case.reference},
                url=reverse("cases:detail", args=[case.pk]),
                actor=actor,
            )
    return case


def mentioned_usernames(body: str) -> list[str]:
    """'@camille @d.martin.' -> ['camille', 'd.martin'] (trailing punctuation dropped)."""
    names = []
    for match in MENTION.finditer(body):
        name = match.group(1).rstrip(".-+")
        if name and name not in names:
            names.append(name)
    return names


def case_comment(*, case: Case, author: Agent, body: str) -> Comment:
    """An internal comment; colleagues of the case's team named with @username are notified."""
    check_may_see(author, case)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the comment before sending it.")}, code="empty")
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("A comment holds at most %(max)s characters; shorten it.")
                % {"max": COMMENT_MAX_LENGTH}
            },
            code="too_long",
        )
    names = mentioned_usernames(body)
    mentioned = (
        list(
            Agent.objects.filter(is_active=True, teams=case.team_id, username__in=names)
            .exclude(pk=author.pk)
            .distinct()
        )
        if names
        else []
    )
    with transaction.atomic():
        comment = Comment.objects.create(case=case, author=author, body=body)
        if mentioned:
            comment.mentions.set(mentioned)
        record(
            actor=author,
            verb="comment",
            target=case,
            activity="comment-case",
            payload={"comment": comment.pk, "mentions": [agent.username for agent in mentioned]},
        )
        url = reverse("cases:detail", args=[case.pk]) + f"#comment-{comment.pk}"
        for agent in mentioned:
            notification_create(
                agent=agent,
                text=_("%(author)s mentioned you on the case %(reference)s.")
                % {"author": author, "reference": case.reference},
                url=url,
                actor=author,
            )
    return comment


def document_add(
    *, case: Case, field_name: str, checked: CheckedFile, actor: Any
) -> SupportingDocument:
    """Add a supporting document to a case, for a file field of its schema ('' for any other)."""
    check_may_see(actor, case)
    if field_name and field_name not in file_field_names(case.procedure_version.field_schema):
        raise ValidationError(
            {
                "field_name": _("“%(name)s” is not a document of this procedure.")
                % {"name": field_name}
            },
            code="unknown_field",
        )
    with transaction.atomic():
        document = _store_document(case, field_name, checked)
        case.updated_at = timezone.now()
        case.save(update_fields=["updated_at"])
        record(
            actor=actor,
            verb="add-document",
            target=case,
            activity="add-supporting-document",
            payload={
                "document": document.pk,
                "field": field_name,
                "sha256": document.sha256,
            },
            detail=document.original_name,
        )
    return document

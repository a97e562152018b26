"""Emails from templates: the templates themselves, and the email of a template sent on
a case (by an agent, or by the status-emails automation).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from jinja2.exceptions import SecurityError, TemplateError

from levier.cases.models import Case
from levier.core.models import Agent
from levier.journal.services import record
from levier.mailing.models import OutboundEmail
from levier.mailing.services import email_queue

from ..emails import render_email, validate_email_template
from ..models import DocumentTemplate, EmailTemplate, OutputFormat, TemplateKind
from ..render import MissingMergeValue, soffice_path
from .access import check_may_configure, check_may_see
from .generation import document_generate


def email_template_save(*, template: EmailTemplate, actor: Any) -> EmailTemplate:
    """Create or update an email template, checked (syntax, merge fields) before saving."""
    check_may_configure(actor)
    fields = validate_email_template(
        subject=template.subject,
        body_text=template.body_text,
        body_html=template.body_html,
        procedure=template.procedure,
    )
    created = template.pk is None
    with transaction.atomic():
        template.save()
        record(
            actor=actor,
            verb="create-email-template" if created else "update-email-template",
            target=template,
            activity="configure-procedure",
            payload={
                "name": template.name,
                "status": template.status,
                "active": template.is_active,
                "fields": fields,
            },
        )
    return template


def email_for_status(*, case: Case, status: str | None = None) -> EmailTemplate | None:
    """The active email template sent when `case` reaches `status` (by default its own):
    the one of the case's procedure, else one for every procedure; None when there is none."""
    status = status or case.status
    return (
        EmailTemplate.objects.filter(is_active=True, status=status)
        .filter(Q(procedure__isnull=True) | Q(procedure_id=case.procedure_id))
        .select_related("attach_template")
        .order_by(F("procedure_id").asc(nulls_last=True), "id")
        .first()
    )


def _attachment_format(template: DocumentTemplate) -> str:
    if template.kind == TemplateKind.DOCX and soffice_path() is None:
        return OutputFormat.DOCX
    return OutputFormat.PDF


def email_send_for_case(
    *, case: Case, template: EmailTemplate, actor: Any, dedupe_key: str = ""
) -> OutboundEmail:
    """Fill an email template with the case's data and put it in the outbox for the usager.

    The document of `template.attach_template`, when set, is generated (and kept on the
    case) and attached. Missing merge data, an unusable template or a usager without an
    email address are refused with a ValidationError saying which and how to fix it.
    `actor` is an Agent, or a journal Actor (robot) for the status emails. With a
    `dedupe_key` (automations), the email already queued under it is returned as it is:
    nothing is generated, queued or journaled twice.
    """
    if dedupe_key and (done := OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()):
        return done

    check_may_see(actor, case)
    if not template.is_active or template.procedure_id not in (None, case.procedure_id):
        raise ValidationError(
            _("The email “%(template)s” cannot be sent on case %(reference)s."),
            code="unusable_template",
            params={"template": template.name, "reference": case.reference},
        )
    contact = case.contact
    if not (contact.email or "").strip():
        raise ValidationError(
            _(
                "The usager of case %(reference)s has no email address: add one to their "
                "record, or write to them by post."
            ),
            code="no_email",
            params={"reference": case.reference},
        )
    agent = actor if isinstance(actor, Agent) else None
    try:
        rendered = render_email(template, case=case, agent=agent)
    except MissingMergeValue as error:
        raise ValidationError(
            _(
                "Case %(reference)s has no value for “%(field)s”: complete it or remove "
                "this field from the email “%(template)s”."
            ),
            code="missing_merge_value",
            params={"reference": case.reference, "field": error.name, "template": template.name},
        ) from error
    except (SecurityError, TemplateError) as error:
        raise ValidationError(
            _("The email “%(template)s” could not be filled: %(error)s"),
            code="template_error",
            params={"template": template.name, "error": str(error)},
        ) from error
    attachments = []
    document = None
    attached = template.attach_template if template.attach_template_id else None
    if attached is not None:
        document = document_generate(
            case=case, template=attached, actor=actor, format=_attachment_format(attached)
        )
        with document.file.open("rb") as handle:
            attachments.append((document.file_name, handle.read(), document.content_type))
    with transaction.atomic():
        email = email_queue(
            to=contact.email,
            subject=rendered.subject,
            body=rendered.text,
            html=rendered.html,
            contact=contact,
            about=case,
            attachments=attachments,
            dedupe_key=dedupe_key,
        )
        # No activity: the outbox counts the email ("send-email") when it is sent.
        record(
            actor=actor,
            verb="queue-email",
            target=case,
            payload={
                "email": email.pk,
                "template": template.pk,
                "template_name": template.name,
                "document": document.pk if document else None,
            },
        )
    return email
